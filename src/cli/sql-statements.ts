/**
 * The statements of the SQL shell's input: text gathered line by line until a `;` outside quotes and
 * comments ends a statement. `'…'` strings (with `''`), `"…"` identifiers, `-- …` and `/* … *\/`
 * comments are skipped over, so a `;` inside them ends nothing.
 */
export class StatementBuffer {
  private text = '';

  /** True while a statement has begun and not ended. */
  get pending(): boolean {
    return this.text.trim() !== '';
  }

  /** Adds a line; returns the statements it ended (without their `;`), in order. */
  push(line: string): string[] {
    this.text += `${line}\n`;
    const done: string[] = [];
    let start = 0;
    let quote: string | null = null;
    let comment: 'line' | 'block' | null = null;
    const s = this.text;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (comment === 'line') {
        if (c === '\n') comment = null;
      } else if (comment === 'block') {
        if (c === '*' && s[i + 1] === '/') {
          comment = null;
          i++;
        }
      } else if (quote) {
        // A doubled quote is the quote itself; a single one ends the string.
        if (c === quote && s[i + 1] === quote) i++;
        else if (c === quote) quote = null;
      } else if (c === "'" || c === '"') {
        quote = c;
      } else if (c === '-' && s[i + 1] === '-') {
        comment = 'line';
      } else if (c === '/' && s[i + 1] === '*') {
        comment = 'block';
      } else if (c === ';') {
        const statement = s.slice(start, i).trim();
        if (statement) done.push(statement);
        start = i + 1;
      }
    }
    this.text = s.slice(start);
    // Only comments left (`SELECT 1; -- done`): no statement has begun.
    if (!quote && !comment && this.text.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() === '')
      this.text = '';
    return done;
  }

  /** Forgets the statement begun (Ctrl-C). */
  clear(): void {
    this.text = '';
  }

  /** What is left without its `;` (at the end of the input). */
  rest(): string {
    const r = this.text.trim();
    this.text = '';
    return r;
  }
}
