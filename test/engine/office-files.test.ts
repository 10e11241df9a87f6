/**
 * Files as government offices send them, generated (test/support/office-files.ts) and run end to end
 * through transformFile: a workbook with title rows, a two-row header with merged group cells, cities
 * merged down their rows, a totals row and a footnote, money as text in several spellings, full-width
 * digits, percentages and the sheet's day numbers; the same data as a GB18030 CSV. The counts of rows
 * accepted, rejected and skipped, the cells filled from merged ranges and the sums of the money columns
 * (exact decimals) are checked against what the generator wrote.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { exactRowOf } from '../../src/cli/export-result.ts';
import { decimalText, expected, officeCsv, officeRecords, officeWorkbook } from '../support/office-files.ts';
import { contract, expectAccounted, ingest, type Outcome, writeInput } from './helpers.ts';

const RECORDS = officeRecords(20261201, [5, 9, 1, 6]);
const WANT = expected(RECORDS);

/** One contract for both files: the header spellings of the sheet's joined header and of the CSV's. */
function officeContract(format: Record<string, unknown>, fields: Record<string, unknown> = {}) {
  return contract({
    maxRejectedRatio: 1,
    format: { skipRows: ['^合计', '^注[:：]'], ...format },
    fields: [
      { name: 'city', headers: ['市州'], constraints: { required: true } },
      { name: 'county', headers: ['区县'] },
      { name: 'org_code', headers: ['机构编码'], constraints: { required: true, pattern: '^GZ[0-9]{6}$' } },
      {
        name: 'allocated',
        type: 'number',
        headers: ['资金（元） 拨付', '拨付'],
        groupChar: ',',
        bareNumber: false,
        scale: 2,
        ...fields,
      },
      {
        name: 'self_raised',
        type: 'number',
        headers: ['资金（元） 自筹', '自筹'],
        groupChar: ',',
        bareNumber: false,
        scale: 2,
        precision: 12,
      },
      { name: 'share', type: 'number', headers: ['占比'], bareNumber: false, constraints: { maximum: 100 } },
      { name: 'beds', type: 'integer', headers: ['床位数'], groupChar: ',' },
      { name: 'registered', type: 'date', headers: ['登记日期'], formats: ['%Y-%m-%d', '%Y年%m月%d日'] },
    ],
  });
}

