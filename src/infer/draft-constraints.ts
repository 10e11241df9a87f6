/**
 * Constraints a draft suggests from sampled values: `required`, `minimum: 0`, a pattern for code-like
 * values, an enum for a few repeated values, and the dataset's primary key.
 */
import type { FieldType } from '../contracts/schema.ts';
import { ID_HEADER } from './headers.ts';

/** A string column with at most this many distinct values (and enough rows) becomes an enum. */
export const ENUM_MAX_VALUES = 12;

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

/** The constraints of a field of `type` from all its trimmed `values` and the non-empty ones (`present`). */
export function draftConstraints(
  type: FieldType,
  values: readonly string[],
  present: readonly string[],
): DraftedConstraints {
  const constraints: Record<string, unknown> = {};
  let note: string | undefined;
  if (values.length > 0 && present.length === values.length) constraints.required = true;
  if ((type === 'integer' || type === 'number') && present.every((v) => Number(v) >= 0))
    constraints.minimum = 0;
  if (type === 'string' && present.length > 0) {
    const distinct = new Set(present);
    const pattern = codePattern(present);
    if (pattern) constraints.pattern = pattern;
    else if (
      distinct.size <= ENUM_MAX_VALUES &&
      present.length >= 20 &&
      distinct.size * 4 <= present.length
    ) {
      constraints.enum = [...distinct].sort();
      note = `only ${distinct.size} distinct values in ${present.length} rows: check the enum is complete`;
    }
  }
  return note === undefined ? { constraints } : { constraints, note };
}

/** The primary key a draft suggests: the first required, unique, code-like column that is not personal data. */
export function primaryKeyOf(
  fields: readonly { header: string; field: Record<string, unknown> }[],
  rows: readonly (readonly (string | null)[])[],
): string | null {
  for (const [i, f] of fields.entries()) {
    const c = f.field.constraints as Record<string, unknown> | undefined;
    if (!c?.required || f.field.pii) continue;
    if (!(c.pattern || ID_HEADER.test(f.header))) continue;
    const values = rows.map((r) => r[i]);
    if (new Set(values).size === values.length) return String(f.field.name);
  }
  return null;
}
