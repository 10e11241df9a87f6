/**
 * Email address, pragmatically: a local part and a dotted domain ending in a top-level label of at least
 * two letters, without spaces, angle brackets or quotes (zhang.san@gz.gov.cn, li+news@例子.中国).
 *
 * Normalize: trimmed, ASCII letters lowercased. Mask: the first character of the local part, '***', then
 * '@' and the domain (zhang.san@gz.gov.cn -> z***@gz.gov.cn).
 */
import {
  asciiLower,
  type Detector,
  leftCodePoints,
  sqlAsciiLower,
  sqlStarAll,
  sqlTrim,
  starAll,
  trimText,
} from '../detector.ts';

const LOCAL = /[^\s@<>()[\]\\,;:"]+/u.source;
const LABEL = /[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?/u.source;
/** A top-level label of letters, or its punycode (xn--) spelling. */
const TLD = /(?:\p{L}{2,}|xn--[A-Za-z0-9-]+)/u.source;
/** At most 254 characters (no longer address can be sent), checked first: a long value fails at once. */
const EMAIL = new RegExp(`^(?=[\\s\\S]{0,254}$)${LOCAL}@(?:${LABEL}\\.)+${TLD}$`, 'u');
/** Shape of a normalized value that gets the partial mask: exactly one '@' with text on both sides. */
const MASK_SHAPE = '[^@]+@[^@]+';
const MASK_SHAPE_JS = new RegExp(`^${MASK_SHAPE}$`);

function test(value: string): boolean {
  return EMAIL.test(value);
}

function normalize(value: string): string {
  return asciiLower(trimText(value));
}

function sqlNormalize(col: string): string {
  return sqlAsciiLower(sqlTrim(col));
}

function mask(value: string): string {
  const n = normalize(value);
  if (!MASK_SHAPE_JS.test(n)) return starAll(n);
  const at = n.indexOf('@');
  return `${leftCodePoints(n, 1)}***${n.slice(at)}`;
}

/*
 * SQL: MASK_SHAPE is "exactly one '@', not first nor last", which two LIKEs test faster than a regex. The
 * normalized value sits alone in the first WHEN (not under an AND), so DuckDB computes it once per row.
 */
function sqlMask(col: string): string {
  const n = sqlNormalize(col);
  return (
    `CASE WHEN ${n} LIKE '%@%@%' THEN ${sqlStarAll(n)} ` +
    `WHEN ${n} LIKE '_%@_%' THEN left(${n}, 1) || '***' || substr(${n}, strpos(${n}, '@')) ` +
    `ELSE ${sqlStarAll(n)} END`
  );
}

export const email: Detector = { kind: 'email', test, normalize, mask, sqlNormalize, sqlMask };
