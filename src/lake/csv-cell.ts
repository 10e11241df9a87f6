/**
 * One field of a CSV file the lake writes (CLI exports, open data, portal downloads), safe to open in a spreadsheet: a text that a spreadsheet would
 * run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, so
 * it is shown as text (the OWASP rule against CSV injection); a plain number is left as it is. Then the
 * field is quoted as RFC 4180 says when it holds a comma, a quote or a line break.
 */

/** What a spreadsheet reads as the start of a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain decimal number (`-12.5`, `+3`, `1e-7`): no formula, so it keeps its sign. */
const PLAIN_NUMBER = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

/** The CSV field of a value: NULL empty, numbers as they are, text guarded against formulas and quoted. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  const guarded = FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}
