/**
 * One field of a draft contract from a column's header and sampled values: its name and header spelling,
 * type, constraints and personal data, with notes for the person reviewing the draft.
 */
import { draftConstraints } from './draft-constraints.ts';
import { guessPersonalData } from './guess-personal-data.ts';
import { guessType } from './guess-type.ts';
import { fieldName } from './headers.ts';

export interface InferredField {
  header: string;
  field: Record<string, unknown>;
  /** Why the field looks as it does, for the person reviewing the draft. */
  notes: string[];
}

/** One field from a column's header and sampled values; its name is made unique among those `taken`. */
export function inferField(
  header: string,
  raw: readonly (string | null)[],
  index: number,
  taken: Set<string>,
): InferredField {
  const name = fieldName(header, index, taken);
  const values = raw.map((v) => (v ?? '').trim());
  const present = values.filter((v) => v !== '');
  const notes: string[] = [];
  const guessed = guessType(header, present);
  if (guessed.note) notes.push(guessed.note);
  const { constraints, note } = draftConstraints(guessed.type, values, present);
  if (note) notes.push(note);
  const personal = guessPersonalData(header, present);
  let type = guessed.type;
  if (personal?.fromValues && type !== 'string') {
    // Personal data is published as text (masked or hashed), whatever it looks like.
    type = 'string';
    delete constraints.minimum;
  }
  if (personal) notes.push(personal.note);

  // Keys in the order contracts are usually written.
  const field: Record<string, unknown> = { name, type };
  if (header !== name) field.headers = [header];
  if (guessed.formats) field.formats = guessed.formats;
  if (guessed.trueValues) field.trueValues = guessed.trueValues;
  if (guessed.falseValues) field.falseValues = guessed.falseValues;
  if (personal) {
    field.pii = personal.pii;
    field.protect = personal.protect;
    if (personal.protect !== 'hash') field.classification = 'restricted';
  }
  if (Object.keys(constraints).length > 0) field.constraints = constraints;
  return { header, field, notes };
}
