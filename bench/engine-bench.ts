/**
 * `npm run bench`: the transform engine against two bare DuckDB COPYs (bench/baseline.ts), on the
 * generated civil-affairs payments file at 1x (1,000,000 rows, about 150 MB) and 4x, each run in a
 * fresh process so its peak RSS is its own. A baseline does the same work as the engine's publishing
 * and nothing more: `duckdb-copy` casts, masks and hashes as the engine does; `duckdb-copy-plain`
 * casts and masks but passes hashed columns through as text.
 *
 *   npm run bench -- [--rows 1000000] [--repeat 1] [--skip-4x] [--skip-synth] [--seed 52] [--threads 1]
 *                    [--memory-limit 2GB] [--only engine|duckdb-copy|duckdb-copy-plain] [--check]
 *
 * Runs alternate the modes; each (mode, file) keeps its best time and its lowest peak RSS over the
 * repeats. Targets on each file: engine speed / `duckdb-copy` speed >= 0.6, engine speed /
 * `duckdb-copy-plain` speed >= 0.5; and engine peak RSS 4x / 1x <= 1.3. Writes bench/out/results.json, and bench/results.json (the committed copy)
 * for the standard sizes only. Exit status 1 when a run fails (or, with --check, a target is missed).
 */
import { fork } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { version as duckdbVersion } from '@duckdb/node-api';
import { LIMITS, type ScaleReport, synthLargeConfig } from '../test/support/scale.ts';
import {
  BENCH_DIR,
  DEFAULT_SEED,
  GENERATOR_VERSION,
  type GeneratedFile,
  generateCsv,
  REPO_ROOT,
} from './generate.ts';
import { MODES, type Mode, type RunFailure, type RunResult, type RunSuccess } from './run-one.ts';
import { startupBench } from './startup.ts';
import { runXlsxMemoryBench } from './xlsx-memory.ts';

const OUT_DIR = resolve(BENCH_DIR, 'out');
const RUN_ONE = resolve(BENCH_DIR, 'run-one.ts');
const DEFAULT_ROWS = 1_000_000;
/** The least engine speed / baseline speed, per baseline. */
const TARGET_SPEED_RATIOS: readonly (readonly [Mode, number])[] = [
  ['duckdb-copy', 0.6],
  ['duckdb-copy-plain', 0.5],
];
const TARGET_RSS_RATIO = 1.3;

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: String(DEFAULT_ROWS) },
    repeat: { type: 'string', default: '1' },
    'skip-4x': { type: 'boolean', default: false },
    'skip-synth': { type: 'boolean', default: false },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    threads: { type: 'string', default: '1' },
    'memory-limit': { type: 'string' },
    only: { type: 'string' },
    check: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

function integerArg(name: string, value: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be an integer >= ${min}, got ${value}`);
    process.exit(2);
  }
  return n;
}

if (args.help) {
  console.log(
    'npm run bench -- [--rows N] [--repeat N] [--skip-4x] [--skip-synth] [--seed N] [--threads N] [--memory-limit X] [--only engine|duckdb-copy|duckdb-copy-plain] [--check]',
  );
  process.exit(0);
}
const rows1x = integerArg('rows', args.rows);
const repeat = integerArg('repeat', args.repeat);
const seed = integerArg('seed', args.seed, 0);
const threads = integerArg('threads', args.threads);
if (args.only !== undefined && !MODES.includes(args.only as Mode)) {
  console.error(`--only must be one of ${MODES.join(', ')}`);
  process.exit(2);
}
const modes: Mode[] = args.only ? [args.only as Mode] : ['duckdb-copy', 'duckdb-copy-plain', 'engine'];
const scales = args['skip-4x'] ? [1] : [1, 4];
/** Only the default run (1M rows, 1x and 4x, every mode, one thread) is copied to bench/results.json. */
const standard =
  rows1x === DEFAULT_ROWS &&
  !args['skip-4x'] &&
  seed === DEFAULT_SEED &&
  threads === 1 &&
  !args['memory-limit'] &&
  modes.length === MODES.length;

/**
 * JSON as Biome formats it (objects expanded, arrays of scalars on one line when they fit in 110
 * columns), so the written files pass `biome check` as they are.
 */
function formatJson(value: unknown, indent = '', prefix = 0): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) {
      const flat = `[${value.map((v) => JSON.stringify(v) ?? 'null').join(', ')}]`;
      if (indent.length + prefix + flat.length + 1 <= 110) return flat;
    }
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([k, v]) => {
    const key = `${JSON.stringify(k)}: `;
    return inner + key + formatJson(v, inner, key.length);
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

/** The generated file for `rows`, reused when its sidecar says it has this size, seed and generator. */
async function ensureFile(rows: number): Promise<GeneratedFile> {
  const path = join(OUT_DIR, `payments-${rows}-s${seed}.csv`);
  const metaPath = `${path}.meta.json`;
  if (existsSync(path) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as GeneratedFile;
    if (
      meta.rows === rows &&
      meta.seed === seed &&
      meta.generatorVersion === GENERATOR_VERSION &&
      statSync(path).size === meta.bytes
    ) {
      return { ...meta, path };
    }
  }
  process.stdout.write(
    `generating ${relative(REPO_ROOT, path)} (${rows.toLocaleString('en')} rows, seed ${seed}) ... `,
  );
  const started = performance.now();
  const file = await generateCsv(`${path}.tmp`, rows, seed);
  renameSync(`${path}.tmp`, path);
  const meta = { ...file, path };
  writeFileSync(metaPath, `${formatJson(meta)}\n`);
  console.log(`${mib(file.bytes).toFixed(0)} MiB in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return meta;
}

