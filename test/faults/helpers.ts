/** Shared pieces of the fault tests: generated uploads, a client through the proxy, the SQS-fed handler. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { SQSBatchResponse } from 'aws-lambda';
import { type HandlerDeps, handleEvent } from '../../lambdas/transformer/handle-event.ts';
import { type DatasetContract, datasetSchema } from '../../src/contracts/schema.ts';
import { localS3Client } from '../../src/ingest/local-s3.ts';
import { normalizeEtag } from '../../src/ingest/s3-objects.ts';
import { uploadIdOf } from '../../src/lake/layout.ts';
import {
  clinicsContract,
  contractsOf,
  getBytes,
  HASH_KEY,
  snapshot,
  type TestLake,
} from '../ingest/helpers.ts';
import { mulberry32 } from '../support/random.ts';

/** An append dataset beside the clinics (replace) one. */
export function enrolmentsContract(): DatasetContract {
  return datasetSchema.parse({
    department: 'education',
    name: 'enrolments',
    title: 'School enrolments',
    mode: 'append',
    maxRejectedRatio: 0.5,
    fields: [
      { name: 'school_id', constraints: { required: true, pattern: '^S[0-9]{5}$' } },
      { name: 'school_name' },
      { name: 'pupils', type: 'integer', constraints: { minimum: 0 } },
      { name: 'counted_on', type: 'date', formats: ['%Y-%m-%d'] },
    ],
  });
}

export const FAULT_CONTRACTS = contractsOf(clinicsContract(), enrolmentsContract());

/** A generated upload: its landing key, its bytes and the rows it holds. */
export interface GeneratedFile {
  key: string;
  body: string;
  rows: number;
  /** Rows that break a constraint. */
  bad: number;
}

/**
 * Small CSV files alternating between the two datasets, 1 to 25 rows each; most have a few bad rows, one in
 * ten is mostly bad (more than maxRejectedRatio: the whole file goes to quarantine).
 */
export function generateFiles(count: number, seed: number, prefix = 'batch'): GeneratedFile[] {
  const random = mulberry32(seed);
  const files: GeneratedFile[] = [];
  for (let i = 0; i < count; i++) {
    const rows = 1 + Math.floor(random() * 25);
    const badShare = random() < 0.1 ? 0.7 : 0.12;
    const lines: string[] = [];
    let bad = 0;
    const clinics = i % 2 === 0;
    lines.push(
      clinics ? 'clinic_id,诊所名称,beds,opened_on,owner_name' : 'school_id,school_name,pupils,counted_on',
    );
    for (let r = 0; r < rows; r++) {
      const isBad = random() < badShare;
      if (isBad) bad++;
      const n = i * 100 + r;
      const day = String(1 + (n % 28)).padStart(2, '0');
      if (clinics) {
        const id = isBad && r % 2 === 0 ? `BAD${n}` : `GZ${String(n).padStart(6, '0')}`;
        const beds = isBad && r % 2 === 1 ? -1 - (n % 5) : n % 40;
        lines.push(`${id},诊所${n},${beds},2020-03-${day},姓名${n}`);
      } else {
        const id = isBad && r % 2 === 0 ? `X${n}` : `S${String(n).padStart(5, '0')}`;
        const pupils = isBad && r % 2 === 1 ? 'many' : String(n % 900);
        lines.push(`${id},School ${n},${pupils},2026-09-${day}`);
      }
    }
    const dataset = clinics ? 'health/clinics' : 'education/enrolments';
    files.push({
      key: `landing/${dataset}/${prefix}-${String(i).padStart(3, '0')}.csv`,
      body: `${lines.join('\n')}\n`,
      rows,
      bad,
    });
  }
  return files;
}

/** Client timeouts short enough that a stalled body fails the request within a second or two. */
export const CLIENT_TIMEOUTS = { connectionTimeout: 1_000, socketTimeout: 1_000, requestTimeout: 5_000 };

/** An S3 client of the local server, sent through `endpoint` (the proxy), with the SDK's standard retries. */
export function clientVia(endpoint: string, maxAttempts = 3): S3Client {
  return localS3Client(endpoint, {
    maxAttempts,
    requestHandler: new NodeHttpHandler({ ...CLIENT_TIMEOUTS, throwOnRequestTimeout: true }),
  });
}

