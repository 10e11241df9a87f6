/**
 * A DuckDB result's rows as the CLI hands them on: objects keyed by unique column names, with integers
 * and decimals (which DuckDB gives as their exact text) as numbers where a double holds them exactly,
 * and as text where it would not (9007199254740993, 12345678901234567.89): no value is rounded on its
 * way out, whichever output it goes to.
 */
import type { Json } from '@duckdb/node-api';

const INTEGER_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;

/** Column names made unique (a, a_2, a_3) so that every value has its own key in a row object. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const count = (seen.get(n) ?? 0) + 1;
    seen.set(n, count);
    let name = count === 1 ? n : `${n}_${count}`;
    while (count > 1 && seen.has(name)) name = `${name}_`;
    if (count > 1) seen.set(name, 1);
    return name;
  });
}

/** `DECIMAL(18,2)` → 2; null for any other type. */
function decimalTypeScale(type: string): number | null {
  const m = /^DECIMAL\(\d+,(\d+)\)$/.exec(type);
  return m ? Number(m[1]) : null;
}

/** The number a decimal text of `scale` digits stands for, when a double holds it exactly; else the text. */
function exactNumber(s: string, scale: number): number | string {
  const n = Number(s);
  if (!Number.isFinite(n)) return s;
  if (scale === 0) return Number.isSafeInteger(n) ? n : s;
  // The double written back at the scale must give the same digits (12.50 → 12.5 → "12.50").
  return n.toFixed(scale) === s ? n : s;
}

/** Turns a row of DuckDB's JSON values (columns `types`, in order) into an object keyed by `names`. */
export function rowConverter(
  names: readonly string[],
  types: readonly string[],
): (row: Json[]) => Record<string, unknown> {
  const scales = types.map((t) => (INTEGER_TYPES.test(t) ? 0 : decimalTypeScale(t)));
  return (row) => {
    const obj: Record<string, unknown> = {};
    row.forEach((v, i) => {
      const scale = scales[i];
      obj[names[i]] = scale !== null && typeof v === 'string' ? exactNumber(v, scale) : v;
    });
    return obj;
  };
}
