/**
 * One field of a draft contract from a column's header and sampled values: its name, title and header
 * spelling, type with the number forms it needs, constraints and personal data, with notes for the
 * person reviewing the draft. Notes describe values (kinds, counts), never repeat them.
 */
import { draftConstraints } from './draft-constraints.ts';
import { guessPersonalData } from './guess-personal-data.ts';
import { type GuessOptions, guessType } from './guess-type.ts';
import { fieldName } from './headers.ts';

export interface InferredField {
  header: string;
  field: Record<string, unknown>;
  /** Why the field looks as it does, for the person reviewing the draft. */
  notes: string[];
}

/** Where the column comes from, beyond its header and values. */
export interface FieldSource extends GuessOptions {
  /** A JSON column read from inside nested objects: its dot path (`contact.phone`). */
  path?: string;
}

/** One field from a column's header and sampled values; its name is made unique among those `taken`. */
export function inferField(
  header: string,
  raw: readonly (string | null)[],
  index: number,
  taken: Set<string>,
  source: FieldSource = {},
): InferredField {
  const name = fieldName(source.path ? source.path.replaceAll('.', '_') : header, index, taken);
  const values = raw.map((v) => (v ?? '').trim());
  const present = values.filter((v) => v !== '');
  const notes: string[] = [];
  const guessed = guessType(header, present, source);
  if (guessed.note) notes.push(guessed.note);
  const personal = guessPersonalData(header, present);
  let type = guessed.type;
  const { constraints, note } = draftConstraints(type, values, present, {
    numbers: guessed.numbers,
    personal: personal !== null,
    normalized: guessed.normalize !== undefined,
  });
  if (note) notes.push(note);
  const numberKeys = { groupChar: guessed.groupChar, bareNumber: guessed.bareNumber };
  if (personal?.fromValues && type !== 'string') {
    // Personal data is published as text (masked or hashed), whatever it looks like.
    type = 'string';
    delete constraints.minimum;
    numberKeys.groupChar = undefined;
    numberKeys.bareNumber = undefined;
  }
  if (personal) notes.push(personal.note);

  // Keys in the order contracts are usually written.
  const field: Record<string, unknown> = { name, type };
  if (source.path) field.path = source.path;
  else if (header !== name) {
    field.title = header;
    field.headers = [header];
  }
  if (guessed.formats) field.formats = guessed.formats;
  if (guessed.trueValues) field.trueValues = guessed.trueValues;
  if (guessed.falseValues) field.falseValues = guessed.falseValues;
  if (numberKeys.groupChar) field.groupChar = numberKeys.groupChar;
  if (numberKeys.bareNumber === false) field.bareNumber = false;
  if (guessed.scale !== undefined && type === 'number') field.scale = guessed.scale;
  if (guessed.normalize && type === 'string') field.normalize = guessed.normalize;
  if (personal) {
    field.pii = personal.pii;
    field.protect = personal.protect;
    if (personal.protect !== 'hash') field.classification = 'restricted';
  }
  if (Object.keys(constraints).length > 0) field.constraints = constraints;
  return { header, field, notes };
}
