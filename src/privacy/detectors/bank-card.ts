/**
 * Bank card number (银行卡号): 13 to 19 digits starting 1-9 that pass the Luhn check, with single spaces
 * or dashes allowed between digit groups (6222 0212 3456 7890 128).
 *
 * Normalize: digits only (values that are not digit groups are only trimmed).
 * Mask: '*' for every digit but the last 4 (6222021234567890128 -> ***************0128).
 */
import { type Detector, sqlStarAll, sqlTrim, starAll, trimText } from '../detector.ts';

const SHAPE = /^[1-9](?:[ -]?[0-9]){12,18}$/;
/** Digit groups separated by single spaces or dashes (RE2 and JavaScript alike, full match). */
const GROUPS = '[0-9]+(?:[ -][0-9]+)*';
const GROUPS_JS = new RegExp(`^${GROUPS}$`);
const DIGITS = /^[0-9]{13,19}$/;
const DIGITS_SQL = '[0-9]{13,19}';

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function test(value: string): boolean {
  return SHAPE.test(value) && luhn(value.replace(/[ -]/g, ''));
}

function normalize(value: string): string {
  const t = trimText(value);
  return GROUPS_JS.test(t) ? t.replace(/[ -]/g, '') : t;
}

function sqlNormalize(col: string): string {
  const t = sqlTrim(col);
  return `CASE WHEN regexp_full_match(${t}, '${GROUPS}') THEN regexp_replace(${t}, '[ -]', '', 'g') ELSE ${t} END`;
}

function mask(value: string): string {
  const n = normalize(value);
  return DIGITS.test(n) ? '*'.repeat(n.length - 4) + n.slice(-4) : starAll(n);
}

function sqlMask(col: string): string {
  const n = sqlNormalize(col);
  return `CASE WHEN regexp_full_match(${n}, '${DIGITS_SQL}') THEN repeat('*', length(${n}) - 4) || right(${n}, 4) ELSE ${sqlStarAll(n)} END`;
}

export const bankCard: Detector = { kind: 'bank_card', test, normalize, mask, sqlNormalize, sqlMask };
