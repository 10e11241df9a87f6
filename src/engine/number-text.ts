/**
 * The text of a typed field as its cast reads it, in DuckDB SQL: full-width digits, letters and signs
 * folded to ASCII (NFKC's effect on them) and spaces trimmed; for number and integer fields, then the
 * field's Table Schema number forms applied (`bareNumber: false` strips text before and after the number,
 * `groupChar` is removed, `decimalChar` becomes `.`). Also the hint a type message gives when one of
 * those keys, missing from the field, would have read the value.
 */
import { DEFAULT_DECIMAL_CHAR, type FieldContract } from '../contracts/schema.ts';
import { sqlSearchText } from '../privacy/find.ts';
import { lit } from './sql.ts';

/** `[`-class text for one character, escaped for RE2. */
const reChar = (c: string) => (/[\\\]^\-[]/.test(c) ? `\\${c}` : c);

/** The value with full-width forms folded and surrounding spaces trimmed (what every typed field reads). */
export function foldedSql(x: string): string {
  return `trim(${sqlSearchText(x)})`;
}

/** The folded value with the text before and after its number removed (currency signs, %, 元, spaces). */
function bareSql(f: FieldContract, s: string): string {
  const dec = reChar(f.decimalChar ?? DEFAULT_DECIMAL_CHAR);
  return `regexp_replace(regexp_replace(${s}, ${lit(`^[^0-9+\\-${dec}]+`)}, ''), '[^0-9]+$', '')`;
}

/** The text a number or integer field's cast reads: plain digits, sign, `.` and exponent. */
export function numberTextSql(f: FieldContract, x: string): string {
  let s = foldedSql(x);
  if (f.bareNumber === false) s = bareSql(f, s);
  if (f.groupChar !== undefined) s = `replace(${s}, ${lit(f.groupChar)}, '')`;
  const dec = f.decimalChar ?? DEFAULT_DECIMAL_CHAR;
  // With another decimal separator, a '.' left in the text is not part of the number.
  if (dec !== '.') s = `CASE WHEN contains(${s}, '.') THEN NULL ELSE replace(${s}, ${lit(dec)}, '.') END`;
  return s;
}

/** Digits in groups of three separated by commas, with an optional decimal part. */
const GROUPED = '[+-]?[0-9]{1,3}(,[0-9]{3})+([.][0-9]*)?';
/** Digits with a decimal comma. */
const DECIMAL_COMMA = '[+-]?[0-9]+,[0-9]+';

/**
 * SQL VARCHAR: what would read a number or integer value that failed its type, as `: it has …: add … to
 * the field`, or '' when no number form the field lacks explains the failure.
 */
export function numberHintSql(f: FieldContract, x: string): string {
  const s = foldedSql(x);
  const core = bareSql(f, s);
  const reasons: [string, string, string][] = [];
  if (f.bareNumber !== false) {
    reasons.push([`(${core}) <> (${s}) AND (${core}) <> ''`, 'text around the number', 'bareNumber: false']);
  }
  if (f.groupChar === undefined) {
    reasons.push([`regexp_full_match(${core}, ${lit(GROUPED)})`, 'a group separator', "groupChar: ','"]);
  }
  if (f.type === 'number' && f.decimalChar === undefined && f.groupChar !== ',') {
    reasons.push([
      `regexp_full_match(${core}, ${lit(DECIMAL_COMMA)}) AND NOT regexp_full_match(${core}, ${lit(GROUPED)})`,
      'a decimal comma',
      "decimalChar: ','",
    ]);
  }
  if (reasons.length === 0) return "''";
  // Each combination of reasons, spelled out: the list is short (at most three, two at once).
  const conds = reasons.map(([c]) => `coalesce(${c}, false)`);
  const parts = (what: 0 | 1) =>
    `list_filter([${reasons.map((r, i) => `CASE WHEN ${conds[i]} THEN ${lit(r[what + 1])} END`).join(', ')}], e -> e IS NOT NULL)`;
  return (
    `CASE WHEN ${conds.join(' OR ')} THEN ': it has ' || array_to_string(${parts(0)}, ' and ') || ` +
    `': add ' || array_to_string(${parts(1)}, ' and ') || ' to the field' ELSE '' END`
  );
}
