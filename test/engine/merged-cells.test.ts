/**
 * Merged cells of a sheet (src/engine/xlsx/merged-cells.ts): the ranges read by the first pass over the
 * worksheet part (whatever the chunking of its text), and the cells filled from each range's top-left
 * cell as rows stream by; a title merged across its row stays one cell.
 */
import { readFile, writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { MergedCellFiller, readMergedRanges } from '../../src/engine/xlsx/merged-cells.ts';
import type { SheetRow } from '../../src/engine/xlsx/sheet-rows.ts';
import { xlsxToCsv } from '../../src/engine/xlsx.ts';
import { writeInput } from './helpers.ts';

async function* chunksOf(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

const PART = `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>mergeCell ref="Z1:Z9"</t></is></c></row></sheetData>
<mergeCells count="3"><mergeCell ref="A3:A7"/><x:mergeCell ref='b2:d2'></x:mergeCell><mergeCell ref="E5"/></mergeCells></worksheet>`;

describe('readMergedRanges', () => {
  it.each([1, 7, 13, 4096])(
    'finds every range with the text cut into chunks of %i characters',
    async (size) => {
      const ranges = await readMergedRanges(chunksOf(PART, size), 'xl/worksheets/sheet1.xml', '表');
      // A one-cell range merges nothing; text that only looks like an element is not one.
      expect(ranges).toEqual([
        { top: 3, bottom: 7, left: 1, right: 1 },
        { top: 2, bottom: 2, left: 2, right: 4 },
      ]);
    },
  );
});

const row = (number: number, cells: (string | undefined)[]): SheetRow => ({
  number,
  cells: [...cells] as string[],
});

describe('MergedCellFiller', () => {
  it('fills down and across from the top-left cell, only empty cells, and counts them', () => {
    const filler = new MergedCellFiller([
      { top: 2, bottom: 4, left: 1, right: 1 },
      { top: 1, bottom: 1, left: 2, right: 3 },
    ]);
    const rows = [
      row(1, ['地区', '人口', undefined, '面积']),
      row(2, ['贵阳市', '1', '2']),
      row(3, [undefined, '3', '4']),
      // Row 4 is absent (blank in the sheet); row 5 is past the range.
      row(5, [undefined, '5', '6']),
    ].map((r) => filler.fill(r).cells);
    expect(rows).toEqual([
      ['地区', '人口', '人口', '面积'],
      ['贵阳市', '1', '2'],
      ['贵阳市', '3', '4'],
      [undefined, '5', '6'],
    ]);
    expect(filler.filled).toBe(2);
  });

  it('leaves a title merged across a row that holds nothing else, and a range whose top-left cell is empty', () => {
    const filler = new MergedCellFiller([
      { top: 1, bottom: 1, left: 1, right: 4 },
      { top: 2, bottom: 3, left: 2, right: 2 },
    ]);
    expect(filler.fill(row(1, ['统计表'])).cells).toEqual(['统计表']);
    expect(filler.fill(row(2, ['a', ''])).cells).toEqual(['a', '']);
    expect(filler.fill(row(3, ['b'])).cells).toEqual(['b']);
    expect(filler.filled).toBe(0);
  });
});

describe('xlsxToCsv with merged cells', () => {
  async function workbook(): Promise<string> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('表');
    ws.addRow(['统计表']);
    ws.addRow(['市州', '区县', '金额']);
    ws.addRow(['贵阳市', '南明区', 1]);
    ws.addRow([null, '云岩区', 2]);
    ws.addRow(['合计', null, 3]);
    ws.mergeCells('A1:C1');
    ws.mergeCells('A3:A4');
    ws.mergeCells('A5:B5');
    return writeInput(Buffer.from(await wb.xlsx.writeBuffer()), 'merged.xlsx');
  }

  it('fills by default and says how many cells it filled', async () => {
    const out = `${await workbook()}.csv`;
    const conv = await xlsxToCsv(await workbook(), out);
    expect(conv.filledFromMerged).toBe(2);
    expect(await readFile(out, 'utf8')).toBe(
      '__line,统计表\n2,市州,区县,金额\n3,贵阳市,南明区,1\n4,贵阳市,云岩区,2\n5,合计,合计,3\n',
    );
  });

  it('keeps the merged cells empty with mergedCells: blank', async () => {
    const path = await workbook();
    const out = `${path}.csv`;
    await writeFile(out, '');
    const conv = await xlsxToCsv(path, out, { mergedCells: 'blank' });
    expect(conv.filledFromMerged).toBeUndefined();
    expect(await readFile(out, 'utf8')).toBe(
      '__line,统计表\n2,市州,区县,金额\n3,贵阳市,南明区,1\n4,,云岩区,2\n5,合计,,3\n',
    );
  });
});
