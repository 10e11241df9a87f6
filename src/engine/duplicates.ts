/**
 * Uniqueness (primaryKey, unique): the keys to check and the duplicate tables that turn the later
 * occurrences of a key into rule failures. In an append dataset a key also holds across uploads: a row
 * whose key the dataset's published rows already hold (`TransformOptions.publishedKeys`) fails with
 * "already published by upload <id> (line N)". Keys are compared as published (kept as typed, hashed by
 * their hash); masked or dropped keys cannot be, and the report's notices say so.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetContract } from '../contracts/schema.ts';
import { type FieldPlan, keyPublished, type Rule, typedRef } from './fields.ts';
import { ident, lit } from './sql.ts';

export interface DuplicateRules {
  rules: Rule[];
  /** LEFT JOINs of the duplicate tables, and the first-line columns they add. */
  joins: string[];
  columns: string[];
}

export function merge(into: DuplicateRules, more: DuplicateRules): void {
  into.rules.push(...more.rules);
  into.joins.push(...more.joins);
  into.columns.push(...more.columns);
}

export interface KeySet {
  /** The key's name in messages and error counts: the field, or the primaryKey fields joined by +. */
  name: string;
  rule: 'primaryKey' | 'unique';
  fields: FieldPlan[];
  /** True when the key is published as it is (or hashed, which keeps equality), so it can be checked there. */
  onOutput: boolean;
}

/** The primaryKey and each unique field, once each (a unique field that is the primaryKey counts once). */
export function uniqueKeySets(contract: DatasetContract, plans: FieldPlan[]): KeySet[] {
  const byName = new Map(plans.map((p) => [p.field.name, p]));
  const sets: KeySet[] = [];
  const onOutput = (fields: FieldPlan[]) => fields.every(keyPublished);
  if (contract.primaryKey) {
    const fields = contract.primaryKey.map((k) => byName.get(k)).filter((p): p is FieldPlan => !!p?.source);
    if (fields.length === contract.primaryKey.length) {
      sets.push({
        name: contract.primaryKey.join('+'),
        rule: 'primaryKey',
        fields,
        onOutput: onOutput(fields),
      });
    }
  }
  for (const p of plans) {
    if (!p.field.constraints?.unique || !p.source) continue;
    if (sets.some((s) => s.fields.length === 1 && s.fields[0] === p)) continue;
    sets.push({ name: p.field.name, rule: 'unique', fields: [p], onOutput: onOutput([p]) });
  }
  return sets;
}

function duplicateRule(set: KeySet, first: string): Rule {
  const fieldPlan = set.fields[0];
  return {
    field: { ...fieldPlan, field: { ...fieldPlan.field, name: set.name } },
    rule: set.rule,
    failed: `coalesce(${first} IS NOT NULL AND __line <> ${first}, false)`,
    message: `${lit(set.fields.length > 1 ? `the key (${set.name}) duplicates line ` : 'the value duplicates line ')} || ${first}`,
  };
}

async function isEmpty(conn: DuckDBConnection, table: string): Promise<boolean> {
  const n = await conn.runAndReadAll(`SELECT count(*) FROM ${table}`);
  return Number(n.getRows()[0][0]) === 0;
}

/**
 * Keys that cannot be checked on the output (masked or dropped): the same check as duplicatesAfter,
 * over the rows that pass every other rule, so both give the same answer.
 */
export async function duplicatesBefore(
  conn: DuckDBConnection,
  sets: KeySet[],
  checked: string,
): Promise<DuplicateRules> {
  const out: DuplicateRules = { rules: [], joins: [], columns: [] };
  for (const [i, set] of sets.entries()) {
    const keysTable = `__dupkeys${i}`;
    const keys = set.fields.map((p) => typedRef(p));
    await conn.run(
      `CREATE TEMP TABLE ${keysTable} AS SELECT ${keys.join(', ')}, min(__line) AS first_line FROM (${checked}) WHERE __ok AND ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')} GROUP BY ALL HAVING count(*) > 1`,
    );
    if (await isEmpty(conn, keysTable)) continue;
    const table = `__dup${i}`;
    await conn.run(
      `CREATE TEMP TABLE ${table} AS SELECT c.__line AS line, k.first_line FROM (${checked}) c JOIN ${keysTable} k ON ${keys.map((k) => `c.${k} = k.${k}`).join(' AND ')} WHERE c.__ok AND c.__line <> k.first_line`,
    );
    const alias = `d${i}`;
    const first = `__first${i}`;
    out.joins.push(`LEFT JOIN ${table} ${alias} ON ${alias}.line = l2.__line`);
    out.columns.push(`${alias}.first_line AS ${first}`);
    out.rules.push(duplicateRule(set, first));
  }
  return out;
}

