/**
 * The Lake Formation side of the matrix: the LF-tag grants of the templates (PrincipalPermissions)
 * evaluated against the tags the templates put on databases, tables and columns (TagAssociation), the
 * way Lake Formation matches an LF-tag expression: every key of the expression must hold one of its
 * values on the resource, a column's tag overriding its table's, a table inheriting its database's.
 */
import type { CfnTemplateJson } from './resolve.ts';

type Tags = Record<string, string>;
type LfTag = { TagKey: string; TagValues: string[] };

export interface LfGrant {
  readonly principal: string;
  readonly resourceType: 'DATABASE' | 'TABLE';
  /** The LF-tag expression; empty for a grant on a resource named outright (`named`). */
  readonly expression: readonly LfTag[];
  readonly permissions: readonly string[];
  /** A grant on a named database, table (`db/table`), or some columns of a table. */
  readonly named?: {
    readonly database?: string;
    readonly table?: string;
    readonly columns?: readonly string[];
  };
}

export interface LfModel {
  readonly grants: readonly LfGrant[];
  /** Tags by database name. */
  readonly databases: ReadonlyMap<string, Tags>;
  /** Columns (with their effective tags) by `db/table`. */
  readonly tables: ReadonlyMap<string, ReadonlyMap<string, Tags>>;
}

const toTags = (tags: LfTag[]): Tags => Object.fromEntries(tags.map((t) => [t.TagKey, t.TagValues[0]]));

export function buildLfModel(templates: Iterable<CfnTemplateJson>): LfModel {
  const resources = [...templates].flatMap((t) => Object.values(t.Resources));
  const grants: LfGrant[] = [];
  const databases = new Map<string, Tags>();
  const tableTags = new Map<string, Tags>();
  const columnTags = new Map<string, Tags>();
  const columns = new Map<string, string[]>();
  for (const r of resources) {
    // biome-ignore lint/suspicious/noExplicitAny: resolved CloudFormation properties, read by their documented shapes
    const p = (r.Properties ?? {}) as Record<string, any>;
    if (r.Type === 'AWS::LakeFormation::PrincipalPermissions' && p.Resource.LFTagPolicy) {
      grants.push({
        principal: p.Principal.DataLakePrincipalIdentifier,
        resourceType: p.Resource.LFTagPolicy.ResourceType,
        expression: p.Resource.LFTagPolicy.Expression,
        permissions: p.Permissions,
      });
    } else if (r.Type === 'AWS::LakeFormation::PrincipalPermissions') {
      // A grant on a resource named outright: a database, a table, or some of a table's columns.
      const { Database, Table, TableWithColumns } = p.Resource;
      const t = Table ?? TableWithColumns;
      grants.push({
        principal: p.Principal.DataLakePrincipalIdentifier,
        resourceType: Database ? 'DATABASE' : 'TABLE',
        expression: [],
        permissions: p.Permissions,
        named: Database
          ? { database: Database.Name }
          : { table: `${t.DatabaseName}/${t.Name}`, columns: TableWithColumns?.ColumnNames },
      });
    } else if (r.Type === 'AWS::LakeFormation::TagAssociation') {
      const tags = toTags(p.LFTags);
      const { Database, Table, TableWithColumns } = p.Resource;
      if (Database) databases.set(Database.Name, { ...databases.get(Database.Name), ...tags });
      if (Table) tableTags.set(`${Table.DatabaseName}/${Table.Name}`, tags);
      if (TableWithColumns) {
        for (const column of TableWithColumns.ColumnNames as string[]) {
          columnTags.set(`${TableWithColumns.DatabaseName}/${TableWithColumns.Name}.${column}`, tags);
        }
      }
    } else if (r.Type === 'AWS::Glue::Table') {
      const input = p.TableInput;
      const names = [...(input.StorageDescriptor?.Columns ?? []), ...(input.PartitionKeys ?? [])].map(
        (c: { Name: string }) => c.Name,
      );
      columns.set(`${p.DatabaseName}/${input.Name}`, names);
    }
  }
  const tables = new Map<string, Map<string, Tags>>();
  for (const [table, names] of columns) {
    const db = table.split('/')[0];
    tables.set(
      table,
      new Map(
        names.map((c) => [
          c,
          { ...databases.get(db), ...tableTags.get(table), ...columnTags.get(`${table}.${c}`) },
        ]),
      ),
    );
  }
  return { grants, databases, tables };
}

const matches = (expression: readonly LfTag[], tags: Tags) =>
  expression.every((e) => tags[e.TagKey] !== undefined && e.TagValues.includes(tags[e.TagKey]));

/**
 * Whether the LF principal whose role is named `roleName` holds `permission` on `lf:<db>`,
 * `lf:<db>/<table>` (on at least one column) or `lf:<db>/<table>.<column>`.
 */
export function lfAllowed(model: LfModel, roleName: string, permission: string, resource: string): boolean {
  const target = resource.replace(/^lf:/, '');
  const grants = model.grants.filter(
    (g) => g.principal.endsWith(`:role/${roleName}`) && g.permissions.includes(permission),
  );
  const tagged = grants.filter((g) => !g.named);
  const named = grants.flatMap((g) => (g.named ? [g.named] : []));
  if (!target.includes('/')) {
    const tags = model.databases.get(target);
    if (!tags) throw new Error(`no database ${target}`);
    return (
      tagged.some((g) => g.resourceType === 'DATABASE' && matches(g.expression, tags)) ||
      named.some((n) => n.database === target)
    );
  }
  const [table, column] = target.split('.');
  const cols = model.tables.get(table);
  if (!cols) throw new Error(`no table ${table}`);
  const candidates = column ? [cols.get(column)] : [...cols.values()];
  if (candidates.some((c) => c === undefined)) throw new Error(`no column ${target}`);
  // A named table grant: every column, or the columns it names (on the table: at least one of them).
  const byName = named.some(
    (n) => n.table === table && (!n.columns || !column || n.columns.includes(column)),
  );
  return (
    byName ||
    tagged.some((g) => g.resourceType === 'TABLE' && candidates.some((c) => matches(g.expression, c as Tags)))
  );
}
