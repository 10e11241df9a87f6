import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_BUCKETS, type LocalS3, startLocalS3 } from '../../src/ingest/local-s3.ts';
import { MAX_LAST_SEGMENT_BYTES } from '../../src/ingest/local-s3-keys.ts';
import { getBytes, putFile } from './helpers.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lake-local-s3-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startLocalS3', () => {
  it('starts on a free loopback port with the lake buckets, and stops cleanly', async () => {
    // Act
    const a = await startLocalS3({ dir: join(dir, 'a') });
    const b = await startLocalS3({ dir: join(dir, 'b') });

    // Assess
    try {
      expect(a.port).toBeGreaterThan(0);
      expect(b.port).not.toBe(a.port);
      expect(a.endpoint).toBe(`http://127.0.0.1:${a.port}`);
      const listed = await a.client().send(new ListBucketsCommand({}));
      expect(listed.Buckets?.map((x) => x.Name).sort()).toEqual(Object.values(LOCAL_BUCKETS).sort());
    } finally {
      await a.stop();
      await b.stop();
    }
    expect(await portIsOpen(a.port)).toBe(false);
    await a.stop(); // a second stop is harmless
  });

  it('keeps its objects in the directory across restarts', async () => {
    const first = await startLocalS3({ dir });
    await putFile(first.client(), first.buckets.landing, 'landing/health/clinics/a.csv', 'x,y\n');
    await first.stop();

    const second = await startLocalS3({ dir });
    try {
      const body = await getBytes(second.client(), second.buckets.landing, 'landing/health/clinics/a.csv');
      expect(body.toString()).toBe('x,y\n');
    } finally {
      await second.stop();
    }
  });

  it('serves one bucket for every zone when asked to', async () => {
    const one = { landing: 'lake', raw: 'lake', curated: 'lake', quarantine: 'lake' };
    const s3 = await startLocalS3({ dir, buckets: one });
    try {
      const listed = await s3.client().send(new ListBucketsCommand({}));
      expect(listed.Buckets?.map((x) => x.Name)).toEqual(['lake']);
    } finally {
      await s3.stop();
    }
  });
});

/** The S3 error code of a failed request (or "ok"). */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as Error).name;
  }
}

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

/** Every file and folder under `dir` with its permission bits. */
async function modes(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const e of await readdir(dir, { recursive: true })) {
    out.set(e, (await stat(join(dir, e))).mode & 0o777);
  }
  return out;
}

describe('the local endpoint under concurrent use', () => {
  let a: LocalS3;
  let b: LocalS3;
  beforeEach(async () => {
    // Two endpoints on one directory: as two `lake` commands on one lake.
    a = await startLocalS3({ dir });
    b = await startLocalS3({ dir });
  });
  afterEach(async () => {
    await a.stop();
    await b.stop();
  });

  it('never serves a half-written object: every read is one whole version, with its own ETag', async () => {
    // Prepare: versions of one key of very different sizes (a short one read while a long one is written would show).
    const versions = [1, 40_000, 7, 250_000, 3_000].map((n, i) => Buffer.from(`{"v":${i}}`.padEnd(n, ' ')));
    const bySum = new Map(versions.map((v) => [md5(v), v]));
    const key = 'reports/health/clinics/u1.json';
    const writer = a.client();
    const reader = b.client();

    // Act: one process keeps replacing the object while the other keeps reading it.
    let writing = true;
    const writes = (async () => {
      for (let round = 0; round < 12; round++) {
        for (const body of versions)
          await writer.send(new PutObjectCommand({ Bucket: a.buckets.quarantine, Key: key, Body: body }));
      }
      writing = false;
    })();
    const seen: { etag: string; sum: string; length: number }[] = [];
    while (writing) {
      try {
        const r = await reader.send(new GetObjectCommand({ Bucket: b.buckets.quarantine, Key: key }));
        const body = Buffer.from(
          await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
        );
        seen.push({
          etag: String(r.ETag).replaceAll('"', ''),
          sum: md5(body),
          length: Number(r.ContentLength),
        });
        JSON.parse(body.toString());
      } catch (e) {
        if ((e as Error).name !== 'NoSuchKey') throw e;
      }
    }
    await writes;

    // Assess
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) {
      expect(bySum.has(s.sum)).toBe(true);
      expect(s.etag).toBe(s.sum);
      expect(s.length).toBe(bySum.get(s.sum)?.length);
    }
  });

  it('lists objects while others are being written, and lists no temporary file', async () => {
    const writer = a.client();
    const lister = b.client();
    const puts = Array.from({ length: 40 }, (_, i) =>
      writer.send(
        new PutObjectCommand({
          Bucket: a.buckets.curated,
          Key: `curated/x/y/f${i}.parquet`,
          Body: 'p'.repeat(5000),
        }),
      ),
    );
    const listings: string[][] = [];
    for (let i = 0; i < 10; i++) {
      const r = await lister.send(
        new ListObjectsV2Command({ Bucket: b.buckets.curated, Prefix: 'curated/' }),
      );
      listings.push((r.Contents ?? []).map((o) => o.Key ?? ''));
    }
    await Promise.all(puts);
    const final = await lister.send(
      new ListObjectsV2Command({ Bucket: b.buckets.curated, Prefix: 'curated/' }),
    );

    for (const keys of listings) for (const k of keys) expect(k).toMatch(/^curated\/x\/y\/f\d+\.parquet$/);
    expect(final.KeyCount).toBe(40);
  });

  it('honours If-None-Match and If-Match on writes across processes: exactly one writer wins', async () => {
    // Prepare
    const key = 'curated/health/clinics/_current/manifest';
    const clients = [a.client(), b.client(), a.client(), b.client()];

    // Act: four writers create the key at once, then all update it from the same ETag.
    const created = await Promise.all(
      clients.map((c, i) =>
        codeOf(
          c.send(
            new PutObjectCommand({
              Bucket: a.buckets.curated,
              Key: key,
              Body: `first ${i}`,
              IfNoneMatch: '*',
            }),
          ),
        ),
      ),
    );
    const head = await clients[0].send(new HeadObjectCommand({ Bucket: a.buckets.curated, Key: key }));
    const updated = await Promise.all(
      clients.map((c, i) =>
        codeOf(
          c.send(
            new PutObjectCommand({
              Bucket: a.buckets.curated,
              Key: key,
              Body: `second ${i}`,
              IfMatch: head.ETag,
            }),
          ),
        ),
      ),
    );
    const staleRead = codeOf(
      clients[1].send(new GetObjectCommand({ Bucket: a.buckets.curated, Key: key, IfMatch: head.ETag })),
    );

    // Assess
    expect(created.filter((c) => c === 'ok')).toHaveLength(1);
    expect(created.filter((c) => c === 'PreconditionFailed')).toHaveLength(3);
    expect(updated.filter((c) => c === 'ok')).toHaveLength(1);
    expect(updated.filter((c) => c === 'PreconditionFailed')).toHaveLength(3);
    expect(await staleRead).toBe('PreconditionFailed');
  });
});

