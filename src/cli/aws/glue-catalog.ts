/**
 * The deployed catalog as analysts see it: the Glue tables of each department database, described from
 * what the stack stores on them (src/lake/glue-table.ts): the table's `lake.*` parameters and each
 * column's facts (classification, personal data, protection, header spellings, description). No local
 * contract is read.
 */
import {
  GetDatabaseCommand,
  GetTableCommand,
  GetTablesCommand,
  type GlueClient,
  type Table,
} from '@aws-sdk/client-glue';
import { catalogueFromParameters } from '../../lake/catalogue-parameters.ts';
import { columnFacts, columnHeaders, DATABASE_PARAMETERS, TABLE_PARAMETERS } from '../../lake/glue-table.ts';
import type { ColumnInfo, DatasetDetail, DatasetInfo } from '../backend.ts';

/** Every table of a Glue database, page by page. */
export async function getTables(glue: GlueClient, databaseName: string): Promise<Table[]> {
  const tables: Table[] = [];
  let NextToken: string | undefined;
  do {
    const page = await glue.send(new GetTablesCommand({ DatabaseName: databaseName, NextToken }));
    tables.push(...(page.TableList ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return tables;
}

export async function getTable(glue: GlueClient, databaseName: string, name: string): Promise<Table | null> {
  try {
    const r = await glue.send(new GetTableCommand({ DatabaseName: databaseName, Name: name }));
    return r.Table ?? null;
  } catch (e) {
    if ((e as { name?: string }).name === 'EntityNotFoundException') return null;
    throw e;
  }
}

/** The department's name as its database records it, or null when it records none. */
export async function departmentName(glue: GlueClient, databaseName: string): Promise<string | null> {
  try {
    const r = await glue.send(new GetDatabaseCommand({ Name: databaseName }));
    return r?.Database?.Parameters?.[DATABASE_PARAMETERS.departmentName] ?? null;
  } catch (e) {
    if ((e as { name?: string }).name === 'EntityNotFoundException') return null;
    throw e;
  }
}

/** A Glue table as a catalog entry of `department` (whose name is `owner`). */
export function tableInfo(table: Table, department: string, owner: string): DatasetInfo {
  const p = table.Parameters ?? {};
  return {
    dataset: `${department}/${table.Name}`,
    department,
    name: table.Name ?? '',
    title: p[TABLE_PARAMETERS.title] ?? table.Description ?? '',
    owner,
    classification: p[TABLE_PARAMETERS.classification] ?? 'internal',
    mode: p[TABLE_PARAMETERS.mode] ?? (table.PartitionKeys?.length ? 'append' : 'replace'),
    rows: null,
    lastIngested: null,
    lastIngestedKnown: false,
    catalogue: catalogueFromParameters(p),
  };
}

/** The table's columns, then its partition keys, each with the facts the table's parameters hold. */
export function tableColumns(table: Table, tableClassification: string): ColumnInfo[] {
  // A stack that stores column descriptions (every lake table has described lineage columns) stores
  // header spellings too: a column without them has none, rather than unknown ones.
  const described = Object.keys(table.Parameters ?? {}).some(
    (k) => k.startsWith('lake.column.') && k.endsWith('.description'),
  );
  const describe = (c: { Name?: string; Type?: string; Comment?: string }): ColumnInfo => {
    const name = c.Name ?? '';
    const facts = columnFacts(table.Parameters, name);
    return {
      name,
      type: c.Type ?? '',
      classification: facts.classification ?? tableClassification,
      pii: facts.pii,
      protect: facts.pii ? facts.protect : null,
      // The uncut description the stack stores; a table from a stack that stored none has its comment.
      description: facts.description ?? (described ? null : (c.Comment ?? null)),
      headers: described ? columnHeaders(table.Parameters, name) : null,
    };
  };
  return [
    ...(table.StorageDescriptor?.Columns ?? []).map(describe),
    ...(table.PartitionKeys ?? []).map((c) => ({ ...describe(c), partition: true })),
  ];
}

/**
 * A dataset's page from its Glue table alone: what the deployed catalog keeps. Rows, the period covered,
 * the last upload, quarantined rows, sample rows and freshness are not read from Glue: null.
 */
export function glueDatasetDetail(
  table: Table,
  info: DatasetInfo,
  database: string,
  dataset: string,
): DatasetDetail {
  return {
    ...info,
    description: table.Description ?? null,
    primaryKey: table.Parameters?.[TABLE_PARAMETERS.primaryKey]?.split(',') ?? [],
    format: table.Parameters?.[TABLE_PARAMETERS.format] ?? null,
    location: table.StorageDescriptor?.Location ?? '',
    table: `${database}.${dataset}`,
    columns: tableColumns(table, info.classification),
    period: null,
    lastUpload: null,
    quarantinedRows: null,
    sample: null,
    freshness: null,
  };
}
