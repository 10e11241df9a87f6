/**
 * The shape of a built-in personal-data detector, and the small text helpers every detector shares.
 *
 * Each helper comes as a pair: a JavaScript function and a DuckDB SQL builder that computes exactly the
 * same thing, so the transform engine can protect whole columns in SQL while tests use the JavaScript
 * side as the reference. Lengths and positions count Unicode code points on both sides (DuckDB's
 * `length`, `left` and `right` do; JavaScript's `.length` would count UTF-16 units).
 *
 * The SQL runs over millions of rows, so the builders are written for DuckDB's evaluator (measured with
 * test/privacy/bench-sql.ts):
 * - DuckDB's common-subexpression elimination computes a subexpression once, and reuses it in every
 *   branch, when it is repeated where it is always evaluated: as a plain function argument or in the first
 *   WHEN of a CASE (not under an AND/OR). Repeated only inside THEN/ELSE branches, it is recomputed each
 *   time. So the trimmed or normalized value goes in the first WHEN, or a branch is written without
 *   repeating it (a regex over the untrimmed value, `${SQL_SPACE}*shape${SQL_SPACE}*`). Binding it with a
 *   lambda (list_transform([x], lambda t: ...)[1]) would also work, but costs more than it saves;
 * - detectors test the overwhelmingly common shape first on the raw value with cheap functions (GLOB on
 *   ASCII patterns, then regexes), and only the other values go through trimming and normalizing;
 * - no `x IN (constants...)`: DuckDB plans it as a join against the constants; list_contains is cheap.
 */
import type { DetectedPiiKind } from '../contracts/schema.ts';

export interface Detector {
  readonly kind: DetectedPiiKind;
  /** Exact test: shape + checksum. The value is trimmed by the caller. */
  test(value: string): boolean;
  /**
   * Canonical form before hashing, so the same person hashes the same across datasets (e.g. uppercase X
   * in resident IDs, mobile without +86/spaces/dashes, email lowercased).
   */
  normalize(value: string): string;
  /** Masked display form. */
  mask(value: string): string;
  /** DuckDB SQL expression computing normalize() of the VARCHAR SQL expression `col`; must equal normalize() for every input. */
  sqlNormalize(col: string): string;
  /** DuckDB SQL expression computing mask() of `col` (already a VARCHAR, may be NULL -> NULL). */
  sqlMask(col: string): string;
}

/** Quotes a string as a SQL string literal, doubling single quotes (DuckDB reads no backslash escapes). */
export function quoteSqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * The characters trimmed from both ends of a value: the same set as JavaScript's String.prototype.trim
 * (ASCII whitespace, the Unicode space separators, the line and paragraph separators and the BOM), spelled
 * out so that the SQL twin trims exactly the same, whatever the engine's Unicode version.
 */
const TRIM_RANGES: readonly (readonly [number, number])[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];

function charClass(esc: (cp: number) => string): string {
  const parts = TRIM_RANGES.map(([a, b]) => (a === b ? esc(a) : `${esc(a)}-${esc(b)}`));
  return `[${parts.join('')}]`;
}

/**
 * RE2 (DuckDB) class: `\x{3000}` escapes; DuckDB string literals pass backslashes through untouched. Exported
 * so that detectors can match untrimmed values (`${SQL_SPACE}*shape${SQL_SPACE}*`).
 */
export const SQL_SPACE = charClass((cp) => `\\x{${cp.toString(16).toUpperCase()}}`);
/**
 * The trimmed code points one by one, as a SQL list for list_contains (not an IN list: DuckDB plans
 * `x IN (constants...)` as a join against the constants, which costs far more than this lookup).
 */
const SQL_SPACE_CODES = `[${TRIM_RANGES.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i)).join(', ')}]`;

/**
 * TRIM_RANGES as a lookup by UTF-16 code unit. Every trimmed code point is in the Basic Multilingual Plane,
 * and no surrogate is trimmed, so looking at code units finds exactly the trimmed code points.
 */
const TRIMMED = new Uint8Array(0x10000);
for (const [a, b] of TRIM_RANGES) TRIMMED.fill(1, a, b + 1);

/**
 * Removes leading and trailing whitespace (the String.prototype.trim set), in linear time: the ends are
 * found by scanning code units inwards from both sides (a regex anchored at the end, `\s+$`, would retry
 * from every position of a long run of spaces that the value does not end with, in quadratic time).
 */
export function trimText(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && TRIMMED[value.charCodeAt(start)] === 1) start++;
  while (end > start && TRIMMED[value.charCodeAt(end - 1)] === 1) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/**
 * SQL twin of trimText (DuckDB's own trim() only removes ASCII spaces, and trim(x, characters) with this
 * set is slower than the regexes). Most values have nothing to trim: the code points at both ends are
 * looked up first (ord() of '' is -1, so '' is returned as is), and only values that start or end with
 * whitespace go through the two regexes.
 */
export function sqlTrim(col: string): string {
  const c = `(${col})`;
  return (
    `CASE WHEN list_contains(${SQL_SPACE_CODES}, ord(${c})) OR list_contains(${SQL_SPACE_CODES}, ord(${c}[-1])) ` +
    `THEN regexp_replace(regexp_replace(${c}, '^${SQL_SPACE}+', ''), '${SQL_SPACE}+$', '') ELSE ${c} END`
  );
}

/**
 * SQL true when `col` starts with a code point other than the trimmed ones, so that trimming it leaves it
 * non-empty (false for '', NULL for NULL). Cheap, for a fast path.
 */
export function sqlStartsSolid(col: string): string {
  return `NOT list_contains([-1, ${SQL_SPACE_CODES.slice(1)}, ord(${col}))`;
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();

/**
 * Case folding is limited to ASCII letters: full Unicode case mapping differs between JavaScript and
 * DuckDB (ß, İ, final sigma...), and the canonical form must be identical on both sides.
 */
export function asciiUpper(value: string): string {
  return value.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

export function asciiLower(value: string): string {
  return value.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/*
 * In SQL, a pure-ASCII value (as many bytes as code points) takes DuckDB's fast upper()/lower(), which
 * agree with ASCII folding there; another value without an ASCII letter to fold stays as it is; only the
 * rest goes through translate(), which is exact but builds its map for every row (microseconds).
 */
export function sqlAsciiUpper(col: string): string {
  const c = `(${col})`;
  return (
    `CASE WHEN strlen(${c}) = length(${c}) THEN upper(${c}) ` +
    `WHEN regexp_matches(${c}, '[a-z]') THEN translate(${c}, '${LOWER}', '${UPPER}') ELSE ${c} END`
  );
}

export function sqlAsciiLower(col: string): string {
  const c = `(${col})`;
  return (
    `CASE WHEN strlen(${c}) = length(${c}) THEN lower(${c}) ` +
    `WHEN regexp_matches(${c}, '[A-Z]') THEN translate(${c}, '${UPPER}', '${LOWER}') ELSE ${c} END`
  );
}

/** Number of Unicode code points (DuckDB's length()). */
export function codePointLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** The first n code points (DuckDB's left()). */
export function leftCodePoints(value: string, n: number): string {
  return Array.from(value).slice(0, n).join('');
}

/** The last n code points (DuckDB's right()). */
export function rightCodePoints(value: string, n: number): string {
  return n <= 0 ? '' : Array.from(value).slice(-n).join('');
}

/** One '*' per code point: the mask of a value that does not have the detector's shape. */
export function starAll(value: string): string {
  return '*'.repeat(codePointLength(value));
}

/** SQL twin of starAll (NULL stays NULL). */
export function sqlStarAll(col: string): string {
  return `repeat('*', length(${col}))`;
}