describe('keys the directory cannot hold', () => {
  let s3: LocalS3;
  let client: S3Client;
  beforeEach(async () => {
    s3 = await startLocalS3({ dir: join(dir, 'lake') });
    client = s3.client();
  });
  afterEach(async () => {
    await s3.stop();
  });

  it('refuses a key that would leave the lake directory, and writes nothing outside it', async () => {
    const key = 'landing/health/clinics/../../../../../escaped.csv';
    expect(
      await codeOf(
        client.send(new PutObjectCommand({ Bucket: s3.buckets.landing, Key: key, Body: 'a,b\n' })),
      ),
    ).toBe('InvalidArgument');
    expect(await codeOf(client.send(new GetObjectCommand({ Bucket: s3.buckets.landing, Key: key })))).toBe(
      'InvalidArgument',
    );
    expect(
      await codeOf(
        client.send(new PutObjectCommand({ Bucket: s3.buckets.landing, Key: 'landing//a.csv', Body: 'x' })),
      ),
    ).toBe('InvalidArgument');
    expect((await readdir(dir)).sort()).toEqual(['lake']);
    expect(existsSync(join(dir, 'escaped.csv._S3rver_object'))).toBe(false);
  });

  it('refuses a key segment longer than a file name can be, and keeps serving', async () => {
    const long = `landing/health/clinics/${'a'.repeat(MAX_LAST_SEGMENT_BYTES + 1)}.csv`;
    const longFolder = `landing/health/${'b'.repeat(256)}/a.csv`;
    expect(
      await codeOf(client.send(new PutObjectCommand({ Bucket: s3.buckets.landing, Key: long, Body: 'x' }))),
    ).toBe('KeyTooLongError');
    expect(
      await codeOf(
        client.send(new PutObjectCommand({ Bucket: s3.buckets.landing, Key: longFolder, Body: 'x' })),
      ),
    ).toBe('KeyTooLongError');
    const fits = `landing/health/clinics/${'a'.repeat(MAX_LAST_SEGMENT_BYTES)}`;
    await putFile(client, s3.buckets.landing, fits, 'x,y\n');
    expect((await getBytes(client, s3.buckets.landing, fits)).toString()).toBe('x,y\n');
  });

  it('keeps its folders and files private to the user', async () => {
    await putFile(client, s3.buckets.landing, 'landing/health/clinics/a.csv', 'x,y\n');
    await client.send(
      new PutObjectCommand({ Bucket: s3.buckets.curated, Key: 'curated/m', Body: 'x', IfNoneMatch: '*' }),
    );
    const found = await modes(join(dir, 'lake'));
    expect(found.size).toBeGreaterThan(5);
    for (const [path, mode] of found) {
      const isDir = (await stat(join(dir, 'lake', path))).isDirectory();
      expect({ path, mode }).toEqual({ path, mode: isDir ? 0o700 : 0o600 });
    }
  });
});
