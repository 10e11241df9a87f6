/**
 * The number format of each cell style, from the styles part (xl/styles.xml): a cell's `s` attribute
 * indexes the cell formats (`<cellXfs>`), each citing a number format by id, either one the workbook
 * spells out (`<numFmts>`) or a built-in one. Only the formats that show a date or time are known
 * by their code here; that is all the reader needs of them (see date-text.ts).
 */
import { BUILTIN_DATE_FORMATS } from './builtin-date-formats.ts';
import { readXml } from './xml-stream.ts';

/** The number format code of each cell style, by style index; undefined for General and the like. */
export type StyleFormats = readonly (string | undefined)[];

export async function readStyleFormats(text: AsyncIterable<string>, part: string): Promise<StyleFormats> {
  const custom = new Map<number, string>();
  const styleFormatIds: number[] = [];
  let inNumFmts = false;
  let inCellXfs = false;
  await readXml(text, part, 'the styles part', {
    open(name, a) {
      if (name === 'numFmts') inNumFmts = true;
      else if (name === 'numFmt' && inNumFmts) custom.set(Number(a.numFmtId), a.formatCode ?? '');
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) styleFormatIds.push(Number(a.numFmtId ?? 0));
    },
    close(name) {
      if (name === 'numFmts') inNumFmts = false;
      else if (name === 'cellXfs') inCellXfs = false;
    },
    text() {},
  });
  return styleFormatIds.map((id) => custom.get(id) ?? BUILTIN_DATE_FORMATS[id]);
}
