/**
 * The baselines: what a bare DuckDB does with the same file on one thread, with no validation, report
 * or quarantine. Each does the same work as the engine's publishing and nothing more, so the ratio
 * measures the engine's own overhead:
 *
 * - `duckdb-copy`: one COPY that protects the personal-data columns with the privacy module's SQL
 *   (masks, and the HMAC of hashed columns), casts the others to the contract's types, and writes
 *   zstd Parquet;
 * - `duckdb-copy-plain`: the same COPY without the HMAC: hashed columns are passed through as text,
 *   masks and casts unchanged. The floor of a publishing pass over this file.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { fieldProtection } from '../src/contracts/protection.ts';
import type { DatasetContract } from '../src/contracts/schema.ts';
import { typedSql } from '../src/engine/fields.ts';
import { protectSql } from '../src/privacy/protect.ts';

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

/**
 * `COPY (SELECT <protected or typed column> AS <field>, ...) FROM read_csv(<file>, header=true,
 * all_varchar=true)) TO <out> (FORMAT parquet, COMPRESSION zstd)`. Each field is read from the first
 * of its name and its `headers` present in the file. With `plain`, a hashed column is its text.
 */
export function baselineCopySql(opts: {
  contract: DatasetContract;
  inputPath: string;
  outPath: string;
  hashKey: Buffer;
  fileHeaders: readonly string[];
  /** Hashed columns passed through as text (the `duckdb-copy-plain` baseline). */
  plain?: boolean;
}): string {
  const present = new Set(opts.fileHeaders);
  const columns: string[] = [];
  for (const field of opts.contract.fields) {
    const header = [field.name, ...(field.headers ?? [])].find((h) => present.has(h));
    if (header === undefined) throw new Error(`${opts.inputPath}: no column for field "${field.name}"`);
    const expr = sqlIdent(header);
    const protection = fieldProtection(field);
    const value = !protection
      ? typedSql(field, expr)
      : opts.plain && protection.action === 'hash'
        ? expr
        : protectSql(protection, expr, opts.hashKey);
    if (value !== null) columns.push(`${value} AS ${sqlIdent(field.name)}`);
  }
  return (
    `COPY (SELECT ${columns.join(', ')} FROM read_csv(${sqlString(opts.inputPath)}, header=true, all_varchar=true)) ` +
    `TO ${sqlString(opts.outPath)} (FORMAT parquet, COMPRESSION zstd)`
  );
}
