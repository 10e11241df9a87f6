/**
 * The S3 request patterns the local server cannot exercise: multipart copy (s3rver has no UploadPartCopy)
 * and conditional writes (s3rver ignores If-Match / If-None-Match). Everything else runs against s3rver.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { advanceCurrentManifest, parseManifest } from '../../src/ingest/current-manifest.ts';
import { copyObject, copySourceOf, isNotFound, isPreconditionFailed } from '../../src/ingest/s3-objects.ts';
import { currentManifestKey } from '../../src/lake/layout.ts';

const s3Mock = mockClient(S3Client);
afterEach(() => {
  s3Mock.reset();
});
const client = () =>
  new S3Client({ region: 'cn-northwest-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

/** The part of a GetObject body the code reads. */
const body = (text: string) => ({ transformToString: async () => text }) as never;

describe('copySourceOf', () => {
  it('encodes each key segment and adds the version', () => {
    expect(copySourceOf('landing', 'landing/health/clinics/2026 诊所+1.csv', 'v1?x')).toBe(
      'landing/landing/health/clinics/2026%20%E8%AF%8A%E6%89%80%2B1.csv?versionId=v1%3Fx',
    );
    expect(copySourceOf('b', 'a/b.csv')).toBe('b/a/b.csv');
  });

  it('keeps the = of a partition folder as it is', () => {
    expect(copySourceOf('c', 'curated/d/x/ingest_date=2026-12-01/u.parquet')).toBe(
      'c/curated/d/x/ingest_date=2026-12-01/u.parquet',
    );
  });
});

describe('isNotFound / isPreconditionFailed', () => {
  it.each([
    [s3Error('NoSuchKey', 404), true, false],
    [s3Error('NotFound', 404), true, false],
    [s3Error('NoSuchBucket', 404), false, false],
    [s3Error('AccessDenied', 403), false, false],
    [s3Error('PreconditionFailed', 412), false, true],
    [s3Error('ConditionalRequestConflict', 409), false, true],
  ])('%s', (error, notFound, precondition) => {
    expect(isNotFound(error)).toBe(notFound);
    expect(isPreconditionFailed(error)).toBe(precondition);
  });
});

