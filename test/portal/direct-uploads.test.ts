/**
 * A steward's upload in steps (src/portal/upload.ts), without a browser or AWS:
 *
 * - deployed (aws-uploads.ts), through the real portal app over the deployed services with S3 and STS
 *   mocked (aws-sdk-client-mock): the multipart upload is created on the key, with the content type, that
 *   `lake upload` writes, as the department's upload role in the steward's session; each part URL is
 *   presigned for that upload and part, by that session, and ends with it; complete, abort and the receipt's
 *   report; another department's steward and bad file names are refused before S3 is asked.
 * - local (local-uploads.ts) over a stand-in lake: parts of the planned sizes put back together byte for
 *   byte, in order, before the lake gets the file.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/access/principal.ts';
import { uploadDigest } from '../../src/cli/aws/aws-backend.ts';
import type { AwsClientFactory } from '../../src/cli/aws/aws-clients.ts';
import type { LakeBackend, UploadedObject } from '../../src/cli/backend.ts';
import { readContractsBundle, writeContractsBundle } from '../../src/ingest/contracts-bundle.ts';
import { portalApp } from '../../src/portal/app.ts';
import { type AwsPortalConfig, awsPortalServices } from '../../src/portal/aws-services.ts';
import { PART_URL_SECONDS } from '../../src/portal/aws-uploads.ts';
import { LocalDirectUploads } from '../../src/portal/local-uploads.ts';
import { MIN_PART_BYTES, partSizeFor } from '../../src/portal/upload.ts';
import { ROOT } from '../cdk/helpers.ts';

const s3 = mockClient(S3Client);
const sts = mockClient(STSClient);

const dir = mkdtempSync(join(tmpdir(), 'lake-direct-uploads-'));
const bundle = join(dir, 'contracts.json');
writeContractsBundle(join(ROOT, 'datasets'), bundle);
const contracts = readContractsBundle(bundle);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REGION = 'cn-north-1';
const LANDING = 'lake-storagelanding-abc';
const QUARANTINE = 'lake-storagequarantine-abc';
const NOW = new Date('2026-12-01T08:00:00Z');
const uploadRole = (d: string) => `arn:aws-cn:iam::111122223333:role/lake/departments/Lake-upload-${d}`;
const CONFIG: AwsPortalConfig = {
  landingBucket: LANDING,
  quarantineBucket: QUARANTINE,
  openDataUrl: 'https://open.example/',
  accessTable: 'access',
  departments: ['transport', 'health'].map((id) => ({
    id,
    name: id,
    database: `lake_${id}`,
    uploadRoleArn: uploadRole(id),
  })),
};
const clients = {
  s3: (credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
    new S3Client({ region: REGION, credentials }),
  sts: () => new STSClient({ region: REGION }),
} as unknown as AwsClientFactory;

/** The deployed portal app, for a steward of `department` whose Cognito id is `sub-1`. */
function deployedApp(department: string) {
  const who: Principal = { kind: 'steward', id: department } as Principal;
  return portalApp({
    services: awsPortalServices(CONFIG, {
      clients,
      db: new DynamoDBClient({ region: REGION }),
      contracts,
      user: 'sub-1',
      now: () => NOW,
    }),
    identity: () => who,
    hosts: null,
  });
}

/** The session's credentials, ending `minutes` after NOW. */
function session(minutes: number) {
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIASTEWARDSESSION',
      SecretAccessKey: 'secret',
      SessionToken: 'session-token',
      Expiration: new Date(NOW.getTime() + minutes * 60_000),
    },
  });
}

const post = (app: ReturnType<typeof deployedApp>, path: string, body: unknown) =>
  app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

const BASE = '/api/datasets/transport/bus_stops/uploads';
const KEY = 'landing/transport/bus_stops/stops-2026-12.csv';

beforeEach(() => {
  s3.reset();
  sts.reset();
  session(60);
});

