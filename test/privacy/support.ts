/** Shared helpers for the privacy tests: valid-number generators, a seeded corpus and a DuckDB runner. */
import { DuckDBInstance } from '@duckdb/node-api';
import { residentIdCheckChar } from '../../src/privacy/detectors/cn-resident-id.ts';
import { quoteSqlString } from '../../src/privacy/protect.ts';
import { mulberry32 } from '../support/random.ts';

/** Completes 17 characters into a resident ID with its ISO 7064 MOD 11-2 check character. */
export function residentId(first17: string): string {
  return first17 + residentIdCheckChar(first17);
}

/** Appends the Luhn check digit to a digit string. */
export function withLuhn(partial: string): string {
  for (let d = 0; d <= 9; d++) {
    const candidate = partial + d;
    let sum = 0;
    [...candidate].reverse().forEach((ch, i) => {
      const n = Number(ch) * (i % 2 === 1 ? 2 : 1);
      sum += n > 9 ? n - 9 : n;
    });
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}

/** The seeded generator, so the corpus is the same on every run. */
export const seeded = mulberry32;

function digits(rand: () => number, n: number): string {
  return Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Guizhou region codes (Guiyang districts, Zunyi, Anshun, Bijie...). */
export const GUIZHOU_REGIONS = [
  '520102',
  '520103',
  '520111',
  '520113',
  '520302',
  '520402',
  '520502',
  '522601',
];

/** A few hundred values: valid and near-valid PII of every kind, NULL, empty, whitespace, Chinese, long text. */
export function corpus(): (string | null)[] {
  const rand = seeded(20240611);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const values: (string | null)[] = [
    null,
    '',
    ' ',
    '\t',
    '\u3000',
    '\u00a0\u2000\u3000\ufeff',
    ' \n ',
    '张三丰',
    '  张三丰  ',
    '\u3000李四\u3000',
    '张',
    '欧阳娜娜',
    '贵州省贵阳市南明区中华南路1号',
    '贵州省贵阳市',
    '遵义',
    "O'Brien",
    "''",
    'back\\slash\\n',
    'C:\\temp\\x',
    'tab\tinside',
    'line\nbreak',
    'ends with newline\n',
    '🦆',
    '👨‍👩‍👧 family',
    'e\u0301cole',
    'ß straße',
    'İstanbul',
    'ΟΔΟΣ',
    'ǅemal',
    'x'.repeat(5000),
    '张'.repeat(3000),
    '@',
    '@@',
    'a@',
    '@b',
    'a@b@c',
    'a\n@b',
    '🦆@例子.中国',
    '用户@例子.中国',
    'Zhang.San@GZ.gov.CN',
    '  Li.Si+News@Example.COM  ',
    'wang_wu@163.com',
    'no-at-sign.example.com',
    'zhang san@gz.gov.cn',
    'ÄBC@ÖSTERREICH.AT',
    '13800138000',
    '+86 138-0013-8000',
    '+86-138-0013-8000',
    '8613800138000',
    '008613800138000',
    '+8613800138000',
    ' 138 0013 8000 ',
    '138--0013-8000',
    '0851-85551234',
    '085185551234',
    '12800138000',
    '1380013800',
    '138001380001',
    '4111111111111111',
    '4111 1111 1111 1111',
    '4111-1111-1111-1111',
    '4111111111111112',
    '378282246310005',
    '6011-0009-9013-9424',
    '0000000000000000',
    '123456789012',
    '12345678901234567890',
    '1234  5678',
    '-1234',
    '1234-',
    '520102199001011234',
    '52010219900101123x',
    '52010219900101123X',
    '520102900101123',
    'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    '０１２３４５６７８９',
    '１３８００１３８０００',
    'NULL',
    'null',
    '-',
    '*',
    '%',
    '_',
    '.*',
    '\\x{20}',
    // Around the SQL fast paths: one-sided padding, look-alike digits, characters next to the trimmed ones.
    '13800138000\u3000',
    '\u300013800138000',
    '13800138000\n',
    '1380013800０',
    '+86 13800138000 ',
    ' 520102199001011234',
    '520102199001011234\t',
    '52010219900101123x ',
    '\u3000520102900101123',
    '５２０１０２１９９００１０１１２３４',
    '4111 1111 1111 1111 ',
    ' 4111111111111111',
    '6222 0212 3456 7890 1281 234',
    '1234-5678-',
    '12345678901234567890123',
    ' A@B.CN',
    'A@B@C ',
    '@a ',
    'a@ ',
    'Ä@B.cn',
    '用户@EXAMPLE.中国',
    '\u0001abc',
    '\u0085x\u0085',
    '\u180e',
    'a\u0301 ',
    '\u0600 ',
  ];
  for (let i = 0; i < 60; i++) {
    const region = pick(GUIZHOU_REGIONS);
    const year = 1900 + Math.floor(rand() * 201);
    const date = `${year}${pad2(1 + Math.floor(rand() * 12))}${pad2(1 + Math.floor(rand() * 28))}`;
    const id = residentId(region + date + digits(rand, 3));
    values.push(id, id.toLowerCase(), ` ${id} `, `${id.slice(0, 17)}${(Number(id[17]) + 1) % 10}`);
    values.push(`${region}${date.slice(2)}${digits(rand, 3)}`);
  }
  for (let i = 0; i < 40; i++) {
    const m = `1${3 + Math.floor(rand() * 7)}${digits(rand, 9)}`;
    const forms = [
      m,
      `+86 ${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`,
      `0086${m}`,
      `86 ${m}`,
      `${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`,
    ];
    values.push(pick(forms), `${m.slice(0, 10)}`);
  }
  for (let i = 0; i < 40; i++) {
    const card = withLuhn(`${1 + Math.floor(rand() * 9)}${digits(rand, 11 + Math.floor(rand() * 7))}`);
    const grouped = card.replace(/(\d{4})(?=\d)/g, pick(['$1 ', '$1-', '$1']));
    values.push(card, grouped, `${card.slice(0, -1)}${(Number(card.at(-1)) + 1) % 10}`);
  }
  const locals = ['zhangsan', 'Li.Si', 'wang+tag', 'ZHAO_LIU', '陈七'];
  const domains = ['gz.gov.cn', 'Example.COM', '163.com', 'qq.com', '例子.中国'];
  for (let i = 0; i < 30; i++) values.push(`${pick(locals)}@${pick(domains)}`);
  return values;
}

export interface Db {
  /** Rows of a query, as JSON-friendly objects (VARCHAR -> string, NULL -> null). */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /**
   * Evaluates SQL expressions of the column `v` over the given values, in input order: one array of results
   * per expression.
   */
  evaluate(values: readonly (string | null)[], exprs: readonly string[]): Promise<(string | null)[][]>;
  close(): void;
}

export async function openDb(): Promise<Db> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson();
  return {
    rows,
    async evaluate(values, exprs) {
      const tuples = values.map((v, i) => `(${i}, ${v === null ? 'NULL::VARCHAR' : quoteSqlString(v)})`);
      const select = exprs.map((e, j) => `${e} AS e${j}`).join(', ');
      const result = await rows(`SELECT ${select} FROM (VALUES ${tuples.join(', ')}) AS t(i, v) ORDER BY i`);
      return exprs.map((_, j) => result.map((r) => r[`e${j}`] as string | null));
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
