/**
 * `lake` as a user runs it: `node bin/lake.mjs` in its own process, with only the environment given (the
 * endpoint settings among it), so what is tested is what the SDK reads from a real environment.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../cdk/helpers.ts';
import type { Json } from './synth-lake.ts';

export interface LakeRun {
  code: number;
  stdout: string;
  stderr: string;
  json<T = Json>(): T;
}

export function runLake(
  args: readonly string[],
  opts: { cwd: string; env: Record<string, string> },
): { done: Promise<LakeRun>; exited: () => boolean } {
  let finished = false;
  const done = new Promise<LakeRun>((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin', 'lake.mjs'), ...args],
      { cwd: opts.cwd, env: opts.env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        finished = true;
        const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
        resolve({
          code: Number.isInteger(code) ? code : 1,
          stdout,
          stderr,
          json() {
            try {
              return JSON.parse(stdout);
            } catch {
              throw new Error(
                `lake ${args.join(' ')} printed no JSON (exit ${code}): ${stderr.slice(0, 2000)}`,
              );
            }
          },
        });
      },
    );
  });
  return { done, exited: () => finished };
}
