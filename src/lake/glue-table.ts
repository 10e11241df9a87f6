/**
 * The dataset model as a Glue table: its columns, partition keys, description and the `lake.*`
 * parameters that let a reader describe the table from Glue alone (owner, mode, format, and each
 * column's classification and personal-data handling).
 *
 * Column facts are table parameters `lake.column.<column>.<fact>` (COLUMN_FACTS): CloudFormation's AWS::Glue::Table
 * cannot set a column's own Parameters, and a column comment is cut at 255 characters, so neither can
 * hold them. The stack writes them, the AWS backend reads them back with columnFacts().
 */
import type { ProtectAction } from '../contracts/schema.ts';
import { catalogueParameters } from './catalogue-parameters.ts';
import type { DatasetModel, PublishedColumn } from './dataset-model.ts';

/** Table parameters the lake sets besides Glue's own (read by `lake catalog`). */
export const TABLE_PARAMETERS = {
  classification: 'lake.classification',
  owner: 'lake.owner',
  contractHash: 'lake.contract_hash',
  mode: 'lake.mode',
  title: 'lake.title',
  primaryKey: 'lake.primary_key',
  format: 'lake.format',
} as const;

/** Parameters of a department's Glue database. */
export const DATABASE_PARAMETERS = {
  department: 'lake.department',
  departmentName: 'lake.department_name',
} as const;

/**
 * The facts kept per column: classification and personal data; `headers`, the header spellings the contract
 * accepts for a field (a JSON array); `description`, what the column holds (the field's description, else
 * its title), uncut, where the column comment may be cut.
 */
export const COLUMN_FACTS = ['classification', 'pii', 'protect', 'headers', 'description'] as const;
export type ColumnFact = (typeof COLUMN_FACTS)[number];

/** The table parameter holding one fact of one column. */
export function columnFactKey(column: string, fact: ColumnFact): string {
  return `lake.column.${column}.${fact}`;
}

/** Glue's limits on a column comment and a table description. */
export const MAX_COLUMN_COMMENT = 255;
export const MAX_TABLE_DESCRIPTION = 2048;
/**
 * Most characters kept of a column's description and of its headers' JSON: Glue allows 512,000 bytes per
 * parameter value, and a table of a few hundred columns must stay far below a template's size limit.
 */
export const MAX_COLUMN_FACT = 1000;

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

const PROTECTED_AS: Record<ProtectAction, string> = {
  mask: 'masked',
  hash: 'hashed',
  keep: 'kept in clear',
  drop: 'dropped',
  redact: 'redacted where found',
};

/** A column's comment, for people reading the table in Athena: what it holds, and its personal data. */
function comment(c: PublishedColumn): string | undefined {
  const parts = [c.title, c.description].filter((p): p is string => Boolean(p));
  if (c.protection) parts.push(`personal data (${c.protection.pii}), ${PROTECTED_AS[c.protection.action]}`);
  return parts.length > 0 ? clip(parts.join(' — '), MAX_COLUMN_COMMENT) : undefined;
}

function glueColumn(c: PublishedColumn): GlueColumn {
  const text = comment(c);
  return text ? { name: c.name, type: c.type.glue, comment: text } : { name: c.name, type: c.type.glue };
}

/** The table's storage columns: the published fields in contract order, then the lineage columns. */
export function glueColumns(model: DatasetModel): GlueColumn[] {
  return model.columns.map(glueColumn);
}

/** The table's partition keys (`ingest_date` for append datasets). */
export function gluePartitionKeys(model: DatasetModel): GlueColumn[] {
  return model.partitions.map(glueColumn);
}

/** The table description: title, then description, within Glue's limit. */
export function tableDescription(model: DatasetModel): string {
  const { title, description } = model.contract;
  return clip(description ? `${title}. ${description}` : title, MAX_TABLE_DESCRIPTION);
}

/** The lake's parameters of the table: what it is, and the facts of each column. */
export function tableParameters(model: DatasetModel): Record<string, string> {
  const { contract } = model;
  const parameters: Record<string, string> = {
    [TABLE_PARAMETERS.classification]: contract.classification,
    [TABLE_PARAMETERS.owner]: contract.department,
    [TABLE_PARAMETERS.contractHash]: model.contractHash,
    [TABLE_PARAMETERS.mode]: contract.mode,
    [TABLE_PARAMETERS.title]: contract.title,
    [TABLE_PARAMETERS.format]: contract.format.type,
  };
  if (contract.primaryKey) parameters[TABLE_PARAMETERS.primaryKey] = contract.primaryKey.join(',');
  // The catalogue metadata (sharing, opening, update frequency…): catalogue-parameters.ts.
  Object.assign(parameters, catalogueParameters(contract));
  for (const c of [...model.columns, ...model.partitions]) {
    parameters[columnFactKey(c.name, 'classification')] = c.classification;
    if (c.protection) {
      parameters[columnFactKey(c.name, 'pii')] = c.protection.pii;
      parameters[columnFactKey(c.name, 'protect')] = c.protection.action;
    }
    const about = c.description ?? c.title;
    if (about) parameters[columnFactKey(c.name, 'description')] = clip(about, MAX_COLUMN_FACT);
    const headers = headersText(model.fields.find((f) => f.column === c)?.field.headers ?? []);
    if (headers) parameters[columnFactKey(c.name, 'headers')] = headers;
  }
  return parameters;
}

/** Header spellings as a JSON array, as many whole ones as fit in MAX_COLUMN_FACT characters; null for none. */
function headersText(headers: readonly string[]): string | null {
  let kept = 0;
  while (kept < headers.length && JSON.stringify(headers.slice(0, kept + 1)).length <= MAX_COLUMN_FACT)
    kept++;
  return kept > 0 ? JSON.stringify(headers.slice(0, kept)) : null;
}

/** A column's header spellings from the table's parameters: [] where it has none, null where unreadable. */
export function columnHeaders(
  parameters: Readonly<Record<string, string>> | undefined,
  column: string,
): string[] | null {
  const text = parameters?.[columnFactKey(column, 'headers')];
  if (text === undefined) return [];
  try {
    const headers: unknown = JSON.parse(text);
    return Array.isArray(headers) && headers.every((h) => typeof h === 'string') ? headers : null;
  } catch {
    return null;
  }
}

/** One column's facts as the table's parameters hold them (null where a fact is not set). */
export function columnFacts(
  parameters: Readonly<Record<string, string>> | undefined,
  column: string,
): Record<ColumnFact, string | null> {
  const p = parameters ?? {};
  return {
    classification: p[columnFactKey(column, 'classification')] ?? null,
    pii: p[columnFactKey(column, 'pii')] ?? null,
    protect: p[columnFactKey(column, 'protect')] ?? null,
    headers: p[columnFactKey(column, 'headers')] ?? null,
    description: p[columnFactKey(column, 'description')] ?? null,
  };
}
