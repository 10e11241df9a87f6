/**
 * Every format in every encoding it arrives in: the committed fixtures of test/fixtures/engine (made by
 * make-fixtures.ts) go through transformFile, and the Parquet read back must hold exactly the typed
 * values the file means, each row with the physical line it starts on (header = line 1; a quoted line
 * break pushes the next record down; blank lines count).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFixtures } from '../fixtures/engine/make-fixtures.ts';
import {
  CLINIC_ROWS,
  CLINIC_TYPES,
  clinicRows,
  clinicsContract,
  FIXTURES,
  SCHOOL_ROWS,
  SCHOOL_TYPES,
  schoolsContract,
} from './clinics.ts';
import { expectAccounted, ingest, type Outcome, plainRows } from './helpers.ts';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The report's source block must describe the uploaded bytes (compressed ones when gzipped). */
function expectSource(
  o: Outcome,
  path: string,
  want: { encoding: string | null; format: string; gzip: boolean },
) {
  expect(o.report.source).toEqual({
    key: `landing/${o.report.dataset}/${path.split('/').pop()}`,
    bytes: statSync(path).size,
    sha256: sha256(path),
    encoding: want.encoding,
    format: want.format,
    compression: want.gzip ? 'gzip' : null,
  });
}

interface Case {
  file: string;
  format: Record<string, unknown>;
  encoding: string;
  /** The line each of the six clinics starts on. */
  lines: number[];
  address: boolean;
}

// Line layouts: clinics-gb18030.csv and clinics-utf16le.tsv have addresses with a quoted line break
// (clinic 2, lines 3-4) and a quoted blank line (clinic 5, lines 7-9); clinics-quoted.csv also has a
// blank line before clinic 4. JSON arrays number their elements instead of lines.
const PLAIN = [2, 3, 4, 5, 6, 7];
const ADDRESSED = [2, 3, 5, 6, 7, 10];
const QUOTED = [2, 3, 5, 7, 8, 11];
const ELEMENTS = [1, 2, 3, 4, 5, 6];

const CASES: Case[] = [
  { file: 'clinics-utf8.csv', format: {}, encoding: 'utf-8', lines: PLAIN, address: false },
  {
    file: 'clinics-utf8.csv',
    format: { encoding: 'utf-8' },
    encoding: 'utf-8',
    lines: PLAIN,
    address: false,
  },
  // UTF-8 with a BOM, CRLF, Chinese headers (one with full-width brackets).
  { file: 'clinics-utf8-bom-crlf.csv', format: {}, encoding: 'utf-8', lines: PLAIN, address: false },
  {
    file: 'clinics-utf8-bom-crlf.csv',
    format: { encoding: 'utf-8', delimiter: ',' },
    encoding: 'utf-8',
    lines: PLAIN,
    address: false,
  },
  // GB18030 (dates as 2015/03/18), detected, and declared under both names.
  { file: 'clinics-gb18030.csv', format: {}, encoding: 'gb18030', lines: ADDRESSED, address: true },
  {
    file: 'clinics-gb18030.csv',
    format: { encoding: 'gb18030' },
    encoding: 'gb18030',
    lines: ADDRESSED,
    address: true,
  },
  {
    file: 'clinics-gb18030.csv',
    format: { encoding: 'gbk' },
    encoding: 'gb18030',
    lines: ADDRESSED,
    address: true,
  },
  // UTF-16 LE with a BOM, tab-separated, CRLF (Excel's "Unicode text"; dates as 2015年03月18日).
  {
    file: 'clinics-utf16le.tsv',
    format: { type: 'tsv' },
    encoding: 'utf-16le',
    lines: ADDRESSED,
    address: true,
  },
  {
    file: 'clinics-utf16le.tsv',
    format: { type: 'tsv', encoding: 'utf-16le' },
    encoding: 'utf-16le',
    lines: ADDRESSED,
    address: true,
  },
  // The same file declared csv: the tab is detected from the header.
  {
    file: 'clinics-utf16le.tsv',
    format: { type: 'csv' },
    encoding: 'utf-16le',
    lines: ADDRESSED,
    address: true,
  },
  { file: 'clinics-utf16be.csv', format: {}, encoding: 'utf-16be', lines: PLAIN, address: false },
  {
    file: 'clinics-utf16be.csv',
    format: { encoding: 'utf-16be' },
    encoding: 'utf-16be',
    lines: PLAIN,
    address: false,
  },
  // Quoted line breaks, a quoted blank line, quotes and commas in quoted values, a blank line, CRLF.
  { file: 'clinics-quoted.csv', format: {}, encoding: 'utf-8', lines: QUOTED, address: true },
  { file: 'clinics.json', format: { type: 'json' }, encoding: 'utf-8', lines: ELEMENTS, address: true },
  {
    file: 'clinics-utf16le.json',
    format: { type: 'json' },
    encoding: 'utf-16le',
    lines: ELEMENTS,
    address: true,
  },
  // Gzipped: detected by its magic bytes, or declared.
  { file: 'clinics-gb18030.csv.gz', format: {}, encoding: 'gb18030', lines: ADDRESSED, address: true },
  {
    file: 'clinics-gb18030.csv.gz',
    format: { gzip: true, encoding: 'gb18030' },
    encoding: 'gb18030',
    lines: ADDRESSED,
    address: true,
  },
  {
    file: 'clinics-utf16le.tsv.gz',
    format: { type: 'tsv' },
    encoding: 'utf-16le',
    lines: ADDRESSED,
    address: true,
  },
  { file: 'clinics-quoted.csv.gz', format: {}, encoding: 'utf-8', lines: QUOTED, address: true },
  { file: 'clinics.json.gz', format: { type: 'json' }, encoding: 'utf-8', lines: ELEMENTS, address: true },
];

