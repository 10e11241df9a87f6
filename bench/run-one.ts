/**
 * One measured run in a fresh process, so its peak RSS is its own. Started by bench/engine-bench.ts
 * with `fork`; reports a RunResult over IPC (or prints it as JSON when run by hand):
 *
 *   node --import tsx bench/run-one.ts --mode engine|duckdb-copy|duckdb-copy-plain --input <csv> --out <dir>
 *        [--threads 1] [--memory-limit 2GB] [--temp-dir <dir>] [--keep]
 *
 * The output directory is emptied first and removed after the run unless --keep.
 * The clock covers the work itself (DuckDB instance included), not Node's or tsx's start-up.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DatasetContract } from '../src/contracts/schema.ts';
import { defineDayNumber } from '../src/engine/day-number.ts';
import { transformFile } from '../src/engine/transform.ts';
import { baselineCopySql, readCsvHeader, sqlString } from './baseline.ts';
import { loadPaymentsContract } from './generate.ts';

export const MODES = ['engine', 'duckdb-copy', 'duckdb-copy-plain'] as const;
export type Mode = (typeof MODES)[number];

/** The bench's fixed hash key: runs are comparable and outputs reproducible. Not a real key. */
export const BENCH_HASH_KEY = Buffer.from('public-data-lake bench key, not a secret, 32 bytes!'.slice(0, 32));
/** The fixed ingestion time given to the engine. */
export const BENCH_NOW = new Date('2025-01-01T00:00:00Z');

export interface RunSuccess {
  ok: true;
  mode: Mode;
  input: string;
  inputBytes: number;
  seconds: number;
  /** Rows written: the engine's accepted rows, or the baseline COPY's row count. */
  rowsOut: number;
  /** process.resourceUsage().maxRSS, KiB. */
  maxRssKiB: number;
  /** VmHWM from /proc/self/status, KiB (null off Linux). */
  vmHwmKiB: number | null;
  outputBytes: number;
  detail: Record<string, unknown>;
}

export interface RunFailure {
  ok: false;
  mode: Mode;
  input: string;
  /** unavailable: the code under test does not exist yet; error: it failed. */
  kind: 'unavailable' | 'error';
  message: string;
}

export type RunResult = RunSuccess | RunFailure;

function vmHwmKiB(): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

export interface RunOptions {
  mode: Mode;
  input: string;
  outDir: string;
  threads: number;
  memoryLimit?: string;
  tempDir?: string;
  /** Keep the output directory (by default it is removed once measured). */
  keep?: boolean;
}

async function runEngine(o: RunOptions, contract: DatasetContract) {
  const started = performance.now();
  const report = await transformFile({
    inputPath: o.input,
    contract,
    sourceKey: `landing/${contract.department}/${contract.name}/${basename(o.input)}`,
    uploadId: `bench-${basename(o.input, '.csv')}`,
    outDir: o.outDir,
    hashKey: BENCH_HASH_KEY,
    now: BENCH_NOW,
    threads: o.threads,
    ...(o.memoryLimit ? { memoryLimit: o.memoryLimit } : {}),
    ...(o.tempDir ? { tempDir: o.tempDir } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    rowsOut: report.rows.accepted,
    detail: {
      status: report.status,
      rows: report.rows,
      errorCounts: report.errorCounts,
      piiFlagged: report.pii.flagged,
      outputs: report.outputs,
    },
  };
}

async function runBaseline(o: RunOptions, contract: DatasetContract) {
  const source = 'src/privacy/protect.ts';
  const outPath = join(o.outDir, 'baseline.parquet');
  const sql = baselineCopySql({
    contract,
    inputPath: o.input,
    outPath,
    hashKey: BENCH_HASH_KEY,
    fileHeaders: readCsvHeader(o.input),
    plain: o.mode === 'duckdb-copy-plain',
  });
  const started = performance.now();
  const instance = await DuckDBInstance.create(':memory:', { threads: String(o.threads) });
  const conn = await instance.connect();
  try {
    await conn.run(`SET threads=${o.threads}`);
    if (o.memoryLimit) await conn.run(`SET memory_limit=${sqlString(o.memoryLimit)}`);
    if (o.tempDir) await conn.run(`SET temp_directory=${sqlString(o.tempDir)}`);
    // The typed SQL of date fields names the day-number macro; a CSV defines it as NULL, as the engine does.
    await defineDayNumber(conn, null);
    const result = await conn.run(sql);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, rowsOut: Number(result.rowsChanged), detail: { protectSql: source, sql } };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

export async function runOne(o: RunOptions): Promise<RunResult> {
  const inputBytes = statSync(o.input).size;
  try {
    rmSync(o.outDir, { recursive: true, force: true });
    mkdirSync(o.outDir, { recursive: true });
    if (o.tempDir) mkdirSync(o.tempDir, { recursive: true });
    const contract = loadPaymentsContract();
    const r = o.mode === 'engine' ? await runEngine(o, contract) : await runBaseline(o, contract);
    const result: RunSuccess = {
      ok: true,
      mode: o.mode,
      input: o.input,
      inputBytes,
      seconds: r.seconds,
      rowsOut: r.rowsOut,
      maxRssKiB: process.resourceUsage().maxRSS,
      vmHwmKiB: vmHwmKiB(),
      outputBytes: dirBytes(o.outDir),
      detail: r.detail,
    };
    if (!o.keep) rmSync(o.outDir, { recursive: true, force: true });
    return result;
  } catch (err) {
    if (!o.keep) rmSync(o.outDir, { recursive: true, force: true });
    const e = err as Error;
    return {
      ok: false,
      mode: o.mode,
      input: o.input,
      kind: 'error',
      message: e?.stack ?? String(err),
    };
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string' },
      input: { type: 'string' },
      out: { type: 'string' },
      threads: { type: 'string', default: '1' },
      'memory-limit': { type: 'string' },
      'temp-dir': { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const mode = values.mode as Mode;
  if (!MODES.includes(mode) || !values.input || !values.out) {
    console.error(
      'usage: node --import tsx bench/run-one.ts --mode engine|duckdb-copy|duckdb-copy-plain --input <csv> --out <dir> [--threads N] [--memory-limit X] [--temp-dir D] [--keep]',
    );
    process.exit(2);
  }
  const result = await runOne({
    mode,
    input: values.input,
    outDir: values.out,
    threads: Number(values.threads),
    ...(values['memory-limit'] ? { memoryLimit: values['memory-limit'] } : {}),
    ...(values['temp-dir'] ? { tempDir: values['temp-dir'] } : {}),
    keep: values.keep,
  });
  if (process.send) {
    process.send(result, () => process.exit(result.ok ? 0 : 1));
  } else {
    console.log(JSON.stringify(result, null, 2));
    process.exit(result.ok ? 0 : 1);
  }
}
