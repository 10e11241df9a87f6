/**
 * `lake query --format … --output …` and `lake query --file`: a result exported as CSV (BOM, formula
 * guard), TSV, JSON, JSONL, xlsx and Parquet, read back with the tools an analyst would use.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/errors.ts';
import { lake, tempLakeDir } from './helpers.ts';

let dir: string;
let remove: () => Promise<void>;
const at = () => ['--lake-dir', join(dir, 'lake')];

/** Two clinics, with a formula-like text, a decimal beyond a double's 15 digits of cents, a date. */
const SQL = `SELECT clinic_id, clinic_name, beds, opened_on,
  CAST('12345678901234.05' AS DECIMAL(18,2)) + beds AS fee,
  CASE WHEN beds > 0 THEN '=HYPERLINK("x")' ELSE 'a\tb' END AS note
FROM health.clinics WHERE clinic_id IN ('GZ520102001', 'GZ520102002') ORDER BY clinic_id`;

beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  const r = await lake([
    'ingest',
    'examples/health/clinics/clinics-2026-11.csv',
    '--dataset',
    'health/clinics',
    '--json',
    ...at(),
  ]);
  expect(r.code).toBe(0);
  writeFileSync(join(dir, 'q.sql'), `\ufeff-- two clinics\n${SQL};\n`);
});
afterAll(async () => {
  await remove();
});

