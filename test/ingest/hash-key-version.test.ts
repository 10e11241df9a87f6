/** The version of the `protect: hash` key, recorded in the report of each upload that hashed a column. */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKeyFingerprint } from '../../src/ingest/hash-key.ts';
import { processUpload } from '../../src/ingest/process-upload.ts';
import { lakePaths, loadOrCreateHashKey } from '../../src/local/lake-dir.ts';
import { LocalLake } from '../../src/local/local-lake.ts';
import {
  clinicsContract,
  contractsOf,
  depsFor,
  FIXTURES,
  fixture,
  HASH_KEY,
  putFile,
  startTestLake,
  type TestLake,
} from './helpers.ts';

const VERSION = 'a1b2c3d4-0000-4000-8000-000000000001';

let lake: TestLake;
beforeAll(async () => {
  lake = await startTestLake();
});
afterAll(async () => {
  await lake?.stop();
});

/** Uploads the clinics fixture under `key` and processes it with `extra` deps. */
async function ingest(key: string, extra: Parameters<typeof depsFor>[2] = {}) {
  const s3 = lake.s3.client();
  await putFile(s3, lake.s3.buckets.landing, key, await fixture('clinics.csv'));
  const result = await processUpload(depsFor(lake, s3, extra), { bucket: lake.s3.buckets.landing, key });
  return result.report;
}

describe('hashKeyFingerprint', () => {
  it('is sha256: and the first 12 hex digits of the key digest: stable, and never the key', () => {
    const digest = createHash('sha256').update(HASH_KEY).digest('hex');
    expect(hashKeyFingerprint(HASH_KEY)).toBe(`sha256:${digest.slice(0, 12)}`);
    expect(hashKeyFingerprint(Buffer.from(HASH_KEY))).toBe(hashKeyFingerprint(HASH_KEY));
    expect(hashKeyFingerprint(Buffer.alloc(32, 1))).not.toBe(hashKeyFingerprint(HASH_KEY));
    expect(hashKeyFingerprint(HASH_KEY)).not.toContain(HASH_KEY.toString('hex').slice(0, 8));
  });
});

describe('the report', () => {
  it('records the key version when a column was hashed', async () => {
    const report = await ingest('landing/health/clinics/hashed.csv', { hashKeyVersion: VERSION });
    expect(report?.pii.protected).toContainEqual(expect.objectContaining({ action: 'hash' }));
    expect(report?.hashKeyVersion).toBe(VERSION);
  });

  it('records none when no column was hashed, when no version is known, or when the file was not read', async () => {
    const masked = clinicsContract({
      fields: [
        { name: 'clinic_id' },
        { name: 'clinic_name', headers: ['诊所名称'] },
        { name: 'beds' },
        { name: 'opened_on' },
        { name: 'owner_name', pii: 'person_name', protect: 'mask' },
      ],
    });
    const reports = [
      await ingest('landing/health/clinics/masked.csv', {
        hashKeyVersion: VERSION,
        contracts: contractsOf(masked),
      }),
      await ingest('landing/health/clinics/unversioned.csv'),
      await ingest('landing/health/unknown/no-contract.csv', { hashKeyVersion: VERSION }),
    ];
    for (const report of reports) {
      expect(report, report?.source.key).toBeDefined();
      expect(report, report?.source.key).not.toHaveProperty('hashKeyVersion');
    }
  });
});

describe('the local lake', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lake-key-version-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("records its key file's fingerprint, never the key", async () => {
    const local = await LocalLake.open({ lakeDir: dir, contracts: contractsOf(clinicsContract()) });
    const key = 'landing/health/clinics/local.csv';
    try {
      await local.s3.send(
        new PutObjectCommand({
          Bucket: local.buckets.landing,
          Key: key,
          Body: await readFile(join(FIXTURES, 'clinics.csv')),
        }),
      );
      const ref = { department: 'health', dataset: 'clinics' };
      const report = await local.waitForReport(ref, await local.uploadIdOf(key), { timeoutMs: 30_000 });
      const hashKey = loadOrCreateHashKey(lakePaths(dir));
      expect(report.hashKeyVersion).toBe(hashKeyFingerprint(hashKey));
      expect(JSON.stringify(report)).not.toContain(hashKey.toString('hex'));
    } finally {
      await local.close();
    }
  });
});
