/**
 * The built-in number formats that show a date or time (ECMA-376 Part 1, 18.8.30): a workbook cites
 * them by id in its styles without spelling them out. The CJK ones are in cjk-date-formats.ts.
 */
import { CJK_DATE_FORMATS } from './cjk-date-formats.ts';

export const BUILTIN_DATE_FORMATS: Readonly<Record<number, string>> = {
  14: 'mm-dd-yy',
  15: 'd-mmm-yy',
  16: 'd-mmm',
  17: 'mmm-yy',
  18: 'h:mm AM/PM',
  19: 'h:mm:ss AM/PM',
  20: 'h:mm',
  21: 'h:mm:ss',
  22: 'm/d/yy h:mm',
  45: 'mm:ss',
  46: '[h]:mm:ss',
  47: 'mmss.0',
  ...CJK_DATE_FORMATS,
};