describe('formats and encodings: the clinics fixtures', () => {
  it.each(CASES)('$file with format $format', async (c) => {
    const path = join(FIXTURES, c.file);
    const o = await ingest(path, clinicsContract(c.format));
    expectAccounted(o.report);
    expect(o.report.errors).toEqual([]);
    expect(o.report.status).toBe('accepted');
    expect(o.report.rows).toEqual({ total: 6, accepted: 6, rejected: 0 });
    expectSource(o, path, {
      encoding: c.encoding,
      format: (c.format.type as string | undefined) ?? 'csv',
      gzip: c.file.endsWith('.gz'),
    });
    expect(o.report.columns.missing).toEqual(c.address ? [] : ['address']);
    expect(o.report.columns.extra).toEqual([]);
    expect(o.curatedTypes).toEqual(CLINIC_TYPES);
    expect(plainRows(o.curated, o.curatedTypes)).toEqual(clinicRows(c.lines, c.address));
    expect(o.quarantine).toEqual([]);
  });

  it('maps Chinese headers to the contract fields and keeps the lineage columns', async () => {
    const o = await ingest(join(FIXTURES, 'clinics-gb18030.csv'), clinicsContract());
    expect(o.report.columns.matched).toEqual({
      clinic_id: '机构编码',
      clinic_name: '机构名称',
      county_code: '区县代码',
      county: '区县',
      opened_on: '开业日期',
      beds: '床位数',
      floor_area: '建筑面积（平方米）',
      address: '地址',
    });
    for (const row of o.curated) {
      expect(row._upload_id).toBe('upload-1');
      expect(row._ingested_at).toBe('2026-11-28 08:00:00+00');
    }
  });
});

describe('formats and encodings: JSON Lines', () => {
  // clinics.jsonl: a blank line (3), a line cut short (5) and an array where an object belongs (7).
  it.each(['clinics.jsonl', 'clinics.jsonl.gz'])(
    '%s: objects publish, broken lines are quarantined',
    async (file) => {
      const path = join(FIXTURES, file);
      const o = await ingest(path, clinicsContract({ type: 'jsonl' }, { maxRejectedRatio: 0.5 }));
      expectAccounted(o.report);
      expect(o.report.status).toBe('partial');
      expect(o.report.rows).toEqual({ total: 8, accepted: 6, rejected: 2 });
      expectSource(o, path, { encoding: 'utf-8', format: 'jsonl', gzip: file.endsWith('.gz') });
      expect(o.curatedTypes).toEqual(CLINIC_TYPES);
      expect(plainRows(o.curated, o.curatedTypes)).toEqual(clinicRows([1, 2, 4, 6, 8, 9], true));
      expect(o.report.errors).toEqual([
        {
          line: 5,
          column: null,
          rule: 'json',
          message: 'not valid JSON: each record must be one complete JSON object, like {"name": "value"}',
        },
        {
          line: 7,
          column: null,
          rule: 'json',
          message:
            'a JSON value that is not an object: each record must be an object of named values, like {"name": "value"}',
        },
      ]);
      expect(o.report.errorCounts).toEqual({ json: { _row: 2 } });
      expect(o.quarantine.map((r) => Number(r._source_line))).toEqual([5, 7]);
    },
  );
});

