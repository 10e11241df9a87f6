/**
 * Bank card number (银行卡号): 13 to 19 digits starting 1-9 that pass the Luhn check, with single spaces
 * or dashes allowed between digit groups (6222 0212 3456 7890 128).
 *
 * Normalize: digits only (values that are not digit groups are only trimmed).
 * Mask: '*' for every digit but the last 4 (6222021234567890128 -> ***************0128).
 */
import { type Detector, sqlLet, sqlStarAll, sqlTrim, starAll, trimText } from '../detector.ts';

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

/** SQL normalize of the values that are not plain digits: trimmed once, then the groups joined. */
function sqlNormalizeGeneral(c: string): string {
  return sqlLet(
    sqlTrim(c),
    'pii_t',
    (t) => `CASE WHEN regexp_full_match(${t}, '${GROUPS}') THEN regexp_replace(${t}, '[ -]', '', 'g') ELSE ${t} END`,
  );
}

/** SQL: a value of digits only (the common case) is its own normal form. */
function sqlNormalize(col: string): string {
  const c = `(${col})`;
  return `CASE WHEN regexp_full_match(${c}, '[0-9]+') THEN ${c} ELSE ${sqlNormalizeGeneral(c)} END`;
}

function mask(value: string): string {
  const n = normalize(value);
  return DIGITS.test(n) ? '*'.repeat(n.length - 4) + n.slice(-4) : starAll(n);
}

/** SQL: a plain card number is masked directly; other values are normalized once, then masked. */
function sqlMask(col: string): string {
  const c = `(${col})`;
  const masked = (n: string) =>
    `CASE WHEN regexp_full_match(${n}, '${DIGITS_SQL}') THEN repeat('*', length(${n}) - 4) || right(${n}, 4) ELSE ${sqlStarAll(n)} END`;
  return (
    `CASE WHEN regexp_full_match(${c}, '${DIGITS_SQL}') THEN repeat('*', strlen(${c}) - 4) || right(${c}, 4) ` +
    `ELSE ${sqlLet(sqlNormalizeGeneral(c), 'pii_n', masked)} END`
  );
}

export const bankCard: Detector = { kind: 'bank_card', test, normalize, mask, sqlNormalize, sqlMask };
