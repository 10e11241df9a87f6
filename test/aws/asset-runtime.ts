/**
 * The transformer's synthesized asset directory run with plain node, as Lambda's Node.js runtime would: one
 * long-lived process (a warm execution environment: module-scope set-up once), its cwd the asset directory,
 * DuckDB from the asset's own node_modules. Each invocation is one line of JSON in on stdin; the handler's
 * answer comes back on file descriptor 3, apart from its logs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export class AssetRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssetRuntimeError';
  }
}

const RUNTIME = `
import { createInterface } from 'node:readline';
import { writeSync } from 'node:fs';
const { handler } = await import('./index.mjs');
for await (const line of createInterface({ input: process.stdin })) {
  let answer;
  try {
    answer = { ok: await handler(JSON.parse(line)) };
  } catch (e) {
    answer = { error: String(e && e.stack || e) };
  }
  writeSync(3, JSON.stringify(answer) + '\\n');
}
`;

export interface AssetRuntime {
  invoke(event: unknown): Promise<unknown>;
  /** The runtime's output so far (the handler's logs), for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

export function startAssetRuntime(assetDir: string, env: Record<string, string>): AssetRuntime {
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', RUNTIME], {
    cwd: assetDir,
    env,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  const keep = (c: Buffer) => {
    output = (output + c.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const answers = createInterface({ input: child.stdio[3] as Readable });
  const waiting: { resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  answers.on('line', (line) => {
    const next = waiting.shift();
    const answer = JSON.parse(line) as { ok?: unknown; error?: string };
    if (answer.error) next?.reject(new AssetRuntimeError(`the handler threw: ${answer.error}`));
    else next?.resolve(answer.ok);
  });
  child.on('exit', (code) => {
    for (const w of waiting.splice(0))
      w.reject(new AssetRuntimeError(`the asset's runtime exited (${code}): ${output.slice(-4000)}`));
  });
  return {
    invoke(event) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin?.write(`${JSON.stringify(event)}\n`);
      });
    },
    logs: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin?.end();
      await exited;
    },
  };
}
