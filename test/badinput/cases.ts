/**
 * Malformed uploads for the bad-input suite, generated into a directory from the valid engine fixtures
 * (test/fixtures/engine) with seeded randomness: the same seed gives the same bytes on every run.
 *
 * Each case is a file plus the contract it is ingested under; the suite only asks that the engine
 * ends every one in a report (see bad-input.test.ts), so no case states its expected outcome.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { DatasetContract } from '../../src/contracts/schema.ts';
import { MAX_COLUMNS } from '../../src/engine/source-limits.ts';
import { CLINIC_ROWS, clinicsContract, FIXTURES, schoolsContract } from '../engine/clinics.ts';
import { contract } from '../engine/helpers.ts';
import { mulberry32 } from '../support/random.ts';
import { zipOf } from '../support/zip.ts';

export interface BadCase {
  /** Stable, readable name: the family, the base file and the mutation. */
  name: string;
  path: string;
  contract: DatasetContract;
  maxDecompressedBytes?: number;
}

type Format = 'csv' | 'tsv' | 'json' | 'jsonl' | 'xlsx';

/** A valid file: its bytes and the contract that accepts it. */
interface Base {
  file: string;
  bytes: Buffer;
  contract: () => DatasetContract;
}

const CLINIC_HEADER = [
  'clinic_id',
  'clinic_name',
  'county_code',
  'county',
  'opened_on',
  'beds',
  'floor_area',
  'address',
] as const;

/** The clinics as an .xlsx workbook (the fixtures hold no workbook; exceljs writes one). */
export async function clinicsWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('clinics');
  ws.addRow([...CLINIC_HEADER]);
  for (const r of CLINIC_ROWS) ws.addRow(CLINIC_HEADER.map((h) => r[h]));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function formatOf(file: string): Format {
  const f = file.replace(/\.gz$/, '');
  if (f.endsWith('.tsv')) return 'tsv';
  if (f.endsWith('.jsonl')) return 'jsonl';
  if (f.endsWith('.json')) return 'json';
  if (f.endsWith('.xlsx')) return 'xlsx';
  return 'csv';
}

function bases(workbook: Buffer): Base[] {
  const files = readdirSync(FIXTURES)
    .filter((f) => /\.(csv|tsv|json|jsonl)(\.gz)?$/.test(f))
    .sort();
  const out: Base[] = files.map((file) => ({
    file,
    bytes: readFileSync(join(FIXTURES, file)),
    contract: () =>
      file.startsWith('schools')
        ? schoolsContract({ type: formatOf(file) })
        : clinicsContract({ type: formatOf(file) }),
  }));
  out.push({ file: 'clinics.xlsx', bytes: workbook, contract: () => clinicsContract({ type: 'xlsx' }) });
  out.push({
    file: 'clinics.xlsx.gz',
    bytes: gzipSync(workbook),
    contract: () => clinicsContract({ type: 'xlsx' }),
  });
  return out;
}

/** Byte-level mutations of a valid file. `rand` is the case's own generator. */
const MUTATIONS: { name: string; apply: (b: Buffer, rand: () => number) => Buffer }[] = [
  { name: 'flip-1', apply: (b, r) => flip(b, r, 1) },
  { name: 'flip-4', apply: (b, r) => flip(b, r, 4) },
  { name: 'flip-32', apply: (b, r) => flip(b, r, 32) },
  { name: 'flip-head', apply: (b, r) => flip(b, r, 3, Math.min(b.length, 16)) },
  { name: 'flip-tail', apply: (b, r) => flipTail(b, r, 3) },
  { name: 'zero-run', apply: (b, r) => zeroRun(b, r) },
  { name: 'insert-garbage', apply: (b, r) => insert(b, r) },
  { name: 'truncate-early', apply: (b, r) => b.subarray(0, Math.floor(b.length * 0.1 * r())) },
  { name: 'truncate-half', apply: (b, r) => b.subarray(0, Math.floor(b.length * (0.3 + 0.4 * r()))) },
  { name: 'truncate-late', apply: (b, r) => b.subarray(0, b.length - 1 - Math.floor(8 * r())) },
  { name: 'truncate-1', apply: (b) => b.subarray(0, 1) },
  {
    name: 'flip-truncate',
    apply: (b, r) => flip(b, r, 2).subarray(0, Math.floor(b.length * (0.5 + 0.5 * r()))),
  },
];

