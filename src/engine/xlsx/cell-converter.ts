/**
 * A cell's value as the text written to the CSV working file: strings unescaped, numbers as written,
 * dates (a number whose style has a date format, or a `d` cell) as ISO text, a formula as its cached
 * result, an error value as an empty field.
 */
import { dateText, EPOCH_1900, EPOCH_1904, isDateFormat, MS_PER_DAY } from './date-text.ts';
import { notAWorkbook } from './not-a-workbook.ts';
import type { SharedStringTable } from './string-table.ts';
import type { StyleFormats } from './styles-part.ts';

/** A cell as the sheet XML holds it. */
export interface RawCell {
  /** The cell reference (`B2`), for messages. */
  ref: string;
  /** The `t` attribute: `s`, `inlineStr`, `str`, `b`, `e`, `n`, `d`; absent means `n`. */
  type: string;
  /** The `s` attribute: the style index. */
  style: number;
  /** The text of `<v>` (for a formula, its cached result), or of `<is>` for an inline string. */
  value: string | null;
}

/** A number as the sheet XML writes it (`12`, `-0.5`, `1.5E-7`). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function numberText(n: number): string {
  return Object.is(n, -0) ? '0' : String(n);
}

/**
 * Text as the spreadsheet shows it: characters XML cannot hold are stored as `_xHHHH_` (a carriage
 * return is `_x000D_`), and a literal `_x` as `_x005F_x`.
 */
function unescapeText(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** An ISO 8601 date or date-time of a `d` cell; one without a zone is read as UTC, as serial dates are. */
function isoDate(text: string): Date {
  const hasZone = /(?:Z|[+-]\d\d:?\d\d)$/i.test(text);
  return new Date(hasZone || !text.includes('T') ? text : `${text}Z`);
}

export class CellConverter {
  private readonly epoch: number;

  /**
   * `date1904`: the workbook counts its dates in the 1904 date system; `strings`: the shared-string
   * table (null when the workbook has none); `formats`: each style's number format.
   */
  constructor(
    date1904: boolean,
    private readonly strings: SharedStringTable | null,
    private readonly formats: StyleFormats,
  ) {
    this.epoch = date1904 ? EPOCH_1904 : EPOCH_1900;
  }

  text(cell: RawCell): string {
    const v = cell.value;
    switch (cell.type) {
      case 's':
        return unescapeText(this.sharedString(cell));
      case 'inlineStr':
      case 'str':
        return v === null ? '' : unescapeText(v);
      case 'b':
        if (v === null) return '';
        return v.trim() === '1' || v.trim().toLowerCase() === 'true' ? 'true' : 'false';
      case 'e':
        return '';
      case 'd':
        return v === null || v.trim() === '' ? '' : this.dateValue(isoDate(v.trim()), cell, v);
      default:
        return v === null ? '' : this.numberValue(v, cell);
    }
  }

  private sharedString(cell: RawCell): string {
    if (this.strings === null) {
      throw notAWorkbook(
        `cell ${cell.ref} refers to a shared string, but the workbook has no shared-string table`,
      );
    }
    const text = cell.value?.trim() ?? '';
    const index = /^\d+$/.test(text) ? Number(text) : -1;
    if (index < 0 || index >= this.strings.length) {
      throw notAWorkbook(
        `cell ${cell.ref} refers to shared string "${text}", but the shared-string table has ${this.strings.length} strings`,
      );
    }
    return this.strings.at(index) ?? '';
  }

  private numberValue(v: string, cell: RawCell): string {
    const text = v.trim();
    if (text === '') return '';
    const n = DECIMAL.test(text) ? Number(text) : Number.NaN;
    // Not a number: kept as written, so that a typed field reports it rather than an empty value.
    if (!Number.isFinite(n)) return text;
    const format = this.formats[cell.style];
    if (isDateFormat(format))
      return this.dateValue(new Date(Math.round(n * MS_PER_DAY) + this.epoch), cell, v);
    return numberText(n);
  }

  private dateValue(d: Date, cell: RawCell, written: string): string {
    if (!Number.isFinite(d.getTime())) return written.trim();
    return dateText(d, this.epoch, this.formats[cell.style]);
  }
}
