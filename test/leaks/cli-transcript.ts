/**
 * `lake` commands run in process (test/cli/helpers.ts), each with everything it printed kept: its stdout
 * and stderr, and whatever reached this process's console or standard streams while it ran (a log line of
 * the engine or the local lake would land there).
 */
import { format } from 'node:util';
import { type Captured, lake, type RunOptions } from '../cli/helpers.ts';
import type { Haystack } from './hunt.ts';

export interface Transcript {
  /** The command line, as the findings name it. */
  readonly call: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Console and process stream output during the call. */
  readonly logged: string;
  readonly captured: Captured;
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** Runs fn with console and process.stdout/stderr recorded (and still written, unless passThrough is false). */
export async function recordingProcessOutput<T>(
  fn: () => Promise<T>,
  { passThrough = true } = {},
): Promise<{ result: T; logged: string }> {
  const chunks: string[] = [];
  const savedConsole = CONSOLE_METHODS.map((m) => console[m]);
  const savedOut = process.stdout.write;
  const savedErr = process.stderr.write;
  for (const m of CONSOLE_METHODS) {
    const original = console[m];
    console[m] = (...args: unknown[]) => {
      chunks.push(`${format(...args)}\n`);
      if (passThrough) original.apply(console, args);
    };
  }
  const tap = (original: typeof process.stdout.write) =>
    function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return passThrough ? (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest) : true;
    } as typeof process.stdout.write;
  process.stdout.write = tap(savedOut);
  process.stderr.write = tap(savedErr);
  try {
    return { result: await fn(), logged: chunks.join('') };
  } finally {
    CONSOLE_METHODS.forEach((m, i) => {
      console[m] = savedConsole[i];
    });
    process.stdout.write = savedOut;
    process.stderr.write = savedErr;
  }
}

/** Every command run, in order. */
export class Transcripts {
  readonly all: Transcript[] = [];

  constructor(private readonly opts: RunOptions = {}) {}

  /** Runs `lake <args> <globals>`; the transcript names the call by its args (the globals are temp paths). */
  async run(args: readonly string[], globals: readonly string[]): Promise<Transcript> {
    const { result, logged } = await recordingProcessOutput(() => lake([...args, ...globals], this.opts));
    const t: Transcript = {
      call: `lake ${args.join(' ')}`,
      code: result.code,
      stdout: result.stdout,
      stderr: result.stderr,
      logged,
      captured: result,
    };
    this.all.push(t);
    return t;
  }

  haystacks(): Haystack[] {
    return this.all.flatMap((t) => [
      { where: `${t.call}: stdout`, text: t.stdout },
      { where: `${t.call}: stderr`, text: t.stderr },
      { where: `${t.call}: console and process output`, text: t.logged },
    ]);
  }
}
