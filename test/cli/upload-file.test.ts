/** A large upload: multipart, progress as parts go out, and the lake ingests it like any other. */
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgress, type ProgressReporter } from '../../src/cli/progress.ts';
import { uploadFile } from '../../src/cli/upload-file.ts';
import { loadDatasets } from '../../src/contracts/index.ts';
import { localS3Client } from '../../src/ingest/local-s3.ts';
import { LocalLake } from '../../src/local/local-lake.ts';
import { EXAMPLES, ROOT, tempLakeDir } from './helpers.ts';

const MIB = 1024 * 1024;

let dir: string;
let remove: () => Promise<void>;
let lake: LocalLake;
let big: string;
let rows = 0;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  lake = await LocalLake.open({
    lakeDir: join(dir, 'lake'),
    contracts: loadDatasets(join(ROOT, 'datasets')),
  });
  // The divisions file repeated with distinct codes until it passes 11 MiB: three 5 MiB parts.
  const text = await readFile(join(EXAMPLES, 'statistics/divisions/divisions-guizhou-2024.csv'), 'utf8');
  const [header, ...lines] = text
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n');
  const out = [header];
  let size = header.length;
  for (let n = 0; size < 11 * MIB; n++) {
    const line = `529${String(n).padStart(6, '0')},某街道${n},乡,5201`;
    out.push(line);
    size += Buffer.byteLength(line) + 2;
  }
  out.push(...lines);
  rows = out.length - 1;
  big = join(dir, 'divisions-big.csv');
  writeFileSync(big, `${out.join('\r\n')}\r\n`);
});
afterAll(async () => {
  await lake.close();
  await remove();
});

describe('uploadFile', () => {
  it('uploads in parts, reports progress, and the lake ingests the whole file', async () => {
    // Prepare
    const seen: [number, number | undefined][] = [];
    const progress: ProgressReporter = { update: (d, t) => seen.push([d, t]), phase() {}, done() {} };
    const key = 'landing/statistics/divisions/big.csv';

    const client = localS3Client(lake.endpoint);
    const commands: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize' },
    );

    // Act
    const object = await uploadFile(client, { bucket: lake.buckets.landing, key }, big, progress, {
      partBytes: 5 * MIB,
    });
    client.destroy();
    const report = await lake.waitForReport(
      { department: 'statistics', dataset: 'divisions' },
      await lake.uploadIdOf(key),
      {
        timeoutMs: 120_000,
      },
    );

    // Assess
    expect(commands.sort()).toEqual([
      'CompleteMultipartUploadCommand',
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
    ]);
    const total = object.bytes;
    expect(seen[0]).toEqual([0, total]);
    expect(seen.at(-1)).toEqual([total, total]);
    const done = seen.map(([d]) => d);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(new Set(done).size).toBeGreaterThanOrEqual(4);
    expect(report).toMatchObject({ status: 'accepted', rows: { total: rows, accepted: rows } });
  });
});

describe('createProgress', () => {
  it('draws a bar in place on a terminal, and nothing elsewhere', () => {
    const frames: string[] = [];
    const tty = createProgress(
      { write: (s: string) => frames.push(s), isTTY: true, columns: 80 },
      { enabled: true, bytes: true, label: 'uploading x.csv' },
    );
    tty.update(5 * MIB, 10 * MIB);
    tty.update(10 * MIB, 10 * MIB);
    tty.done();
    expect(frames[0]).toBe(
      `\r\u001b[2Kuploading x.csv [${'█'.repeat(12)}${'░'.repeat(12)}]  50% 5.0 MiB/10.0 MiB`,
    );
    expect(frames[1]).toMatch(/100% 10\.0 MiB\/10\.0 MiB$/);
    expect(frames.at(-1)).toBe('\r\u001b[2K');

    const none: string[] = [];
    const pipe = createProgress({ write: (s: string) => none.push(s), isTTY: false }, { enabled: true });
    pipe.update(1, 2);
    pipe.done();
    const json = createProgress({ write: (s: string) => none.push(s), isTTY: true }, { enabled: false });
    json.update(1, 2);
    expect(none).toEqual([]);
  });
});
