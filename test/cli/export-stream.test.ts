/**
 * Exports larger than a DuckDB chunk (2,048 rows) are written as the rows come, and come out whole: 200,000
 * generated rows read back by independent readers (DuckDB's CSV, JSON and Parquet readers, JSON.parse,
 * exceljs) with their count and a checksum. And numbers beyond a double's 15 digits print and export
 * exactly, in every output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lake, tempLakeDir } from './helpers.ts';

let dir: string;
let remove: () => Promise<void>;
const at = () => ['--lake-dir', join(dir, 'lake')];

/** Rows enough for about a hundred DuckDB chunks. */
const ROWS = 200_000;
/** A number, a text that a spreadsheet would run as a formula every 1,000th row, a decimal with its scale. */
const big = (n: number) => `SELECT range AS n,
  CASE WHEN range % 1000 = 0 THEN '=SUM(A1)' ELSE 'r' || range END AS label,
  (range * 0.5)::DECIMAL(18,2) AS half
FROM range(${n}) ORDER BY n`;
/** Σn over 0..ROWS-1, and Σhalf. */
const SUM_N = (ROWS * (ROWS - 1)) / 2;
const SUM_HALF = SUM_N / 2;

/** DuckDB, in memory, as an independent reader of the files written. */
async function read<T>(sql: string): Promise<T[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

async function exported(format: string, sql = big(ROWS), rows = ROWS): Promise<string> {
  const file = join(dir, `big.${format}`);
  const r = await lake(['query', sql, '--format', format, '--output', file, ...at()]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(
    `${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'} written to ${file} (${format})\n`,
  );
  return file;
}

beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
});
afterAll(async () => {
  await remove();
});

describe('an export larger than a chunk', () => {
  it('csv: every row, the BOM once, CRLF, formulas guarded, decimals at their scale', async () => {
    const file = await exported('csv');
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith("\ufeffn,label,half\r\n0,'=SUM(A1),0.00\r\n1,r1,0.50\r\n")).toBe(true);
    expect(text.indexOf('\ufeff', 1)).toBe(-1);
    expect(text.split('\r\n')).toHaveLength(ROWS + 2);
    expect(text.replaceAll('\r\n', '')).not.toContain('\n');
    const [sums] = await read<{ rows: string; n: string; half: string; guarded: string }>(
      `SELECT count(*)::VARCHAR AS rows, sum(n)::VARCHAR AS n, sum(half)::VARCHAR AS half,
         count(*) FILTER (WHERE label = '''=SUM(A1)')::VARCHAR AS guarded
       FROM read_csv('${file}', header = true, columns = {'n': 'BIGINT', 'label': 'VARCHAR', 'half': 'DECIMAL(18,2)'})`,
    );
    expect(sums).toEqual({ rows: String(ROWS), n: String(SUM_N), half: SUM_HALF.toFixed(2), guarded: '200' });
  });

  it('parquet: every row, typed', async () => {
    const file = await exported('parquet');
    const [sums] = await read<{ rows: string; n: string; half: string; type: string }>(
      `SELECT count(*)::VARCHAR AS rows, sum(n)::VARCHAR AS n, sum(half)::VARCHAR AS half,
         any_value(typeof(half)) AS type FROM read_parquet('${file}')`,
    );
    expect(sums).toEqual({
      rows: String(ROWS),
      n: String(SUM_N),
      half: SUM_HALF.toFixed(2),
      type: 'DECIMAL(18,2)',
    });
  });

  it('jsonl and json: every row, in order', async () => {
    const lines = readFileSync(await exported('jsonl'), 'utf8')
      .trimEnd()
      .split('\n');
    expect(lines).toHaveLength(ROWS);
    let sum = 0;
    lines.forEach((line, i) => {
      const row = JSON.parse(line) as { n: number; half: string };
      expect(row.n).toBe(i);
      sum += row.n;
    });
    expect(sum).toBe(SUM_N);
    const doc = JSON.parse(readFileSync(await exported('json'), 'utf8')) as {
      columns: { name: string; type: string }[];
      rows: { n: number; label: string; half: string }[];
    };
    expect(doc.columns).toEqual([
      { name: 'n', type: 'BIGINT' },
      { name: 'label', type: 'VARCHAR' },
      { name: 'half', type: 'DECIMAL(18,2)' },
    ]);
    expect(doc.rows).toHaveLength(ROWS);
    expect(doc.rows.reduce((s, r) => s + r.n, 0)).toBe(SUM_N);
    expect(doc.rows[ROWS - 1]).toEqual({ n: ROWS - 1, label: `r${ROWS - 1}`, half: '99999.50' });
  });

  it('json: an empty result is still one document', async () => {
    const file = await exported('json', big(0), 0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ rows: [] });
  });

  it('xlsx: every row (several chunks), numbers as numbers', async () => {
    const rows = 5000;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await exported('xlsx', big(rows), rows));
    const sheet = workbook.getWorksheet('result');
    expect(sheet?.rowCount).toBe(rows + 1);
    let sum = 0;
    sheet?.eachRow((row, i) => {
      if (i > 1) sum += row.getCell(1).value as number;
    });
    expect(sum).toBe((rows * (rows - 1)) / 2);
    expect(sheet?.getRow(2).getCell(2).value).toBe('=SUM(A1)');
    expect(sheet?.getRow(2).getCell(2).type).toBe(ExcelJS.ValueType.String);
  });

  it('a query that fails while its rows are read says so, and leaves no half-written file', async () => {
    const file = join(dir, 'broken.csv');
    const r = await lake([
      'query',
      `SELECT range AS n, CASE WHEN range = 150000 THEN error('bad row') ELSE 'ok' END AS t FROM range(${ROWS})`,
      '--output',
      file,
      ...at(),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('the query failed');
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
  });
});