describe('the deployed upload (presigned parts)', () => {
  it('starts a multipart upload as lake upload writes it, and presigns each part for that upload', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'mpu.1~x' });
    const bytes = 2 * MIN_PART_BYTES + 5;
    const res = await post(deployedApp('transport'), `${BASE}/start`, {
      fileName: 'stops-2026-12.csv',
      bytes,
    });
    expect(res.status).toBe(200);
    const plan = (await res.json()) as {
      uploadId: string;
      partSize: number;
      parts: { partNumber: number; url: string }[];
      expiresAt: string;
    };
    // Exactly what `lake upload` sets (src/cli/upload-file.ts landingObject): no metadata, tags or SSE.
    expect(s3.commandCalls(CreateMultipartUploadCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: LANDING, Key: KEY, ContentType: 'text/csv' },
    ]);
    const assumed = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
    expect(assumed).toEqual([
      { RoleArn: uploadRole('transport'), RoleSessionName: 'lake-cli-portal-sub-1', DurationSeconds: 3600 },
    ]);
    expect(plan.uploadId).toBe('mpu.1~x');
    expect(plan).toMatchObject({ complete: `${BASE}/mpu.1~x/complete`, abort: `${BASE}/mpu.1~x/abort` });
    expect(plan.partSize).toBe(MIN_PART_BYTES);
    expect(plan.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    for (const p of plan.parts) {
      const url = new URL(p.url);
      expect(url.origin).toBe(`https://${LANDING}.s3.${REGION}.amazonaws.com.cn`);
      expect(decodeURIComponent(url.pathname)).toBe(`/${KEY}`);
      const q = url.searchParams;
      expect(q.get('partNumber')).toBe(String(p.partNumber));
      expect(q.get('uploadId')).toBe('mpu.1~x');
      expect(q.get('X-Amz-Credential')).toMatch(/^ASIASTEWARDSESSION\//);
      expect(q.get('X-Amz-Security-Token')).toBe('session-token');
      expect(q.get('X-Amz-SignedHeaders')).toBe('host');
      // The session lasts an hour: the URLs end a minute before it does.
      expect(Number(q.get('X-Amz-Expires'))).toBe(PART_URL_SECONDS - 60);
      // No checksum signed in: it would be an empty body's, and S3 would refuse the part's bytes.
      expect([...q.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    }
    expect(plan.expiresAt).toBe(new Date(NOW.getTime() + (PART_URL_SECONDS - 60) * 1000).toISOString());
  });

  it('lets no URL outlive the session that signed it, and starts none on a session about to end', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u-2' });
    session(30);
    const res = await post(deployedApp('transport'), `${BASE}/start`, { fileName: 'a.csv', bytes: 10 });
    const plan = (await res.json()) as { parts: { url: string }[]; expiresAt: string };
    expect(new URL(plan.parts[0].url).searchParams.get('X-Amz-Expires')).toBe(String(30 * 60 - 60));
    expect(plan.expiresAt).toBe('2026-12-01T08:29:00.000Z');
    session(3);
    const late = await post(deployedApp('transport'), `${BASE}/start`, { fileName: 'a.csv', bytes: 10 });
    expect(late.status).toBe(503);
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe('session_ending');
  });

  it('refuses another department’s steward and bad file names before S3 is asked', async () => {
    const other = await post(deployedApp('health'), `${BASE}/start`, { fileName: 'a.csv', bytes: 10 });
    expect(other.status).toBe(403);
    const doc = (await other.json()) as { error: { code: string; hint: string } };
    expect(doc.error.code).toBe('not_your_department');
    expect(doc.error.hint).toContain('transport');
    for (const fileName of ['<b>.csv', '.hidden', 'a b.csv', '..', ''])
      expect((await post(deployedApp('transport'), `${BASE}/start`, { fileName, bytes: 10 })).status).toBe(
        400,
      );
    const complete = await post(deployedApp('transport'), `${BASE}/u/complete`, {
      fileName: 'x/<y>.csv',
      parts: [{ partNumber: 1, etag: '"e"' }],
    });
    expect(complete.status).toBe(400);
    expect(s3.calls()).toHaveLength(0);
    expect(sts.calls()).toHaveLength(0);
  });

  it('completes with the parts sent and answers the receipt the transformer’s upload id ends with', async () => {
    s3.on(CompleteMultipartUploadCommand).resolves({ VersionId: 'v-7', ETag: '"abc-2"' });
    const res = await post(deployedApp('transport'), `${BASE}/${encodeURIComponent('mpu.1~x')}/complete`, {
      fileName: 'stops-2026-12.csv',
      parts: [
        { partNumber: 1, etag: '"e1"' },
        { partNumber: 2, etag: '"e2"' },
      ],
    });
    expect(res.status).toBe(200);
    const receipt = uploadDigest(KEY, 'v-7');
    expect(await res.json()).toEqual({
      receipt,
      report: `/api/datasets/transport/bus_stops/receipts/${receipt}`,
    });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0].args[0].input).toEqual({
      Bucket: LANDING,
      Key: KEY,
      UploadId: 'mpu.1~x',
      MultipartUpload: {
        Parts: [
          { PartNumber: 1, ETag: '"e1"' },
          { PartNumber: 2, ETag: '"e2"' },
        ],
      },
    });
    // Parts out of order are refused before S3 is asked.
    const shuffled = await post(deployedApp('transport'), `${BASE}/u/complete`, {
      fileName: 'stops-2026-12.csv',
      parts: [{ partNumber: 2, etag: '"e2"' }],
    });
    expect(shuffled.status).toBe(400);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(1);
  });

  it('answers 404 for an upload S3 no longer has, and aborts (an unknown one too)', async () => {
    const gone = Object.assign(new Error('The specified upload does not exist'), { name: 'NoSuchUpload' });
    s3.on(CompleteMultipartUploadCommand).rejects(gone);
    s3.on(AbortMultipartUploadCommand).rejectsOnce(gone).resolves({});
    const app = deployedApp('transport');
    const res = await post(app, `${BASE}/u-9/complete`, {
      fileName: 'a.csv',
      parts: [{ partNumber: 1, etag: '"e"' }],
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unknown_upload');
    for (let i = 0; i < 2; i++)
      expect(await (await post(app, `${BASE}/u-9/abort`, { fileName: 'a.csv' })).json()).toEqual({
        aborted: true,
      });
    expect(s3.commandCalls(AbortMultipartUploadCommand)[0].args[0].input).toEqual({
      Bucket: LANDING,
      Key: 'landing/transport/bus_stops/a.csv',
      UploadId: 'u-9',
    });
    // Parts go straight to S3: the deployed portal takes none.
    const part = await deployedApp('transport').request(`${BASE}/u-9/parts/1`, { method: 'PUT', body: 'x' });
    expect(part.status).toBe(404);
    expect(((await part.json()) as { error: { code: string } }).error.code).toBe('parts_go_to_storage');
  });

  it('answers processing until the department’s reports hold the receipt’s, then its upload id', async () => {
    const receipt = uploadDigest(KEY, 'v-7');
    const uploadId = `20261201T080102Z-${receipt}`;
    const path = `/api/datasets/transport/bus_stops/receipts/${receipt}`;
    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: 'reports/transport/bus_stops/20261130T000000Z-000000000000.json' }],
    });
    const app = deployedApp('transport');
    expect(await (await app.request(path)).json()).toEqual({ status: 'processing' });
    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: `reports/transport/bus_stops/${uploadId}.json` }],
    });
    s3.on(GetObjectCommand, { Key: `reports/transport/bus_stops/${uploadId}.json` }).resolves({
      Body: { transformToString: async () => JSON.stringify({ uploadId }) } as never,
    });
    expect(await (await deployedApp('transport').request(path)).json()).toEqual({ status: 'done', uploadId });
    const listed = s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(listed.every((i) => i.Bucket === QUARANTINE && i.Prefix === 'reports/transport/bus_stops/')).toBe(
      true,
    );
    expect((await deployedApp('health').request(path)).status).toBe(403);
  });
});

