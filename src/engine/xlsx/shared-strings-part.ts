/**
 * The shared-string table (xl/sharedStrings.xml), streamed into an array: a cell of type `s` holds an
 * index into it. Each entry is one string item, its rich-text runs joined (see string-item.ts).
 */
import { StringItem } from './string-item.ts';
import { readXml } from './xml-stream.ts';

export async function readSharedStrings(text: AsyncIterable<string>, part: string): Promise<string[]> {
  const strings: string[] = [];
  const item = new StringItem();
  let inItem = false;
  await readXml(text, part, 'the shared-string table', {
    open(name) {
      if (name === 'si') {
        inItem = true;
        item.reset();
      } else if (inItem) item.open(name);
    },
    close(name) {
      if (name === 'si') {
        inItem = false;
        strings.push(item.value());
      } else if (inItem) item.close(name);
    },
    text(t) {
      if (inItem) item.text(t);
    },
  });
  return strings;
}
