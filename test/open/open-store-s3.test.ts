/**
 * The open-data zone in an S3 bucket (as on AWS): the exact requests (aws-sdk-client-mock), then the whole
 * publication through the S3 API against the local endpoint, conditional writes included.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { baseUrlOf, openStoreOf } from '../../src/ingest/open/open-store.ts';
import { readOpenIndex } from '../../src/ingest/open/publish-open.ts';
import { getBytes, startTestLake } from '../ingest/helpers.ts';
import { CONTRACTS, example, type OpenLake, sha256, upload, withOpenZone } from './helpers.ts';

const s3Mock = mockClient(S3Client);
const preconditionFailed = () =>
  Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
    name: 'PreconditionFailed',
    $metadata: { httpStatusCode: 412 },
  });

describe('the S3 open store: its requests', () => {
  beforeEach(() => s3Mock.reset());
  const store = () => openStoreOf(new S3Client({ region: 'eu-west-1' }), { bucket: 'open-bucket' });

  it('writes a file whole with its type and a cache lifetime', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    const path = join(tmpdir(), `open-store-${process.pid}.csv`);
    await writeFile(path, '\uFEFFa,b\r\n1,2\r\n');
    await store().putFile('open/health/clinics/clinics.csv', path, 'text/csv');
    const [call] = s3Mock.commandCalls(PutObjectCommand);
    expect(call.args[0].input).toMatchObject({
      Bucket: 'open-bucket',
      Key: 'open/health/clinics/clinics.csv',
      ContentType: 'text/csv',
      CacheControl: 'public, max-age=300',
    });
  });

  it('updates the catalogue by conditional writes, and says when another writer came first', async () => {
    s3Mock
      .on(PutObjectCommand, { IfMatch: '"abc"' })
      .resolves({})
      .on(PutObjectCommand, { IfNoneMatch: '*' })
      .rejects(preconditionFailed());
    expect(await store().putIf('open/catalog.json', '{}', 'application/json', '"abc"')).toBe(true);
    expect(await store().putIf('open/catalog.json', '{}', 'application/json', null)).toBe(false);
    const inputs = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toMatchObject({ IfMatch: '"abc"', CacheControl: 'public, max-age=60' });
    expect(inputs[0].IfNoneMatch).toBeUndefined();
    expect(inputs[1]).toMatchObject({ IfNoneMatch: '*' });
  });

  it('reads a missing object as none', async () => {
    s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error('nope'), { name: 'NoSuchKey' }));
    expect(await store().get('open/catalog.json')).toBeNull();
  });

  it('removes the earlier versions of a dataset, never the current ones', async () => {
    s3Mock.on(ListObjectVersionsCommand).resolves({
      Versions: [
        { Key: 'open/health/clinics/clinics.csv', VersionId: 'v2', IsLatest: true },
        { Key: 'open/health/clinics/clinics.csv', VersionId: 'v1', IsLatest: false },
      ],
      DeleteMarkers: [{ Key: 'open/health/clinics/old.csv', VersionId: 'd1', IsLatest: false }],
    });
    s3Mock.on(DeleteObjectsCommand).resolves({});
    expect(await store().purgeHistory('open/health/clinics/')).toBe(2);
    expect(s3Mock.commandCalls(ListObjectVersionsCommand)[0].args[0].input).toMatchObject({
      Bucket: 'open-bucket',
      Prefix: 'open/health/clinics/',
    });
    expect(s3Mock.commandCalls(DeleteObjectsCommand)[0].args[0].input.Delete?.Objects).toEqual([
      { Key: 'open/health/clinics/clinics.csv', VersionId: 'v1' },
      { Key: 'open/health/clinics/old.csv', VersionId: 'd1' },
    ]);
  });

  it('serves files from the CloudFront URL given, else from the bucket', () => {
    expect(baseUrlOf({ bucket: 'b', baseUrl: 'https://d111.cloudfront.net' })).toBe(
      'https://d111.cloudfront.net/',
    );
    expect(baseUrlOf({ bucket: 'b' })).toBe('https://b.s3.amazonaws.com/open/');
  });
});

describe('publication through the S3 API', () => {
  let open: OpenLake;
  afterAll(() => open?.stop());

  it('publishes files and the catalogue to an open bucket with conditional writes', async () => {
    s3Mock.restore();
    open = await withOpenZone(await startTestLake());
    const client = open.lake.s3.client();
    await client.send(new CreateBucketCommand({ Bucket: 'lake-open' }));
    open = {
      ...open,
      buckets: { ...open.buckets, open: { bucket: 'lake-open', baseUrl: 'https://cdn.test/' } },
    };
    const r = await upload(
      open,
      CONTRACTS,
      { department: 'statistics', dataset: 'divisions' },
      'd.csv',
      await example('statistics/divisions/divisions-guizhou-2024.csv'),
    );
    expect(r.report?.opening?.status).toBe('published');
    const store = openStoreOf(client, { bucket: 'lake-open' });
    const { index } = await readOpenIndex(store, 'https://cdn.test/');
    const d = index.datasets['statistics/divisions'];
    for (const f of d.files) {
      expect(sha256(await getBytes(client, 'lake-open', f.key))).toBe(f.sha256);
      expect(f.url).toBe(`https://cdn.test/${f.key.slice('open/'.length)}`);
    }
    const catalogue = JSON.parse(
      (await getBytes(client, 'lake-open', 'open/catalog.jsonld')).toString('utf8'),
    );
    expect(catalogue['@type']).toBe('dcat:Catalog');
    expect(catalogue['dcat:dataset'][0]['dct:spatial']['skos:prefLabel']['@value']).toBe('贵州省');
  }, 60_000);
});