/** The EventBridge event S3 sends for a new object, as an SQS message body. */
export function objectCreatedBody(bucket: string, key: string): string {
  return JSON.stringify({
    version: '0',
    id: `event-${key}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '111122223333',
    time: '2026-11-28T08:00:00Z',
    region: 'cn-northwest-1',
    resources: [`arn:aws-cn:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: {
        key: key
          .split('/')
          .map((s) => encodeURIComponent(s).replaceAll('%20', '+'))
          .join('/'),
      },
      reason: 'PutObject',
    },
  });
}

const silent = { info() {}, warn() {}, error() {} };
const noMetrics = { addDimension() {}, addMetric() {}, publishStoredMetrics() {} };

/** The transformer's handler with the given S3 client, as the Lambda wires it. */
export function transformerHandler(
  lake: TestLake,
  s3: S3Client,
  extra: Partial<HandlerDeps> = {},
): (event: { Records: { messageId: string; body: string }[] }) => Promise<SQSBatchResponse> {
  const deps: HandlerDeps = {
    s3,
    buckets: lake.s3.buckets,
    contracts: FAULT_CONTRACTS,
    hashKey: async () => HASH_KEY,
    logger: silent,
    metrics: noMetrics,
    ...extra,
  };
  return (event) => handleEvent(event, deps);
}

/** The upload id of a landing object as it is now. */
export async function uploadIdOfObject(s3: S3Client, bucket: string, key: string): Promise<string> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return uploadIdOf(key, normalizeEtag(head.ETag) ?? '', head.LastModified ?? new Date(0));
}

/** Per upload: rows found across curated and quarantine, distinct source lines, first and last line. */
export interface UploadRows {
  rows: number;
  distinct: number;
  minLine: number;
  maxLine: number;
  curated: number;
  quarantined: number;
}

/**
 * Downloads every Parquet file of the curated and quarantine buckets and counts, with DuckDB, the rows of
 * each upload and its distinct source lines.
 */
export async function rowsByUpload(lake: TestLake, s3: S3Client): Promise<Map<string, UploadRows>> {
  const dir = await mkdtemp(join(tmpdir(), 'lake-faults-parquet-'));
  try {
    const paths: Record<'curated' | 'quarantine', string[]> = { curated: [], quarantine: [] };
    for (const zone of ['curated', 'quarantine'] as const) {
      const bucket = lake.s3.buckets[zone];
      const keys = [...(await snapshot(s3, bucket)).keys()].filter((k) => k.endsWith('.parquet'));
      for (const [i, key] of keys.entries()) {
        const path = join(dir, `${zone}-${i}.parquet`);
        await writeFile(path, await getBytes(s3, bucket, key));
        paths[zone].push(path);
      }
    }
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      const list = (ps: string[]) => `[${ps.map((p) => `'${p.replaceAll("'", "''")}'`).join(', ')}]`;
      const parts = (['curated', 'quarantine'] as const)
        .filter((z) => paths[z].length > 0)
        .map(
          (z) =>
            `SELECT _upload_id AS u, _source_line AS l, '${z}' AS zone FROM read_parquet(${list(paths[z])}, union_by_name = true)`,
        );
      const out = new Map<string, UploadRows>();
      if (parts.length === 0) return out;
      const r = await c.runAndReadAll(
        `SELECT u, count(*), count(DISTINCT l), min(l), max(l), count(*) FILTER (zone = 'curated'), count(*) FILTER (zone = 'quarantine')
         FROM (${parts.join(' UNION ALL ')}) GROUP BY u`,
      );
      for (const row of r.getRows()) {
        const [u, n, d, lo, hi, cur, q] = row;
        out.set(String(u), {
          rows: Number(n),
          distinct: Number(d),
          minLine: Number(lo),
          maxLine: Number(hi),
          curated: Number(cur),
          quarantined: Number(q),
        });
      }
      return out;
    } finally {
      c.closeSync();
      db.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
