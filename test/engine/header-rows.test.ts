/**
 * Files as government offices send them, end to end through transformFile: a title row and a
 * `填报单位：… 填报日期：…` row above the header on row 3, a `合计` totals row and a `注：` footnote
 * below the data, as a generated xlsx and as the same CSV. The header is found (or named by
 * format.headerRows, several rows joined), the rows above it are named in the report, and the rows
 * format.skipRows leaves out are counted: accepted + rejected + skipped = total.
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { Output } from '../../src/cli/output.ts';
import { printReport, printShortReport } from '../../src/cli/report-view.ts';
import type { IngestReport } from '../../src/engine/report.ts';
import { contract, csvText, expectAccounted, ingest, plainRows, writeInput } from './helpers.ts';

const TITLE = '贵州省2026年第三季度医疗机构统计表';
const FILLED_BY = ['填报单位：贵州省卫生健康委员会', '', '', '填报日期：2026年10月8日'];
const HEADER = ['机构编码', '机构名称', '床位数', '年收入'];
/** Data rows: code, name, beds, revenue as offices write them. */
const DATA = [
  ['GZ000001', '南明区人民医院', '1,510', '￥6,619.39'],
  ['GZ000002', '云岩区妇幼保健院', '２４０', '1,200.50元'],
  ['GZ000003', '花溪区中医院', '380', '￥980'],
  ['GZ000004', '乌当区社区卫生服务中心', '-5', '￥12'],
];
const TOTAL = ['合计', '', '2,125', '￥8,812.39'];
const NOTE = ['注：床位数为核定床位。'];

/** The sheet's rows, as a department's system exports them. */
const SHEET: string[][] = [[TITLE], FILLED_BY, HEADER, ...DATA, TOTAL, NOTE];

const FIELDS = [
  { name: 'clinic_id', headers: ['机构编码'] },
  { name: 'clinic_name', headers: ['机构名称'] },
  { name: 'beds', type: 'integer', headers: ['床位数'], groupChar: ',', constraints: { minimum: 0 } },
  { name: 'revenue', type: 'number', headers: ['年收入'], groupChar: ',', bareNumber: false },
];

async function xlsxOf(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('统计表');
  for (const r of rows) ws.addRow(r.map((c) => (c === '' ? null : c)));
  ws.mergeCells('A1:D1');
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function run(kind: 'xlsx' | 'csv', format: Record<string, unknown>, rows = SHEET) {
  const body = kind === 'xlsx' ? await xlsxOf(rows) : csvText(rows[0], rows.slice(1));
  const path = await writeInput(body, `upload.${kind}`);
  const o = await ingest(
    path,
    contract({ maxRejectedRatio: 1, fields: FIELDS, format: { type: kind, ...format } }),
  );
  expectAccounted(o.report);
  return o;
}

const SKIP = { skipRows: ['^合计', '^注[:：]'] };

describe.each(['xlsx', 'csv'] as const)('%s with title rows, totals and a footnote', (kind) => {
  it('finds the header on row 3 below the title rows, and leaves out the totals and the footnote', async () => {
    const o = await run(kind, SKIP);
    expect(o.report.header).toEqual({ rows: [3], skipped: [1, 2] });
    expect(o.report.rows).toEqual({ total: 6, accepted: 3, rejected: 1, skipped: 2 });
    expect(o.report.skippedLines).toEqual([8, 9]);
    expect(o.report.columns).toEqual({
      matched: { clinic_id: '机构编码', clinic_name: '机构名称', beds: '床位数', revenue: '年收入' },
      extra: [],
      missing: [],
    });
    const rows = plainRows(o.curated, o.curatedTypes).map(({ _source_line, clinic_id, beds, revenue }) => ({
      _source_line,
      clinic_id,
      beds,
      revenue,
    }));
    expect(rows).toEqual([
      { _source_line: 4, clinic_id: 'GZ000001', beds: 1510, revenue: 6619.39 },
      { _source_line: 5, clinic_id: 'GZ000002', beds: 240, revenue: 1200.5 },
      { _source_line: 6, clinic_id: 'GZ000003', beds: 380, revenue: 980 },
    ]);
    // The published beds and the rejected row's add up to the totals row the file carries.
    expect(rows.reduce((n, r) => n + Number(r.beds), 0) - 5).toBe(2125);
    expect(o.report.errors).toEqual([
      { line: 7, column: 'beds', rule: 'minimum', message: '"-5" is below the minimum 0' },
    ]);
  });

  it('without skipRows, the totals row and the footnote are rows like any other', async () => {
    const o = await run(kind, {});
    expect(o.report.header).toEqual({ rows: [3], skipped: [1, 2] });
    expect(o.report.rows).toEqual({ total: 6, accepted: 4, rejected: 2 });
    // The totals row reads as a clinic; the one-cell footnote is short of columns.
    expect(o.curated.map((r) => r.clinic_id)).toContain('合计');
    expect(o.quarantine.map((r) => Number(r._source_line))).toEqual([7, 9]);
  });

  it('format.headerRows names the header row; several rows are joined with headerJoin', async () => {
    const named = await run(kind, { headerRows: [3], ...SKIP });
    expect(named.report.header).toEqual({ rows: [3], skipped: [1, 2] });
    expect(named.report.rows).toEqual({ total: 6, accepted: 3, rejected: 1, skipped: 2 });

    // A two-row header: 机构 / 编码 ... joined by '' into the header spellings.
    const twoRow = [
      [TITLE],
      ['机构', '机构', '床位', '年'],
      ['编码', '名称', '数', '收入'],
      ...DATA,
      TOTAL,
      NOTE,
    ];
    const joined = await run(kind, { headerRows: [2, 3], headerJoin: '', ...SKIP }, twoRow);
    expect(joined.report.header).toEqual({ rows: [2, 3], skipped: [1] });
    expect(joined.report.columns.missing).toEqual([]);
    expect(joined.report.rows).toEqual({ total: 6, accepted: 3, rejected: 1, skipped: 2 });
  });

  it('a header row that is not in the file rejects the file, saying which', async () => {
    const o = await run(kind, { headerRows: [40] });
    expect(o.report.status).toBe('rejected');
    expect(o.report.errors[0].message).toMatch(/format\.headerRows names row 40/);
  });
});

describe('a plain file', () => {
  it('keeps its first row as the header and says nothing of header rows', async () => {
    const o = await run('csv', SKIP, [HEADER, ...DATA.slice(0, 3)]);
    const r: IngestReport = o.report;
    expect(r.header).toBeUndefined();
    expect(r.skippedLines).toBeUndefined();
    expect(r.rows).toEqual({ total: 3, accepted: 3, rejected: 0 });
  });
});

describe('the report, printed', () => {
  it('says which row was the header, which rows above it were skipped, and the skipped rows', async () => {
    const o = await run('xlsx', SKIP);
    const printed: string[] = [];
    const out = new Output({
      stdout: { write: (t: string) => printed.push(t), isTTY: false },
      stderr: { write: () => true },
      env: {},
      cwd: '/',
    });
    printShortReport(out, o.report);
    printReport(out, o.report);
    const text = printed.join('');
    expect(text).toContain('6 rows: 3 published, 1 quarantined, 2 skipped');
    expect(text).toMatch(/header: +row 3; title rows 1, 2 skipped/);
    expect(text).toMatch(/skipped rows: +lines 8, 9 \(format\.skipRows\)/);
  });
});