describe('copyObject', () => {
  const spec = {
    source: { bucket: 'landing', key: 'landing/health/clinics/big.csv', versionId: 'v7' },
    target: { bucket: 'raw', key: 'raw/health/clinics/x/big.csv' },
  };

  it('copies in one request up to the single-copy limit', async () => {
    s3Mock.on(CopyObjectCommand).resolves({});
    await copyObject(client(), { ...spec, size: 100 }, { singleMaxBytes: 100 });
    expect(s3Mock.commandCalls(CopyObjectCommand).map((c) => c.args[0].input)).toEqual([
      {
        Bucket: 'raw',
        Key: 'raw/health/clinics/x/big.csv',
        CopySource: 'landing/landing/health/clinics/big.csv?versionId=v7',
        CopySourceIfMatch: undefined,
      },
    ]);
  });

  it('copies a larger object in parts covering every byte once, keeping its content type', async () => {
    // Prepare
    s3Mock.on(HeadObjectCommand).resolves({ ContentType: 'text/csv', Metadata: { a: 'b' } });
    s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    s3Mock
      .on(UploadPartCopyCommand)
      .callsFake((input) => ({ CopyPartResult: { ETag: `"e${input.PartNumber}"` } }));
    s3Mock.on(CompleteMultipartUploadCommand).resolves({});

    // Act
    await copyObject(client(), { ...spec, size: 250 }, { singleMaxBytes: 100, partBytes: 100 });

    // Assess
    expect(s3Mock.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(CreateMultipartUploadCommand)[0].args[0].input).toMatchObject({
      ContentType: 'text/csv',
      Metadata: { a: 'b' },
    });
    const parts = s3Mock.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input);
    expect(parts.map((p) => [p.PartNumber, p.CopySourceRange])).toEqual([
      [1, 'bytes=0-99'],
      [2, 'bytes=100-199'],
      [3, 'bytes=200-249'],
    ]);
    expect(parts.every((p) => p.CopySource === 'landing/landing/health/clinics/big.csv?versionId=v7')).toBe(
      true,
    );
    expect(s3Mock.commandCalls(CompleteMultipartUploadCommand)[0].args[0].input.MultipartUpload).toEqual({
      Parts: [
        { ETag: '"e1"', PartNumber: 1 },
        { ETag: '"e2"', PartNumber: 2 },
        { ETag: '"e3"', PartNumber: 3 },
      ],
    });
  });

  it('aborts the multipart copy when a part fails', async () => {
    s3Mock.on(HeadObjectCommand).resolves({});
    s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    s3Mock.on(UploadPartCopyCommand).rejects(s3Error('InternalError', 500));
    s3Mock.on(AbortMultipartUploadCommand).resolves({});
    await expect(
      copyObject(client(), { ...spec, size: 250 }, { singleMaxBytes: 100, partBytes: 100 }),
    ).rejects.toThrow();
    expect(s3Mock.commandCalls(AbortMultipartUploadCommand)[0].args[0].input).toMatchObject({
      UploadId: 'u1',
    });
  });

  it('requires the ETag to match when the source has no version id', async () => {
    s3Mock.on(CopyObjectCommand).resolves({});
    const unversioned = { ...spec, source: { bucket: 'landing', key: 'landing/a/b/c.csv', etag: '"abc"' } };
    await copyObject(client(), { ...unversioned, size: 1 });
    expect(s3Mock.commandCalls(CopyObjectCommand)[0].args[0].input.CopySourceIfMatch).toBe('"abc"');
  });
});

describe('advanceCurrentManifest: conditional writes', () => {
  const ref = { department: 'health', dataset: 'clinics' };
  const key = currentManifestKey(ref);
  const older = '20261101T000000Z-aaaaaaaaaaaa';
  const mine = '20261115T000000Z-bbbbbbbbbbbb';
  const newer = '20261120T000000Z-cccccccccccc';
  const uri = (id: string) => `s3://curated/curated/health/clinics/ingest_date=2026-11-01/${id}.parquet\n`;

  it('creates the manifest only if it still does not exist', async () => {
    s3Mock.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
    s3Mock.on(PutObjectCommand).resolves({});
    expect(await advanceCurrentManifest(client(), 'curated', ref, mine, ['k.parquet'])).toBe('updated');
    expect(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({
      Key: key,
      IfNoneMatch: '*',
      Body: 's3://curated/k.parquet\n',
    });
  });

  it('re-reads after losing a race, and keeps the newer upload that won it', async () => {
    // Prepare: the manifest names an older upload; while we write, a newer upload replaces it
    s3Mock
      .on(GetObjectCommand)
      .resolvesOnce({ Body: body(uri(older)), ETag: '"1"' })
      .resolves({ Body: body(uri(newer)), ETag: '"2"' });
    s3Mock.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));

    // Act
    const outcome = await advanceCurrentManifest(client(), 'curated', ref, mine, ['k.parquet']);

    // Assess
    expect(outcome).toBe('kept-newer');
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.IfMatch).toBe('"1"');
  });

  it('gives up (so the upload is retried) when the manifest keeps changing', async () => {
    s3Mock.on(GetObjectCommand).callsFake(() => ({ Body: body(uri(older)), ETag: '"1"' }));
    s3Mock.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    await expect(advanceCurrentManifest(client(), 'curated', ref, mine, ['k.parquet'])).rejects.toThrow(
      /kept changing/,
    );
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(5);
  });

  it('parses the upload id from the first line', () => {
    expect(parseManifest(`${uri(older)}${uri(older)}`).uploadId).toBe(older);
    expect(parseManifest('').uploadId).toBeNull();
  });
});
