/**
 * Line numbers survive a long file: 5,000 clinics with blank lines and quoted line breaks in the middle
 * (so the engine places rows through its drift table, not by record number), in several encodings,
 * gzipped, and through the second decoding pass that `encoding: auto` makes when GB18030 bytes first
 * appear after the first megabyte. Every published row and every rejected row must carry the physical
 * line it starts on.
 *
 * The file is generated here (about 1.3 MB, deterministic) rather than committed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { contract, expectAccounted, ingest, plainRows } from './helpers.ts';

const ROWS = 5000;
/** Where the engine's reader cuts the file into chunks. */
const CHUNK = 1024 * 1024;

// Guizhou counties (codes and names from the shared division list), with pinyin for ASCII rows.
const COUNTIES = [
  ['520102', '南明区', 'Nanming'],
  ['520111', '花溪区', 'Huaxi'],
  ['520203', '六枝特区', 'Liuzhi'],
  ['520303', '汇川区', 'Huichuan'],
  ['520381', '赤水市', 'Chishui'],
  ['520402', '西秀区', 'Xixiu'],
  ['520526', '威宁彝族回族苗族自治县', 'Weining'],
  ['522601', '凯里市', 'Kaili'],
  ['522701', '都匀市', 'Duyun'],
] as const;

const NOTES_ZH =
  '村卫生室，提供基本医疗、预防接种、健康档案管理和慢性病随访服务，每周二、四下午开展家庭医生签约服务。';
const NOTES_EN =
  'Village clinic: outpatient care, vaccination, health records and follow-up of chronic patients; family doctor contracts on Tuesday and Thursday afternoons.';

/** The line row r (1-based) starts on, by the layout below. */
function lineOf(r: number): number {
  return 1 + r + (r > 1000 ? 1 : 0) + (r > 2000 ? 1 : 0) + (r > 3000 ? 2 : 0) + (r > 4000 ? 2 : 0);
}

interface Built {
  text: string;
  /** Published rows, in order. */
  published: Record<string, unknown>[];
  /** The row whose escaped quote pair straddles the first chunk boundary of the UTF-8 file. */
  straddle: number;
}

/**
 * Layout: a blank line after row 1000; row 2000's address has a quoted line break; two blank lines
 * after row 3000; row 4000's notes have a quoted blank line. Rows 2500 (beds "n/a"), 4500 (a date
 * that does not exist) and 4999 (two columns short) are rejected. Rows up to `asciiUpTo` hold ASCII
 * text only.
 */
function build(eol: '\n' | '\r\n', asciiUpTo = 0): Built {
  const parts: string[] = [
    `clinic_id,clinic_name,county_code,county,opened_on,beds,floor_area,address,notes${eol}`,
  ];
  let bytes = Buffer.byteLength(parts[0]);
  const published: Record<string, unknown>[] = [];
  let straddle = 0;
  for (let r = 1; r <= ROWS; r++) {
    const ascii = r <= asciiUpTo;
    const [code, zh, en] = COUNTIES[r % COUNTIES.length];
    const opened = new Date(Date.UTC(2000, 0, 1) + ((r * 37) % 9000) * 86_400_000).toISOString().slice(0, 10);
    const beds = r % 10 === 0 ? null : r % 50;
    const area = `${(r * 37) % 5000}.25`;
    let address = ascii ? `No. ${r}, Renmin Road` : `${zh}人民路${r}号`;
    if (r === 2000) address += ascii ? '\nopposite the market' : '\n农贸市场对面';
    let notes = ascii ? NOTES_EN : NOTES_ZH;
    if (r === 4000) notes += ascii ? '\n\nClosed in August.' : '\n\n八月停诊。';
    const values = [
      `GZ${code}${String(r).padStart(4, '0')}`,
      ascii ? `${en} clinic ${r}` : `${zh}第${r}村卫生室`,
      code,
      ascii ? en : zh,
      r === 4500 ? '2019-02-30' : opened,
      r === 2500 ? 'n/a' : beds === null ? '' : String(beds),
      area,
      address,
    ];
    const field = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
    let line = values.map(field).join(',');
    const special = [1000, 2000, 2500, 3000, 4000, 4500, 4999].includes(r);
    if (!straddle && !special && bytes + Buffer.byteLength(`${line},"`) + 400 > CHUNK) {
      // Put the first quote of an escaped pair ("") on the chunk's last byte, the second on the next
      // chunk's first byte.
      straddle = r;
      const fill = CHUNK - 1 - (bytes + Buffer.byteLength(`${line},"`));
      notes = `${'-'.repeat(fill)}${ascii ? '"NB"' : '"重要"'}${notes}`;
    }
    line = r === 4999 ? values.slice(0, 7).map(field).join(',') : `${line},${field(notes)}`;
    parts.push(line, eol);
    bytes += Buffer.byteLength(line) + eol.length;
    if (r === 1000) parts.push(eol);
    if (r === 3000) parts.push(eol, eol);
    bytes += r === 1000 ? eol.length : r === 3000 ? 2 * eol.length : 0;
    if (r !== 2500 && r !== 4500 && r !== 4999) {
      published.push({
        clinic_id: values[0],
        clinic_name: values[1],
        county_code: Number(code),
        county: values[3],
        opened_on: opened,
        beds,
        floor_area: Number(area),
        address,
        notes,
        _source_line: lineOf(r),
      });
    }
  }
  return { text: parts.join(''), published, straddle };
}

