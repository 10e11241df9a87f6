/**
 * Mainland China mobile number: 11 digits starting 13-19, optionally after a +86, 86 or 0086 country
 * prefix, with single spaces or dashes allowed between digit groups (+86 138-0013-8000, 138 0013 8000).
 * Landlines (0851-85551234) and short numbers do not match.
 *
 * Normalize: the bare 11 digits (values that are not mobile numbers are only trimmed).
 * Mask: first 3 digits, '****', last 4 digits (13800138000 -> 138****8000).
 */
import { type Detector, SQL_SPACE, sqlStarAll, sqlTrim, starAll, trimText } from '../detector.ts';

/** Written for both engines: JavaScript RegExp and DuckDB's RE2 (full match). */
const SHAPE = '(?:(?:\\+|00)?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]){8}';
const SHAPE_JS = new RegExp(`^${SHAPE}$`);
const BARE = /^1[3-9][0-9]{9}$/;
/** BARE for DuckDB's GLOB (byte-wise, which is exact for these ASCII classes), cheaper than a regex. */
const BARE_GLOB = `1[3-9]${'[0-9]'.repeat(9)}`;
/** The shape anywhere between the trimmed characters: the untrimmed value of a value whose trim has SHAPE. */
const PADDED_SHAPE_SQL = `${SQL_SPACE}*${SHAPE}${SQL_SPACE}*`;
/** SHAPE with the 11 digits captured (the first 3, then one group each), around the trimmed characters. */
const SEP = '[ -]?';
const CAPTURE_SQL = `^${SQL_SPACE}*(?:(?:\\+|00)?86${SEP})?(1[3-9][0-9])${`${SEP}([0-9])`.repeat(8)}${SQL_SPACE}*$`;

function test(value: string): boolean {
  return SHAPE_JS.test(value);
}

function normalize(value: string): string {
  const t = trimText(value);
  // The last 11 digits: the country prefix and the separators fall away.
  return SHAPE_JS.test(t) ? t.replace(/[^0-9]/g, '').slice(-11) : t;
}

/*
 * SQL: a bare number is its own normal form; another value of the shape becomes its captured digits in one
 * regexp_replace (the pattern is anchored, so the whole value is replaced); the rest is only trimmed.
 */
function sqlNormalize(col: string): string {
  const c = `(${col})`;
  return (
    `CASE WHEN ${c} GLOB '${BARE_GLOB}' THEN ${c} ` +
    `WHEN regexp_full_match(${c}, '${PADDED_SHAPE_SQL}') THEN regexp_replace(${c}, '${CAPTURE_SQL}', '\\1\\2\\3\\4\\5\\6\\7\\8\\9') ` +
    `ELSE ${sqlTrim(c)} END`
  );
}

function mask(value: string): string {
  const n = normalize(value);
  return BARE.test(n) ? `${n.slice(0, 3)}****${n.slice(-4)}` : starAll(n);
}

/*
 * SQL: the normal form is BARE exactly when the trimmed value has SHAPE, so the mask is taken from the
 * value itself (captured digits 1-3 and 8-11), and every other value is starred over its trimmed length.
 */
function sqlMask(col: string): string {
  const c = `(${col})`;
  return (
    `CASE WHEN ${c} GLOB '${BARE_GLOB}' THEN left(${c}, 3) || '****' || substr(${c}, 8) ` +
    `WHEN regexp_full_match(${c}, '${PADDED_SHAPE_SQL}') THEN regexp_replace(${c}, '${CAPTURE_SQL}', '\\1****\\6\\7\\8\\9') ` +
    `ELSE ${sqlStarAll(sqlTrim(c))} END`
  );
}

export const cnMobile: Detector = { kind: 'cn_mobile', test, normalize, mask, sqlNormalize, sqlMask };
