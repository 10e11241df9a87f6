import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_BUCKETS, startLocalS3 } from '../../src/ingest/local-s3.ts';
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
