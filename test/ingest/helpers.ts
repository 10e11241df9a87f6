/** Shared helpers of the ingestion tests: a local S3, contracts, clients that record or fail requests. */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { type DatasetContract, datasetSchema } from '../../src/contracts/schema.ts';
import { type LocalS3, startLocalS3 } from '../../src/ingest/local-s3.ts';
import type { ProcessUploadDeps } from '../../src/ingest/types.ts';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const HASH_KEY = Buffer.from('a3f1'.repeat(16), 'hex');

/** The clinics contract the fixture CSV is written for. */
export function clinicsContract(extra: Record<string, unknown> = {}): DatasetContract {
  return datasetSchema.parse({
    department: 'health',
    name: 'clinics',
    title: 'Licensed clinics',
    mode: 'replace',
    primaryKey: ['clinic_id'],
    maxRejectedRatio: 0.5,
    fields: [
      { name: 'clinic_id', constraints: { required: true, pattern: '^GZ[0-9]{6}$' } },
      { name: 'clinic_name', headers: ['诊所名称'] },
      { name: 'beds', type: 'integer', constraints: { minimum: 0 } },
      { name: 'opened_on', type: 'date', formats: ['%Y-%m-%d', '%Y/%m/%d', '%Y年%m月%d日'] },
      { name: 'owner_name', pii: 'person_name', protect: 'hash' },
    ],
    ...extra,
  });
}

export function contractsOf(...contracts: DatasetContract[]): Map<string, DatasetContract> {
  return new Map(contracts.map((c) => [`${c.department}/${c.name}`, c]));
}

export interface TestLake {
  s3: LocalS3;
  dir: string;
  stop(): Promise<void>;
}

export async function startTestLake(): Promise<TestLake> {
  const dir = await mkdtemp(join(tmpdir(), 'lake-s3-test-'));
  const s3 = await startLocalS3({ dir });
  return {
    s3,
    dir,
    async stop() {
      await s3.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function depsFor(
  lake: TestLake,
  s3: S3Client,
  extra: Partial<ProcessUploadDeps> = {},
): ProcessUploadDeps {
  return {
    s3,
    buckets: lake.s3.buckets,
    contracts: contractsOf(clinicsContract()),
    hashKey: HASH_KEY,
    ...extra,
  };
}

/** A request seen by a client: the command's name and its Bucket/Key. */
export interface SeenRequest {
  command: string;
  bucket?: string;
  key?: string;
}

/**
 * A client of the local S3 that records every request and, when `fail` says so, throws instead of sending
 * it (the crash injected in the middle of an upload).
 */
export function instrumentedClient(
  lake: TestLake,
  fail?: (request: SeenRequest) => boolean,
): { client: S3Client; seen: SeenRequest[] } {
  const client = lake.s3.client();
  const seen: SeenRequest[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Bucket?: string; Key?: string };
      const request = { command: context.commandName ?? '?', bucket: input.Bucket, key: input.Key };
      seen.push(request);
      if (fail?.(request)) throw new Error(`injected failure of ${request.command} ${request.key}`);
      return next(args);
    },
    { step: 'initialize', name: 'recordRequests' },
  );
  return { client, seen };
}

/** Commands that write. */
export const WRITES = new Set([
  'PutObjectCommand',
  'CopyObjectCommand',
  'CreateMultipartUploadCommand',
  'UploadPartCommand',
  'CompleteMultipartUploadCommand',
  'DeleteObjectCommand',
]);

export async function putFile(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Buffer | string,
): Promise<{ etag: string; lastModified: Date }> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return { etag: head.ETag ?? '', lastModified: head.LastModified ?? new Date(0) };
}

export async function getBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(
    await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Every object of a bucket under a prefix: key -> ETag and LastModified. */
export async function snapshot(
  s3: S3Client,
  bucket: string,
  prefix = '',
): Promise<Map<string, { etag?: string; lastModified?: number; size?: number }>> {
  const out = new Map<string, { etag?: string; lastModified?: number; size?: number }>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key) out.set(o.Key, { etag: o.ETag, lastModified: o.LastModified?.getTime(), size: o.Size });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** A Parquet object downloaded and read back with DuckDB, in source-line order, values as JSON. */
export async function readParquetObject(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ rows: Record<string, unknown>[]; types: Record<string, string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lake-parquet-'));
  const path = join(dir, 'file.parquet');
  await writeFile(path, await getBytes(s3, bucket, key));
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const src = `read_parquet('${path.replaceAll("'", "''")}')`;
    const r = await c.runAndReadAll(`SELECT * FROM ${src} ORDER BY _source_line`);
    const d = await c.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`);
    return {
      rows: r.getRowObjectsJson() as Record<string, unknown>[],
      types: Object.fromEntries(d.getRows().map((x) => [String(x[0]), String(x[1])])),
    };
  } finally {
    c.closeSync();
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

export const fixture = (name: string): Promise<Buffer> => readFile(join(FIXTURES, name));

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
