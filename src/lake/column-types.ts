/**
 * The one table of column types: for each contract field type, the DuckDB type the engine checks a value
 * as, and the DuckDB and Glue types it is published as in curated Parquet. The lineage and partition
 * columns every table has are defined here too.
 */
import { DEFAULT_DECIMAL_PRECISION, type FieldContract, type FieldType } from '../contracts/schema.ts';
import { PARTITION_COLUMN } from './layout.ts';

export interface ColumnType {
  /** DuckDB type a value is parsed and checked as. */
  readonly checked: string;
  /** DuckDB type of the published column (curated Parquet, local views). */
  readonly duckdb: string;
  /** Glue (Hive) type of the published column, as Athena shows it. */
  readonly glue: string;
}

/** The published text type: masked and hashed values, and times. */
export const TEXT_TYPE: ColumnType = { checked: 'VARCHAR', duckdb: 'VARCHAR', glue: 'string' };

export const COLUMN_TYPES: Readonly<Record<FieldType, ColumnType>> = {
  string: TEXT_TYPE,
  number: { checked: 'DOUBLE', duckdb: 'DOUBLE', glue: 'double' },
  integer: { checked: 'BIGINT', duckdb: 'BIGINT', glue: 'bigint' },
  boolean: { checked: 'BOOLEAN', duckdb: 'BOOLEAN', glue: 'boolean' },
  date: { checked: 'DATE', duckdb: 'DATE', glue: 'date' },
  datetime: { checked: 'TIMESTAMP', duckdb: 'TIMESTAMP', glue: 'timestamp' },
  // Athena reads no Parquet TIME column: times are published as 'HH:MM:SS' text.
  time: { checked: 'TIME', duckdb: 'VARCHAR', glue: 'string' },
  year: { checked: 'INTEGER', duckdb: 'INTEGER', glue: 'int' },
};

/** An exact decimal of `precision` digits, `scale` of them after the point (a number field with `scale`). */
export function decimalType(precision: number, scale: number): ColumnType {
  return {
    checked: `DECIMAL(${precision},${scale})`,
    duckdb: `DECIMAL(${precision},${scale})`,
    glue: `decimal(${precision},${scale})`,
  };
}

/**
 * The column type of one contract field: its type's, or an exact decimal for a number field that
 * declares a `scale` (money), so that every reader of the model checks and publishes the same type.
 */
export function fieldColumnType(field: FieldContract): ColumnType {
  if (field.type === 'number' && field.scale !== undefined) {
    return decimalType(field.precision ?? DEFAULT_DECIMAL_PRECISION, field.scale);
  }
  return COLUMN_TYPES[field.type];
}

/** A column the lake adds to every table, whatever the contract says. */
export interface SystemColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly description: string;
}

/** Columns the transformer adds to every curated row, in this order after the contract's fields. */
export const LINEAGE = {
  uploadId: {
    name: '_upload_id',
    type: TEXT_TYPE,
    description: 'Upload that published the row (see its report).',
  },
  sourceLine: {
    name: '_source_line',
    type: { checked: 'BIGINT', duckdb: 'BIGINT', glue: 'bigint' },
    description: 'Line (or record) of the row in the uploaded file.',
  },
  ingestedAt: {
    name: '_ingested_at',
    // Parquet keeps the instant with its zone (TIMESTAMPTZ); the table shows it as a UTC timestamp.
    type: { checked: 'TIMESTAMPTZ', duckdb: 'TIMESTAMP', glue: 'timestamp' },
    description: 'When the upload was ingested (UTC).',
  },
} as const satisfies Record<string, SystemColumn>;

/** The partition column of append tables (from the dated keys). */
export const PARTITION: SystemColumn = {
  name: PARTITION_COLUMN,
  type: TEXT_TYPE,
  description: 'Day the upload was ingested (UTC), YYYY-MM-DD.',
};
