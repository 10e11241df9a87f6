/**
 * Dates written as a spreadsheet's day numbers, end to end through transformFile: in an xlsx, a date or
 * datetime field reads a number cell (a date without a date format) in the workbook's date system, 1900
 * or 1904; in a CSV the same number is rejected with a message that says what it is.
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
  contract,
  csvText,
  expectAccounted,
  expectRowErrors,
  ingest,
  plainRows,
  writeInput,
} from './helpers.ts';

const FIELDS = [
  { name: 'clinic_id' },
  { name: 'opened_on', type: 'date' },
  { name: 'inspected_at', type: 'datetime' },
];

/** Day `n` of a date system whose day 0 is `epoch` (UTC ms), as YYYY-MM-DD[ HH:MM:SS]. */
function dayText(epoch: number, n: number, withTime: boolean): string {
  const iso = new Date(epoch + Math.round(n * 86_400) * 1000).toISOString();
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso.slice(0, 10);
}

async function workbook(date1904: boolean, rows: (string | number)[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  wb.properties.date1904 = date1904;
  const ws = wb.addWorksheet('表');
  ws.addRow(['clinic_id', 'opened_on', 'inspected_at']);
  for (const r of rows) ws.addRow(r);
  return writeInput(Buffer.from(await wb.xlsx.writeBuffer()), 'upload.xlsx');
}

describe('day numbers in an xlsx', () => {
  it('are dates in the 1900 date system, its 29 February 1900 excepted', async () => {
    const path = await workbook(false, [
      ['GY01', 44136, 44136.5],
      ['GY02', 1, 61.25],
      ['GY03', 59, 45000],
      ['GY04', 60, 1],
    ]);
    const o = await ingest(path, contract({ maxRejectedRatio: 1, fields: FIELDS, format: { type: 'xlsx' } }));
    expectAccounted(o.report);
    expect(plainRows(o.curated).map((r) => [r.opened_on, r.inspected_at])).toEqual([
      ['2020-11-01', '2020-11-01 12:00:00'],
      ['1900-01-01', '1900-03-01 06:00:00'],
      ['1900-02-28', dayText(Date.UTC(1899, 11, 30), 45000, true)],
    ]);
    expectRowErrors(o, [
      { line: 5, column: 'opened_on', rule: 'type', message: '"60" is not a valid date (formats: %Y-%m-%d)' },
    ]);
  });

  it('are dates in the 1904 date system when the workbook counts from 1904', async () => {
    const path = await workbook(true, [['GY01', 44136, 44136.75]]);
    const o = await ingest(path, contract({ fields: FIELDS, format: { type: 'xlsx' } }));
    expectAccounted(o.report);
    const epoch = Date.UTC(1904, 0, 1);
    expect(plainRows(o.curated).map((r) => [r.opened_on, r.inspected_at])).toEqual([
      [dayText(epoch, 44136, false), dayText(epoch, 44136.75, true)],
    ]);
    expect(dayText(epoch, 44136, false)).toBe('2024-11-02');
  });
});

describe('day numbers in a CSV', () => {
  it('are rejected with a message that says they look like Excel day numbers', async () => {
    const path = await writeInput(
      csvText(
        ['clinic_id', 'opened_on', 'inspected_at'],
        [
          ['GY01', '44136', '44136.5'],
          ['GY02', '2026-11-28', '1234'],
        ],
      ),
    );
    const o = await ingest(path, contract({ maxRejectedRatio: 1, fields: FIELDS }));
    expectAccounted(o.report);
    const hint =
      ': this looks like an Excel day number; format the column as dates in the spreadsheet before saving it as CSV, or upload the xlsx';
    expectRowErrors(o, [
      {
        line: 2,
        column: 'opened_on',
        rule: 'type',
        message: `"44136" is not a valid date (formats: %Y-%m-%d)${hint}`,
      },
      {
        line: 2,
        column: 'inspected_at',
        rule: 'type',
        message: `"44136.5" is not a valid datetime (formats: %Y-%m-%dT%H:%M:%S, %Y-%m-%dT%H:%M:%SZ, %Y-%m-%d %H:%M:%S)${hint}`,
      },
      {
        line: 3,
        column: 'inspected_at',
        rule: 'type',
        message:
          '"1234" is not a valid datetime (formats: %Y-%m-%dT%H:%M:%S, %Y-%m-%dT%H:%M:%SZ, %Y-%m-%d %H:%M:%S)',
      },
    ]);
  });
});
