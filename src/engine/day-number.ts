/**
 * Spreadsheet day numbers in date and datetime fields. An xlsx cell holding a date without a date
 * format reaches the engine as its day number (`44136`); the xlsx source lets date and datetime fields
 * read it in the workbook's date system. Elsewhere (a CSV saved from Excel) such a number is rejected
 * with a message that says what it is.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/** The SQL macro that reads a day number (TIMESTAMP, or NULL when the source has no date system). */
export const DAY_NUMBER_MACRO = '__day_number';

/** A day number as a spreadsheet writes it: whole days, and a fraction of a day for a time. */
export const DAY_NUMBER_PATTERN = '[0-9]{1,7}([.][0-9]+)?';

/**
 * Define the macro for this run: for an xlsx upload, days since day 0 of its date system (1900: day 60
 * is the 29 February 1900 that never was, and days before it count from one day later); else NULL.
 */
export async function defineDayNumber(conn: DuckDBConnection, date1904: boolean | null): Promise<void> {
  let body = 'CAST(NULL AS TIMESTAMP)';
  if (date1904 !== null) {
    const n = 'TRY_CAST(x AS DOUBLE)';
    const epoch = date1904
      ? "TIMESTAMP '1904-01-01'"
      : `CASE WHEN ${n} < 60 THEN TIMESTAMP '1899-12-31' ELSE TIMESTAMP '1899-12-30' END`;
    const at = `${epoch} + to_seconds(CAST(round(${n} * 86400) AS BIGINT))`;
    const fake = date1904 ? 'false' : `${n} >= 60 AND ${n} < 61`;
    body = `CASE WHEN regexp_full_match(x, '${DAY_NUMBER_PATTERN}') AND ${n} >= 1 AND NOT (${fake}) THEN ${at} END`;
  }
  await conn.run(`CREATE OR REPLACE TEMP MACRO ${DAY_NUMBER_MACRO}(x) AS ${body}`);
}
