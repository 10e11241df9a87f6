/**
 * The real executable (bin/lake.mjs) in its own process: exit codes as a shell sees them, and `lake up`
 * serving a lake that another `lake` process then uses, until Ctrl-C.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestReport } from '../../src/engine/report.ts';
import { lake, ROOT, tempLakeDir } from './helpers.ts';

const BIN = join(ROOT, 'bin/lake.mjs');

function runBin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
});
afterAll(async () => {
  await remove();
});

describe('bin/lake.mjs', () => {
  it('exits non-zero with the error on stderr, and nothing else there', async () => {
    const r = await runBin(['query', 'SELEC 1', '--json', '--lake-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { code: 'query_failed' } });
  });

  it('serves the lake with `lake up` until interrupted; other lake commands use it', async () => {
    let child: ChildProcess | undefined;
    try {
      child = spawn(process.execPath, [BIN, 'up', '--port', '0', '--json', '--lake-dir', dir], {
        cwd: ROOT,
        env: { PATH: process.env.PATH },
      });
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
      const up = JSON.parse((await lines.next()).value as string);
      expect(up).toMatchObject({
        event: 'up',
        endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        buckets: { landing: 'lake-landing' },
      });
      expect(existsSync(join(dir, 'server.json'))).toBe(true);

      const ingested = await lake([
        'ingest',
        'examples/statistics/divisions/divisions-guizhou-2024.csv',
        '--dataset',
        'statistics/divisions',
        '--json',
        '--lake-dir',
        dir,
      ]);
      expect(ingested.code).toBe(0);
      const report = ingested.json<IngestReport>();
      // The report came from the served lake: it says so on its stdout.
      const processed = JSON.parse((await lines.next()).value as string);
      expect(processed).toMatchObject({ event: 'processed', uploadId: report.uploadId, status: 'accepted' });

      const exited = new Promise<number | null>((resolve) => child?.on('close', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(existsSync(join(dir, 'server.json'))).toBe(false);
    } finally {
      if (child && child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