describe('what an export runs', () => {
  it('one SELECT, nothing else: no COPY, no second statement', async () => {
    const file = join(dir, 'refused.csv');
    const copy = await lake([
      'query',
      `COPY (SELECT 1) TO '${join(dir, 'x.csv')}'`,
      '--output',
      file,
      ...at(),
    ]);
    expect(copy.code).not.toBe(0);
    expect(copy.stderr).toContain('the query failed');
    const explain = await lake(['query', 'EXPLAIN SELECT 1', '--output', file, ...at()]);
    expect(explain.code).not.toBe(0);
    expect(explain.stderr).toContain('an export runs a SELECT statement');
    const two = await lake(['query', 'SELECT 1; SELECT 2', '--output', file, ...at()]);
    expect(two.code).not.toBe(0);
    expect(two.stderr).toContain('this SQL holds 2');
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
    expect(() => readFileSync(join(dir, 'x.csv'))).toThrow(/ENOENT/);
  });

  it("an identity's export reads what it may read, and nothing more", async () => {
    const file = join(dir, 'as.csv');
    const sql = 'SELECT count(*) AS n FROM civil_affairs.assistance_payments';
    const refused = await lake(['query', '--as', 'enterprise:acme', sql, '--output', file, ...at()]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('is not there for enterprise:acme');
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
    const operator = await lake(['query', sql, '--output', file, ...at()]);
    expect(operator.code).toBe(0);
  });

  it('an --output that cannot be written is said before the query runs', async () => {
    const missing = join(dir, 'no-such-folder', 'x.csv');
    const r = await lake(['query', 'SELECT 1', '--output', missing, '--json', ...at()]);
    expect(r.code).not.toBe(0);
    expect(r.error()).toMatchObject({
      code: 'output_unwritable',
      message: `cannot write ${missing}: its folder does not exist`,
    });
    const folder = await lake(['query', 'SELECT 1', '--output', dir, '--format', 'csv', ...at()]);
    expect(folder.stderr).toContain(`cannot write ${dir}: it is a folder`);
  });

  it('a trailing comment or semicolon is fine', async () => {
    const r = await lake(['query', "SELECT 42 AS n, ';' AS s; -- the answer;", '--format', 'csv', ...at()]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('\ufeffn,s\r\n42,;\r\n');
  });
});

/** Beyond a double: 17 significant digits of decimal, and 2^53 + 1. */
const EXACT = 'SELECT 12345678901234567.89::DECIMAL(38,2) AS big, 9007199254740993::BIGINT AS b';

describe('numbers beyond a double', () => {
  it('print exactly in the table and with --json', async () => {
    const table = await lake(['query', EXACT, ...at()]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/12345678901234567\.89\s+9007199254740993\n/);
    const json = await lake(['query', EXACT, '--json', ...at()]);
    expect(json.stdout).toContain('"big": "12345678901234567.89"');
    expect(json.stdout).toContain('"b": "9007199254740993"');
  });

  it('export exactly as csv, tsv, json, jsonl, xlsx and parquet', async () => {
    const text = async (format: string) => (await lake(['query', EXACT, '--format', format, ...at()])).stdout;
    expect(await text('csv')).toBe('\ufeffbig,b\r\n12345678901234567.89,9007199254740993\r\n');
    expect(await text('tsv')).toBe('big\tb\n12345678901234567.89\t9007199254740993\n');
    expect(await text('jsonl')).toBe('{"big":"12345678901234567.89","b":"9007199254740993"}\n');
    expect(JSON.parse(await text('json')).rows).toEqual([
      { big: '12345678901234567.89', b: '9007199254740993' },
    ]);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await exported('xlsx', EXACT, 1));
    const row = workbook.getWorksheet('result')?.getRow(2);
    expect([row?.getCell(1).value, row?.getCell(2).value]).toEqual([
      '12345678901234567.89',
      '9007199254740993',
    ]);

    const parquet = await exported('parquet', EXACT, 1);
    expect(
      await read(
        `SELECT big::VARCHAR AS big, b::VARCHAR AS b, typeof(big) AS t FROM read_parquet('${parquet}')`,
      ),
    ).toEqual([{ big: '12345678901234567.89', b: '9007199254740993', t: 'DECIMAL(38,2)' }]);
  });
});
