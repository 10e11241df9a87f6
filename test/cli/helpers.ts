/** Shared helpers of the CLI tests: run `lake` in process with captured streams, in a temporary lake. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { RunHooks } from '../../src/cli/context.ts';
import type { Io } from '../../src/cli/output.ts';
import { run } from '../../src/cli/run.ts';

/** The repository root: the CLI runs there, with its datasets/, departments.yaml and examples/. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const EXAMPLES = join(ROOT, 'examples');

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON. */
  json<T = Record<string, unknown>>(): T;
  /** stderr's JSON error document (with --json). */
  error(): { code: string; message: string; hint?: string };
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  tty?: boolean;
  signal?: AbortSignal;
  hooks?: RunHooks;
  /** What the command reads on its standard input (lake sql): all at once, or chunk by chunk. */
  stdin?: string | AsyncIterable<string>;
  /** Called with each piece of standard output as the command writes it. */
  onStdout?: (text: string) => void;
}

function sink(tty: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { write: (s: string) => chunks.push(s), isTTY: tty, columns: 120 } };
}

/** Runs `lake <args>` in this process. */
export async function lake(args: readonly string[], opts: RunOptions = {}): Promise<Captured> {
  const out = sink(opts.tty ?? false);
  const err = sink(opts.tty ?? false);
  const io: Io = {
    stdin:
      opts.stdin === undefined
        ? undefined
        : Readable.from(typeof opts.stdin === 'string' ? [opts.stdin] : opts.stdin),
    stdout: opts.onStdout
      ? {
          ...out.stream,
          write: (s: string) => {
            opts.onStdout?.(s);
            return out.stream.write(s);
          },
        }
      : out.stream,
    stderr: err.stream,
    env: { PATH: process.env.PATH, ...opts.env },
    cwd: opts.cwd ?? ROOT,
    signal: opts.signal,
  };
  const code = await run(args, io, opts.hooks);
  const stdout = out.chunks.join('');
  const stderr = err.chunks.join('');
  return {
    code,
    stdout,
    stderr,
    json<T>() {
      try {
        return JSON.parse(stdout) as T;
      } catch {
        throw new Error(`stdout is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`);
      }
    },
    error() {
      return (
        JSON.parse(stderr.trim().split('\n').pop() ?? '{}') as {
          error: { code: string; message: string; hint?: string };
        }
      ).error;
    },
  };
}

/** A new, empty lake directory, removed by the returned function. */
export async function tempLakeDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lake-cli-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The example files, as `lake demo` finds them: path relative to the root and dataset. */
export const EXAMPLE_FILES = [
  { file: 'examples/statistics/divisions/divisions-guizhou-2024.csv', dataset: 'statistics/divisions' },
  { file: 'examples/health/clinics/clinics-2026-11.csv', dataset: 'health/clinics' },
  { file: 'examples/education/schools/schools-2026.xlsx', dataset: 'education/schools' },
  { file: 'examples/transport/bus_stops/bus-stops-guiyang-2026-11.csv', dataset: 'transport/bus_stops' },
  {
    file: 'examples/civil_affairs/assistance_payments/assistance-payments-2026-09.csv',
    dataset: 'civil_affairs/assistance_payments',
  },
  {
    file: 'examples/civil_affairs/assistance_payments/assistance-payments-2026-10.csv',
    dataset: 'civil_affairs/assistance_payments',
  },
] as const;