/** Sums of the curated money columns, as exact decimal text, and their types, read back by DuckDB. */
async function sums(
  o: Outcome,
): Promise<{ allocated: string; selfRaised: string; beds: string; types: string[] }> {
  const out = o.report.outputs.find((x) => x.kind === 'curated');
  if (!out) throw new Error('no curated output');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const path = `'${`${o.outDir}/${out.key}`.replaceAll("'", "''")}'`;
    const r = await c.runAndReadAll(
      `SELECT CAST(sum(allocated) AS VARCHAR), CAST(sum(self_raised) AS VARCHAR), CAST(sum(beds) AS VARCHAR), typeof(any_value(allocated)), typeof(any_value(self_raised)) FROM read_parquet(${path})`,
    );
    const [allocated, selfRaised, beds, ...types] = r.getRows()[0].map(String);
    return { allocated, selfRaised, beds, types };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

describe('an office workbook: title rows, merged cells, totals, footnote, numbers as text, day numbers', () => {
  it('fills the merged cells, joins the two-row header, and accepts, rejects and skips what the generator says', async () => {
    const { body, filled } = await officeWorkbook(RECORDS);
    const path = await writeInput(body, 'funds.xlsx');
    const o = await ingest(path, officeContract({ type: 'xlsx', headerRows: [3, 4] }));
    expectAccounted(o.report);
    expect(o.report.rows).toEqual({
      total: RECORDS.length + 2,
      accepted: WANT.accepted,
      rejected: WANT.rejected,
      skipped: 2,
    });
    expect(o.report.header).toEqual({ rows: [3, 4], skipped: [1, 2] });
    expect(o.report.skippedLines).toEqual([5 + RECORDS.length, 6 + RECORDS.length]);
    expect(o.report.cells).toEqual({ filledFromMerged: filled });
    expect(o.report.columns.matched).toMatchObject({
      city: '市州',
      allocated: '资金（元） 拨付',
      self_raised: '资金（元） 自筹',
    });
    expect(o.report.columns.missing).toEqual([]);
    // Every published row says its city, the one merged down from the first row of its block.
    expect(o.curated.map((r) => r.city)).toEqual(RECORDS.filter((r) => r.bad === null).map((r) => r.city));
    expect(o.curated.map((r) => r.registered)).toEqual(
      RECORDS.filter((r) => r.bad === null).map((r) => r.registered),
    );
    expect(o.report.errorCounts).toEqual({
      scale: { allocated: RECORDS.filter((r) => r.bad === 'scale').length },
      type: { beds: RECORDS.filter((r) => r.bad === 'beds').length },
    });
    const s = await sums(o);
    expect(s.types).toEqual(['DECIMAL(18,2)', 'DECIMAL(12,2)']);
    expect(s.allocated).toBe(decimalText(WANT.allocatedCents));
    expect(s.selfRaised).toBe(decimalText(WANT.selfRaisedCents));
    expect(s.beds).toBe(String(WANT.beds));
  });

  it('says why a value with more decimals than the scale is rejected, without rounding it', async () => {
    const { body } = await officeWorkbook(RECORDS);
    const o = await ingest(
      await writeInput(body, 'funds.xlsx'),
      officeContract({ type: 'xlsx', headerRows: [3, 4] }),
    );
    const bad = RECORDS.findIndex((r) => r.bad === 'scale');
    const e = o.report.errors.find((x) => x.rule === 'scale');
    expect(e?.line).toBe(5 + bad);
    expect(e?.column).toBe('allocated');
    expect(e?.message).toMatch(
      /has more than 2 decimals \(the field's scale\); values are not rounded: correct the value, or raise the field's scale in the contract$/,
    );
  });

  it('leaves merged cells empty with mergedCells: blank, as before', async () => {
    const { body } = await officeWorkbook(RECORDS);
    const o = await ingest(
      await writeInput(body, 'funds.xlsx'),
      officeContract({ type: 'xlsx', headerRows: [3, 4], mergedCells: 'blank' }),
    );
    expectAccounted(o.report);
    expect(o.report.cells).toBeUndefined();
    // The self-raised column is named by its lower header cell alone; the city is in the first row of each block only.
    expect(o.report.columns.matched.self_raised).toBe('自筹');
    const firstOfBlock = RECORDS.filter((r, i) => i === 0 || RECORDS[i - 1].city !== r.city);
    expect(o.report.errorCounts.required).toEqual({ city: RECORDS.length - firstOfBlock.length });
  });
});

describe('money typed into number cells', () => {
  it('rejects a stored sum such as 0.30000000000000004 rather than round it (the cell holds that double)', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('资金');
    ws.addRow(['机构编码', '拨付']);
    ws.addRow(['GZ000001', 0.1 + 0.2]);
    ws.addRow(['GZ000002', 1234.56]);
    ws.addRow(['GZ000003', 0.125]);
    const path = await writeInput(Buffer.from(await wb.xlsx.writeBuffer()), 'sum.xlsx');
    const o = await ingest(
      path,
      contract({
        maxRejectedRatio: 1,
        format: { type: 'xlsx' },
        fields: [
          { name: 'org_code', headers: ['机构编码'] },
          { name: 'allocated', type: 'number', headers: ['拨付'], scale: 2 },
        ],
      }),
    );
    expect(String(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(o.curated.map((r) => String(r.allocated))).toEqual(['1234.56']);
    expect(o.report.errorCounts).toEqual({ scale: { allocated: 2 } });
    expect(o.report.errors.map((e) => e.line)).toEqual([2, 4]);
  });
});

describe('exact decimals: what they do not read', () => {
  it('rejects more digits than the precision, an exponent and NaN, saying what the field reads', async () => {
    const path = await writeInput(
      'code,amount\nA,12345678901.00\nB,1e3\nC,NaN\nD,-9999999999.99\nE,0.1\n',
      'a.csv',
    );
    const o = await ingest(
      path,
      contract({
        maxRejectedRatio: 1,
        fields: [{ name: 'code' }, { name: 'amount', type: 'number', scale: 2, precision: 12 }],
      }),
    );
    expect(o.curated.map((r) => String(r.amount))).toEqual(['-9999999999.99', '0.10']);
    expect(o.report.errors.map((e) => [e.line, e.rule])).toEqual([
      [2, 'type'],
      [3, 'type'],
      [4, 'type'],
    ]);
    expect(o.report.errors[0].message).toBe(
      '"12345678901.00" is not a valid number (an exact decimal: plain digits, at most 10 before the point)',
    );
  });
});

describe('the same data as a GB18030 CSV', () => {
  it('reads the number forms and counts and sums what the generator wrote', async () => {
    const path = await writeInput(officeCsv(RECORDS), 'funds.csv');
    const o = await ingest(path, officeContract({ type: 'csv' }));
    expectAccounted(o.report);
    expect(o.report.source.encoding).toBe('gb18030');
    expect(o.report.rows).toEqual({
      total: RECORDS.length + 2,
      accepted: WANT.accepted,
      rejected: WANT.rejected,
      skipped: 2,
    });
    expect(o.report.header).toEqual({ rows: [2], skipped: [1] });
    const s = await sums(o);
    expect(s.allocated).toBe(decimalText(WANT.allocatedCents));
    expect(s.selfRaised).toBe(decimalText(WANT.selfRaisedCents));
    expect(s.beds).toBe(String(WANT.beds));
    expect(o.curated.map((r) => r.registered)).toEqual(
      RECORDS.filter((r) => r.bad === null).map((r) => r.registered),
    );
    const share = o.curated.map((r) => Number(r.share));
    expect(share).toEqual(RECORDS.filter((r) => r.bad === null).map((r) => r.sharePermille / 10));
  });

  it('publishes money as DECIMAL, which the CLI writes out at its scale', async () => {
    const path = await writeInput(officeCsv(RECORDS), 'funds.csv');
    const o = await ingest(path, officeContract({ type: 'csv' }));
    expect(o.curatedTypes.allocated).toBe('DECIMAL(18,2)');
    // A value whose last decimal is 0 (10.50): a double would print it as 10.5.
    const cents = 1050;
    const exact = exactRowOf([{ name: 'allocated', type: o.curatedTypes.allocated }])({
      allocated: cents / 100,
    });
    expect(exact.allocated).toBe('10.50');
    for (const r of RECORDS.filter((x) => x.bad === null)) {
      const row = o.curated.find((x) => x.org_code === r.code);
      expect(String(row?.allocated)).toBe(decimalText(r.allocatedCents));
    }
  });
});
