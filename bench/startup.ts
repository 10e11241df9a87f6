/**
 * Start-up figures of the `lake` CLI, whole processes as a person runs them: `lake --help`, and a local
 * `lake query "SELECT 1"` on a lake whose catalog is in sync (the fast path: no S3 endpoint started),
 * each the median wall time of several runs. The baseline is a bare Node process (`node -e 0`): the same
 * process start and nothing more, so the ratios measure what the CLI adds. Targets: --help within
 * 0.2 s, the query within 0.6 s.
 *
 *   node --import tsx bench/startup.ts [--runs 7]     (also run by `npm run bench`)
 *
 * Writes bench/out/startup.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const LAKE = join(ROOT, 'bin', 'lake.mjs');
/** Runs of each command; the median is reported. */
const DEFAULT_RUNS = 7;
/** The longest each may take, in seconds (median wall time). */
const TARGETS = { help: 0.2, query: 0.6 } as const;
/** A small example file, ingested once so that the catalog has a table and is in sync. */
const EXAMPLE = {
  file: 'examples/statistics/divisions/divisions-guizhou-2024.csv',
  dataset: 'statistics/divisions',
};

export interface StartupFigures {
  runs: number;
  /** Median seconds of each command. */
  medians: { node: number; help: number; query: number };
  ratios: { help: number; query: number };
  targets: typeof TARGETS;
  pass: { help: boolean; query: boolean };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs `node <args>` in the repository, once; throws when it fails. Returns its wall time in seconds. */
function timed(args: readonly string[]): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return seconds;
}

/** Measures the start-up figures and prints them with their ratios and targets. */
export function startupBench(runs = DEFAULT_RUNS): StartupFigures {
  console.log(`\nstart-up of the lake CLI (median of ${runs} runs, whole processes)`);
  const lakeDir = mkdtempSync(join(tmpdir(), 'lake-startup-'));
  try {
    // Prepare: a lake with one table, its catalog synced by a first query (and the CLI built if stale).
    timed([LAKE, 'ingest', EXAMPLE.file, '--dataset', EXAMPLE.dataset, '--lake-dir', lakeDir]);
    timed([LAKE, 'query', 'SELECT count(*) FROM statistics.divisions', '--lake-dir', lakeDir]);
    const commands = {
      node: ['-e', '0'],
      help: [LAKE, '--help'],
      query: [LAKE, 'query', 'SELECT 1', '--lake-dir', lakeDir],
    } as const;
    const times: Record<keyof typeof commands, number[]> = { node: [], help: [], query: [] };
    // Alternated, so that a slower moment of the machine weighs on each alike.
    for (let i = 0; i < runs; i++) {
      for (const [name, args] of Object.entries(commands))
        times[name as keyof typeof commands].push(timed(args));
    }
    const medians = { node: median(times.node), help: median(times.help), query: median(times.query) };
    const figures: StartupFigures = {
      runs,
      medians,
      ratios: { help: medians.help / medians.node, query: medians.query / medians.node },
      targets: TARGETS,
      pass: { help: medians.help <= TARGETS.help, query: medians.query <= TARGETS.query },
    };
    const show = (label: string, s: number, ratio?: number, target?: number, pass?: boolean) =>
      console.log(
        `  ${label.padEnd(26)} ${s.toFixed(3)} s${ratio === undefined ? '' : `  ${ratio.toFixed(1)}x node -e 0  (target <= ${target} s) ${pass ? 'ok' : 'MISSED'}`}`,
      );
    show('node -e 0 (baseline)', medians.node);
    show('lake --help', medians.help, figures.ratios.help, TARGETS.help, figures.pass.help);
    show('lake query "SELECT 1"', medians.query, figures.ratios.query, TARGETS.query, figures.pass.query);
    const out = join(ROOT, 'bench', 'out');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'startup.json'),
      `${JSON.stringify({ measuredAt: new Date().toISOString(), ...figures, times }, null, 2)}\n`,
    );
    return figures;
  } finally {
    rmSync(lakeDir, { recursive: true, force: true });
  }
}

// Run on its own: node --import tsx bench/startup.ts [--runs 7]
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: String(DEFAULT_RUNS) } } });
  const figures = startupBench(Number(values.runs));
  if (!figures.pass.help || !figures.pass.query) process.exitCode = 1;
}