async function exported(format: string, name = `out.${format}`): Promise<string> {
  const file = join(dir, name);
  const r = await lake(['query', SQL, '--format', format, '--output', file, ...at()]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(`2 rows written to ${file} (${format})\n`);
  return file;
}

describe('lake query --format --output', () => {
  it('csv: UTF-8 with BOM, CRLF, formulas guarded, decimals exact', async () => {
    const text = readFileSync(await exported('csv'), 'utf8');
    expect(text.startsWith('\ufeffclinic_id,clinic_name,beds,opened_on,fee,note\r\n')).toBe(true);
    const lines = text.slice(1).split('\r\n');
    expect(lines[1]).toBe('GZ520102001,南明胡涛诊所,0,2019-12-11,12345678901234.05,a\tb');
    expect(lines[2]).toBe(
      'GZ520102002,南明区油榨社区卫生服务中心,57,2006-11-01,12345678901291.05,"\'=HYPERLINK(""x"")"',
    );
    expect(lines[3]).toBe('');
  });

  it('csv to stdout, the format told by the --output extension, and tsv with escapes', async () => {
    const out = await lake(['query', SQL, '--format', 'csv', ...at()]);
    expect(out.stdout).toBe(readFileSync(join(dir, 'out.csv'), 'utf8'));
    const byName = await lake(['query', SQL, '--output', join(dir, 'by-name.jsonl'), ...at()]);
    expect(byName.stdout).toContain('(jsonl)');
    const tsv = await lake(['query', SQL, '--format', 'tsv', ...at()]);
    expect(tsv.stdout.split('\n')).toEqual([
      'clinic_id\tclinic_name\tbeds\topened_on\tfee\tnote',
      'GZ520102001\t南明胡涛诊所\t0\t2019-12-11\t12345678901234.05\ta\\tb',
      'GZ520102002\t南明区油榨社区卫生服务中心\t57\t2006-11-01\t12345678901291.05\t\'=HYPERLINK("x")',
      '',
    ]);
  });

  it('json and jsonl: the rows, decimals as exact text', async () => {
    const doc = JSON.parse(readFileSync(await exported('json'), 'utf8'));
    expect(doc.columns.map((c: { type: string }) => c.type)).toEqual([
      'VARCHAR',
      'VARCHAR',
      'BIGINT',
      'DATE',
      'DECIMAL(22,2)',
      'VARCHAR',
    ]);
    expect(doc.rows[1]).toMatchObject({ beds: 57, fee: '12345678901291.05', note: '=HYPERLINK("x")' });
    const lines = readFileSync(await exported('jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(doc.rows);
  });

  it('xlsx: typed cells, dates and decimals formatted, text never a formula', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await exported('xlsx'));
    const sheet = workbook.getWorksheet('result');
    expect(sheet?.getRow(1).values).toEqual([
      undefined,
      'clinic_id',
      'clinic_name',
      'beds',
      'opened_on',
      'fee',
      'note',
    ]);
    const row = sheet?.getRow(3);
    expect(row?.getCell(3).value).toBe(57);
    expect(row?.getCell(4).value).toEqual(new Date('2006-11-01T00:00:00Z'));
    expect(row?.getCell(4).numFmt).toBe('yyyy-mm-dd');
    expect(row?.getCell(5).numFmt).toBe('0.00');
    expect(row?.getCell(6).value).toBe('=HYPERLINK("x")');
    expect(row?.getCell(6).type).toBe(ExcelJS.ValueType.String);
  });

  it("parquet: the query's types, decimals exact", async () => {
    const file = await exported('parquet');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const types = await conn.runAndReadAll(
        `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '${file}')`,
      );
      expect(types.getRowsJson()).toEqual([
        ['clinic_id', 'VARCHAR'],
        ['clinic_name', 'VARCHAR'],
        ['beds', 'BIGINT'],
        ['opened_on', 'DATE'],
        ['fee', 'DECIMAL(22,2)'],
        ['note', 'VARCHAR'],
      ]);
      const fee = await conn.runAndReadAll(
        `SELECT fee::VARCHAR, opened_on::VARCHAR FROM '${file}' ORDER BY clinic_id`,
      );
      expect(fee.getRowsJson()).toEqual([
        ['12345678901234.05', '2019-12-11'],
        ['12345678901291.05', '2006-11-01'],
      ]);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });

  it('--json says what was written', async () => {
    const r = await lake(['query', SQL, '--output', join(dir, 'o.parquet'), '--json', ...at()]);
    expect(r.json()).toMatchObject({ output: join(dir, 'o.parquet'), format: 'parquet', rows: 2 });
  });

  it('refuses a binary format without a file, and an unknown format', async () => {
    const xlsx = await lake(['query', 'SELECT 1', '--format', 'xlsx', ...at()]);
    expect(xlsx.code).toBe(EXIT.usage);
    expect(xlsx.stderr).toContain('lake: --format xlsx needs --output <file>');
    const odd = await lake(['query', 'SELECT 1', '--format', 'xls', '--output', 'x.xls', ...at()]);
    expect(odd.code).toBe(EXIT.usage);
    expect(odd.stderr).toContain('--format must be one of csv, tsv, json, jsonl, xlsx, parquet, not "xls"');
  });
});

describe('lake query --file', () => {
  it('runs the SQL in the file (BOM and comments allowed)', async () => {
    const r = await lake(['query', '--file', join(dir, 'q.sql'), '--json', ...at()]);
    expect(r.code).toBe(0);
    expect(r.json<{ rows: { clinic_id: string }[] }>().rows.map((x) => x.clinic_id)).toEqual([
      'GZ520102001',
      'GZ520102002',
    ]);
  });

  it('refuses SQL and a file at once, a missing file, and an empty one', async () => {
    const both = await lake(['query', 'SELECT 1', '-f', join(dir, 'q.sql'), ...at()]);
    expect(both.code).toBe(EXIT.usage);
    expect(both.stderr).toContain('give the SQL or --file <q.sql>, not both');
    const missing = await lake(['query', '-f', 'nothing.sql', ...at()]);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain('lake: no such file: nothing.sql');
    writeFileSync(join(dir, 'empty.sql'), '\n');
    const empty = await lake(['query', '-f', join(dir, 'empty.sql'), ...at()]);
    expect(empty.code).toBe(EXIT.usage);
    expect(empty.stderr).toContain('holds no SQL');
  });
});
