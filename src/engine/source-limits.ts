/** What the lake reads from one file at most: a record's length, a JSON element's size, its columns. */
import { FileRejectedError } from './errors.ts';

/** Longest CSV record DuckDB accepts (a 10 MB free-text field still fits). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Largest JSON array element. */
export const MAX_JSON_OBJECT_BYTES = 16 * 1024 * 1024;
/**
 * Most source columns (or JSON keys) read from one file. DuckDB's CSV reader holds a vector per
 * column outside its memory limit: 2,000 columns stay within a few hundred MiB, 10,000 do not.
 */
export const MAX_COLUMNS = 2000;

/** Rejects a file with more than MAX_COLUMNS columns (`what`: 'columns', or 'keys' for JSON). */
export function checkColumnCount(count: number, what: string): void {
  if (count <= MAX_COLUMNS) return;
  throw new FileRejectedError(
    'columns',
    `the file has ${count} ${what}, more than the ${MAX_COLUMNS} the lake reads from one file: remove the ${what} the contract does not name, or split the file into files of at most ${MAX_COLUMNS} ${what} that each keep the key columns`,
  );
}
