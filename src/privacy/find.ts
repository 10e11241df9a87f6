/**
 * Personal data inside any text: the built-in kinds found wherever they stand in a value (whole or
 * inside free text), after folding full-width forms, with separators (space, dash, dot) between digit
 * groups and a `+86`/`0086` country prefix, each candidate confirmed by its check digit (resident ID),
 * Luhn (bank card) or shape (mobile, e-mail). The engine runs the SQL side over every value of every
 * column it scans; the JavaScript twins give the same answers (tests, headers, single values).
 *
 * Candidates are found by RE2 patterns (linear time) with a non-digit (or the start) before them; one
 * optional digit after a candidate is taken with it, so a candidate that runs on into a longer number
 * fails its length check instead of matching a part of that number.
 */
import type { DetectedPiiKind } from '../contracts/schema.ts';
import { quoteSqlString, sqlTrim, trimText } from './detector.ts';
import { DETECTORS } from './detectors/index.ts';

/** Separators allowed between the digits of a number written for people. */
const SEP = '[ .\\-]?';
/** The candidates of each kind, in the order they are looked for (a resident ID is not also a card). */
const PATTERNS: readonly (readonly [DetectedPiiKind, string])[] = [
  ['cn_resident_id', `[1-9][0-9]{5}${SEP}[0-9]{4}${SEP}[0-9]{4}${SEP}[0-9]{3}[0-9Xx]|[1-9][0-9]{14}`],
  ['bank_card', `[1-9](?:${SEP}[0-9]){15,18}`],
  ['cn_mobile', `(?:(?:\\+|00)?86${SEP})?1[3-9][0-9](?:${SEP}[0-9]){8}`],
  [
    'email',
    '[A-Za-z0-9._%+\\-]+@[A-Za-z0-9](?:[A-Za-z0-9\\-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9\\-]*[A-Za-z0-9])?)*\\.[A-Za-z]{2,}',
  ],
];
/** The order kinds are reported in when a value holds several. */
export const FIND_ORDER: readonly DetectedPiiKind[] = PATTERNS.map(([kind]) => kind);

/** A candidate with what may precede it, and one digit that may follow it (group 1 is the candidate). */
const candidateRe = (body: string) => `(?:^|[^0-9A-Za-z._%+\\-@])((?:${body})[0-9]?)`;
const digitCandidateRe = (body: string) => `(?:^|[^0-9])((?:${body})[0-9]?)`;
const CANDIDATE: Readonly<Record<DetectedPiiKind, string>> = Object.fromEntries(
  PATTERNS.map(([kind, body]) => [kind, kind === 'email' ? candidateRe(body) : digitCandidateRe(body)]),
) as Record<DetectedPiiKind, string>;

/**
 * What every value is tested with first, on the text as written: eleven digits (either width) with at
 * most one separator between two of them, or an at sign. Every candidate of every kind has one of
 * these, and few other values do (dates, amounts and codes are shorter), so the candidates are only
 * extracted from the values that may hold some.
 */
const WIDE_DIGIT = '[0-9\\x{FF10}-\\x{FF19}]';
const WIDE_SEP = '[ .\\-\\x{3000}\\x{FF0E}\\x{FF0D}]';
const MAY_HOLD_SQL = `${WIDE_DIGIT}(?:${WIDE_SEP}?${WIDE_DIGIT}){10}|[@\\x{FF20}]`;
const MAY_HOLD_JS = /[0-9\uFF10-\uFF19](?:[ .\-\u3000\uFF0E\uFF0D]?[0-9\uFF10-\uFF19]){10}|[@\uFF20]/;

/** Full-width ASCII forms (U+FF01-U+FF5E) and the ideographic space, and what they fold to. */
const FULL_WIDTH = `${Array.from({ length: 94 }, (_, i) => String.fromCharCode(0xff01 + i)).join('')}\u3000`;
const HALF_WIDTH = `${Array.from({ length: 94 }, (_, i) => String.fromCharCode(0x21 + i)).join('')} `;
/** The full-width form's offset from the ASCII one. */
const WIDTH_OFFSET = 0xfee0;

/** The text searched: full-width forms folded to ASCII (NFKC's effect on them), one for one. */
export function searchText(value: string): string {
  return value.replace(/[\uFF01-\uFF5E\u3000]/g, (c) => HALF_WIDTH[FULL_WIDTH.indexOf(c)]);
}

/** SQL twin of searchText; values without a full-width form are passed through untouched. */
export function sqlSearchText(col: string): string {
  const c = `(${col})`;
  return `CASE WHEN regexp_matches(${c}, '[\\x{FF01}-\\x{FF5E}\\x{3000}]') THEN translate(${c}, ${quoteSqlString(FULL_WIDTH)}, ${quoteSqlString(HALF_WIDTH)}) ELSE ${c} END`;
}

