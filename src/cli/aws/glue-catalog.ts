/**
 * The deployed catalog as analysts see it: the Glue tables of each department database, with the
 * parameters the stack writes on them (classification, owner, mode, title, primary key).
 */
import { GetTableCommand, GetTablesCommand, type GlueClient, type Table } from '@aws-sdk/client-glue';
import { TABLE_PARAMETERS } from '../../lake/glue-columns.ts';
import type { ColumnInfo, DatasetInfo } from '../backend.ts';

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
  };
}

const PII_COMMENT = /personal data \(([a-z_]+)\), (masked|hashed|kept in clear)/;
const PROTECT_OF: Record<string, string> = { masked: 'mask', hashed: 'hash', 'kept in clear': 'keep' };

/** The table's columns, then its partition keys; personal data read from the column comments. */
export function tableColumns(table: Table, tableClassification: string): ColumnInfo[] {
  const columns = (table.StorageDescriptor?.Columns ?? []).map((c) => {
    const pii = c.Comment ? PII_COMMENT.exec(c.Comment) : null;
    return {
      name: c.Name ?? '',
      type: c.Type ?? '',
      classification: tableClassification,
      pii: pii ? pii[1] : null,
      protect: pii ? PROTECT_OF[pii[2]] : null,
      description: c.Comment ?? null,
    };
  });
  const partitions = (table.PartitionKeys ?? []).map((c) => ({
    name: c.Name ?? '',
    type: c.Type ?? '',
    classification: tableClassification,
    pii: null,
    protect: null,
    description: c.Comment ?? null,
    partition: true,
  }));
  return [...columns, ...partitions];
}
