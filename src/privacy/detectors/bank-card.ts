/**
 * Bank card number (银行卡号): 13 to 19 digits starting 1-9 that pass the Luhn check, with single spaces
 * or dashes allowed between digit groups (6222 0212 3456 7890 128).
 *
 * Normalize: digits only (values that are not digit groups are only trimmed).
 * Mask: '*' for every digit but the last 4 (6222021234567890128 -> ***************0128).
 */
import { type Detector, SQL_SPACE, sqlStarAll, sqlTrim, starAll, trimText } from '../detector.ts';

const SHAPE = /^[1-9](?:[ -]?[0-9]){12,18}$/;
/** Digit groups separated by single spaces or dashes (RE2 and JavaScript alike, full match). */
const GROUPS = '[0-9]+(?:[ -][0-9]+)*';
/** GROUPS in JavaScript, without a repeated group (V8 stacks one per group: a long value overflows). */
const GROUPS_JS = /^[0-9](?!.*[ -](?![0-9]))[0-9 -]*$/;
const DIGITS = /^[0-9]{13,19}$/;
const DIGITS_SQL = '[0-9]{13,19}';
/** GROUPS (the same as `[0-9](?:[ -]?[0-9])*`) between trimmed characters: an untrimmed value whose trim has GROUPS. */
const PADDED_GROUPS_SQL = `${SQL_SPACE}*${GROUPS}${SQL_SPACE}*`;
/** The same, for groups of 13 to 19 digits in all: what normalizes to DIGITS. */
const PADDED_CARD_SQL = `${SQL_SPACE}*[0-9](?:[ -]?[0-9]){12,18}${SQL_SPACE}*`;
/**
 * The digits of a value that has PADDED_GROUPS_SQL, which is its normal form: trimmed, then without its
 * separators (two replace() cost far less than a global regexp_replace).
 */
const digitsSql = (c: string) => `replace(replace(${sqlTrim(c)}, ' ', ''), '-', '')`;

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

/**
 * SQL: a value of digits only (the common case) is its own normal form; digit groups between trimmed
 * characters become their digits (the trimmed characters are not digits either); the rest is trimmed.
 */
function sqlNormalize(col: string): string {
  const c = `(${col})`;
  return (
    `CASE WHEN regexp_full_match(${c}, '[0-9]+') THEN ${c} ` +
    `WHEN regexp_full_match(${c}, '${PADDED_GROUPS_SQL}') THEN ${digitsSql(c)} ELSE ${sqlTrim(c)} END`
  );
}

function mask(value: string): string {
  const n = normalize(value);
  return DIGITS.test(n) ? '*'.repeat(n.length - 4) + n.slice(-4) : starAll(n);
}

/**
 * SQL, by the shape of the raw value: a plain card number is masked directly; grouped or padded, it is
 * masked from its digits; other digit groups are starred over their digits, anything else over its
 * trimmed length. The stars of a card (9 to 15) are cut from a constant, cheaper than repeat(), and the
 * last 4 digits taken by substr(), cheaper than right().
 */
function sqlMask(col: string): string {
  const c = `(${col})`;
  const d = digitsSql(c);
  const masked = (n: string) => `left('${'*'.repeat(15)}', strlen(${n}) - 4) || substr(${n}, -4)`;
  return (
    `CASE WHEN regexp_full_match(${c}, '${DIGITS_SQL}') THEN ${masked(c)} ` +
    `WHEN regexp_full_match(${c}, '${PADDED_CARD_SQL}') THEN ${masked(d)} ` +
    `WHEN regexp_full_match(${c}, '${PADDED_GROUPS_SQL}') THEN repeat('*', strlen(${d})) ` +
    `ELSE ${sqlStarAll(sqlTrim(c))} END`
  );
}

export const bankCard: Detector = { kind: 'bank_card', test, normalize, mask, sqlNormalize, sqlMask };
