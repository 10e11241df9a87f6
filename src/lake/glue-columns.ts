/**
 * From a contract to the columns of its Glue table, matching what the transformer writes to curated
 * Parquet: typed fields, personal data that is masked or hashed as strings, dropped fields absent, then
 * the lineage columns.
 */
import type { DatasetContract, FieldContract, FieldType } from '../contracts/schema.ts';
import { protectAction } from '../privacy/protect.ts';

/** Glue (Hive) type of each contract field type as published in curated Parquet. */
export const GLUE_TYPES: Record<FieldType, string> = {
  string: 'string',
  number: 'double',
  integer: 'bigint',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamp',
  // Athena reads no Parquet TIME column: times are published as 'HH:MM:SS' text.
  time: 'string',
  year: 'int',
};

/** Columns the transformer adds to every curated row. */
export const LINEAGE_COLUMNS: readonly GlueColumn[] = [
  { name: '_upload_id', type: 'string', comment: 'Upload that published the row (see its report).' },
  { name: '_source_line', type: 'bigint', comment: 'Line (or record) of the row in the uploaded file.' },
  { name: '_ingested_at', type: 'timestamp', comment: 'When the upload was ingested (UTC).' },
];

/** Table parameters the lake sets besides Glue's own (read by `lake catalog`). */
export const TABLE_PARAMETERS = {
  classification: 'lake.classification',
  owner: 'lake.owner',
  contractHash: 'lake.contract_hash',
  mode: 'lake.mode',
  title: 'lake.title',
  primaryKey: 'lake.primary_key',
} as const;

/** The partition column of append datasets. */
export const INGEST_DATE_COLUMN = 'ingest_date';

/** Glue's limits on a column comment and a table description. */
export const MAX_COLUMN_COMMENT = 255;
export const MAX_TABLE_DESCRIPTION = 2048;

export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
}

/** Cuts `text` to `max` characters, ending with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** How a field appears in curated: its published type, or null when it is dropped. */
export function publishedType(field: FieldContract): string | null {
  const personal = field.pii !== undefined && field.pii !== 'none';
  const action = personal ? protectAction(field) : 'keep';
  if (action === 'drop') return null;
  if (action === 'mask' || action === 'hash') return 'string';
  return GLUE_TYPES[field.type];
}

const PROTECTED_AS: Record<string, string> = {
  mask: 'masked',
  hash: 'hashed',
  keep: 'kept in clear',
  drop: 'dropped',
};

function fieldComment(field: FieldContract): string | undefined {
  const personal = field.pii !== undefined && field.pii !== 'none';
  const parts = [field.title, field.description].filter((p): p is string => Boolean(p));
  if (personal) parts.push(`personal data (${field.pii}), ${PROTECTED_AS[protectAction(field)]}`);
  return parts.length > 0 ? clip(parts.join(' — '), MAX_COLUMN_COMMENT) : undefined;
}

/** The data columns of a contract's table, in contract order, then the lineage columns. */
export function glueColumns(contract: DatasetContract): GlueColumn[] {
  const columns: GlueColumn[] = [];
  for (const field of contract.fields) {
    const type = publishedType(field);
    if (type === null) continue;
    const comment = fieldComment(field);
    columns.push(comment ? { name: field.name, type, comment } : { name: field.name, type });
  }
  return [...columns, ...LINEAGE_COLUMNS];
}

/** The effective classification of each published column (its own, or the table's). */
export function columnClassifications(contract: DatasetContract): Map<string, string> {
  const out = new Map<string, string>();
  for (const field of contract.fields) {
    if (publishedType(field) === null) continue;
    out.set(field.name, field.classification ?? contract.classification);
  }
  return out;
}

/** The table description: title, then description, within Glue's limit. */
export function tableDescription(contract: DatasetContract): string {
  const text = contract.description ? `${contract.title}. ${contract.description}` : contract.title;
  return clip(text, MAX_TABLE_DESCRIPTION);
}
