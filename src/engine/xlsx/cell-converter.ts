/**
 * A cell's value as the text written to the CSV working file: strings unescaped, numbers as written,
 * dates as ISO text, a formula as its cached result, an error value as an empty field.
 */
import type ExcelJS from 'exceljs';
import { dateText, EPOCH_1900, EPOCH_1904, isDateFormat, MS_PER_DAY } from './date-text.ts';
import { notAWorkbook } from './not-a-workbook.ts';

function numberText(n: number): string {
  if (!Number.isFinite(n)) return '';
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

interface RichTextRun {
  text?: string | null;
}

function richText(runs: RichTextRun[]): string {
  return unescapeText(runs.map((r) => r.text ?? '').join(''));
}

export class CellConverter {
  private readonly epoch: number;

  /** `date1904`: the workbook counts its dates in the 1904 date system. */
  constructor(date1904: boolean) {
    this.epoch = date1904 ? EPOCH_1904 : EPOCH_1900;
  }

  text(cell: ExcelJS.Cell): string {
    return this.value(cell.value as unknown, cell);
  }

  private value(v: unknown, cell: ExcelJS.Cell): string {
    if (v === null || v === undefined) return '';
    switch (typeof v) {
      case 'string':
        return unescapeText(v);
      case 'number':
        return numberText(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'object':
        break;
      default:
        return String(v);
    }
    if (v instanceof Date) return dateText(v, this.epoch, cell.numFmt);
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return richText(o.richText as RichTextRun[]);
    if ('formula' in o || 'sharedFormula' in o || 'result' in o) {
      const result = o.result;
      // A formula's cached number keeps the cell's date format, which exceljs does not apply.
      if (typeof result === 'number' && Number.isFinite(result) && isDateFormat(cell.numFmt)) {
        return dateText(new Date(Math.round(result * MS_PER_DAY) + this.epoch), this.epoch, cell.numFmt);
      }
      if (result !== null && typeof result === 'object' && 'error' in result) return '';
      return this.value(result, cell);
    }
    if ('error' in o) return '';
    if ('text' in o) return this.value(o.text, cell);
    if ('sharedString' in o) {
      throw notAWorkbook(
        `cell ${cell.address} refers to a shared string, but the workbook has no shared-string table`,
      );
    }
    return '';
  }
}
