/** The local lake at run time: in process, served by `lake up`, attached to, and what is left behind. */
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDatasets } from '../../src/contracts/index.ts';
import { localS3Client } from '../../src/ingest/local-s3.ts';
import {
  ensureLakeDirs,
  lakePaths,
  loadOrCreateHashKey,
  readServerInfo,
  writeServerInfo,
} from '../../src/local/lake-dir.ts';
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

  it('keeps the lake private to the user: folders 0700, files 0600, also a lake made before', async () => {
    // Prepare: a lake directory another tool created readable by all.
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    const lake = await LocalLake.open({ lakeDir: dir, contracts });

    // Act: an upload processed, the catalog synced, the lake served (server.json).
    try {
      await lake.s3.send(
        new PutObjectCommand({ Bucket: lake.buckets.landing, Key: KEY, Body: await readFile(DIVISIONS) }),
      );
      await lake.waitForReport(REF, await lake.uploadIdOf(KEY), { timeoutMs: 30_000 });
      await lake.syncCatalog(contracts);
    } finally {
      await lake.close();
    }
    const served = await LocalLake.open({ lakeDir: dir, contracts, serve: true, port: 0 });

    // Assess
    try {
      const entries = readdirSync(dir, { recursive: true }) as string[];
      expect(entries).toContain('server.json');
      expect(entries).toContain('catalog.duckdb');
      expect(entries.some((e) => e.endsWith('.parquet'))).toBe(true);
      const wrong = ['.', ...entries]
        .map((e) => ({ path: e, stat: statSync(join(dir, e)) }))
        .filter(({ stat }) => (stat.mode & 0o777) !== (stat.isDirectory() ? 0o700 : 0o600))
        .map(({ path, stat }) => `${path} ${(stat.mode & 0o777).toString(8)}`);
      expect(wrong).toEqual([]);
    } finally {
      await served.close();
    }
  });

  it('writes server.json whole, by renaming a complete file into place, owner-only', () => {
    // A reader opens the old file or the new one, never one being written: each write is a new file (inode).
    const paths = lakePaths(dir);
    ensureLakeDirs(paths);
    const info = { pid: process.pid, endpoint: 'http://127.0.0.1:9', startedAt: '2026-12-01T00:00:00Z' };
    writeServerInfo(paths, info);
    const before = statSync(paths.server);
    writeServerInfo(paths, { ...info, endpoint: 'http://127.0.0.1:10' });
    const after = statSync(paths.server);

    expect(after.ino).not.toBe(before.ino);
    expect(after.mode & 0o777).toBe(0o600);
    expect(readServerInfo(paths)?.endpoint).toBe('http://127.0.0.1:10');
    expect(readdirSync(dir).filter((e) => e.endsWith('.tmp'))).toEqual([]);
  });
});
