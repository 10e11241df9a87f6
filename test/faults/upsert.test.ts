/**
 * Upserts in the fault suite: a transformer stopped before and after each write of an upsert upload, then
 * retried. Every row of every upload is in its curated or quarantine file exactly once (0 lost, 0 doubled),
 * and the dataset's current state holds each key once, with the row of the latest upload that sent it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetSchema } from '../../src/contracts/schema.ts';
import { readCurrentManifest } from '../../src/ingest/current-manifest.ts';
import { processUpload, readReport } from '../../src/ingest/process-upload.ts';
import {
  contractsOf,
  getBytes,
  HASH_KEY,
  putFile,
  snapshot,
  startTestLake,
  type TestLake,
  WRITES,
} from '../ingest/helpers.ts';
import { uploadIdOfObject } from './helpers.ts';

const REF = { department: 'education', dataset: 'enrolment_corrections' };
const CONTRACTS = contractsOf(
  datasetSchema.parse({
    department: REF.department,
    name: REF.dataset,
    title: 'Enrolment corrections',
    mode: 'upsert',
    primaryKey: ['school_id'],
    maxRejectedRatio: 0.5,
    fields: [
      { name: 'school_id', constraints: { required: true, pattern: '^S[0-9]{5}$' } },
      { name: 'pupils', type: 'integer', constraints: { minimum: 0 } },
    ],
  }),
);
/** Keys the uploads share: each upload sends four of them (and one bad row), so later ones correct earlier ones. */
const KEYS = 6;

let lake: TestLake;
beforeAll(async () => {
  lake = await startTestLake();
});
afterAll(async () => {
  await lake?.stop();
});

/** Upload i: four keys from i on, pupils i*10+k, and one row that breaks the pattern. */
function upsertFile(i: number): { key: string; body: string; pupils: Map<string, number> } {
  const pupils = new Map<string, number>();
  const lines = ['school_id,pupils'];
  for (let k = 0; k < 4; k++) {
    const id = `S${String((i + k) % KEYS).padStart(5, '0')}`;
    pupils.set(id, i * 10 + k);
    lines.push(`${id},${i * 10 + k}`);
  }
  lines.push(`BAD${i},1`);
  return {
    key: `landing/${REF.department}/${REF.dataset}/u-${String(i).padStart(3, '0')}.csv`,
    body: `${lines.join('\n')}\n`,
    pupils,
  };
}

/** A client that stops at its n-th write: before sending it, or once it is applied (or counts writes). */
function stoppingAt(
  client: S3Client,
  n: number,
  when: 'before' | 'after' | 'never',
  seen = { writes: 0 },
): S3Client {
  let stopped = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (stopped) throw new Error('transformer stopped');
      if (!WRITES.has(context.commandName ?? '?') || ++seen.writes !== n || when === 'never')
        return next(args);
      stopped = true;
      if (when === 'before') throw new Error('transformer stopped before a write');
      await next(args);
      throw new Error('transformer stopped after a write');
    },
    { step: 'initialize', name: 'stopPartWay' },
  );
  return client;
}

