/**
 * A workbook part's XML, parsed as it streams (saxes): elements and text reach the caller's handlers by
 * their local names (`x:row` and `row` alike, as some programs prefix the spreadsheet namespace), one
 * chunk at a time, so that a caller can act on what one chunk produced before the next is read. XML that
 * is not well formed is rejected with the part, line and column.
 */
import { SaxesParser } from 'saxes';
import { notAWorkbook } from './not-a-workbook.ts';

export interface XmlHandlers {
  open(name: string, attributes: Readonly<Record<string, string>>): void;
  close(name: string): void;
  text(text: string): void;
}

/** `x:row` → `row`. */
export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/**
 * Feeds `chunks` of the part named `part` to the handlers, yielding after each chunk and once more at
 * its end. `what` names the part for the data steward in a rejection ("the data of sheet "数据"").
 */
export async function* parseXml(
  chunks: AsyncIterable<string>,
  part: string,
  what: string,
  handlers: XmlHandlers,
): AsyncGenerator<void> {
  const parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  parser.on('opentag', (tag) => handlers.open(localName(tag.name), tag.attributes));
  parser.on('closetag', (tag) => handlers.close(localName(tag.name)));
  parser.on('text', (text) => handlers.text(text));
  parser.on('cdata', (text) => handlers.text(text));
  parser.on('error', (e) => {
    const detail = e.message.replace(/^\d+:\d+: /, '');
    const at = `${part}, line ${parser.line}, column ${parser.column + 1}`;
    throw notAWorkbook(`${what} is damaged: ${at}: ${detail}`, e);
  });
  for await (const chunk of chunks) {
    parser.write(chunk);
    yield;
  }
  parser.close();
  yield;
}

/** Parses the whole part; for the small parts read before the sheet. */
export async function readXml(
  chunks: AsyncIterable<string>,
  part: string,
  what: string,
  handlers: XmlHandlers,
): Promise<void> {
  for await (const _ of parseXml(chunks, part, what, handlers)) {
    // Every event has reached the handlers.
  }
}
