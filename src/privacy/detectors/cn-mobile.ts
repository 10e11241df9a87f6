/**
 * Mainland China mobile number: 11 digits starting 13-19, optionally after a +86, 86 or 0086 country
 * prefix, with single spaces or dashes allowed between digit groups (+86 138-0013-8000, 138 0013 8000).
 * Landlines (0851-85551234) and short numbers do not match.
 *
 * Normalize: the bare 11 digits (values that are not mobile numbers are only trimmed).
 * Mask: first 3 digits, '****', last 4 digits (13800138000 -> 138****8000).
 */
import { type Detector, sqlStarAll, sqlTrim, starAll, trimText } from '../detector.ts';

/** Written for both engines: JavaScript RegExp and DuckDB's RE2 (full match). */
const SHAPE = '(?:(?:\\+|00)?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]){8}';
const SHAPE_JS = new RegExp(`^${SHAPE}$`);
const BARE = /^1[3-9][0-9]{9}$/;
const BARE_SQL = '1[3-9][0-9]{9}';

function test(value: string): boolean {
  return SHAPE_JS.test(value);
}

function normalize(value: string): string {
  const t = trimText(value);
  // The last 11 digits: the country prefix and the separators fall away.
  return SHAPE_JS.test(t) ? t.replace(/[^0-9]/g, '').slice(-11) : t;
}

function sqlNormalize(col: string): string {
  const t = sqlTrim(col);
  return `CASE WHEN regexp_full_match(${t}, '${SHAPE}') THEN right(regexp_replace(${t}, '[^0-9]', '', 'g'), 11) ELSE ${t} END`;
}

function mask(value: string): string {
  const n = normalize(value);
  return BARE.test(n) ? `${n.slice(0, 3)}****${n.slice(-4)}` : starAll(n);
}

function sqlMask(col: string): string {
  const n = sqlNormalize(col);
  return `CASE WHEN regexp_full_match(${n}, '${BARE_SQL}') THEN left(${n}, 3) || '****' || right(${n}, 4) ELSE ${sqlStarAll(n)} END`;
}

export const cnMobile: Detector = { kind: 'cn_mobile', test, normalize, mask, sqlNormalize, sqlMask };