/** The report notice for keys an append dataset cannot check across uploads (masked, dropped, redacted). */
export function crossUploadNotices(sets: KeySet[]): string[] {
  return sets
    .filter((s) => !s.onOutput)
    .map(
      (s) =>
        `${s.rule} ${s.name} is checked within this file only: its published form (masked, dropped or redacted) cannot be compared with earlier uploads; declare it protect: hash (or keep) to have it hold across the dataset`,
    );
}

/**
 * The published rows (other uploads' curated files, local Parquet) holding a key of this file's curated
 * output: a table of this file's lines with the earliest upload and line that published the key, or null
 * when none does (or the published files do not have the key's columns).
 */
async function publishedMatches(
  conn: DuckDBConnection,
  cols: string[],
  curatedPath: string,
  published: string,
  i: number,
): Promise<string | null> {
  const files = `read_parquet(${lit(published)}, hive_partitioning = false, union_by_name = true)`;
  const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${files}`);
  const names = new Set(described.getRows().map(([name]) => ident(String(name))));
  if (![...cols, ident('_upload_id'), ident('_source_line')].every((c) => names.has(c))) return null;
  const table = `__pubdup${i}`;
  const text = (c: string) => `CAST(${c} AS VARCHAR)`;
  await conn.run(
    `CREATE TEMP TABLE ${table} AS SELECT c._source_line AS line, min(p._upload_id) AS upload, arg_min(p._source_line, p._upload_id) AS first_line FROM read_parquet(${lit(curatedPath)}, hive_partitioning = false) c JOIN (SELECT ${cols.join(', ')}, _upload_id, _source_line FROM ${files} WHERE ${cols.map((c) => `${c} IS NOT NULL`).join(' AND ')}) p ON ${cols.map((c) => `${text(`c.${c}`)} = ${text(`p.${c}`)}`).join(' AND ')} GROUP BY c._source_line`,
  );
  return (await isEmpty(conn, table)) ? null : table;
}

function publishedRule(set: KeySet, upload: string, line: string): Rule {
  const fieldPlan = set.fields[0];
  return {
    field: { ...fieldPlan, field: { ...fieldPlan.field, name: set.name } },
    rule: set.rule,
    failed: `(${upload} IS NOT NULL)`,
    message: `${lit('already published by upload ')} || ${upload} || ' (line ' || coalesce(CAST(${line} AS VARCHAR), '?') || ')'`,
  };
}

/**
 * Published rows whose key an earlier published row already has: their lines and the first line; with
 * `published` (the dataset's rows published by other uploads), also the rows whose key those hold.
 */
export async function duplicatesAfter(
  conn: DuckDBConnection,
  sets: KeySet[],
  curatedPath: string,
  offset: number,
  published?: string,
): Promise<DuplicateRules> {
  const out: DuplicateRules = { rules: [], joins: [], columns: [] };
  for (const [n, set] of sets.entries()) {
    const i = offset + n;
    const cols = set.fields.map((p) => ident(p.field.name));
    const pub = published ? await publishedMatches(conn, cols, curatedPath, published, i) : null;
    if (pub) {
      const alias = `q${i}`;
      out.joins.push(`LEFT JOIN ${pub} ${alias} ON ${alias}.line = l2.__line`);
      out.columns.push(`${alias}.upload AS __pubup${i}`, `${alias}.first_line AS __publine${i}`);
      out.rules.push(publishedRule(set, `__pubup${i}`, `__publine${i}`));
    }
    // A key already published is reported once, as published: the file's own duplicates are the others.
    const notPublished = pub ? ` AND _source_line NOT IN (SELECT line FROM ${pub})` : '';
    const keysTable = `__postkeys${i}`;
    await conn.run(
      `CREATE TEMP TABLE ${keysTable} AS SELECT ${cols.join(', ')}, min(_source_line) AS first_line FROM read_parquet(${lit(curatedPath)}, hive_partitioning = false) WHERE ${cols.map((c) => `${c} IS NOT NULL`).join(' AND ')}${notPublished} GROUP BY ALL HAVING count(*) > 1`,
    );
    if (await isEmpty(conn, keysTable)) continue;
    const table = `__postdup${i}`;
    await conn.run(
      `CREATE TEMP TABLE ${table} AS SELECT c._source_line AS line, k.first_line FROM read_parquet(${lit(curatedPath)}, hive_partitioning = false) c JOIN ${keysTable} k ON ${cols.map((c) => `c.${c} = k.${c}`).join(' AND ')} WHERE c._source_line <> k.first_line${notPublished.replace('_source_line', 'c._source_line')}`,
    );
    const alias = `p${i}`;
    const first = `__pfirst${i}`;
    out.joins.push(`LEFT JOIN ${table} ${alias} ON ${alias}.line = l2.__line`);
    out.columns.push(`${alias}.first_line AS ${first}`);
    out.rules.push(duplicateRule(set, first));
  }
  return out;
}
