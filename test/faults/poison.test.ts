/**
 * Poison messages: an upload whose processing fails every time (S3 answers 500 to every request about it)
 * is delivered a bounded number of times, then lands in the dead-letter queue, while the uploads around it
 * go through; once the fault is gone, moving the DLQ's messages back to the queue processes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReport } from '../../src/ingest/process-upload.ts';
import { parseLandingKey } from '../../src/lake/layout.ts';
import { putFile, startTestLake, type TestLake } from '../ingest/helpers.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import {
  clientVia,
  generateFiles,
  objectCreatedBody,
  rowsByUpload,
  transformerHandler,
  uploadIdOfObject,
} from './helpers.ts';
import { SqsModel } from './sqs-model.ts';

const MAX_RECEIVE_COUNT = 4;

let lake: TestLake;
let proxy: FaultProxy;
let broken = true;
beforeAll(async () => {
  lake = await startTestLake();
  proxy = await startFaultProxy({
    target: lake.s3.endpoint,
    rate: 0,
    alwaysFail: (r) => (broken && r.path.includes('/always-failing-') ? 'internal-error' : undefined),
  });
});
afterAll(async () => {
  await proxy?.stop();
  await lake?.stop();
});

describe('poison messages', () => {
  it('moves an upload that always fails to the DLQ after maxReceiveCount deliveries, and redrives it after a fix', async () => {
    // Prepare: nine good uploads and one whose every S3 request fails
    const files = generateFiles(10, 5, 'poison-neighbour');
    files[4] = { ...files[4], key: files[4].key.replace('poison-neighbour', 'always-failing') };
    const direct = lake.s3.client();
    for (const f of files) await putFile(direct, lake.s3.buckets.landing, f.key, f.body);
    const sqs = new SqsModel({ maxReceiveCount: MAX_RECEIVE_COUNT, batchSize: 3 });
    const ids = files.map((f) => sqs.send(objectCreatedBody(lake.s3.buckets.landing, f.key)));
    const handler = transformerHandler(lake, clientVia(proxy.endpoint));
    const hasReport = async (key: string) => {
      const parsed = parseLandingKey(key);
      if (!parsed) throw new Error(key);
      const uploadId = await uploadIdOfObject(direct, lake.s3.buckets.landing, key);
      return (await readReport(direct, lake.s3.buckets.quarantine, parsed, uploadId)) !== null;
    };

    // Act
    await sqs.drain(handler, 2);

    // Assess: the poison message was tried exactly maxReceiveCount times, then parked; the rest went through
    expect(sqs.queue).toEqual([]);
    expect(sqs.dlq.map((m) => [m.messageId, m.receiveCount])).toEqual([[ids[4], MAX_RECEIVE_COUNT]]);
    expect(sqs.deliveries).toBe(files.length - 1 + MAX_RECEIVE_COUNT);
    expect(proxy.injected['internal-error']).toBeGreaterThanOrEqual(MAX_RECEIVE_COUNT);
    for (const [i, f] of files.entries()) expect(await hasReport(f.key)).toBe(i !== 4);

    // Act: the fault is fixed; the DLQ's messages are moved back to the queue (StartMessageMoveTask)
    broken = false;
    const moved = sqs.redrive();
    await sqs.drain(handler, 2);

    // Assess: processed once, nothing doubled
    expect(moved).toBe(1);
    expect(sqs.dlq).toEqual([]);
    expect(await hasReport(files[4].key)).toBe(true);
    const rows = await rowsByUpload(lake, direct);
    for (const f of files) {
      const found = rows.get(await uploadIdOfObject(direct, lake.s3.buckets.landing, f.key));
      expect(found?.rows).toBe(f.rows);
      expect(found?.distinct).toBe(f.rows);
    }
    console.log(
      `poison: 1 poison upload of ${files.length}: ${MAX_RECEIVE_COUNT} deliveries then the DLQ (${proxy.injected['internal-error']} S3 requests failed); redriven after the fix: processed, rows doubled 0`,
    );
  }, 60_000);
});