describe('formats and encodings: the schools fixtures', () => {
  it.each([
    { file: 'schools.tsv', format: { type: 'tsv' } },
    // Semicolons detected from the header: the comma in a name stays in it, the quoted semicolon too.
    { file: 'schools-semicolon.csv', format: {} },
    { file: 'schools-semicolon.csv', format: { delimiter: ';' } },
  ])('$file with format $format', async (c) => {
    const path = join(FIXTURES, c.file);
    const o = await ingest(path, schoolsContract(c.format));
    expectAccounted(o.report);
    expect(o.report.errors).toEqual([]);
    expect(o.report.status).toBe('accepted');
    expectSource(o, path, {
      encoding: 'utf-8',
      format: (c.format as { type?: string }).type ?? 'csv',
      gzip: false,
    });
    expect(o.curatedTypes).toEqual(SCHOOL_TYPES);
    expect(plainRows(o.curated, o.curatedTypes)).toEqual(SCHOOL_ROWS);
  });
});

describe('the committed fixtures', () => {
  it('are what make-fixtures.ts writes', () => {
    const built = buildFixtures();
    const onDisk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? onDisk(join(dir, e.name)) : [relative(FIXTURES, join(dir, e.name))],
      );
    const committed = onDisk(FIXTURES).filter((f) => f !== 'make-fixtures.ts');
    expect(committed.sort()).toEqual([...built.keys()].sort());
    for (const [name, bytes] of built) {
      const disk = readFileSync(join(FIXTURES, name));
      if (!name.endsWith('.gz')) {
        expect(disk.equals(bytes), name).toBe(true);
        continue;
      }
      // Compressed bytes depend on Node's zlib, so compare content. Sync flush lets a truncated
      // stream give the text it holds: one must then be a prefix of the other.
      const text = (b: Buffer) => gunzipSync(b, { finishFlush: constants.Z_SYNC_FLUSH }).toString('latin1');
      const [a, b] = [text(disk), text(bytes)];
      expect(a.length, name).toBeGreaterThan(0);
      if (name.startsWith('broken/truncated')) {
        const n = Math.min(a.length, b.length);
        expect(a.slice(0, n) === b.slice(0, n), name).toBe(true);
      } else {
        expect(a === b, name).toBe(true);
      }
    }
  });
});

describe('formats: xlsx end to end', () => {
  // The workbook reader (src/engine/xlsx.ts) has its own tests in xlsx.test.ts; this is one workbook
  // through transformFile. Lines are sheet rows; the blank row 5 is skipped but counted. Gzip and a
  // declared text encoding apply to the upload, not to the engine's working CSV of the sheet.
  const dir = mkdtempSync(join(tmpdir(), 'lake-xlsx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function workbook(): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('诊所名录');
    ws.addRow([
      '机构编码',
      '机构名称',
      '区县代码',
      '区县',
      '开业日期',
      '床位数',
      '建筑面积（平方米）',
      '地址',
    ]);
    CLINIC_ROWS.forEach((r, i) => {
      if (i === 3) ws.addRow([]);
      const [y, m, d] = r.opened_on.split('-').map(Number);
      const row = ws.addRow([
        r.clinic_id,
        r.clinic_name,
        r.county_code,
        r.county,
        new Date(Date.UTC(y, m - 1, d)),
        r.beds,
        r.floor_area,
        r.address,
      ]);
      row.getCell(5).numFmt = 'yyyy-mm-dd';
    });
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  it.each([
    { file: 'clinics.xlsx', format: { type: 'xlsx' } },
    { file: 'clinics.xlsx.gz', format: { type: 'xlsx' } },
    { file: 'clinics.xlsx.gz', format: { type: 'xlsx', gzip: true } },
    { file: 'clinics.xlsx', format: { type: 'xlsx', encoding: 'gb18030' } },
  ])('publishes $file with format $format, with sheet rows as lines', async (c) => {
    const bytes = await workbook();
    const path = join(dir, c.file);
    writeFileSync(path, c.file.endsWith('.gz') ? gzipSync(bytes) : bytes);

    const o = await ingest(path, clinicsContract(c.format));
    expectAccounted(o.report);
    expect(o.report.errors).toEqual([]);
    expect(o.report.status).toBe('accepted');
    expectSource(o, path, { encoding: null, format: 'xlsx', gzip: c.file.endsWith('.gz') });
    expect(o.curatedTypes).toEqual(CLINIC_TYPES);
    expect(plainRows(o.curated, o.curatedTypes)).toEqual(clinicRows([2, 3, 4, 6, 7, 8], true));
  });
});
