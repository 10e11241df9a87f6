/**
 * PRC resident identity number (居民身份证号码, GB 11643-1999): 6-digit region code, 8-digit birth date,
 * 3-digit sequence and an ISO 7064 MOD 11-2 check character (0-9 or X), or the legacy 15-digit form
 * (region, YYMMDD birth date in the 1900s, sequence; no check character).
 *
 * Mask: the region code stays, everything after it becomes '*' (520102********1234 -> 520102************).
 * Normalize: trimmed, ASCII letters uppercased, so 52010219900101123x and ...123X hash the same.
 */
import {
  asciiUpper,
  codePointLength,
  type Detector,
  SQL_SPACE,
  sqlAsciiUpper,
  sqlStarAll,
  sqlTrim,
  starAll,
  trimText,
} from '../detector.ts';

const ID18 = /^([1-9][0-9]{5})([0-9]{4})([0-9]{2})([0-9]{2})[0-9]{3}[0-9Xx]$/;
const ID15 = /^([1-9][0-9]{5})([0-9]{2})([0-9]{2})([0-9]{2})[0-9]{3}$/;
/** Weights 2^(17-i) mod 11 for the first 17 characters, and the check character for each sum mod 11. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';
/** Shape of a normalized value that gets the partial mask (no checksum: a mistyped number is still PII). */
const MASK_SHAPE = '[0-9]{17}[0-9X]|[0-9]{15}';
const MASK_SHAPE_JS = new RegExp(`^(?:${MASK_SHAPE})$`);
/** The mask shapes of a raw value for DuckDB's GLOB (byte-wise, exact for ASCII classes): the fast path. */
const ID18_GLOB = `${'[0-9]'.repeat(17)}[0-9Xx]`;
const ID18_UPPER_GLOB = `${'[0-9]'.repeat(17)}[0-9X]`;
const ID15_GLOB = '[0-9]'.repeat(15);
/** The mask shapes (either x) of a trimmed value, as RE2 full matches of the untrimmed value. */
const PADDED_ID18_SQL = `${SQL_SPACE}*[0-9]{17}[0-9Xx]${SQL_SPACE}*`;
const PADDED_ID15_SQL = `${SQL_SPACE}*[0-9]{15}${SQL_SPACE}*`;
const REGION_LENGTH = 6;

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= days[month - 1];
}

/** The GB 11643 check character (ISO 7064 MOD 11-2) of an ID's first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

function test(value: string): boolean {
  const long = ID18.exec(value);
  if (long) {
    const year = Number(long[2]);
    if (year < 1900 || year > 2100) return false;
    if (!isCalendarDate(year, Number(long[3]), Number(long[4]))) return false;
    return residentIdCheckChar(value) === value[17].toUpperCase();
  }
  const legacy = ID15.exec(value);
  if (legacy) return isCalendarDate(1900 + Number(legacy[2]), Number(legacy[3]), Number(legacy[4]));
  return false;
}

function normalize(value: string): string {
  return asciiUpper(trimText(value));
}

/** SQL: an ID already in normal form stays as it is; only the other values are trimmed and folded. */
function sqlNormalize(col: string): string {
  const c = `(${col})`;
  return (
    `CASE WHEN ${c} GLOB '${ID18_UPPER_GLOB}' THEN ${c} WHEN ${c} GLOB '${ID15_GLOB}' THEN ${c} ` +
    `WHEN ${c} GLOB '${ID18_GLOB}' THEN upper(${c}) ELSE ${sqlAsciiUpper(sqlTrim(c))} END`
  );
}

function mask(value: string): string {
  const n = normalize(value);
  if (!MASK_SHAPE_JS.test(n)) return starAll(n);
  return n.slice(0, REGION_LENGTH) + '*'.repeat(codePointLength(n) - REGION_LENGTH);
}

/*
 * SQL: the mask only depends on the shape (ASCII folding only turns x into X, and keeps every length), so
 * it is read off the raw value: an 18- or 15-character ID directly, one between trimmed characters by a
 * regex (its first 6 digits are the region), and any other value is starred over its trimmed length.
 */
function sqlMask(col: string): string {
  const c = `(${col})`;
  const region = (v: string) => `left(${v}, ${REGION_LENGTH})`;
  const paddedRegion = `regexp_extract(${c}, '[0-9]{${REGION_LENGTH}}')`;
  const stars = (n: number) => `'${'*'.repeat(n - REGION_LENGTH)}'`;
  return (
    `CASE WHEN ${c} GLOB '${ID18_GLOB}' THEN ${region(c)} || ${stars(18)} ` +
    `WHEN ${c} GLOB '${ID15_GLOB}' THEN ${region(c)} || ${stars(15)} ` +
    `WHEN regexp_full_match(${c}, '${PADDED_ID18_SQL}') THEN ${paddedRegion} || ${stars(18)} ` +
    `WHEN regexp_full_match(${c}, '${PADDED_ID15_SQL}') THEN ${paddedRegion} || ${stars(15)} ` +
    `ELSE ${sqlStarAll(sqlTrim(c))} END`
  );
}

export const cnResidentId: Detector = {
  kind: 'cn_resident_id',
  test,
  normalize,
  mask,
  sqlNormalize,
  sqlMask,
};