const clinics = (encoding = 'auto') =>
  contract({
    primaryKey: ['clinic_id'],
    format: { encoding },
    fields: [
      { name: 'clinic_id', constraints: { pattern: '^GZ[0-9]{10}$' } },
      { name: 'clinic_name' },
      { name: 'county_code', type: 'integer' },
      { name: 'county' },
      { name: 'opened_on', type: 'date' },
      { name: 'beds', type: 'integer', constraints: { minimum: 0 } },
      { name: 'floor_area', type: 'number' },
      { name: 'address' },
      { name: 'notes' },
    ],
  });

const REJECTED = [
  { line: lineOf(2500), column: 'beds', rule: 'type', message: '"n/a" is not a valid integer' },
  {
    line: lineOf(4500),
    column: 'opened_on',
    rule: 'type',
    message: '"2019-02-30" is not a valid date (formats: %Y-%m-%d)',
  },
  {
    line: lineOf(4999),
    column: null,
    rule: 'ragged',
    message:
      'expected 9 columns as in the header, found fewer: add the missing values (an empty value still needs its "," delimiter)',
  },
];

const dir = mkdtempSync(join(tmpdir(), 'lake-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('line numbers through 5,000 rows', () => {
  it('the layout is as planned', () => {
    const { text, straddle } = build('\n');
    const bytes = Buffer.from(text, 'utf8');
    expect(bytes.length).toBeGreaterThan(CHUNK);
    expect(straddle).toBeGreaterThan(0);
    expect(bytes.subarray(CHUNK - 1, CHUNK + 1).toString()).toBe('""');
    const lines = text.split('\n');
    expect(lines[lineOf(1) - 1].startsWith('GZ5201110001,')).toBe(true);
    expect(lines[lineOf(1000)]).toBe('');
    expect(lines[lineOf(3001) - 2]).toBe('');
    expect(lines[lineOf(5000) - 1].startsWith('GZ5204025000,')).toBe(true);
    expect(lines.length).toBe(lineOf(5000) + 1);
  });

  it.each([
    { name: 'UTF-8, LF', eol: '\n', encoding: 'utf-8', gzip: false },
    { name: 'UTF-8, CRLF', eol: '\r\n', encoding: 'utf-8', gzip: false },
    { name: 'UTF-8, gzipped', eol: '\n', encoding: 'utf-8', gzip: true },
    { name: 'GB18030', eol: '\n', encoding: 'gb18030', gzip: false },
    { name: 'GB18030, CRLF, gzipped', eol: '\r\n', encoding: 'gb18030', gzip: true },
    { name: 'UTF-16 LE', eol: '\r\n', encoding: 'utf-16le', gzip: false },
  ] as const)('$name', async (v) => {
    const { text, published, straddle } = build(v.eol);
    let bytes =
      v.encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, v.encoding, { addBOM: true });
    if (v.gzip) bytes = gzipSync(bytes);
    const path = join(dir, `clinics-${v.encoding}-${v.eol.length}${v.gzip ? '.csv.gz' : '.csv'}`);
    writeFileSync(path, bytes);

    const o = await ingest(path, clinics());
    expectAccounted(o.report);
    expect(o.report.source.encoding).toBe(v.encoding);
    expect(o.report.status).toBe('partial');
    expect(o.report.rows).toEqual({ total: ROWS, accepted: ROWS - 3, rejected: 3 });
    expect(o.report.errors).toEqual(REJECTED);
    expect(o.quarantine.map((r) => Number(r._source_line))).toEqual(REJECTED.map((e) => e.line));

    const rows = plainRows(o.curated, o.curatedTypes);
    const byRow = (r: number) => rows[r - 1 - [2500, 4500, 4999].filter((x) => r > x).length];
    // Rows on either side of each blank line and multi-line record.
    expect(
      [1, 999, 1000, 1001, 1999, 2000, 2001, 2999, 3000, 3001, 3999, 4000, 4001, 5000].map(
        (r) => byRow(r)._source_line,
      ),
    ).toEqual([2, 1000, 1001, 1003, 2001, 2002, 2004, 3002, 3003, 3006, 4004, 4005, 4008, 5007]);
    expect(byRow(2000).address).toMatch(/\n/);
    expect(byRow(4000).notes).toMatch(/\n\n/);
    expect(byRow(straddle).notes).toMatch(/^-+"重要"/);
    // And every row, value by value.
    expect(rows).toEqual(published);
  });

  it('encoding auto: GB18030 first met after the first megabyte decodes in a second pass', async () => {
    // Rows up to 4500 are ASCII, so the first chunk (1 MiB) is valid UTF-8 and auto guesses UTF-8;
    // the Chinese of row 4501 disproves it and the file is read again as GB18030. Blank lines and
    // multi-line records come before and after that point.
    const { text, published } = build('\n', 4500);
    const bytes = iconv.encode(text, 'gb18030');
    expect(bytes.subarray(0, CHUNK).every((b) => b < 0x80)).toBe(true);
    const path = join(dir, 'late-chinese.csv');
    writeFileSync(path, bytes);

    const o = await ingest(path, clinics('auto'));
    expectAccounted(o.report);
    expect(o.report.source.encoding).toBe('gb18030');
    expect(o.report.errors).toEqual(REJECTED);
    expect(plainRows(o.curated, o.curatedTypes)).toEqual(published);

    const strict = await ingest(path, clinics('utf-8'));
    expectAccounted(strict.report);
    expect(strict.report.status).toBe('rejected');
    expect(strict.report.errors).toHaveLength(1);
    expect(strict.report.errors[0]).toMatchObject({ rule: 'encoding', line: lineOf(4501) });
    expect(strict.report.errors[0].message).toMatch(
      new RegExp(`^line ${lineOf(4501)}: the file is not valid UTF-8`),
    );
  });
});

