/**
 * The shared-string table (xl/sharedStrings.xml), streamed into a StringTable: a cell of type `s` holds
 * an index into it. Each entry is one string item, its rich-text runs joined (see string-item.ts). The
 * text is held in memory up to a budget (resource-limits.ts: a share of the function's memory, at most
 * 64 MiB), and spilled to disk beyond it.
 */
import { tmpdir } from 'node:os';
import { resourceLimits } from '../resource-limits.ts';
import { StringItem } from './string-item.ts';
import { StringTable } from './string-table.ts';
import { readXml } from './xml-stream.ts';

export interface SharedStringsOptions {
  /** Text kept in memory, in bytes of UTF-16. @default resourceLimits().stringsMemoryBytes */
  memoryBytes?: number;
  /** Where strings beyond it spill. @default the OS temp directory */
  spillDir?: string;
}

/** The shared strings of `part`; close the table when the sheet is converted. */
export async function readSharedStrings(
  text: AsyncIterable<string>,
  part: string,
  opts: SharedStringsOptions = {},
): Promise<StringTable> {
  const strings = new StringTable(
    opts.memoryBytes ?? resourceLimits().stringsMemoryBytes,
    opts.spillDir ?? tmpdir(),
  );
  const item = new StringItem();
  let inItem = false;
  try {
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
  } catch (e) {
    strings.close();
    throw e;
  }
  return strings;
}
