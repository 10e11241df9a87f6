/**
 * Numbers as offices write them, read the way the engine reads a number field: full-width digits folded,
 * then `bareNumber: false` strips a currency sign or a unit (￥6,619.39, 27.7%, 12万元), then `groupChar`
 * removes the thousands separators (682,773). A draft proposes exactly the keys its sample needs.
 */

/** Full-width forms the engine folds in typed fields (U+FF01–U+FF5E, and the ideographic space). */
const FULL_WIDTH = /[\uFF01-\uFF5E\u3000]/g;
/** Text a number may carry before it: a currency sign. */
const PREFIX = /^[￥¥$€£]\s*/;
/** Text a number may carry after it: a percent sign or a unit. */
const SUFFIX =
  /\s*(%|‰|元|万元|亿元|万|亿|人|个|户|次|件|辆|台|家|所|名|岁|天|吨|千克|公斤|米|公里|平方米|㎡|亩|床|张)$/;
/** Digits in groups of three separated by commas, as the engine's hint recognises them. */
const GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/;
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A value with full-width forms folded to ASCII and surrounding spaces trimmed, as typed fields read it. */
export function foldedText(v: string): string {
  return v
    .replace(FULL_WIDTH, (c) => (c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)))
    .trim();
}

/** True when a value holds full-width forms that NFKC folds. */
export function hasFullWidth(v: string): boolean {
  return /[\uFF01-\uFF5E\u3000]/.test(v);
}

/** How a column's values read as numbers. */
export interface NumberForms {
  type: 'integer' | 'number';
  /** Each value as a number. */
  numbers: number[];
  /** Each value's plain digits (sign, digits, `.`), for code checks. */
  digits: string[];
  groupChar?: ',';
  bareNumber?: false;
  /** The signs and units stripped, for the draft's notes (e.g. ￥ %). */
  stripped: string[];
}

/** The number forms that read every value of `present`, or null when some value is not a number. */
export function numberForms(present: readonly string[]): NumberForms | null {
  if (present.length === 0) return null;
  let grouped = false;
  let bare = false;
  const stripped = new Set<string>();
  const digits: string[] = [];
  for (const v of present) {
    let s = foldedText(v);
    const before = PREFIX.exec(s);
    const after = SUFFIX.exec(s);
    if (before || after) {
      bare = true;
      if (before) stripped.add(before[0].trim());
      if (after) stripped.add(after[0].trim());
      s = s.slice(before ? before[0].length : 0, after ? s.length - after[0].length : s.length);
    }
    if (GROUPED.test(s)) {
      grouped = true;
      s = s.replaceAll(',', '');
    }
    if (!NUMBER.test(s)) return null;
    digits.push(s);
  }
  const numbers = digits.map(Number);
  if (!numbers.every(Number.isFinite)) return null;
  return {
    type: digits.every((d) => INTEGER.test(d)) ? 'integer' : 'number',
    numbers,
    digits,
    ...(grouped ? { groupChar: ',' as const } : {}),
    ...(bare ? { bareNumber: false as const } : {}),
    stripped: [...stripped],
  };
}