/** Runs a DuckDB query over local copies of the given objects of the curated bucket. */
async function overCurated<T>(keys: string[], sql: (files: string) => string): Promise<T[]> {
  const dir = await mkdtemp(join(tmpdir(), 'lake-upsert-faults-'));
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const paths: string[] = [];
    for (const [i, key] of keys.entries()) {
      paths.push(join(dir, `${i}.parquet`));
      await writeFile(paths[i], await getBytes(lake.s3.client(), lake.s3.buckets.curated, key));
    }
    const files = `read_parquet([${paths.map((p) => `'${p}'`).join(', ')}], union_by_name = true)`;
    return (await c.runAndReadAll(sql(files))).getRowObjectsJson() as T[];
  } finally {
    c.closeSync();
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('faults: upserts stopped part-way', () => {
  it('lose and double nothing, and the current state is each key from its latest upload, wherever they stopped', async () => {
    // Prepare: the first upload (it also makes the dataset's first-time writes), then how many writes the
    // next one makes
    const deps = { buckets: lake.s3.buckets, contracts: CONTRACTS, hashKey: HASH_KEY };
    const files = [upsertFile(0), upsertFile(1)];
    const counted = { writes: 0 };
    for (const [i, f] of files.entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, 1_050));
      await putFile(lake.s3.client(), lake.s3.buckets.landing, f.key, f.body);
      const s3 = i === 0 ? lake.s3.client() : stoppingAt(lake.s3.client(), 0, 'never', counted);
      await processUpload({ ...deps, s3 }, { bucket: lake.s3.buckets.landing, key: f.key });
    }
    const writes = counted.writes;
    expect(writes).toBeGreaterThanOrEqual(6); // raw copy, content index, curated, quarantine, merged, manifest, report

    // Act: stop before and after each write, then retry
    const cases = Array.from({ length: writes }, (_, i) => i + 1).flatMap((n) =>
      (['before', 'after'] as const).map((when) => ({ n, when })),
    );
    for (const [i, { n, when }] of cases.entries()) {
      // A second apart (LastModified has second resolution), so the uploads are ordered as landed.
      await new Promise((r) => setTimeout(r, 1_050));
      const f = upsertFile(i + 2);
      files.push(f);
      await putFile(lake.s3.client(), lake.s3.buckets.landing, f.key, f.body);
      const object = { bucket: lake.s3.buckets.landing, key: f.key };
      await expect(
        processUpload({ ...deps, s3: stoppingAt(lake.s3.client(), n, when) }, object),
      ).rejects.toThrow(/transformer stopped/);
      await processUpload({ ...deps, s3: lake.s3.client() }, object);
    }

    // Assess: every upload's rows once in its own outputs
    const s3 = lake.s3.client();
    const ids: string[] = [];
    for (const f of files) {
      const uploadId = await uploadIdOfObject(s3, lake.s3.buckets.landing, f.key);
      ids.push(uploadId);
      const report = await readReport(s3, lake.s3.buckets.quarantine, REF, uploadId);
      expect(report?.rows).toEqual({ total: 5, accepted: 4, rejected: 1 });
    }
    const own = [...(await snapshot(s3, lake.s3.buckets.curated)).keys()].filter(
      (k) => k.endsWith('.parquet') && !k.includes('/_merged/'),
    );
    const perUpload = await overCurated<{ u: string; n: number; lines: number }>(
      own,
      (all) =>
        `SELECT _upload_id AS u, count(*) AS n, count(DISTINCT _source_line) AS lines FROM ${all} GROUP BY u ORDER BY u`,
    );
    expect(perUpload.map((r) => [r.u, Number(r.n), Number(r.lines)])).toEqual(
      [...ids].sort().map((u) => [u, 4, 4]),
    );

    // ...and the current state: each key once, from the latest upload that sent it
    const expected = new Map<string, { pupils: number; upload: string }>();
    files.forEach((f, i) => {
      for (const [id, pupils] of f.pupils) expected.set(id, { pupils, upload: ids[i] });
    });
    const manifest = await readCurrentManifest(s3, lake.s3.buckets.curated, REF);
    const prefix = `s3://${lake.s3.buckets.curated}/`;
    expect(manifest?.uris).toHaveLength(1);
    const state = await overCurated<{ id: string; pupils: number; upload: string }>(
      (manifest?.uris ?? []).map((u) => u.slice(prefix.length)),
      (all) => `SELECT school_id AS id, pupils, _upload_id AS upload FROM ${all} ORDER BY id`,
    );
    expect(state.map((r) => ({ id: r.id, pupils: Number(r.pupils), upload: r.upload }))).toEqual(
      [...expected.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([id, v]) => ({ id, ...v })),
    );
  }, 120_000);
});
