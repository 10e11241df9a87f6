/**
 * The `duckdb-copy` baseline: what a bare DuckDB does with the same file on one thread, with no
 * validation, report or quarantine: one COPY that protects the PII columns with the privacy
 * module's SQL, casts the others to the contract's types, and writes zstd Parquet.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { DatasetContract, FieldContract } from '../src/contracts/schema.ts';

export type ProtectSql = (field: FieldContract, expr: string, key: Buffer) => string | null;

export interface ProtectModule {
  protectSql: ProtectSql;
  /** Where the SQL comes from: the privacy module, or the bench's stand-in until it exists. */
  source: 'src/privacy/protect.ts' | 'bench stand-in';
}

// Not a literal, so the type checker does not need the module to exist yet.
const PROTECT_MODULE = new URL('../src/privacy/protect.ts', import.meta.url).href;

/** True when an import failed because `url` itself is missing (not one of its own imports). */
export function isMissingModule(err: unknown, url: string): boolean {
  const e = err as { code?: string; message?: string; url?: string };
  if (e?.code !== 'ERR_MODULE_NOT_FOUND') return false;
  const file = decodeURI(new URL(url).pathname);
  return e.url === url || (e.message ?? '').includes(file);
}

/**
 * `protectSql` from src/privacy/protect.ts; while that module does not exist, a stand-in of the same
 * cost (a keyed double SHA-256 for hash, left/right masks) so the baseline can already run.
 */
export async function loadProtectSql(): Promise<ProtectModule> {
  try {
    const mod = (await import(PROTECT_MODULE)) as { protectSql?: unknown };
    if (typeof mod.protectSql !== 'function') {
      throw new Error('src/privacy/protect.ts does not export a protectSql function');
    }
    return { protectSql: mod.protectSql as ProtectSql, source: 'src/privacy/protect.ts' };
  } catch (err) {
    if (!isMissingModule(err, PROTECT_MODULE)) throw err;
    return { protectSql: standInProtectSql, source: 'bench stand-in' };
  }
}

/** Stand-in for protectSql (same shape, comparable cost); used only while the privacy module is missing. */
export function standInProtectSql(field: FieldContract, expr: string, key: Buffer): string | null {
  const action = field.protect ?? (field.pii && field.pii !== 'none' ? 'mask' : 'keep');
  if (action === 'drop') return null;
  if (action === 'keep') return expr;
  if (action === 'hash') {
    const inner = sqlString(Buffer.from(key.map((b) => b ^ 0x36)).toString('hex'));
    const outer = sqlString(Buffer.from(key.map((b) => b ^ 0x5c)).toString('hex'));
    return `sha256(${outer} || sha256(${inner} || ${expr}))`;
  }
  switch (field.pii) {
    case 'cn_mobile':
      return `CASE WHEN length(${expr}) >= 7 THEN left(${expr}, 3) || repeat('*', length(${expr}) - 7) || right(${expr}, 4) ELSE repeat('*', length(${expr})) END`;
    case 'cn_resident_id':
      return `CASE WHEN length(${expr}) >= 10 THEN left(${expr}, 6) || repeat('*', length(${expr}) - 10) || right(${expr}, 4) ELSE repeat('*', length(${expr})) END`;
    case 'person_name':
      return `left(${expr}, 1) || repeat('*', greatest(length(${expr}) - 1, 0))`;
    default:
      return `repeat('*', length(${expr}))`;
  }
}

export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
export const sqlIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** The header row of a UTF-8 CSV (simple split; enough for the bench's own files). */
export function readCsvHeader(path: string): string[] {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const first =
      buf
        .subarray(0, n)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .split(/\r?\n/)[0] ?? '';
    return first.split(',').map((h) => h.replace(/^"|"$/g, '').replaceAll('""', '"'));
  } finally {
    closeSync(fd);
  }
}

/** The value of a VARCHAR expression cast to a field's contract type (TRY_: bad values become NULL). */
export function castSql(field: FieldContract, expr: string): string {
  switch (field.type) {
    case 'number':
      return `TRY_CAST(${expr} AS DOUBLE)`;
    case 'integer':
      return `TRY_CAST(${expr} AS BIGINT)`;
    case 'boolean':
      return `TRY_CAST(${expr} AS BOOLEAN)`;
    case 'year':
      return `TRY_CAST(${expr} AS INTEGER)`;
    case 'date':
      return `CAST(try_strptime(${expr}, [${(field.formats ?? ['%Y-%m-%d']).map(sqlString).join(', ')}]) AS DATE)`;
    case 'datetime':
      return `try_strptime(${expr}, [${(field.formats ?? ['%Y-%m-%dT%H:%M:%S']).map(sqlString).join(', ')}])`;
    case 'time':
      return `CAST(try_strptime(${expr}, [${(field.formats ?? ['%H:%M:%S']).map(sqlString).join(', ')}]) AS TIME)`;
    default:
      return expr;
  }
}

/**
 * `COPY (SELECT <protected or cast column> AS <field>, ...) FROM read_csv(<file>, header=true,
 * all_varchar=true)) TO <out> (FORMAT parquet, COMPRESSION zstd)`. Each field is read from the first
 * of its name and its `headers` present in the file.
 */
export function baselineCopySql(opts: {
  contract: DatasetContract;
  inputPath: string;
  outPath: string;
  protectSql: ProtectSql;
  hashKey: Buffer;
  fileHeaders: readonly string[];
}): string {
  const present = new Set(opts.fileHeaders);
  const columns: string[] = [];
  for (const field of opts.contract.fields) {
    const header = [field.name, ...(field.headers ?? [])].find((h) => present.has(h));
    if (header === undefined) throw new Error(`${opts.inputPath}: no column for field "${field.name}"`);
    const expr = sqlIdent(header);
    const value =
      field.pii && field.pii !== 'none' ? opts.protectSql(field, expr, opts.hashKey) : castSql(field, expr);
    if (value !== null) columns.push(`${value} AS ${sqlIdent(field.name)}`);
  }
  return (
    `COPY (SELECT ${columns.join(', ')} FROM read_csv(${sqlString(opts.inputPath)}, header=true, all_varchar=true)) ` +
    `TO ${sqlString(opts.outPath)} (FORMAT parquet, COMPRESSION zstd)`
  );
}
