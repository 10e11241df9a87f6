/**
 * Nothing lost, nothing doubled under storage and network faults: 200 uploads processed by the transformer's
 * handler through a proxy that fails S3 requests (500, 503 SlowDown, resets and stalls mid-body), with the
 * SDK's retries and SQS redelivery as the Lambda has them; then a transformer killed at every write of an
 * upload and run again. The outputs are checked by reading every Parquet file back with DuckDB.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processUpload, readReport } from '../../src/ingest/process-upload.ts';
import { parseLandingKey } from '../../src/lake/layout.ts';
import {
  HASH_KEY,
  putFile,
  type SeenRequest,
  sleep,
  snapshot,
  startTestLake,
  type TestLake,
  WRITES,
} from '../ingest/helpers.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import {
  clientVia,
  FAULT_CONTRACTS,
  type GeneratedFile,
  generateFiles,
  objectCreatedBody,
  rowsByUpload,
  transformerHandler,
  uploadIdOfObject,
} from './helpers.ts';
import { SqsModel } from './sqs-model.ts';

const FILES = 200;
const SEED = 20261128;
/** Share of S3 requests that get a fault. */
const FAULT_RATE = 0.1;
/** The transformer queue's redrive policy, as in the stack. */
const MAX_RECEIVE_COUNT = 10;

let lake: TestLake;
let proxy: FaultProxy;
beforeAll(async () => {
  lake = await startTestLake();
  proxy = await startFaultProxy({
    target: lake.s3.endpoint,
    rate: FAULT_RATE,
    seed: SEED,
    maxStallMs: 5_000,
  });
});
afterAll(async () => {
  await proxy?.stop();
  await lake?.stop();
});

/** Every file landed in this test's lake, so an audit can tell a stray output from another test's. */
const landed: GeneratedFile[] = [];

async function land(files: GeneratedFile[]): Promise<void> {
  const s3 = lake.s3.client();
  for (const f of files) await putFile(s3, lake.s3.buckets.landing, f.key, f.body);
  landed.push(...files);
}

/** Every file has a report with its rows, and its rows are in curated + quarantine exactly once. */
async function audit(files: GeneratedFile[], s3: S3Client) {
  const byUpload = await rowsByUpload(lake, s3);
  const expected = new Map<string, GeneratedFile>();
  let reports = 0;
  let lost = 0;
  let doubled = 0;
  const problems: string[] = [];
  for (const f of files) {
    const uploadId = await uploadIdOfObject(s3, lake.s3.buckets.landing, f.key);
    expected.set(uploadId, f);
    const parsed = parseLandingKey(f.key);
    if (!parsed) throw new Error(`not a landing key: ${f.key}`);
    const report = await readReport(s3, lake.s3.buckets.quarantine, parsed, uploadId);
    if (report) reports++;
    else problems.push(`${f.key}: no report`);
    if (report && report.rows.total !== f.rows)
      problems.push(`${f.key}: report says ${report.rows.total} rows`);
    if (report && report.rows.accepted + report.rows.rejected + (report.rows.skipped ?? 0) !== f.rows)
      problems.push(`${f.key}: accepted + rejected + skipped is not ${f.rows}`);
    const found = byUpload.get(uploadId);
    const distinct = found?.distinct ?? 0;
    lost += f.rows - distinct;
    doubled += (found?.rows ?? 0) - distinct;
    if (found && (found.minLine !== 2 || found.maxLine !== f.rows + 1))
      problems.push(`${f.key}: source lines ${found.minLine}..${found.maxLine}, not 2..${f.rows + 1}`);
    if (
      report &&
      found &&
      (report.rows.accepted !== found.curated || report.rows.rejected !== found.quarantined)
    )
      problems.push(`${f.key}: report and outputs disagree`);
  }
  // Rows of an upload that is no landed file's (a stray attempt under another id) count as doubled.
  const known = new Set<string>();
  for (const f of landed) known.add(await uploadIdOfObject(s3, lake.s3.buckets.landing, f.key));
  for (const [u, found] of byUpload) if (!known.has(u)) doubled += found.rows;
  return { reports, lost, doubled, problems, rows: files.reduce((a, f) => a + f.rows, 0) };
}

describe('faults: 200 uploads through a failing network and storage', () => {
  it('ends every file in curated or quarantine with a report: 0 rows lost, 0 doubled', async () => {
    // Prepare
    const files = generateFiles(FILES, SEED);
    await land(files);
    const sqs = new SqsModel({ maxReceiveCount: MAX_RECEIVE_COUNT, batchSize: 5 });
    for (const f of files) sqs.send(objectCreatedBody(lake.s3.buckets.landing, f.key));
    const handler = transformerHandler(lake, clientVia(proxy.endpoint));

    // Act
    const started = Date.now();
    await sqs.drain(handler, 2);
    const seconds = (Date.now() - started) / 1000;

    // Assess: against the server directly, no faults
    const direct = lake.s3.client();
    const audited = await audit(files, direct);
    const injected = Object.values(proxy.injected).reduce((a, b) => a + b, 0);
    console.log(
      [
        `faults: ${files.length} files, ${audited.rows} rows, ${proxy.requests} S3 requests through the proxy in ${seconds.toFixed(1)} s`,
        `  faults injected: ${injected} (${Object.entries(proxy.injected)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')})`,
        `  deliveries: ${sqs.deliveries} for ${files.length} messages, ${sqs.dlq.length} in the DLQ`,
        `  reports: ${audited.reports}/${files.length}, rows lost: ${audited.lost}, rows doubled: ${audited.doubled}`,
      ].join('\n'),
    );
    expect(audited.problems).toEqual([]);
    expect(sqs.dlq).toEqual([]);
    expect(audited.reports).toBe(files.length);
    expect(audited.lost).toBe(0);
    expect(audited.doubled).toBe(0);
    // The run did meet faults, of every kind, and needed redeliveries.
    for (const n of Object.values(proxy.injected)) expect(n).toBeGreaterThan(0);
    expect(sqs.deliveries).toBeGreaterThan(files.length);
  }, 240_000);
});