function runChild(mode: Mode, file: GeneratedFile, scale: number): Promise<RunResult> {
  const argv = ['--mode', mode, '--input', file.path, '--out', join(OUT_DIR, 'runs', `${mode}-${scale}x`)];
  argv.push('--threads', String(threads), '--temp-dir', join(OUT_DIR, 'tmp'));
  if (args['memory-limit']) argv.push('--memory-limit', args['memory-limit']);
  return new Promise((resolvePromise) => {
    let result: RunResult | undefined;
    const child = fork(RUN_ONE, argv, {
      cwd: REPO_ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (m) => {
      result = m as RunResult;
    });
    child.on('error', (err) => {
      result ??= { ok: false, mode, input: file.path, kind: 'error', message: err.message };
    });
    child.on('exit', (code, signal) => {
      resolvePromise(
        result ?? {
          ok: false,
          mode,
          input: file.path,
          kind: 'error',
          message: `run-one exited with ${signal ?? `code ${code}`} before reporting (out of memory?)`,
        },
      );
    });
  });
}

const mib = (bytes: number) => bytes / (1024 * 1024);

interface Best {
  mode: Mode;
  scale: number;
  rows: number;
  inputBytes: number;
  seconds: number;
  mbPerSecond: number;
  rowsPerSecond: number;
  peakRssMiB: number;
  rowsOut: number;
  outputBytes: number;
  runs: number;
}

mkdirSync(OUT_DIR, { recursive: true });
const files = new Map<number, GeneratedFile>();
for (const scale of scales) files.set(scale, await ensureFile(rows1x * scale));

type Tagged<T> = T & { scale: number; repeat: number };
const runs: Tagged<RunResult>[] = [];
const unavailable = new Map<Mode, string>();
const baselineSql: Partial<Record<Mode, unknown>> = {};
let protectSqlSource: unknown;
for (let r = 1; r <= repeat; r++) {
  for (const scale of scales) {
    const file = files.get(scale) as GeneratedFile;
    for (const mode of modes) {
      if (unavailable.has(mode)) continue;
      process.stdout.write(`[${r}/${repeat}] ${mode} ${scale}x ... `);
      const result = await runChild(mode, file, scale);
      if (result.ok) {
        if (result.detail.sql) {
          baselineSql[mode] ??= result.detail.sql;
          protectSqlSource ??= result.detail.protectSql;
          delete result.detail.sql;
        }
        console.log(
          `${result.seconds.toFixed(2)} s, ${mib(result.maxRssKiB * 1024).toFixed(0)} MiB peak RSS`,
        );
        if (result.rowsOut !== file.rows) {
          console.log(`  note: ${result.rowsOut} rows written of ${file.rows}`);
        }
      } else if (result.kind === 'unavailable') {
        console.log(`unavailable: ${result.message}`);
        unavailable.set(mode, result.message);
      } else {
        console.log(`FAILED\n${result.message}`);
      }
      runs.push({ ...result, scale, repeat: r });
    }
  }
}

const best: Best[] = [];
for (const scale of scales) {
  const file = files.get(scale) as GeneratedFile;
  for (const mode of modes) {
    const ok = runs.filter((x): x is Tagged<RunSuccess> => x.ok && x.mode === mode && x.scale === scale);
    if (ok.length === 0) continue;
    const seconds = Math.min(...ok.map((x) => x.seconds));
    const fastest = ok.find((x) => x.seconds === seconds) as RunSuccess;
    best.push({
      mode,
      scale,
      rows: file.rows,
      inputBytes: file.bytes,
      seconds,
      mbPerSecond: file.bytes / 1e6 / seconds,
      rowsPerSecond: file.rows / seconds,
      peakRssMiB: mib(Math.min(...ok.map((x) => x.maxRssKiB)) * 1024),
      rowsOut: fastest.rowsOut,
      outputBytes: fastest.outputBytes,
      runs: ok.length,
    });
  }
}
const find = (mode: Mode, scale: number) => best.find((b) => b.mode === mode && b.scale === scale);

interface Ratio {
  name: string;
  value: number | null;
  target: string;
  pass: boolean | null;
}
const ratios: Ratio[] = [];
for (const [mode, target] of TARGET_SPEED_RATIOS) {
  for (const scale of scales) {
    const engine = find('engine', scale);
    const baseline = find(mode, scale);
    const value = engine && baseline ? baseline.seconds / engine.seconds : null;
    ratios.push({
      name: `engine speed / ${mode} speed, ${scale}x`,
      value,
      target: `>= ${target}`,
      pass: value === null ? null : value >= target,
    });
  }
}
if (scales.includes(4)) {
  const e1 = find('engine', 1);
  const e4 = find('engine', 4);
  const value = e1 && e4 ? e4.peakRssMiB / e1.peakRssMiB : null;
  ratios.push({
    name: 'engine peak RSS, 4x / 1x',
    value,
    target: `<= ${TARGET_RSS_RATIO}`,
    pass: value === null ? null : value <= TARGET_RSS_RATIO,
  });
}

// The table.
const header = ['run', 'rows', 'input MB', 'seconds', 'MB/s', 'rows/s', 'peak RSS MiB'];
const table = best.map((b) => [
  `${b.mode} ${b.scale}x`,
  b.rows.toLocaleString('en'),
  (b.inputBytes / 1e6).toFixed(1),
  b.seconds.toFixed(2),
  b.mbPerSecond.toFixed(1),
  Math.round(b.rowsPerSecond).toLocaleString('en'),
  b.peakRssMiB.toFixed(0),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] as string).length)));