describe('the part sizes', () => {
  it('keeps parts at 8 MiB or more, whole MiB, and at most 10,000 of them', () => {
    expect(partSizeFor(1)).toBe(MIN_PART_BYTES);
    expect(partSizeFor(2 * 1024 ** 3)).toBe(MIN_PART_BYTES);
    const huge = 200 * 1024 ** 3;
    expect(partSizeFor(huge) % 1024 ** 2).toBe(0);
    expect(Math.ceil(huge / partSizeFor(huge))).toBeLessThanOrEqual(10_000);
  });
});

describe('the local upload (parts to the portal)', () => {
  /** A lake that keeps the file it is given and reports when told to. */
  function standIn() {
    let finish: (id: string) => void = () => undefined;
    const got: { bytes?: Buffer; name?: string } = {};
    const lake = {
      async upload(file: string, _ref: unknown, name: string): Promise<UploadedObject> {
        got.bytes = readFileSync(file);
        got.name = name;
        return {
          bucket: 'landing',
          key: `landing/transport/bus_stops/${name}`,
          bytes: 0,
          etag: '"e-1"',
          startedAt: NOW,
        };
      },
      waitForReport: () =>
        new Promise<{ uploadId: string }>((resolve) => {
          finish = (uploadId) => resolve({ uploadId });
        }),
      uploads: async () => [],
    } as unknown as LakeBackend;
    return { lake, got, finish: (id: string) => finish(id) };
  }
  const ref = { department: 'transport', dataset: 'bus_stops' };
  const stream = (b: Buffer) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(b));
        c.close();
      },
    });

  it('puts parts sent out of order back together, byte for byte, then waits for the report', async () => {
    const { lake, got, finish } = standIn();
    const uploads = new LocalDirectUploads(lake);
    const file = Buffer.alloc(MIN_PART_BYTES + 5);
    for (let i = 0; i < file.length; i += 4096) file[i] = i % 251;
    const plan = await uploads.start(ref, { name: 'big.csv', bytes: file.length });
    expect(plan.parts).toHaveLength(2);
    const e2 = await uploads.putPart(ref, plan.uploadId, 2, stream(file.subarray(MIN_PART_BYTES)));
    const e1 = await uploads.putPart(ref, plan.uploadId, 1, stream(file.subarray(0, MIN_PART_BYTES)));
    await expect(
      uploads.complete(ref, plan.uploadId, 'big.csv', [
        { partNumber: 1, etag: e2 },
        { partNumber: 2, etag: e1 },
      ]),
    ).rejects.toMatchObject({ code: 'bad_parts' });
    const receipt = await uploads.complete(ref, plan.uploadId, 'big.csv', [
      { partNumber: 1, etag: e1 },
      { partNumber: 2, etag: e2 },
    ]);
    expect(got.name).toBe('big.csv');
    expect(
      createHash('sha256')
        .update(got.bytes as Buffer)
        .digest('hex'),
    ).toBe(createHash('sha256').update(file).digest('hex'));
    expect(receipt).toBe(uploadDigest('landing/transport/bus_stops/big.csv', 'e-1'));
    expect(await uploads.reportOf(ref, receipt)).toBeNull();
    finish(`20261201T080000Z-${receipt}`);
    await new Promise((r) => setTimeout(r, 10));
    expect(await uploads.reportOf(ref, receipt)).toBe(`20261201T080000Z-${receipt}`);
  });

  it('refuses a part too large, of another dataset, or of an upload aborted', async () => {
    const { lake } = standIn();
    const uploads = new LocalDirectUploads(lake);
    const plan = await uploads.start(ref, { name: 'small.csv', bytes: 4 });
    await expect(uploads.putPart(ref, plan.uploadId, 1, stream(Buffer.from('a,b\nc')))).rejects.toMatchObject(
      {
        code: 'bad_part',
      },
    );
    await expect(
      uploads.putPart(
        { department: 'transport', dataset: 'other' },
        plan.uploadId,
        1,
        stream(Buffer.from('a,b\n')),
      ),
    ).rejects.toMatchObject({ code: 'unknown_upload' });
    await expect(uploads.putPart(ref, plan.uploadId, 2, stream(Buffer.from('a')))).rejects.toMatchObject({
      code: 'bad_part',
    });
    await uploads.abort(ref, plan.uploadId, 'small.csv');
    await expect(uploads.putPart(ref, plan.uploadId, 1, stream(Buffer.from('a,b\n')))).rejects.toMatchObject({
      code: 'unknown_upload',
    });
  });
});
