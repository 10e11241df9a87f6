/**
 * The same bytes uploaded twice into one dataset are published once (src/ingest/content-index.ts): the
 * later upload gets a `duplicate` report, even when both are processed at once, and an entry whose
 * upload ended rejected or can never finish is taken over.
 */
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentBusyError } from '../../src/ingest/content-index.ts';
import { processUpload, readReport } from '../../src/ingest/process-upload.ts';
import { contentIndexKey, contentIndexPrefix, curatedKey, uploadIdOf } from '../../src/lake/layout.ts';
import {
  clinicsContract,
  contractsOf,
  depsFor,
  fixture,
  instrumentedClient,
  putFile,
  snapshot,
  startTestLake,
  type TestLake,
} from './helpers.ts';

let lake: TestLake;
beforeAll(async () => {
  lake = await startTestLake();
});
afterAll(async () => {
  await lake?.stop();
});

/** A dataset of its own per test (health/<name>, the clinics contract), so tests do not share bytes. */
function dataset(name: string) {
  const ref = { department: 'health', dataset: name };
  return { ref, contracts: contractsOf(clinicsContract({ name, mode: 'append' })) };
}

async function land(ref: { department: string; dataset: string }, file: string, body: Buffer | string) {
  const key = `landing/${ref.department}/${ref.dataset}/${file}`;
  const put = await putFile(lake.s3.client(), lake.s3.buckets.landing, key, body);
  const uploadId = uploadIdOf(key, put.etag.replaceAll('"', ''), put.lastModified);
  return { bucket: lake.s3.buckets.landing, key, uploadId, ...put };
}

const curatedFiles = async (s3: S3Client, ref: { department: string; dataset: string }) => [
  ...(await snapshot(s3, lake.s3.buckets.curated, `curated/${ref.department}/${ref.dataset}/`)).keys(),
];

/**
 * A client whose conditional puts behave as S3's do (the local endpoint ignores If-None-Match and
 * If-Match): the condition is checked and the object written under one lock shared by every such client,
 * and a put whose condition fails gets S3's 412 PreconditionFailed.
 */
function conditionalClients(n: number): S3Client[] {
  let lock: Promise<unknown> = Promise.resolve();
  const plain = lake.s3.client();
  return Array.from({ length: n }, () => {
    const client = lake.s3.client();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Bucket?: string; Key?: string; IfNoneMatch?: string; IfMatch?: string };
        if (context.commandName !== 'PutObjectCommand' || !(input.IfNoneMatch || input.IfMatch))
          return next(args);
        const turn = lock.then(async () => {
          let etag: string | undefined;
          try {
            etag = (await plain.send(new HeadObjectCommand({ Bucket: input.Bucket, Key: input.Key }))).ETag;
          } catch {
            etag = undefined;
          }
          const holds = input.IfNoneMatch ? etag === undefined : etag === input.IfMatch;
          if (!holds) {
            throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
              name: 'PreconditionFailed',
              $metadata: { httpStatusCode: 412 },
            });
          }
          return next(args);
        });
        lock = turn.catch(() => undefined);
        return turn;
      },
      { step: 'initialize', name: 'conditionalPuts' },
    );
    return client;
  });
}

