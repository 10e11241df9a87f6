/**
 * The object-level steps of an erasure, against a mocked S3: earlier versions deleted (with governance
 * bypass only where asked: raw), the new version kept; lines emptied in place so every other line keeps its
 * number, gzip kept gzip, CRLF kept; formats without lines removed whole.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { DeleteObjectCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteVersions, withoutLines } from '../../src/ingest/erase-objects.ts';

const s3mock = mockClient(S3Client);
afterEach(() => s3mock.reset());

describe('deleteVersions', () => {
  it('deletes every other version and delete marker of the key, past governance retention when asked', async () => {
    s3mock.on(ListObjectVersionsCommand).resolves({
      Versions: [
        { Key: 'raw/a/b/x.csv', VersionId: 'new' },
        { Key: 'raw/a/b/x.csv', VersionId: 'old-1' },
        { Key: 'raw/a/b/x.csv.bak', VersionId: 'other-key' },
      ],
      DeleteMarkers: [{ Key: 'raw/a/b/x.csv', VersionId: 'marker' }],
    });
    s3mock.on(DeleteObjectCommand).resolves({});
    const s3 = new S3Client({ region: 'cn-north-1' });

    const n = await deleteVersions(s3, 'lake-raw', 'raw/a/b/x.csv', { keep: 'new', bypassGovernance: true });

    expect(n).toBe(2);
    expect(s3mock.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'lake-raw', Key: 'raw/a/b/x.csv', VersionId: 'old-1', BypassGovernanceRetention: true },
      { Bucket: 'lake-raw', Key: 'raw/a/b/x.csv', VersionId: 'marker', BypassGovernanceRetention: true },
    ]);
  });

  it('sends no bypass outside raw, and does nothing on a store without versions', async () => {
    s3mock.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: 'k', VersionId: 'v1' }] });
    const s3 = new S3Client({ region: 'cn-north-1' });
    await deleteVersions(s3, 'lake-curated', 'k', { bypassGovernance: false });
    expect(s3mock.commandCalls(DeleteObjectCommand)[0].args[0].input).toEqual({
      Bucket: 'lake-curated',
      Key: 'k',
      VersionId: 'v1',
    });
    s3mock.reset();
    s3mock
      .on(ListObjectVersionsCommand)
      .rejects(Object.assign(new Error('no'), { name: 'MethodNotAllowed' }));
    expect(await deleteVersions(s3, 'lake-curated', 'k', { bypassGovernance: false })).toBe(0);
  });
});

describe('withoutLines', () => {
  const text = 'h1,h2\r\na,1\r\n"b\r\nb",2\r\nc,3\r\n';

  it('empties the spans, keeping every line break', () => {
    const out = withoutLines(Buffer.from(text), [{ line: 3, last: 4 }], 'csv')?.toString();
    expect(out).toBe('h1,h2\r\na,1\r\n\r\n\r\nc,3\r\n');
    expect(out?.split('\n')).toHaveLength(text.split('\n').length);
  });

  it('keeps a gzipped original gzipped, and removes what has no lines whole', () => {
    const gz = withoutLines(gzipSync(Buffer.from('a\nb\nc')), [{ line: 3, last: 3 }], 'jsonl') as Buffer;
    expect(gunzipSync(gz).toString()).toBe('a\nb\n');
    expect(withoutLines(Buffer.from('[1,2]'), [{ line: 1, last: 1 }], 'json')).toBeNull();
    expect(withoutLines(Buffer.from('PK..'), [{ line: 1, last: 1 }], 'xlsx')).toBeNull();
    expect(withoutLines(Buffer.from([0xff, 0xfe, 0x61, 0]), [{ line: 1, last: 1 }], 'csv')).toBeNull();
  });
});
