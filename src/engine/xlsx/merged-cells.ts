/**
 * A sheet's merged cells (`<mergeCells><mergeCell ref="A3:A7"/>`), and filling them. Spreadsheets
 * offices send merge a `市州` cell down the rows of each city, or a header group such as `人口` across
 * its columns; only the top-left cell of a range holds the value. Filled, each cell of the range holds
 * it, so every row says its city and every column of a multi-row header gets its group's name.
 *
 * The ranges are listed after `<sheetData>` in the worksheet part, so they are read by a first pass over
 * the part: a plain text scan for `mergeCell` elements (no XML events for the cells), which keeps only
 * the ranges. The rows are then filled as they stream by, holding only the ranges and their values.
 *
 * A range one row tall that is all its row holds (a title across the table) is left as it is: a title is
 * one value, not one per column.
 */
import { notAWorkbook } from './not-a-workbook.ts';
import type { SheetRow } from './sheet-rows.ts';

/** Merged ranges read at most: each is a few numbers, so this bounds the memory of the first pass. */
export const MAX_MERGED_RANGES = 200_000;
/** Characters of a chunk kept for the next one, so that an element cut between chunks is still found. */
const CARRY = 512;
/** A `mergeCell` element (any prefix) with its range. */
const MERGE_CELL =
  /<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref\s*=\s*["']([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?["']/g;

export interface MergedRange {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** The column number (A = 1) of column letters. */
function columnNumber(letters: string): number {
  let col = 0;
  for (const ch of letters.toUpperCase()) col = col * 26 + (ch.charCodeAt(0) - 64);
  return col;
}

/** The merged ranges of the worksheet part `part` (its text in `text`), in the order the part lists them. */
export async function readMergedRanges(
  text: AsyncIterable<string>,
  part: string,
  sheet: string,
): Promise<MergedRange[]> {
  const ranges: MergedRange[] = [];
  let carry = '';
  for await (const chunk of text) {
    const s = carry + chunk;
    let end = 0;
    for (const m of s.matchAll(MERGE_CELL)) {
      const [a, b] = [
        { col: columnNumber(m[1]), row: Number(m[2]) },
        { col: columnNumber(m[3] ?? m[1]), row: Number(m[4] ?? m[2]) },
      ];
      end = (m.index ?? 0) + m[0].length;
      // A one-cell range merges nothing.
      if (a.col === b.col && a.row === b.row) continue;
      if (ranges.length >= MAX_MERGED_RANGES) {
        throw notAWorkbook(
          `sheet "${sheet}" (${part}) has more than ${MAX_MERGED_RANGES} merged ranges: unmerge the cells, or set format.mergedCells: blank in the contract`,
        );
      }
      ranges.push({
        top: Math.min(a.row, b.row),
        bottom: Math.max(a.row, b.row),
        left: Math.min(a.col, b.col),
        right: Math.max(a.col, b.col),
      });
    }
    // Keep the tail not yet matched, in case an element starts in it.
    carry = s.slice(Math.max(end, s.length - CARRY));
  }
  return ranges;
}

const blank = (text: string | undefined) => text === undefined || text.trim() === '';

/** Fills the cells of merged ranges from their top-left cells, row by row, counting the cells filled. */
export class MergedCellFiller {
  private readonly pending: MergedRange[];
  private next = 0;
  /** Ranges whose top row has been seen and whose bottom row has not passed, with their value. */
  private active: { range: MergedRange; value: string }[] = [];
  /** Cells given a value so far. */
  filled = 0;

  constructor(ranges: readonly MergedRange[]) {
    this.pending = [...ranges].sort((a, b) => a.top - b.top || a.left - b.left);
  }

  /** Fills `row` in place (rows come in ascending order, some rows absent). */
  fill(row: SheetRow): SheetRow {
    const n = row.number;
    this.active = this.active.filter((a) => a.range.bottom >= n);
    while (this.next < this.pending.length && this.pending[this.next].top <= n) {
      const range = this.pending[this.next++];
      if (range.bottom < n) continue;
      // The top row was absent (blank): the range has no value to give.
      if (range.top !== n) continue;
      const value = row.cells[range.left - 1] ?? '';
      if (blank(value) || this.isTitle(range, row)) continue;
      this.active.push({ range, value });
    }
    for (const { range, value } of this.active) {
      for (let c = range.left; c <= range.right; c++) {
        if (c === range.left && n === range.top) continue;
        if (blank(row.cells[c - 1])) {
          row.cells[c - 1] = value;
          this.filled++;
        }
      }
    }
    return row;
  }

  /** A range one row tall that holds all its row's text: a title, left as one cell. */
  private isTitle(range: MergedRange, row: SheetRow): boolean {
    if (range.top !== range.bottom) return false;
    for (let i = 0; i < row.cells.length; i++) {
      if ((i < range.left - 1 || i > range.right - 1) && !blank(row.cells[i])) return false;
    }
    return true;
  }
}

/** The rows of `rows` with their merged cells filled by `filler`. */
export async function* filledRows(
  rows: AsyncIterable<SheetRow>,
  filler: MergedCellFiller,
): AsyncGenerator<SheetRow> {
  for await (const row of rows) yield filler.fill(row);
}
