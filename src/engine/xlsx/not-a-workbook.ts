/**
 * The rejection of an upload that is not a readable .xlsx workbook, shared by every stage of the
 * conversion: the zip check, the cell reader and the conversion driver.
 */
import { FileRejectedError } from '../errors.ts';

const FIX = 'save it from the spreadsheet as .xlsx, or declare format.type csv';

/** A `format` rejection saying why the file is not a readable workbook and how to fix it. */
export function notAWorkbook(detail: string, cause?: unknown): FileRejectedError {
  return new FileRejectedError('format', `the file is not a readable .xlsx workbook (${detail}): ${FIX}`, {
    cause,
  });
}