const line = (cells: string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
console.log('');
console.log(line(header));
for (const row of table) console.log(line(row));
for (const [mode, message] of unavailable) console.log(`${mode}: not run, ${message}`);
if (protectSqlSource) console.log(`baseline PII SQL from ${protectSqlSource}`);
console.log('');
for (const r of ratios) {
  const verdict = r.pass === null ? 'n/a' : r.pass ? 'ok' : 'MISSED';
  console.log(`${r.name}: ${r.value === null ? 'n/a' : r.value.toFixed(2)} (target ${r.target}) ${verdict}`);
}

// The CLI's start-up: `lake --help` and a local `SELECT 1` against `node -e 0` (bench/startup.ts).
startupBench();

// The stack at province scale: 50 departments x 20 datasets, synthesized (templates only, no asset
// bundling) and checked against CloudFormation's and IAM's limits. After the engine runs, so it cannot
// disturb them.
let synth: ScaleReport | null = null;
if (!args['skip-synth']) {
  process.stdout.write('\nsynthesizing the 1,000-dataset lake (50 departments x 20 datasets) ... ');
  synth = synthLargeConfig({ departments: 50, datasetsPerDepartment: 20 });
  const largest = [...synth.stacks].sort((a, b) => b.resources - a.resources)[0];
  console.log(
    `${synth.stacks.length} stacks, built in ${(synth.buildMs / 1000).toFixed(1)} s, synthesized in ${(synth.synthMs / 1000).toFixed(1)} s; largest ${largest?.name} with ${largest?.resources} resources (limit ${LIMITS.resources})`,
  );
  for (const p of synth.problems) console.log(`  over a limit: ${p}`);
  if (synth.problems.length > 0) process.exitCode = 1;
}

console.log('');
const xlsxMemory = await runXlsxMemoryBench();
const results = {
  generatedAt: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    totalMemoryMiB: Math.round(mib(totalmem())),
    platform: `${process.platform}-${process.arch}`,
    node: process.version,
    duckdb: duckdbVersion(),
  },
  options: {
    rows1x: rows1x,
    scales,
    repeat,
    seed,
    threads,
    memoryLimit: args['memory-limit'] ?? null,
    modes,
  },
  files: [...files.entries()].map(([scale, f]) => ({
    scale,
    file: relative(REPO_ROOT, f.path),
    rows: f.rows,
    bytes: f.bytes,
    seed: f.seed,
    generatorVersion: f.generatorVersion,
    countiesSource: f.countiesSource,
  })),
  best,
  ratios,
  unavailable: Object.fromEntries(unavailable),
  runs: runs.map((x) => ({ ...x, input: relative(REPO_ROOT, x.input) })),
  baselineProtectSql: protectSqlSource ?? null,
  xlsxMemory,
  baselineSql,
  synth: synth && {
    departments: synth.departments,
    datasets: synth.datasets,
    tables: synth.tables,
    stacks: synth.stacks.length,
    buildMs: synth.buildMs,
    synthMs: synth.synthMs,
    maxResources: Math.max(...synth.stacks.map((x) => x.resources)),
    resourceLimit: LIMITS.resources,
    problems: synth.problems,
  },
};
const resultsPath = join(OUT_DIR, 'results.json');
writeFileSync(resultsPath, `${formatJson(results)}\n`);
console.log(`\nwrote ${relative(REPO_ROOT, resultsPath)}`);
if (standard) {
  copyFileSync(resultsPath, join(BENCH_DIR, 'results.json'));
  console.log('wrote bench/results.json');
} else {
  console.log('bench/results.json left as is (only the default full run is copied there)');
}

const failed = runs.filter((x): x is Tagged<RunFailure> => !x.ok);
if (failed.length > 0) {
  console.error(
    `\n${failed.length} run(s) did not complete: ${[...new Set(failed.map((f) => `${f.mode}: ${f.kind === 'unavailable' ? f.message : 'error (see above)'}`))].join('; ')}`,
  );
  process.exitCode = 1;
} else if (args.check && ratios.some((r) => r.pass === false)) {
  console.error('\na target was missed (--check)');
  process.exitCode = 1;
}
