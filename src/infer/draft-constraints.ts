/**
 * Constraints a draft suggests from sampled values: `required`, `minimum: 0`, a pattern for code-like
 * values, an enum for a few short values repeated over many rows, and the dataset's primary key.
 */
import type { FieldType } from '../contracts/schema.ts';
import { ID_HEADER } from './headers.ts';

/** An enum is drafted for at most this many distinct values... */
export const ENUM_MAX_VALUES = 10;
/** ...each at most this long... */
export const ENUM_MAX_LENGTH = 20;
/** ...over at least this many rows, each value repeated on average this often. */
export const ENUM_MIN_ROWS = 20;
export const ENUM_MIN_REPEATS = 5;
/** Values that are not categories: times, ratios, URLs, JSON arrays and objects. */
const NOT_A_CATEGORY = /[:：]|^[[{]|\d{1,2}[:时]\d{2}/;

/** Drafted constraints, in the order contracts usually write them. */
export interface DraftedConstraints {
  constraints: Record<string, unknown>;
  /** What the person reviewing the draft should check. */
  note?: string;
}

/** `^GZ[0-9]{9}$` for values that are one fixed prefix of capitals then a fixed number of digits. */
function codePattern(values: readonly string[]): string | null {
  if (values.length < 2) return null;
  const m0 = /^([A-Z]*)([0-9]+)$/.exec(values[0]);
  if (!m0) return null;
  const [, prefix, digits] = m0;
  if (digits.length < 3) return null;
  for (const v of values) {
    const m = /^([A-Z]*)([0-9]+)$/.exec(v);
    if (!m || m[1] !== prefix || m[2].length !== digits.length) return null;
  }
  return `^${prefix}[0-9]{${digits.length}}$`;
}

/** The values of an enum, when the column's values look like a few categories repeated over many rows. */
function enumValues(present: readonly string[]): string[] | null {
  if (present.length < ENUM_MIN_ROWS) return null;
  const distinct = new Set(present);
  if (distinct.size > ENUM_MAX_VALUES || distinct.size * ENUM_MIN_REPEATS > present.length) return null;
  for (const v of distinct) if (v.length > ENUM_MAX_LENGTH || NOT_A_CATEGORY.test(v)) return null;
  return [...distinct].sort();
}

/** What else is known of the column. */
export interface ConstraintContext {
  /** The values as numbers (number and integer fields). */
  numbers?: readonly number[];
  /** The values may name a person: no enum (a draft never lists personal values). */
  personal?: boolean;
  /** Values read as text with full-width forms folded (normalize: nfkc): patterns see the folded text. */
  normalized?: boolean;
}

/** The constraints of a field of `type` from all its trimmed `values` and the non-empty ones (`present`). */
export function draftConstraints(
  type: FieldType,
  values: readonly string[],
  present: readonly string[],
  context: ConstraintContext = {},
): DraftedConstraints {
  const constraints: Record<string, unknown> = {};
  let note: string | undefined;
  if (values.length > 0 && present.length === values.length) constraints.required = true;
  if ((type === 'integer' || type === 'number') && context.numbers?.every((n) => n >= 0))
    constraints.minimum = 0;
  if (type === 'string' && present.length > 0 && !context.normalized) {
    const pattern = codePattern(present);
    const values = pattern || context.personal ? null : enumValues(present);
    if (pattern) constraints.pattern = pattern;
    else if (values) {
      constraints.enum = values;
      note = `only ${values.length} distinct values in ${present.length} rows: check the enum is complete`;
    }
  }
  return note === undefined ? { constraints } : { constraints, note };
}

/** A drafted field, as primaryKeyOf reads it. */
interface KeyCandidate {
  header: string;
  field: Record<string, unknown>;
}

/**
 * The primary key a draft suggests: a column never empty and unique in the sample, not personal data,
 * text or a whole number; a column whose header names an id or code first, then one with a code pattern,
 * then the first such column.
 */
export function primaryKeyOf(
  fields: readonly KeyCandidate[],
  rows: readonly (readonly (string | null)[])[],
): string | null {
  if (rows.length < 2) return null;
  const candidates = fields.filter((f, i) => {
    const c = f.field.constraints as Record<string, unknown> | undefined;
    if (!c?.required || f.field.pii || !['string', 'integer'].includes(String(f.field.type))) return false;
    const values = rows.map((r) => (r[i] ?? '').trim());
    return new Set(values).size === values.length;
  });
  const byHeader = candidates.find((f) => ID_HEADER.test(f.header) || ID_HEADER.test(String(f.field.name)));
  const byPattern = candidates.find((f) => (f.field.constraints as Record<string, unknown>).pattern);
  const chosen = byHeader ?? byPattern ?? candidates[0];
  return chosen ? String(chosen.field.name) : null;
}