describe('faults: a transformer stopped part-way through an upload', () => {
  it('leaves no duplicate or partial output once retried, wherever it stopped', async () => {
    // Prepare: how many writes one upload makes, from a clean run
    const probe = crashFile(0);
    await land([probe]);
    const counted: SeenRequest[] = [];
    await processUpload(
      {
        s3: recording(lake.s3.client(), counted),
        buckets: lake.s3.buckets,
        contracts: FAULT_CONTRACTS,
        hashKey: HASH_KEY,
      },
      { bucket: lake.s3.buckets.landing, key: probe.key },
    );
    const writes = counted.filter((r) => WRITES.has(r.command)).length;
    expect(writes).toBeGreaterThanOrEqual(4); // raw copy, curated, quarantine, manifest, report

    // Stop before each write is sent, and after each is applied but before its answer is seen.
    const cases = Array.from({ length: writes }, (_, i) => i + 1).flatMap((n) =>
      (['before', 'after'] as const).map((when) => ({ n, when })),
    );
    const files = cases.map((_, i) => crashFile(i + 1));

    // Act
    for (const [i, { n, when }] of cases.entries()) {
      // Each upload a second after the last (LastModified has second resolution), so each is the newest of
      // the replace dataset and writes the current-upload manifest: the same writes as the probe.
      await sleep(1_050);
      await land([files[i]]);
      const object = { bucket: lake.s3.buckets.landing, key: files[i].key };
      const deps = { buckets: lake.s3.buckets, contracts: FAULT_CONTRACTS, hashKey: HASH_KEY };
      await expect(
        processUpload({ ...deps, s3: stoppingAt(lake.s3.client(), n, when) }, object),
      ).rejects.toThrow(/transformer stopped/);
      const retried = await processUpload({ ...deps, s3: lake.s3.client() }, object);
      expect(retried.outcome).toBe(n === writes && when === 'after' ? 'duplicate' : 'processed');
    }

    // Assess
    const direct = lake.s3.client();
    const audited = await audit([probe, ...files], direct);
    console.log(
      `faults: stopped at each of ${writes} writes (before and after): ${cases.length} uploads, rows lost: ${audited.lost}, rows doubled: ${audited.doubled}`,
    );
    expect(audited.problems).toEqual([]);
    expect(audited.lost).toBe(0);
    expect(audited.doubled).toBe(0);
    // No partial output: the Parquet objects of these uploads are exactly those their reports list.
    const listed = new Set<string>();
    const ids = new Set<string>();
    for (const f of [probe, ...files]) {
      const parsed = parseLandingKey(f.key);
      if (!parsed) throw new Error(f.key);
      const uploadId = await uploadIdOfObject(direct, lake.s3.buckets.landing, f.key);
      ids.add(uploadId);
      const report = await readReport(direct, lake.s3.buckets.quarantine, parsed, uploadId);
      for (const o of report?.outputs ?? []) listed.add(o.key);
    }
    const stored = [
      ...(await snapshot(direct, lake.s3.buckets.curated, 'curated/health/clinics/')).keys(),
      ...(await snapshot(direct, lake.s3.buckets.quarantine, 'quarantine/health/clinics/')).keys(),
    ].filter((k) =>
      ids.has(
        k
          .split('/')
          .pop()
          ?.replace(/\.parquet$/, '') ?? '',
      ),
    );
    expect(new Set(stored)).toEqual(listed);
    expect(listed.size).toBe(2 * ids.size);
  }, 120_000);
});

/** A clinics upload of six rows, two of them bad: a raw copy, curated, quarantine, the manifest, the report. */
function crashFile(i: number): GeneratedFile {
  const id = (r: number) => `GZ${String(i * 10 + r).padStart(6, '0')}`;
  const body = [
    'clinic_id,诊所名称,beds,opened_on,owner_name',
    `${id(1)},南明区诊所${i},20,2015-03-18,张三丰`,
    `${id(2)},云岩区诊所${i},0,2016/07/01,李四`,
    `BAD${i},花溪区诊所${i},5,2018-01-01,王五`,
    `${id(4)},观山湖区诊所${i},-3,2019年02月03日,赵六`,
    `${id(5)},乌当区诊所${i},12,2020-12-31,`,
    `${id(6)},白云区诊所${i},7,2021-01-01,钱七`,
  ].join('\n');
  return {
    key: `landing/health/clinics/crash-${String(i).padStart(3, '0')}.csv`,
    body: `${body}\n`,
    rows: 6,
    bad: 2,
  };
}

/** A client that records the requests it sends. */
function recording(client: S3Client, seen: SeenRequest[]): S3Client {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Bucket?: string; Key?: string };
      seen.push({ command: context.commandName ?? '?', bucket: input.Bucket, key: input.Key });
      return next(args);
    },
    { step: 'initialize', name: 'recordRequests' },
  );
  return client;
}

/** A client whose process dies at its n-th write: before sending it, or once it is applied. */
function stoppingAt(client: S3Client, n: number, when: 'before' | 'after'): S3Client {
  let writes = 0;
  let stopped = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (stopped) throw new Error('transformer stopped');
      const command = context.commandName ?? '?';
      if (!WRITES.has(command) || ++writes !== n) return next(args);
      stopped = true;
      if (when === 'before') throw new Error(`transformer stopped before ${command}`);
      await next(args);
      throw new Error(`transformer stopped after ${command}`);
    },
    { step: 'initialize', name: 'stopPartWay' },
  );
  return client;
}
