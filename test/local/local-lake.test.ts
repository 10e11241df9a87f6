/** The local lake at run time: in process, served by `lake up`, attached to, and what is left behind. */
import { existsSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDatasets } from '../../src/contracts/index.ts';
import { localS3Client } from '../../src/ingest/local-s3.ts';
import { lakePaths, loadOrCreateHashKey, readServerInfo } from '../../src/local/lake-dir.ts';
import { LakeBusyError, LocalLake } from '../../src/local/local-lake.ts';
import { EXAMPLES, ROOT, tempLakeDir } from '../cli/helpers.ts';

const contracts = loadDatasets(join(ROOT, 'datasets'));
const DIVISIONS = join(EXAMPLES, 'statistics/divisions/divisions-guizhou-2024.csv');
const KEY = 'landing/statistics/divisions/divisions.csv';
const REF = { department: 'statistics', dataset: 'divisions' };

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ dir, remove } = await tempLakeDir());
});
afterEach(async () => {
  await remove();
});

describe('LocalLake', () => {
  it('in process: an object put by any S3 client is processed, and close waits for it', async () => {
    // Prepare
    const lake = await LocalLake.open({ lakeDir: dir, contracts });
    expect(lake.inProcess).toBe(true);

    // Act
    await lake.s3.send(
      new PutObjectCommand({ Bucket: lake.buckets.landing, Key: KEY, Body: await readFile(DIVISIONS) }),
    );
    const uploadId = await lake.uploadIdOf(KEY);
    await lake.close();

    // Assess: the report is there for the next process that opens the lake.
    const again = await LocalLake.open({ lakeDir: dir, contracts });
    try {
      const report = await again.readReport(REF, uploadId);
      expect(report).toMatchObject({ status: 'accepted', rows: { total: 244, accepted: 244 } });
    } finally {
      await again.close();
    }
  });

  it('served: other processes attach to it, and it processes what they upload', async () => {
    // Prepare
    const served = await LocalLake.open({ lakeDir: dir, contracts, serve: true, port: 0 });
    const paths = lakePaths(dir);
    expect(readServerInfo(paths)).toMatchObject({ pid: process.pid, endpoint: served.endpoint });
    const attached = await LocalLake.open({ lakeDir: dir, contracts });
    const client = localS3Client(served.endpoint);

    try {
      // Act
      expect(attached.inProcess).toBe(false);
      expect(attached.endpoint).toBe(served.endpoint);
      await client.send(
        new PutObjectCommand({ Bucket: served.buckets.landing, Key: KEY, Body: await readFile(DIVISIONS) }),
      );
      const report = await attached.waitForReport(REF, await attached.uploadIdOf(KEY), { timeoutMs: 30_000 });

      // Assess
      expect(report.status).toBe('accepted');
      await expect(LocalLake.open({ lakeDir: dir, contracts, serve: true, port: 0 })).rejects.toThrow(
        LakeBusyError,
      );
    } finally {
      client.destroy();
      await attached.close();
      await served.close();
    }
    expect(existsSync(paths.server)).toBe(false);
  });

  it('ignores a server.json left by a process that is gone', async () => {
    const paths = lakePaths(dir);
    const lake0 = await LocalLake.open({ lakeDir: dir, contracts });
    await lake0.close();
    writeFileSync(
      paths.server,
      JSON.stringify({ version: 1, pid: 2 ** 22 + 12345, endpoint: 'http://127.0.0.1:1', startedAt: '' }),
    );
    const lake = await LocalLake.open({ lakeDir: dir, contracts });
    try {
      expect(lake.inProcess).toBe(true);
      expect(existsSync(paths.server)).toBe(false);
    } finally {
      await lake.close();
    }
  });

  it('keeps its hash key: created once, owner-only, 32 bytes', async () => {
    const paths = lakePaths(dir);
    const key = loadOrCreateHashKey(paths);
    expect(key).toHaveLength(32);
    expect(loadOrCreateHashKey(paths).equals(key)).toBe(true);
    const { statSync } = await import('node:fs');
    expect(statSync(paths.hashKey).mode & 0o777).toBe(0o600);
  });
});
