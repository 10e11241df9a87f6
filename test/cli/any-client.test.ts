/**
 * While `lake up` serves a lake, the CLI attaches to it, and a plain @aws-sdk/client-s3 PutObject to its
 * endpoint is ingested exactly like `lake upload`: the same report and the same published rows.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDatasets } from '../../src/contracts/index.ts';
import type { IngestReport } from '../../src/engine/report.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/ingest/local-s3.ts';
import { LocalLake } from '../../src/local/local-lake.ts';
import { EXAMPLES, lake, ROOT, tempLakeDir } from './helpers.ts';

const FILE = join(EXAMPLES, 'transport/bus_stops/bus-stops-guiyang-2026-11.csv');
const REF = { department: 'transport', dataset: 'bus_stops' };

let dir: string;
let remove: () => Promise<void>;
let served: LocalLake;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  served = await LocalLake.open({
    lakeDir: dir,
    contracts: loadDatasets(join(ROOT, 'datasets')),
    serve: true,
    port: 0,
  });
});
afterAll(async () => {
  await served.close();
  await remove();
});

/** What must be the same for the same bytes uploaded twice under two names. */
function comparable(r: IngestReport) {
  const { uploadId: _u, startedAt: _s, durationMs: _d, source, outputs, ...rest } = r;
  return {
    ...rest,
    source: { ...source, key: undefined, bytes: undefined, sha256: undefined },
    outputs: outputs.map((o) => ({ ...o, key: undefined })),
  };
}

async function curatedRows(report: IngestReport): Promise<unknown[]> {
  const out = report.outputs.find((o) => o.kind === 'curated');
  if (!out) return [];
  const r = await served.s3.send(new GetObjectCommand({ Bucket: served.buckets.curated, Key: out.key }));
  const path = join(dir, `${report.uploadId}.parquet`);
  await writeFile(
    path,
    await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const rows = await c.runAndReadAll(
      `SELECT * EXCLUDE (_upload_id, _ingested_at) FROM read_parquet('${path}') ORDER BY _source_line`,
    );
    return rows.getRowObjectsJson();
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

describe('a lake served by `lake up`', () => {
  it('ingests a plain PutObject exactly like `lake upload`', async () => {
    // Act: the CLI (attached to the served lake), then a plain client.
    const uploaded = await lake([
      'upload',
      FILE,
      '--dataset',
      'transport/bus_stops',
      '--name',
      'by-cli.csv',
      '--lake-dir',
      dir,
      '--json',
    ]);
    expect(uploaded.code).toBe(0);
    expect(uploaded.json()).toMatchObject({
      bucket: 'lake-landing',
      key: 'landing/transport/bus_stops/by-cli.csv',
    });
    const plain = new S3Client({
      endpoint: served.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    try {
      await plain.send(
        new PutObjectCommand({
          Bucket: 'lake-landing',
          Key: 'landing/transport/bus_stops/by-sdk.csv',
          // The same rows without the last line break: the very same bytes would be a duplicate.
          Body: (await readFile(FILE)).subarray(0, -1),
        }),
      );
    } finally {
      plain.destroy();
    }
    const byCli = await served.waitForReport(
      REF,
      await served.uploadIdOf('landing/transport/bus_stops/by-cli.csv'),
      {
        timeoutMs: 60_000,
      },
    );
    const bySdk = await served.waitForReport(
      REF,
      await served.uploadIdOf('landing/transport/bus_stops/by-sdk.csv'),
      {
        timeoutMs: 60_000,
      },
    );

    // Assess
    expect(byCli.status).toBe('partial');
    expect(comparable(bySdk)).toEqual(comparable(byCli));
    expect(await curatedRows(bySdk)).toEqual(await curatedRows(byCli));

    // The CLI sees both, through the served lake.
    const status = await lake(['status', '--dataset', 'transport/bus_stops', '--json', '--lake-dir', dir]);
    const ids = status.json<{ uploads: { uploadId: string }[] }>().uploads.map((u) => u.uploadId);
    expect(ids.sort()).toEqual([byCli.uploadId, bySdk.uploadId].sort());
  });
});
