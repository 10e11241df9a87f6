/**
 * The real executable (bin/lake.mjs) in its own process: exit codes as a shell sees them, and `lake up`
 * serving a lake that another `lake` process then uses, until Ctrl-C.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestReport } from '../../src/engine/report.ts';
import { lake, ROOT, tempLakeDir } from './helpers.ts';

const BIN = join(ROOT, 'bin/lake.mjs');

function runBin(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
    });
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
  it('runs the CLI built to JavaScript, built again when a source file changed', async () => {
    // Inside the project, as the real cache: the build's npm packages resolve from its node_modules.
    const cache = join(ROOT, 'node_modules/.cache', `lake-cli-test-${process.pid}`);
    const env = { LAKE_CLI_CACHE: cache };
    const current = join(cache, 'current.json');
    const read = () =>
      JSON.parse(readFileSync(current, 'utf8')) as { entry: string; inputs: Record<string, number[]> };

    // Arrange: no build yet.
    const first = await runBin(['--help'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Usage: lake <command> [options]');
    const built = read();
    expect(built.entry.startsWith(cache)).toBe(true);
    expect(Object.keys(built.inputs)).toContain(join(ROOT, 'src/cli/run.ts'));

    // Unchanged sources: the same build.
    await runBin(['--help'], env);
    expect(read().entry).toBe(built.entry);

    // A source file that changed (as its recorded size says): a new build.
    const run = join(ROOT, 'src/cli/run.ts');
    writeFileSync(current, JSON.stringify({ ...built, inputs: { ...built.inputs, [run]: [0, 0] } }));
    const again = await runBin(['--help'], env);
    expect(again.code).toBe(0);
    expect(read().entry).not.toBe(built.entry);

    // What runs is the build that current.json names.
    const fake = join(cache, 'fake.mjs');
    writeFileSync(fake, "process.stdout.write('the build ran\\n');\n");
    writeFileSync(current, JSON.stringify({ entry: fake, inputs: {} }));
    expect((await runBin(['--help'], env)).stdout).toBe('the build ran\n');
    rmSync(cache, { recursive: true, force: true });
  });

  it('answers --help without loading any npm package: not DuckDB, the AWS SDK nor zod', async () => {
    const hooks = join(dir, 'hooks.mjs');
    const loaded = join(dir, 'loaded.txt');
    writeFileSync(
      hooks,
      `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { if (!/^(\\.|node:|file:)/.test(s)) process.stderr.write("package " + s + "\\n"); const r = await next(s, c); appendFileSync(${JSON.stringify(loaded)}, r.url + "\\n"); return r; }\n`,
    );
    const register = join(dir, 'register.mjs');
    writeFileSync(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    await runBin(['--help']); // the build, when a source file changed
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', pathToFileURL(register).href, BIN, '--help'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH },
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    // Nor any package built into the chunks (scripts/build-cli.mjs BUNDLED: DuckDB's API, yaml, zod).
    const chunks = readFileSync(loaded, 'utf8')
      .split('\n')
      .filter((u) => u.endsWith('.mjs') && u.includes('lake-cli'));
    expect(chunks.length).toBeGreaterThan(0);
    for (const url of chunks) expect(readFileSync(new URL(url), 'utf8')).not.toMatch(/^\/\/ node_modules\//m);
  });

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
