/** Shared helpers of the open-data tests: a local lake with an open zone, and independent readers of its files. */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadDatasets } from '../../src/contracts/load-datasets.ts';
import type { DatasetContract } from '../../src/contracts/schema.ts';
import { processUpload } from '../../src/ingest/process-upload.ts';
import type { LakeBuckets, ProcessResult } from '../../src/ingest/types.ts';
import { landingKey } from '../../src/lake/layout.ts';
import { HASH_KEY, putFile, type TestLake } from '../ingest/helpers.ts';

export const REPO = join(import.meta.dirname, '..', '..');
export const CONTRACTS = loadDatasets(join(REPO, 'datasets'));
export const PUBLISHERS = new Map([
  ['statistics', '贵州省统计局 (Provincial Bureau of Statistics)'],
  ['transport', '贵州省交通运输厅 (Provincial Department of Transport)'],
]);

export interface OpenLake {
  lake: TestLake;
  openDir: string;
  buckets: LakeBuckets;
  stop(): Promise<void>;
}

export async function withOpenZone(lake: TestLake): Promise<OpenLake> {
  const openDir = await mkdtemp(join(tmpdir(), 'lake-open-test-'));
  return {
    lake,
    openDir,
    buckets: { ...lake.s3.buckets, open: { dir: openDir, baseUrl: 'https://open.example.test/open/' } },
    async stop() {
      await lake.stop();
      await rm(openDir, { recursive: true, force: true });
    },
  };
}

/** Uploads a file to a dataset's landing prefix and processes it as the transformer would. */
export async function upload(
  open: OpenLake,
  contracts: ReadonlyMap<string, DatasetContract>,
  ref: { department: string; dataset: string },
  name: string,
  body: Buffer | string,
): Promise<ProcessResult> {
  const s3 = open.lake.s3.client();
  const key = landingKey(ref, name);
  await putFile(s3, open.buckets.landing, key, body);
  return processUpload(
    { s3, buckets: open.buckets, contracts, hashKey: HASH_KEY, publishers: PUBLISHERS },
    { bucket: open.buckets.landing, key },
  );
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Rows of a query in a fresh DuckDB (an independent reader of the open files). */
export async function duck(sql: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowsJS();
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

export const example = (path: string): Promise<Buffer> => readFile(join(REPO, 'examples', path));