/** The canonical form of a candidate: what its detector tests and masks. */
function canonical(kind: DetectedPiiKind, candidate: string): string {
  if (kind === 'email') return candidate.toLowerCase();
  const digits = candidate.replace(/[^0-9Xx]/g, '').toUpperCase();
  if (kind !== 'cn_mobile') return digits;
  if (digits.length === 13 && digits.startsWith('86')) return digits.slice(2);
  if (digits.length === 15 && digits.startsWith('0086')) return digits.slice(4);
  return digits;
}

function sqlCanonical(kind: DetectedPiiKind, c: string): string {
  if (kind === 'email') return `lower(${c})`;
  const digits = `upper(regexp_replace(${c}, '[^0-9Xx]', '', 'g'))`;
  if (kind !== 'cn_mobile') return digits;
  return `regexp_replace(${digits}, '^(?:86|0086)(1[0-9]{10})$', '\\1')`;
}

const ID_WEIGHTS = '[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]';
const digitAt = (ch: string) => `(ord(${ch}) - 48)`;

/** SQL true when the canonical candidate `d` (a lambda parameter) is a valid value of the kind. */
function sqlValid(kind: DetectedPiiKind, d: string): string {
  switch (kind) {
    case 'cn_resident_id': {
      const date18 = `try_strptime(substr(${d}, 7, 8), '%Y%m%d')`;
      const check = `substr('10X98765432', CAST(list_sum(list_transform(string_split(left(${d}, 17), ''), (ch, i) -> ${digitAt('ch')} * ${ID_WEIGHTS}[i])) % 11 AS INTEGER) + 1, 1)`;
      return (
        `CASE WHEN regexp_full_match(${d}, '[0-9]{17}[0-9X]') THEN ` +
        `coalesce(${date18} IS NOT NULL AND substr(${d}, 7, 4) BETWEEN '1900' AND '2100' AND ${check} = right(${d}, 1), false) ` +
        `WHEN regexp_full_match(${d}, '[0-9]{15}') THEN try_strptime('19' || substr(${d}, 7, 6), '%Y%m%d') IS NOT NULL ` +
        `ELSE false END`
      );
    }
    case 'bank_card': {
      const doubled = `(${digitAt('ch')} * 2)`;
      const luhn = `list_sum(list_transform(string_split(reverse(${d}), ''), (ch, i) -> CASE WHEN i % 2 = 0 THEN CASE WHEN ${doubled} > 9 THEN ${doubled} - 9 ELSE ${doubled} END ELSE ${digitAt('ch')} END)) % 10 = 0`;
      return `CASE WHEN regexp_full_match(${d}, '[0-9]{16,19}') THEN ${luhn} ELSE false END`;
    }
    case 'cn_mobile':
      return `regexp_full_match(${d}, '1[3-9][0-9]{9}')`;
    case 'email':
      return 'true';
  }
}

/** JavaScript twin of sqlValid: the detectors' own tests, on the canonical form. */
function valid(kind: DetectedPiiKind, d: string): boolean {
  switch (kind) {
    case 'cn_resident_id':
      return DETECTORS.cn_resident_id.test(d);
    case 'bank_card':
      return /^[0-9]{16,19}$/.test(d) && DETECTORS.bank_card.test(d);
    case 'cn_mobile':
      return /^1[3-9][0-9]{9}$/.test(d);
    case 'email':
      return true;
  }
}

/** One piece of personal data found in a text: its kind and the substring as searched (folded). */
export interface Find {
  readonly kind: DetectedPiiKind;
  readonly text: string;
}

/** Every valid candidate of one kind in `text` (a search text). */
function findKind(kind: DetectedPiiKind, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(new RegExp(CANDIDATE[kind], 'g'))) {
    if (valid(kind, canonical(kind, m[1]))) out.push(m[1]);
  }
  return out;
}

/** A pattern matching `found` as written in either width (it was found in the folded text). */
function eitherWidth(found: string): RegExp {
  const chars = [...found].map((ch) => {
    if (ch === ' ') return '[ \\u3000]';
    const wide = String.fromCharCode(ch.charCodeAt(0) + WIDTH_OFFSET);
    return /[0-9A-Za-z]/.test(ch) ? `[${ch}${wide}]` : `[\\${ch}${wide}]`;
  });
  return new RegExp(chars.join(''), 'g');
}

function sqlEitherWidth(f: string): string {
  const ch = `CASE WHEN ch = ' ' THEN '[ \\x{3000}]' WHEN regexp_matches(ch, '[0-9A-Za-z]') THEN '[' || ch || chr(ord(ch) + ${WIDTH_OFFSET}) || ']' ELSE '[\\' || ch || chr(ord(ch) + ${WIDTH_OFFSET}) || ']' END`;
  return `array_to_string(list_transform(string_split(${f}, ''), ch -> ${ch}), '')`;
}

