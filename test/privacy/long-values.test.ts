/**
 * Values of 10 MB through trimming and every detector, in JavaScript and in DuckDB: each takes time in
 * proportion to the value. A quadratic step (a regex that retries a long run of spaces from each of its
 * positions) would take hours on these values, far past the test timeout, and a regex that stacks one
 * backtracking frame per repetition would overflow; linear, each case takes about a second or less.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECTED_PII, type DetectedPiiKind } from '../../src/contracts/schema.ts';
import { quoteSqlString, sqlTrim, trimText } from '../../src/privacy/detector.ts';
import { DETECTORS } from '../../src/privacy/detectors/index.ts';
import { type Db, openDb } from './support.ts';

const SIZE = 10_000_000;
/** One of each kind of trimmed character (ASCII, no-break, ideographic, line separator, BOM...), 12 in all. */
const EVERY_SPACE = ' \t\n\r\u00a0\u1680\u2000\u2028\u202f\u205f\u3000\ufeff';
/** EVERY_SPACE repeated this often is 5 MB of characters. */
const HALF_OF_EVERY_SPACE = Math.round(SIZE / 2 / EVERY_SPACE.length);

/** A value written as pieces repeated, so that DuckDB builds the same value with repeat(). */
type Pieces = readonly (readonly [text: string, times: number])[];

interface Case {
  readonly name: string;
  readonly pieces: Pieces;
  /** The value trimmed. */
  readonly trimmed: (value: string) => string;
  /** The detector whose test() the trimmed value passes. */
  readonly kind: DetectedPiiKind | null;
}

const itself = (value: string) => value;

const CASES: readonly Case[] = [
  { name: '10 MB of spaces', pieces: [[' ', SIZE]], trimmed: () => '', kind: null },
  {
    name: 'a mobile number between 10 MB of spaces of every kind',
    pieces: [
      [EVERY_SPACE, HALF_OF_EVERY_SPACE],
      ['13800138000', 1],
      [EVERY_SPACE, HALF_OF_EVERY_SPACE],
    ],
    trimmed: () => '13800138000',
    kind: 'cn_mobile',
  },
  {
    name: 'a value, 10 MB of spaces, then a letter',
    pieces: [
      ['13800138000', 1],
      [' ', SIZE],
      ['x', 1],
    ],
    trimmed: itself,
    kind: null,
  },
  { name: '10 MB of digits', pieces: [['1', SIZE]], trimmed: itself, kind: null },
  {
    name: '10 MB of digit groups',
    pieces: [
      ['1 ', SIZE / 2],
      ['1', 1],
    ],
    trimmed: itself,
    kind: null,
  },
  {
    name: 'an e-mail address of 10 MB',
    pieces: [
      ['zhang@', 1],
      ['例.', SIZE / 2],
      ['中国', 1],
    ],
    trimmed: itself,
    kind: null,
  },
];

const valueFrom = (pieces: Pieces) => pieces.map(([text, times]) => text.repeat(times)).join('');
const sqlValueFrom = (pieces: Pieces) =>
  pieces.map(([text, times]) => `repeat(${quoteSqlString(text)}, ${times})`).join(' || ');
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

describe('trimText on values of 10 MB', () => {
  it.each(CASES)('$name', ({ pieces, trimmed }) => {
    // Prepare
    const value = valueFrom(pieces);
    // Act
    const t = trimText(value);
    // Assess (compared as booleans, so that a failure does not print 10 MB)
    expect(t === trimmed(value)).toBe(true);
    expect(t === value.trim()).toBe(true);
  });
});

describe.each(DETECTED_PII)('%s on values of 10 MB', (kind) => {
  const detector = DETECTORS[kind];

  it.each(CASES)('test, normalize and mask: $name', ({ pieces, kind: expected }) => {
    // Prepare
    const value = valueFrom(pieces);
    // Act
    const passes = detector.test(trimText(value));
    const normalized = detector.normalize(value);
    const masked = detector.mask(value);
    // Assess (the SQL twins below check the normal forms and masks of every case)
    expect(passes).toBe(expected === kind);
    if (expected === kind) expect([normalized, masked]).toEqual(['13800138000', '138****8000']);
  });
});

describe('the SQL twins on values of 10 MB', () => {
  let db: Db;

  beforeAll(async () => {
    db = await openDb();
  });
  afterAll(() => db.close());

  it.each(CASES)('sqlTrim, and every sqlNormalize and sqlMask: $name', async ({ pieces }) => {
    // Prepare: the value built in DuckDB; each twin's result compared by its MD5 (not 10 MB back).
    const value = valueFrom(pieces);
    const twins: [sql: string, js: string][] = [[sqlTrim('v'), trimText(value)]];
    for (const kind of DETECTED_PII) {
      const d = DETECTORS[kind];
      twins.push([d.sqlNormalize('v'), d.normalize(value)], [d.sqlMask('v'), d.mask(value)]);
    }
    // Act
    const [row] = await db.rows(
      `SELECT ${twins.map(([sql], i) => `md5(${sql}) AS e${i}`).join(', ')} FROM (SELECT ${sqlValueFrom(pieces)} AS v)`,
    );
    // Assess
    expect(twins.map((_, i) => row[`e${i}`])).toEqual(twins.map(([, js]) => md5(js)));
  });
});