describe('line numbers after a header that spans lines', () => {
  // Spreadsheets often break a long header cell over two lines (建筑面积 / （平方米）); the CSV saved from
  // them quotes that line break. The data starts after the header's last line, and no row is lost.
  const fields = [
    { name: 'clinic_id', headers: ['机构编码'] },
    { name: 'floor_area', type: 'number', headers: ['建筑面积\n（平方米）'] },
  ];
  const want = (first: number, second: number) => [
    { clinic_id: 'GZ520102001', floor_area: 1820.5, _source_line: first },
    { clinic_id: 'GZ520111003', floor_area: 960.75, _source_line: second },
  ];

  it.each([
    { name: 'a quoted line break in the header', text: '机构编码,"建筑面积\n（平方米）"\n', lines: [3, 5] },
    { name: 'blank lines before the header', text: '\n\n机构编码,"建筑面积\n（平方米）"\n', lines: [5, 7] },
  ])('$name', async (c) => {
    const path = join(dir, 'header.csv');
    writeFileSync(path, `${c.text}GZ520102001,1820.5\n\nGZ520111003,960.75\n`);
    const o = await ingest(path, contract({ fields }));
    expectAccounted(o.report);
    expect(o.report.rows).toEqual({ total: 2, accepted: 2, rejected: 0 });
    expect(plainRows(o.curated, o.curatedTypes)).toEqual(want(c.lines[0], c.lines[1]));
  });

  it('an xlsx header cell with a line break', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('诊所');
    ws.addRow(['机构编码', '建筑面积\n（平方米）']);
    ws.addRow(['GZ520102001', 1820.5]);
    ws.addRow([]);
    ws.addRow(['GZ520111003', 960.75]);
    const path = join(dir, 'header.xlsx');
    writeFileSync(path, Buffer.from(await wb.xlsx.writeBuffer()));
    const o = await ingest(path, contract({ format: { type: 'xlsx' }, fields }));
    expectAccounted(o.report);
    expect(o.report.rows).toEqual({ total: 2, accepted: 2, rejected: 0 });
    expect(plainRows(o.curated, o.curatedTypes)).toEqual(want(2, 4));
  });
});
