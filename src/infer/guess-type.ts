/**
 * A field's type guessed from a column's sampled values: integers and numbers with the number forms they
 * need (digits that are codes, such as division codes, stay text), years, booleans with their spellings,
 * dates, datetimes and times with their formats, and a workbook's day numbers under a date header.
 */
import type { FieldType } from '../contracts/schema.ts';
import { AREA_HEADER, DATE_HEADER, ID_HEADER, YEAR_HEADER } from './headers.ts';
import { foldedText, hasFullWidth, numberForms } from './number-forms.ts';

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
/** Day numbers of a workbook's dates from 1920 to 2100: a whole number in this range under a date header. */
const DAY_NUMBERS = { min: 7306, max: 73415 } as const;
/** First two digits of the province-level division codes (GB/T 2260). */
const PROVINCE_CODE = /^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])/;
/** Lengths of division codes: county (6), township (9), village (12). */
const DIVISION_CODE_LENGTHS = [6, 9, 12];

/** A guessed type and the keys of the field that go with it. */
export interface GuessedType {
  type: FieldType;
  formats?: string[];
  trueValues?: string[];
  falseValues?: string[];
  groupChar?: ',';
  bareNumber?: false;
  normalize?: 'nfkc';
  /** Exact decimals: digits after the point (money). */
  scale?: number;
  /** The values as numbers, for a number or integer type (for `minimum`). */
  numbers?: number[];
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

/** A header naming an amount of money. */
const MONEY_HEADER = /(金额|经费|费用|资金|价格|单价|总价|收入|支出|工资|补贴|补助|元)/;
/** Signs and units that say a value is money. */
const MONEY_SIGNS = ['￥', '¥', '$', '€', '£', '元', '万元', '亿元'];
/** Digits after the point of an amount of money. */
const MONEY_SCALE = 2;
const MONEY_NOTE = `money: scale: ${MONEY_SCALE} keeps exact cents (a value with more decimals is rejected, never rounded)`;

/** `scale` for a column of money written with at most two decimals: its sign, unit or header says so. */
function moneyScale(header: string, stripped: readonly string[], digits: readonly string[]): number | null {
  const money = MONEY_HEADER.test(header) || stripped.some((s) => MONEY_SIGNS.includes(s));
  if (!money) return null;
  const plain = digits.every((d) => /^[+-]?\d+(\.\d{0,2})?$/.test(d) && d.replace(/^[+-]/, '').length <= 16);
  return plain && digits.some((d) => d.includes('.')) ? MONEY_SCALE : null;
}

/** Division codes: one length of 6, 9 or 12 digits, a province's first digits, one province or an area header. */
function divisionCodes(header: string, digits: readonly string[]): boolean {
  const length = digits[0].length;
  if (!DIVISION_CODE_LENGTHS.includes(length)) return false;
  if (!digits.every((d) => d.length === length && PROVINCE_CODE.test(d))) return false;
  return (
    AREA_HEADER.test(header) || ID_HEADER.test(header) || new Set(digits.map((d) => d.slice(0, 2))).size === 1
  );
}

/** The type of a column whose values are all numbers (`forms` read them), or null when they are codes. */
function numericType(header: string, present: readonly string[], opts: GuessOptions): GuessedType | null {
  const forms = numberForms(present);
  if (!forms) return null;
  const keys = {
    ...(forms.groupChar ? { groupChar: forms.groupChar } : {}),
    ...(forms.bareNumber === false ? { bareNumber: false as const } : {}),
  };
  const note =
    forms.stripped.length > 0
      ? `values carry ${forms.stripped.join(' ')}: bareNumber: false reads the number alone${forms.stripped.includes('%') ? ' (27.7% reads 27.7, not 0.277)' : ''}`
      : undefined;
  if (forms.type === 'number') {
    const scale = moneyScale(header, forms.stripped, forms.digits);
    const notes = [note, scale ? MONEY_NOTE : undefined].filter(Boolean).join('; ');
    return {
      type: 'number',
      ...keys,
      ...(scale ? { scale } : {}),
      numbers: forms.numbers,
      ...(notes ? { note: notes } : {}),
    };
  }
  const plain = forms.bareNumber === undefined && forms.groupChar === undefined;
  if (plain) {
    // Leading zeros, eleven digits or more (phone and ID numbers), a header naming a code, or division codes.
    const digits = forms.digits;
    const code =
      digits.some((v) => /^[+-]?0\d/.test(v) || v.replace(/^[+-]/, '').length >= 11) ||
      ID_HEADER.test(header) ||
      divisionCodes(header, digits);
    if (code) {
      return {
        type: 'string',
        ...(present.some(hasFullWidth) ? { normalize: 'nfkc' as const } : {}),
        note: 'digits kept as text: an identifier or code, not a quantity',
      };
    }
    if (
      opts.dayNumbers &&
      DATE_HEADER.test(header) &&
      forms.numbers.every((n) => n >= DAY_NUMBERS.min && n <= DAY_NUMBERS.max)
    )
      return { type: 'date', note: "the workbook's day numbers (serial dates): read as dates" };
    if (YEAR_HEADER.test(header) && forms.numbers.every((n) => n >= 1800 && n <= 2200))
      return { type: 'year' };
  }
  return { type: 'integer', ...keys, numbers: forms.numbers, ...(note ? { note } : {}) };
}

/** What the values were read from. */
export interface GuessOptions {
  /** A workbook: whole numbers under a date header are day numbers. */
  dayNumbers?: boolean;
}

/** The type of the column `header` from its non-empty trimmed values (`string` when there are none). */
export function guessType(header: string, present: readonly string[], opts: GuessOptions = {}): GuessedType {
  if (present.length === 0) return { type: 'string' };
  const numeric = numericType(header, present, opts);
  if (numeric) return numeric;
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
  const mixed = opts.dayNumbers && DATE_HEADER.test(header) ? mixedDates(present) : null;
  if (mixed) return mixed;
  if (datetimes) return { type: 'datetime', formats: datetimes };
  if (times) return times.join() === '%H:%M:%S' ? { type: 'time' } : { type: 'time', formats: times };
  if (present.some(hasFullWidth) && present.some((v) => foldedText(v) !== v.trim()))
    return {
      type: 'string',
      normalize: 'nfkc',
      note: 'full-width letters or digits: normalize: nfkc folds them, so values join',
    };
  return { type: 'string' };
}

/** A workbook column of dates written as text in some cells and as day numbers in others. */
function mixedDates(present: readonly string[]): GuessedType | null {
  const isDay = (v: string) =>
    /^\d+$/.test(v) && Number(v) >= DAY_NUMBERS.min && Number(v) <= DAY_NUMBERS.max;
  const text = present.filter((v) => !isDay(v));
  if (text.length === present.length) return null;
  const formats = formatsFor(text, DATE_FORMATS, true);
  if (!formats) return null;
  const note = "some dates are the workbook's day numbers (serial dates): read as dates";
  return formats.join() === '%Y-%m-%d' ? { type: 'date', note } : { type: 'date', formats, note };
}
