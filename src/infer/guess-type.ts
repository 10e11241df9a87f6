/**
 * A field's type guessed from a column's sampled values: integers and numbers (digits that are codes stay
 * text), years, booleans with their spellings, and dates, datetimes and times with their formats.
 */
import type { FieldType } from '../contracts/schema.ts';
import { ID_HEADER, YEAR_HEADER } from './headers.ts';

const DATE_FORMATS: [string, RegExp][] = [
  ['%Y-%m-%d', /^(\d{4})-(\d{1,2})-(\d{1,2})$/],
  ['%Y/%m/%d', /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/],
  ['%Y年%m月%d日', /^(\d{4})年(\d{1,2})月(\d{1,2})日$/],
  ['%Y.%m.%d', /^(\d{4})\.(\d{1,2})\.(\d{1,2})$/],
];
const DATETIME_FORMATS: [string, RegExp][] = [
  ['%Y-%m-%d %H:%M:%S', /^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}:\d{2}$/],
  ['%Y-%m-%dT%H:%M:%S', /^\d{4}-\d{1,2}-\d{1,2}T\d{1,2}:\d{2}:\d{2}$/],
  ['%Y-%m-%dT%H:%M:%SZ', /^\d{4}-\d{1,2}-\d{1,2}T\d{1,2}:\d{2}:\d{2}Z$/],
  ['%Y/%m/%d %H:%M:%S', /^\d{4}\/\d{1,2}\/\d{1,2} \d{1,2}:\d{2}:\d{2}$/],
  ['%Y-%m-%d %H:%M', /^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}$/],
  ['%Y/%m/%d %H:%M', /^\d{4}\/\d{1,2}\/\d{1,2} \d{1,2}:\d{2}$/],
];
const TIME_FORMATS: [string, RegExp][] = [
  ['%H:%M:%S', /^\d{1,2}:\d{2}:\d{2}$/],
  ['%H:%M', /^\d{1,2}:\d{2}$/],
];
const BOOLEAN_PAIRS: [string[], string[]][] = [
  [
    ['true', 'True', 'TRUE'],
    ['false', 'False', 'FALSE'],
  ],
  [['是'], ['否']],
  [
    ['Y', 'y', 'yes', 'Yes', 'YES'],
    ['N', 'n', 'no', 'No', 'NO'],
  ],
  [['有'], ['无']],
];
const DEFAULT_TRUE = ['true', 'True', 'TRUE', '1'];
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A guessed type and the keys of the field that go with it. */
export interface GuessedType {
  type: FieldType;
  formats?: string[];
  trueValues?: string[];
  falseValues?: string[];
  /** Why the type is not what the values look like at first sight, for the person reviewing the draft. */
  note?: string;
}

function validDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return (
    date.getUTCFullYear() === Number(y) &&
    date.getUTCMonth() === Number(m) - 1 &&
    date.getUTCDate() === Number(d)
  );
}

/** The formats (in list order) that together read every value, or null when some value fits none. */
function formatsFor(values: readonly string[], formats: [string, RegExp][], isDate = false): string[] | null {
  const used = new Set<string>();
  for (const v of values) {
    const hit = formats.find(([, re]) => {
      const m = re.exec(v);
      return m !== null && (!isDate || validDate(m[1], m[2], m[3]));
    });
    if (!hit) return null;
    used.add(hit[0]);
  }
  return formats.map(([f]) => f).filter((f) => used.has(f));
}

/** The type of the column `header` from its non-empty trimmed values (`string` when there are none). */
export function guessType(header: string, present: readonly string[]): GuessedType {
  if (present.length === 0) return { type: 'string' };
  if (present.every((v) => INTEGER.test(v))) {
    // Leading zeros, eleven digits or more (phone and ID numbers), or a header naming a code: not a quantity.
    const code =
      present.some((v) => /^[+-]?0\d/.test(v) || v.replace(/^[+-]/, '').length >= 11) ||
      ID_HEADER.test(header);
    if (code) return { type: 'string', note: 'digits kept as text: an identifier or code, not a quantity' };
    if (YEAR_HEADER.test(header) && present.every((v) => Number(v) >= 1800 && Number(v) <= 2200))
      return { type: 'year' };
    return { type: 'integer' };
  }
  if (present.every((v) => NUMBER.test(v))) return { type: 'number' };
  const distinct = new Set(present);
  const bool = BOOLEAN_PAIRS.find(([t, f]) => present.every((v) => t.includes(v) || f.includes(v)));
  const dates = formatsFor(present, DATE_FORMATS, true);
  const datetimes = dates ? null : formatsFor(present, DATETIME_FORMATS);
  const times = dates || datetimes ? null : formatsFor(present, TIME_FORMATS);
  if (bool && distinct.size <= 2) {
    const [t, f] = bool;
    if (t[0] === DEFAULT_TRUE[0]) return { type: 'boolean' };
    return {
      type: 'boolean',
      trueValues: t.filter((v) => distinct.has(v)),
      falseValues: f.filter((v) => distinct.has(v)),
    };
  }
  if (dates) return dates.join() === '%Y-%m-%d' ? { type: 'date' } : { type: 'date', formats: dates };
  if (datetimes) return { type: 'datetime', formats: datetimes };
  if (times) return times.join() === '%H:%M:%S' ? { type: 'time' } : { type: 'time', formats: times };
  return { type: 'string' };
}
