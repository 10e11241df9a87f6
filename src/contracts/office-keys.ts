/**
 * The contract keys for files as government offices send them, kept apart from the rest of the schema:
 * a number field's exact decimal (`scale`, `precision`: money), a JSON field's `path` into nested objects,
 * and the format's `property` (Table Dialect: where a wrapped JSON document holds its records) and
 * `mergedCells` (xlsx). Each comes with the checks that say where it applies.
 */
import { z } from 'zod';

/** Digits of an exact decimal (`scale`) field when the contract gives no `precision`. */
export const DEFAULT_DECIMAL_PRECISION = 18;
/** DuckDB's (and Parquet's) largest decimal precision. */
export const MAX_DECIMAL_PRECISION = 38;
/** What the cells of a sheet's merged range hold: the top-left cell's value (`fill`), or nothing (`blank`). */
export const MERGED_CELLS = ['fill', 'blank'] as const;
export const DEFAULT_MERGED_CELLS = 'fill' as const;
/** A dot path of JSON keys (`data.list`, `contact.phone`): keys without dots, joined by dots. */
export const JSON_PATH_PATTERN = /^[^.]+(\.[^.]+)*$/;

/** The field keys (spread into the field schema). */
export const officeFieldKeys = {
  scale: z
    .number()
    .int()
    .min(0)
    .max(MAX_DECIMAL_PRECISION)
    .optional()
    .describe(
      'number fields: store the value as an exact decimal with this many digits after the point (money: 2), published as DECIMAL(precision, scale) in Parquet and decimal(precision,scale) in Glue. A value with more decimals than the scale is rejected, never rounded.',
    ),
  precision: z
    .number()
    .int()
    .min(1)
    .max(MAX_DECIMAL_PRECISION)
    .optional()
    .describe(
      `number fields with scale: the total number of digits (default ${DEFAULT_DECIMAL_PRECISION}, at most ${MAX_DECIMAL_PRECISION}); a value with more digits is rejected.`,
    ),
  path: z
    .string()
    .regex(JSON_PATH_PATTERN, 'must be a dot path of keys, like contact.phone')
    .optional()
    .describe(
      'json and jsonl sources: where the field\'s value is in each record, as a dot path of keys (contact.phone reads {"contact": {"phone": ...}}); the field is matched by this path instead of its name and headers.',
    ),
};

/** The format keys (spread into the format schema). */
export const officeFormatKeys = {
  mergedCells: z
    .enum(MERGED_CELLS)
    .optional()
    .describe(
      "xlsx: what the cells of a merged range hold: fill (default) gives each the value of the range's top-left cell (a 市州 merged down its rows, a header group merged across its columns), counted in the report as cells.filledFromMerged; blank leaves them empty.",
    ),
  property: z
    .string()
    .regex(JSON_PATH_PATTERN, 'must be a dot path of keys, like data.list')
    .optional()
    .describe(
      'json: the dot path to the array of records inside a wrapped document (Table Dialect property), e.g. data.list for {"code": 0, "data": {"list": [...]}}; the document is read whole, up to 16 MiB.',
    ),
};

type Issue = (path: string, message: string) => void;

/** The field keys' checks: `scale` and `precision` on number fields only, the scale within the precision. */
export function checkOfficeFieldKeys(
  f: { name: string; type: string; scale?: unknown; precision?: unknown },
  knownType: boolean,
  issue: Issue,
): void {
  for (const key of ['scale', 'precision'] as const) {
    if (f[key] !== undefined && knownType && f.type !== 'number') {
      issue(key, `${key} applies to number fields (exact decimals); "${f.name}" is ${f.type}`);
    }
  }
  if (f.precision !== undefined && f.scale === undefined) {
    issue('precision', `precision needs scale on "${f.name}" (the digits after the point, e.g. scale: 2)`);
  }
  if (typeof f.scale === 'number' && typeof f.precision === 'number' && f.scale > f.precision) {
    issue(
      'scale',
      `scale ${f.scale} is more than precision ${f.precision} on "${f.name}": the scale counts digits within the precision`,
    );
  }
}

/** The format keys' checks: `property` for json, `mergedCells` for xlsx. */
export function checkOfficeFormatKeys(
  f: { type: string; property?: unknown; mergedCells?: unknown },
  issue: Issue,
): void {
  if (f.property !== undefined && f.type !== 'json') {
    issue(
      'property',
      `property applies to format.type json (one wrapped document); this format is ${f.type}: remove it`,
    );
  }
  if (f.mergedCells !== undefined && f.type !== 'xlsx') {
    issue('mergedCells', `mergedCells applies to format.type xlsx; this format is ${f.type}: remove it`);
  }
}