describe('processUpload: the same bytes twice into one dataset', () => {
  it('publishes the second upload as a duplicate: no curated file, the original kept, the first one named', async () => {
    // Prepare
    const { ref, contracts } = dataset('dup_seq');
    const csv = await fixture('clinics.csv');
    const s3 = lake.s3.client();
    const first = await land(ref, 'a.csv', csv);
    const firstResult = await processUpload(depsFor(lake, s3, { contracts }), first);
    const before = await curatedFiles(s3, ref);

    // Act: the same bytes under another name, then that upload delivered once more
    const second = await land(ref, 'b.csv', csv);
    const result = await processUpload(depsFor(lake, s3, { contracts }), second);
    const again = await processUpload(depsFor(lake, s3, { contracts }), second);

    // Assess
    expect(firstResult.report?.status).toBe('partial');
    expect(result.outcome).toBe('processed');
    expect(result.report).toMatchObject({
      uploadId: second.uploadId,
      status: 'duplicate',
      duplicateOf: first.uploadId,
      rows: { total: 0, accepted: 0, rejected: 0 },
      outputs: [],
    });
    expect(result.report?.source.sha256).toBe(firstResult.report?.source.sha256);
    expect(await curatedFiles(s3, ref)).toEqual(before);
    expect(before).toEqual([curatedKey(ref, first.uploadId, first.lastModified)]);
    const raw = await snapshot(s3, lake.s3.buckets.raw, `raw/${ref.department}/${ref.dataset}/`);
    expect([...raw.keys()].filter((k) => k.includes(second.uploadId))).toHaveLength(1);
    expect(again).toMatchObject({ outcome: 'duplicate', uploadId: second.uploadId });
  });

  it('publishes once when two uploads of the same bytes are processed at once', async () => {
    // Prepare
    const { ref, contracts } = dataset('dup_race');
    const csv = await fixture('clinics.csv');
    const a = await land(ref, 'a.csv', csv);
    const b = await land(ref, 'b.csv', csv);
    const [ca, cb] = conditionalClients(2);

    // Act: both at once; one that finds the other still under way is retried, as the queue would
    const results = await Promise.allSettled([
      processUpload(depsFor(lake, ca, { contracts }), a),
      processUpload(depsFor(lake, cb, { contracts }), b),
    ]);
    const busy = results.flatMap((r, i) => (r.status === 'rejected' ? [{ i, reason: r.reason }] : []));
    for (const { i, reason } of busy) {
      expect(reason).toBeInstanceOf(ContentBusyError);
      await processUpload(depsFor(lake, [ca, cb][i], { contracts }), [a, b][i]);
    }

    // Assess: one accepted, one duplicate of it, one curated file
    const reports = await Promise.all(
      [a, b].map((o) => readReport(ca, lake.s3.buckets.quarantine, ref, o.uploadId)),
    );
    const statuses = reports.map((r) => r?.status).sort();
    expect(statuses).toEqual(['duplicate', 'partial']);
    const published = reports.find((r) => r?.status === 'partial');
    const duplicate = reports.find((r) => r?.status === 'duplicate');
    expect(duplicate?.duplicateOf).toBe(published?.uploadId);
    expect(await curatedFiles(ca, ref)).toHaveLength(1);
  });

  it('makes a later upload wait while the upload that claimed the bytes is still under way', async () => {
    // Prepare: the first upload crashes before its report (its landing object remains, so it is retried)
    const { ref, contracts } = dataset('dup_busy');
    const csv = await fixture('clinics.csv');
    const first = await land(ref, 'a.csv', csv);
    const { client } = instrumentedClient(
      lake,
      (r) => r.command === 'PutObjectCommand' && r.key?.startsWith('reports/') === true,
    );
    await expect(processUpload(depsFor(lake, client, { contracts }), first)).rejects.toThrow(/injected/);
    const second = await land(ref, 'b.csv', csv);
    const s3 = lake.s3.client();

    // Act + Assess: the second waits; once the first is retried, the second is its duplicate
    await expect(processUpload(depsFor(lake, s3, { contracts }), second)).rejects.toThrow(ContentBusyError);
    expect((await processUpload(depsFor(lake, s3, { contracts }), first)).report?.status).toBe('partial');
    const result = await processUpload(depsFor(lake, s3, { contracts }), second);
    expect(result.report).toMatchObject({ status: 'duplicate', duplicateOf: first.uploadId });
    expect(await curatedFiles(s3, ref)).toEqual([curatedKey(ref, first.uploadId, first.lastModified)]);
  });

  it('takes over from an upload that can never finish, and removes what it left in curated/', async () => {
    // Prepare: the first upload crashes before its report, then its landing object is deleted
    const { ref, contracts } = dataset('dup_abandoned');
    const csv = await fixture('clinics.csv');
    const first = await land(ref, 'a.csv', csv);
    const { client } = instrumentedClient(
      lake,
      (r) => r.command === 'PutObjectCommand' && r.key?.startsWith('reports/') === true,
    );
    await expect(processUpload(depsFor(lake, client, { contracts }), first)).rejects.toThrow(/injected/);
    const s3 = lake.s3.client();
    expect(await curatedFiles(s3, ref)).toEqual([curatedKey(ref, first.uploadId, first.lastModified)]);
    await s3.send(new DeleteObjectCommand({ Bucket: first.bucket, Key: first.key }));

    // Act
    const second = await land(ref, 'b.csv', csv);
    const result = await processUpload(depsFor(lake, s3, { contracts }), second);

    // Assess: the second publishes; the first one's rows are gone, so nothing is doubled
    expect(result.report?.status).toBe('partial');
    expect(await curatedFiles(s3, ref)).toEqual([curatedKey(ref, second.uploadId, second.lastModified)]);
    const entry = await s3.send(
      new HeadObjectCommand({
        Bucket: lake.s3.buckets.quarantine,
        Key: contentIndexKey(ref, result.report?.source.sha256 ?? ''),
      }),
    );
    expect(entry.ContentLength).toBeGreaterThan(0);
  });

  it('publishes bytes whose first upload was rejected as a whole', async () => {
    // Prepare: the first upload under a contract that rejects the file
    const { ref } = dataset('dup_rejected');
    const strict = contractsOf(
      clinicsContract({ name: 'dup_rejected', mode: 'append', maxRejectedRatio: 0 }),
    );
    const lenient = contractsOf(clinicsContract({ name: 'dup_rejected', mode: 'append' }));
    const csv = await fixture('clinics.csv');
    const s3 = lake.s3.client();
    const first = await processUpload(
      depsFor(lake, s3, { contracts: strict }),
      await land(ref, 'a.csv', csv),
    );

    // Act: the same bytes once the contract accepts them
    const second = await processUpload(
      depsFor(lake, s3, { contracts: lenient }),
      await land(ref, 'b.csv', csv),
    );

    // Assess
    expect(first.report?.status).toBe('rejected');
    expect(second.report?.status).toBe('partial');
    expect(second.report?.duplicateOf).toBeUndefined();
  });

  it('counts the bytes of uploads published before the dataset had its index', async () => {
    // Prepare: an upload published, then its index removed, as in a lake from before the index
    const { ref, contracts } = dataset('dup_before');
    const csv = await fixture('clinics.csv');
    const s3 = lake.s3.client();
    const first = await land(ref, 'a.csv', csv);
    const published = await processUpload(depsFor(lake, s3, { contracts }), first);
    const index = await snapshot(s3, lake.s3.buckets.quarantine, contentIndexPrefix(ref));
    expect(index.size).toBe(2); // the entry and the marker
    for (const key of index.keys())
      await s3.send(new DeleteObjectCommand({ Bucket: lake.s3.buckets.quarantine, Key: key }));

    // Act
    const result = await processUpload(depsFor(lake, s3, { contracts }), await land(ref, 'b.csv', csv));

    // Assess
    expect(published.report?.status).toBe('partial');
    expect(result.report).toMatchObject({ status: 'duplicate', duplicateOf: first.uploadId });
    expect(await curatedFiles(s3, ref)).toEqual([curatedKey(ref, first.uploadId, first.lastModified)]);
  });
});
