/**
 * A worksheet part's rows, streamed: each `<row>` of `<sheetData>` becomes its row number and its cells'
 * text, each cell placed at the column of its reference (`C7` is the third; a gap is an empty cell; a
 * cell without a reference follows the one before it). Rows come out after each chunk of the part is
 * parsed, so memory holds one chunk's rows, not the sheet.
 */
import type { CellConverter, RawCell } from './cell-converter.ts';
import { notAWorkbook } from './not-a-workbook.ts';
import { StringItem } from './string-item.ts';
import { parseXml } from './xml-stream.ts';

/** The last column a worksheet can have: XFD. */
const MAX_COLUMN = 16_384;

export interface SheetRow {
  /** The row number the spreadsheet shows (1-based). */
  number: number;
  /** Each cell's text at its column's index (column A at 0); missing cells are holes. */
  cells: string[];
}

/** The column number (A = 1) of a cell reference such as `AB12`, or 0 when it has no column letters. */
function columnOf(ref: string): number {
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20; // lower case
    if (c < 0x61 || c > 0x7a) break;
    col = col * 26 + (c - 0x60);
    if (col > MAX_COLUMN) return MAX_COLUMN + 1;
  }
  return col;
}

/** The letters of column number `column` (1 = A, 27 = AA). */
function columnName(column: number): string {
  let name = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26))
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

function positiveInt(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text.trim())) return null;
  const n = Number(text);
  return n >= 1 ? n : null;
}

/**
 * The rows of the worksheet part `part` (its text in `text`), in the order the part holds them, the
 * cells converted by `convert`. `sheet` names the sheet in rejections.
 */
export async function* sheetRows(
  text: AsyncIterable<string>,
  part: string,
  sheet: string,
  convert: CellConverter,
): AsyncGenerator<SheetRow> {
  const what = `the data of sheet "${sheet}"`;
  const ready: SheetRow[] = [];
  const inline = new StringItem();
  let inSheetData = false;
  let row: SheetRow | null = null;
  let lastRow = 0;
  let lastColumn = 0;
  let cell: (RawCell & { column: number; inline: string | null }) | null = null;
  let value: string[] | null = null;
  let inInline = false;

  const openCell = (a: Readonly<Record<string, string>>): void => {
    if (row === null) {
      row = { number: lastRow + 1, cells: [] };
      lastRow = row.number;
      lastColumn = 0;
    }
    const column = a.r === undefined ? lastColumn + 1 : columnOf(a.r) || lastColumn + 1;
    if (column > MAX_COLUMN) {
      throw notAWorkbook(`${what} is damaged: ${part}: cell ${a.r} is past the last column, XFD`);
    }
    cell = {
      ref: a.r ?? `${columnName(column)}${row.number}`,
      type: a.t ?? 'n',
      style: Number(a.s) || 0,
      value: null,
      column,
      inline: null,
    };
  };

  const closeCell = (): void => {
    if (cell === null || row === null) return;
    if (cell.type === 'inlineStr') cell.value = cell.inline ?? cell.value;
    row.cells[cell.column - 1] = convert.text(cell);
    lastColumn = cell.column;
    cell = null;
  };

  const events = parseXml(text, part, what, {
    open(name, a) {
      if (!inSheetData) {
        if (name === 'sheetData') inSheetData = true;
      } else if (cell !== null) {
        if (name === 'v') value = [];
        else if (name === 'is') {
          inInline = true;
          inline.reset();
        } else if (inInline) inline.open(name);
      } else if (name === 'row') {
        if (row !== null) ready.push(row);
        const number = positiveInt(a.r) ?? lastRow + 1;
        row = { number, cells: [] };
        lastRow = number;
        lastColumn = 0;
      } else if (name === 'c') openCell(a);
    },
    close(name) {
      if (!inSheetData) return;
      if (cell !== null) {
        if (name === 'v' && value !== null) {
          cell.value = value.join('');
          value = null;
        } else if (name === 'is') {
          inInline = false;
          cell.inline = inline.value();
        } else if (inInline) inline.close(name);
        else if (name === 'c') closeCell();
      } else if (name === 'row' && row !== null) {
        ready.push(row);
        row = null;
      } else if (name === 'sheetData') {
        inSheetData = false;
        if (row !== null) ready.push(row);
        row = null;
      }
    },
    text(t) {
      if (value !== null) value.push(t);
      else if (inInline) inline.text(t);
    },
  });
  for await (const _ of events) {
    for (const r of ready.splice(0)) yield r;
  }
}
