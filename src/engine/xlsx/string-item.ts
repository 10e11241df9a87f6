/**
 * The text of a string item: a shared string (`<si>`) or an inline string (`<is>`). Its text is in `<t>`
 * elements, directly or in rich-text runs (`<r><t>`), joined; the phonetic guides (`<rPh>`) that East
 * Asian workbooks add above the text are not part of it.
 */
export class StringItem {
  private parts: string[] = [];
  private inText = false;
  private phonetic = 0;

  /** Starts a new item. */
  reset(): void {
    this.parts = [];
    this.inText = false;
    this.phonetic = 0;
  }

  open(name: string): void {
    if (name === 'rPh') this.phonetic++;
    else if (name === 't' && this.phonetic === 0) this.inText = true;
  }

  close(name: string): void {
    if (name === 'rPh') this.phonetic--;
    else if (name === 't') this.inText = false;
  }

  text(text: string): void {
    if (this.inText) this.parts.push(text);
  }

  /** The item's text so far. */
  value(): string {
    return this.parts.length === 1 ? this.parts[0] : this.parts.join('');
  }
}