/**
 * The personal data in a value, kind by kind in FIND_ORDER; each kind is looked for in the text left
 * after masking the kinds before it, so one number is found once (an ID is not also a card).
 */
export function findPersonal(value: string): Find[] {
  if (!MAY_HOLD_JS.test(value)) return [];
  const finds: Find[] = [];
  let text = value;
  for (const kind of FIND_ORDER) {
    for (const found of findKind(kind, searchText(text))) {
      finds.push({ kind, text: found });
      const mask = DETECTORS[kind].mask(canonical(kind, found));
      text = text.replace(eitherWidth(found), () => mask);
    }
  }
  return finds;
}

/** The value with every find replaced by its mask, and the rest of the text as it was. */
export function redactText(value: string): string {
  if (!MAY_HOLD_JS.test(value)) return value;
  let text = value;
  for (const kind of FIND_ORDER) {
    for (const found of findKind(kind, searchText(text))) {
      const mask = DETECTORS[kind].mask(canonical(kind, found));
      text = text.replace(eitherWidth(found), () => mask);
    }
  }
  return text;
}

/** The kind a whole value is (trimmed), or null: what the column-level rule counts. */
export function wholeKind(value: string): DetectedPiiKind | null {
  if (!MAY_HOLD_JS.test(value)) return null;
  const text = trimText(searchText(value));
  return FIND_ORDER.find((kind) => findKind(kind, text).some((f) => f === text)) ?? null;
}

/** The kinds found in a value, each once, in FIND_ORDER (looked for in the value as it is). */
export function kindsIn(value: string): DetectedPiiKind[] {
  if (!MAY_HOLD_JS.test(value)) return [];
  const text = searchText(value);
  return FIND_ORDER.filter((kind) => findKind(kind, text).length > 0);
}

/** SQL: the valid candidates of one kind in the search text `n`. */
function sqlFindKind(kind: DetectedPiiKind, n: string): string {
  return `list_filter(regexp_extract_all(${n}, '${CANDIDATE[kind]}', 1), c -> ${sqlValid(kind, sqlCanonical(kind, 'c'))})`;
}

/** SQL: true when the VARCHAR expression `col` may hold personal data (one regex, on the text as written). */
export function sqlMayHold(col: string): string {
  return `regexp_matches(${col}, '${MAY_HOLD_SQL}')`;
}

/** SQL twin of kindsIn: the kinds found in `col` (an empty list when none; NULL stays NULL). */
export function sqlKinds(col: string): string {
  const n = sqlSearchText(col);
  const each = FIND_ORDER.map((k) => `CASE WHEN len(${sqlFindKind(k, 'n')}) > 0 THEN '${k}' END`).join(', ');
  const found = `list_transform([${n}], n -> list_filter([${each}], k -> k IS NOT NULL))[1]`;
  return `CASE WHEN NOT ${sqlMayHold(col)} THEN CAST([] AS VARCHAR[]) ELSE ${found} END`;
}

/** SQL: the first kind found in `col` (FIND_ORDER), or NULL. */
export function sqlFirstKind(col: string): string {
  const n = sqlSearchText(col);
  const whens = FIND_ORDER.map((k) => `WHEN len(${sqlFindKind(k, n)}) > 0 THEN '${k}'`).join(' ');
  return `CASE WHEN NOT ${sqlMayHold(col)} THEN NULL ${whens} END`;
}

/** SQL twin of wholeKind. */
export function sqlWholeKind(col: string): string {
  const t = sqlTrim(sqlSearchText(col));
  const whens = FIND_ORDER.map((k) => `WHEN list_contains(${sqlFindKind(k, t)}, ${t}) THEN '${k}'`).join(' ');
  return `CASE WHEN NOT ${sqlMayHold(col)} THEN NULL ${whens} END`;
}

/**
 * SQL twin of redactText for the VARCHAR expression `col`: kind by kind, each find (looked for in the
 * folded text the kinds before it left) replaced by its mask where it is written, in either width.
 */
export function sqlRedact(col: string): string {
  let text = `(${col})`;
  for (const kind of FIND_ORDER) {
    const mask = DETECTORS[kind].sqlMask(sqlCanonical(kind, 'f'));
    // The text so far is bound to x: its finds of this kind, each replaced by its mask.
    const finds = sqlFindKind(kind, sqlSearchText('x'));
    const step = `list_reduce(list_concat([x], ${finds}), (acc, f) -> regexp_replace(acc, ${sqlEitherWidth('f')}, ${mask}, 'g'))`;
    text = `list_transform([${text}], x -> ${step})[1]`;
  }
  return `CASE WHEN NOT ${sqlMayHold(col)} THEN ${col} ELSE ${text} END`;
}