function flip(b: Buffer, rand: () => number, n: number, within = b.length): Buffer {
  const out = Buffer.from(b);
  for (let i = 0; i < n && within > 0; i++) {
    const at = Math.floor(rand() * within);
    out[at] ^= 1 + Math.floor(rand() * 255);
  }
  return out;
}

function flipTail(b: Buffer, rand: () => number, n: number): Buffer {
  const out = Buffer.from(b);
  const from = Math.max(0, b.length - 16);
  for (let i = 0; i < n && b.length > 0; i++) {
    const at = from + Math.floor(rand() * (b.length - from));
    out[at] ^= 1 + Math.floor(rand() * 255);
  }
  return out;
}

function zeroRun(b: Buffer, rand: () => number): Buffer {
  const out = Buffer.from(b);
  const at = Math.floor(rand() * b.length);
  out.fill(0, at, Math.min(b.length, at + 1 + Math.floor(rand() * 64)));
  return out;
}

function insert(b: Buffer, rand: () => number): Buffer {
  const at = Math.floor(rand() * b.length);
  const junk = Buffer.from(
    Array.from({ length: 1 + Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)),
  );
  return Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
}

/** Writes every case into `dir` and returns them in a fixed order. */
export async function writeCases(dir: string, seed = 20261128): Promise<BadCase[]> {
  const cases: BadCase[] = [];
  const add = (name: string, file: string, bytes: Buffer | string, c: DatasetContract, max?: number) => {
    const path = join(dir, `${String(cases.length).padStart(3, '0')}-${file}`);
    writeFileSync(path, bytes);
    cases.push({ name, path, contract: c, ...(max === undefined ? {} : { maxDecompressedBytes: max }) });
  };
  const workbook = await clinicsWorkbook();

  // 1. Byte flips and truncations of every valid fixture (and of a workbook, plain and gzipped).
  let n = 0;
  for (const base of bases(workbook)) {
    for (const m of MUTATIONS) {
      const rand = mulberry32(seed + n++);
      // Every other pair of mutations under a lenient contract, so damaged rows are quarantined one by one
      // (a partial upload with row errors) rather than failing the whole file.
      const lenient = (n >> 1) % 2 === 0;
      const c = lenient ? { ...base.contract(), maxRejectedRatio: 0.9 } : base.contract();
      add(
        `mutate ${base.file} ${m.name}${lenient ? ' lenient' : ''}`,
        base.file,
        m.apply(base.bytes, rand),
        c,
      );
    }
  }

  // 2. Wrong declared encodings: valid text under a contract that names another encoding.
  const fx = (f: string) => readFileSync(join(FIXTURES, f));
  const wrongEncodings: [string, Format, string][] = [
    ['clinics-gb18030.csv', 'csv', 'utf-8'],
    ['clinics-gb18030.csv', 'csv', 'utf-16le'],
    ['clinics-gb18030.csv', 'csv', 'utf-16be'],
    ['clinics-gb18030.csv.gz', 'csv', 'utf-8'],
    ['clinics-utf16be.csv', 'csv', 'gb18030'],
    ['clinics-utf16be.csv', 'csv', 'utf-8'],
    ['clinics-utf16be.csv', 'csv', 'utf-16le'],
    ['clinics-utf16le.tsv', 'tsv', 'gb18030'],
    ['clinics-utf16le.tsv', 'tsv', 'utf-16be'],
    ['clinics-utf16le.tsv', 'tsv', 'utf-8'],
    ['clinics-utf16le.tsv.gz', 'tsv', 'gbk'],
    ['clinics-utf16le.json', 'json', 'utf-8'],
    ['clinics-utf16le.json', 'json', 'gb18030'],
    ['clinics-utf8.csv', 'csv', 'utf-16le'],
    ['clinics-utf8.csv', 'csv', 'utf-16be'],
    ['clinics-utf8.csv', 'csv', 'gbk'],
    ['clinics.jsonl', 'jsonl', 'utf-16le'],
    ['clinics.json', 'json', 'utf-16be'],
    ['clinics-utf8-bom-crlf.csv', 'csv', 'gb18030'],
    ['schools.tsv', 'tsv', 'utf-16le'],
  ];
  for (const [file, type, encoding] of wrongEncodings) {
    const c = file.startsWith('schools')
      ? schoolsContract({ type, encoding })
      : clinicsContract({ type, encoding });
    add(`wrong-encoding ${file} declared ${encoding}`, file, fx(file), c);
  }
  // A file declared in one format that is another.
  const wrongFormats: [string, Format][] = [
    ['clinics.jsonl', 'csv'],
    ['clinics.json', 'jsonl'],
    ['clinics.jsonl', 'json'],
    ['clinics-utf8.csv', 'json'],
    ['clinics-utf8.csv', 'jsonl'],
    ['clinics-utf8.csv', 'xlsx'],
    ['schools.tsv', 'json'],
  ];
  for (const [file, type] of wrongFormats)
    add(`wrong-format ${file} declared ${type}`, file, fx(file), clinicsContract({ type }));
  add('wrong-format clinics.xlsx declared csv', 'clinics.xlsx.csv', workbook, clinicsContract());
  add(
    'wrong-format clinics.xlsx declared jsonl',
    'clinics.xlsx.jsonl',
    workbook,
    clinicsContract({ type: 'jsonl' }),
  );

  // 3. Size extremes.
  const header = CLINIC_HEADER.join(',');
  const row = 'GZ520102001,南明区花果园社区卫生服务中心,520102,南明区,2015-03-18,40,1820.5,';
  add(
    'big 10 MB unquoted field',
    'big-field.csv',
    `${header}\n${row}${'x'.repeat(10 * 1024 * 1024)}\n${row}y\n`,
    clinicsContract(),
  );
  add(
    'big 10 MB quoted field',
    'big-quoted.csv',
    `${header}\n${row}"${'a,"'.repeat(3_500_000)}"\n`,
    clinicsContract(),
  );
  const wide = Array.from({ length: 10_000 }, (_, i) => `c${i}`);
  add(
    'wide 10,000 columns',
    'wide.csv',
    `${wide.join(',')}\n${wide.map((_, i) => i).join(',')}\n`,
    clinicsContract(),
  );
  add(
    'wide 10,000 columns with the contract fields',
    'wide-fields.csv',
    `${[...CLINIC_HEADER, ...wide].join(',')}\n${row}x,${wide.map((_, i) => i).join(',')}\n`,
    clinicsContract(),
  );
  add(
    'wide jsonl 10,000 keys',
    'wide.jsonl',
    `${JSON.stringify(Object.fromEntries(wide.map((k, i) => [k, i])))}\n`,
    clinicsContract({ type: 'jsonl' }),
  );
  // Either side of the engine's column limit (MAX_COLUMNS).
  add(
    `wide ${MAX_COLUMNS + 1} columns`,
    `wide-${MAX_COLUMNS + 1}.csv`,
    `${wide.slice(0, MAX_COLUMNS + 1).join(',')}\n${wide.slice(0, MAX_COLUMNS + 1).join(',')}\n`,
    clinicsContract(),
  );
  add(
    `wide ${MAX_COLUMNS} columns`,
    `wide-${MAX_COLUMNS}.csv`,
    `${wide.slice(0, MAX_COLUMNS).join(',')}\n${wide.slice(0, MAX_COLUMNS).join(',')}\n`,
    clinicsContract(),
  );
  const deep = (d: number) => `${'['.repeat(d)}${']'.repeat(d)}`;
  const deepObj = (d: number) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`;
  add(
    'deep jsonl arrays depth 10000',
    'deep.jsonl',
    `{"clinic_id":"GZ520102001","x":${deep(10_000)}}\n`,
    clinicsContract({ type: 'jsonl' }),
  );
  add(
    'deep jsonl objects depth 10000',
    'deep-obj.jsonl',
    `${deepObj(10_000)}\n`,
    clinicsContract({ type: 'jsonl' }),
  );
  add(
    'deep json array depth 10000',
    'deep.json',
    `[{"clinic_id":"GZ520102001","x":${deep(10_000)}}]`,
    clinicsContract({ type: 'json' }),
  );
  add(
    'deep json objects depth 10000',
    'deep-obj.json',
    `[${deepObj(10_000)}]`,
    clinicsContract({ type: 'json' }),
  );
  add(
    'deep json bare nesting depth 10000',
    'deep-bare.json',
    deep(10_000),
    clinicsContract({ type: 'json' }),
  );
  add('json scalar', 'scalar.json', '42', clinicsContract({ type: 'json' }));
  add(
    'json object not array',
    'object.json',
    '{"clinic_id":"GZ520102001"}',
    clinicsContract({ type: 'json' }),
  );
  add('jsonl of arrays', 'arrays.jsonl', '[1,2]\n[3]\n', clinicsContract({ type: 'jsonl' }));

  // 4. Gzip past the configured limit, and gzip oddities.
  const bomb = gzipSync(Buffer.concat([Buffer.from(`${header}\n`), Buffer.alloc(4 * 1024 * 1024, 0x61)]));
  add('gzip past limit 64 KiB', 'bomb.csv.gz', bomb, clinicsContract(), 64 * 1024);
  add('gzip past limit 1 byte', 'bomb1.csv.gz', gzipSync(fx('clinics-utf8.csv')), clinicsContract(), 1);
  add(
    'gzip jsonl past limit',
    'bomb.jsonl.gz',
    gzipSync(Buffer.from(`${'{"clinic_id":"GZ520102001"}\n'.repeat(100_000)}`)),
    clinicsContract({ type: 'jsonl' }),
    100 * 1024,
  );
  add('gzip xlsx past limit', 'bomb.xlsx.gz', gzipSync(workbook), clinicsContract({ type: 'xlsx' }), 1024);
  add('gzip of gzip', 'double.csv.gz', gzipSync(gzipSync(fx('clinics-utf8.csv'))), clinicsContract());
  add('gzip of nothing', 'nothing.csv.gz', gzipSync(Buffer.alloc(0)), clinicsContract());
  add(
    'gzip header only',
    'header.csv.gz',
    gzipSync(fx('clinics-utf8.csv')).subarray(0, 10),
    clinicsContract(),
  );
  add('gzip declared, plain text', 'plain.csv.gz', fx('clinics-utf8.csv'), clinicsContract({ gzip: true }));

  // 5. Workbooks that are not workbooks.
  add(
    'xlsx that is a zip of a csv',
    'zip-of-csv.xlsx',
    zipOf([['clinics.csv', fx('clinics-utf8.csv')]]),
    clinicsContract({ type: 'xlsx' }),
  );
  add(
    'xlsx that is a zip of a docx-like package',
    'docx.xlsx',
    zipOf([
      ['[Content_Types].xml', Buffer.from('<?xml version="1.0"?><Types/>')],
      ['word/document.xml', Buffer.from('<document/>')],
    ]),
    clinicsContract({ type: 'xlsx' }),
  );
  add('xlsx that is an empty zip', 'empty-zip.xlsx', zipOf([]), clinicsContract({ type: 'xlsx' }));
  add('xlsx that is csv text', 'text.xlsx', fx('clinics-utf8.csv'), clinicsContract({ type: 'xlsx' }));
  add('xlsx that is empty', 'empty.xlsx', Buffer.alloc(0), clinicsContract({ type: 'xlsx' }));
  add(
    'xlsx with a missing sheet',
    'sheet.xlsx',
    workbook,
    clinicsContract({ type: 'xlsx', sheet: 'Sheet9' }),
  );

  // 6. Binary files with a .csv (or other text) name.
  const bin = mulberry32(seed ^ 0x5eed);
  const random = (len: number) => Buffer.from(Array.from({ length: len }, () => Math.floor(bin() * 256)));
  add('binary random 4 KiB .csv', 'random.csv', random(4096), clinicsContract());
  add('binary random 4 KiB .tsv', 'random.tsv', random(4096), clinicsContract({ type: 'tsv' }));
  add('binary random 4 KiB .jsonl', 'random.jsonl', random(4096), clinicsContract({ type: 'jsonl' }));
  add('binary random 4 KiB .json', 'random.json', random(4096), clinicsContract({ type: 'json' }));
  add('binary zeros .csv', 'zeros.csv', Buffer.alloc(2048), clinicsContract());
  add('binary one NUL .csv', 'nul.csv', Buffer.from([0]), clinicsContract());
  add(
    'binary PNG .csv',
    'image.csv',
    Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), random(600)]),
    clinicsContract(),
  );
  add(
    'binary PDF .csv',
    'doc.csv',
    Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), random(800)]),
    clinicsContract(),
  );
  add(
    'binary ELF .csv',
    'prog.csv',
    Buffer.concat([Buffer.from('7f454c46020101', 'hex'), Buffer.alloc(200), random(300)]),
    clinicsContract(),
  );
  add('binary zip .csv', 'archive.csv', zipOf([['a.txt', Buffer.from('hello')]]), clinicsContract());
  add(
    'binary gzip without .gz .csv',
    'hidden-gzip.csv',
    gzipSync(fx('clinics-utf8.csv')),
    clinicsContract({ gzip: false }),
  );
  add(
    'text then binary .csv',
    'tail-binary.csv',
    Buffer.concat([fx('clinics-utf8.csv'), random(2048)]),
    clinicsContract(),
  );
  add(
    'utf-16 without BOM .csv',
    'utf16-nobom.csv',
    iconv.encode(fx('clinics-utf8.csv').toString('utf8'), 'utf-16le'),
    clinicsContract(),
  );
  add('lone BOM .csv', 'bom.csv', Buffer.from([0xef, 0xbb, 0xbf]), clinicsContract());
  add('only line breaks .csv', 'blank.csv', '\n\n\r\n\n', clinicsContract());
  add('only a quote .csv', 'quote.csv', '"', clinicsContract());
  add('whitespace .jsonl', 'blank.jsonl', '  \n\n \t\n', clinicsContract({ type: 'jsonl' }));

  // 7. csv-spectrum under a contract they do not match (the clinics contract).
  const spectrum = join(dirname(createRequire(import.meta.url).resolve('csv-spectrum/package.json')), 'csvs');
  for (const f of readdirSync(spectrum)
    .filter((x) => x.endsWith('.csv'))
    .sort()) {
    const bytes = readFileSync(join(spectrum, f));
    add(`csv-spectrum ${f} under clinics`, f, bytes, clinicsContract());
    add(`csv-spectrum ${f} under clinics as tsv`, f, bytes, clinicsContract({ type: 'tsv' }));
    add(
      `csv-spectrum ${f} under a required-integer contract`,
      f,
      bytes,
      contract({
        name: 'spectrum',
        fields: [
          { name: 'a', type: 'integer', constraints: { required: true } },
          { name: 'b', type: 'date' },
        ],
      }),
    );
  }
  return cases;
}
