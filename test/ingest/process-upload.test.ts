import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractHash } from '../../src/contracts/contract-hash.ts';
import { readCurrentManifest } from '../../src/ingest/current-manifest.ts';
import { listReports, processUpload, readReport } from '../../src/ingest/process-upload.ts';
import {
  curatedKey,
  currentManifestKey,
  quarantineKey,
  rawKey,
  reportKey,
  uploadIdOf,
} from '../../src/lake/layout.ts';
import { hmacHex } from '../../src/privacy/protect.ts';
import {
  clinicsContract,
  contractsOf,
  depsFor,
  fixture,
  getBytes,
  HASH_KEY,
  instrumentedClient,
  putFile,
  readParquetObject,
  type SeenRequest,
  sha256,
  sleep,
  snapshot,
  startTestLake,
  type TestLake,
  WRITES,
} from './helpers.ts';

const CLINICS = { department: 'health', dataset: 'clinics' };

let lake: TestLake;
beforeAll(async () => {
  lake = await startTestLake();
});
afterAll(async () => {
  await lake?.stop();
});

/** Uploads `body` to the landing bucket under `file` of `dataset` and returns its object reference. */
async function land(
  file: string,
  body: Buffer | string,
  ref: { department: string; dataset: string } = CLINICS,
) {
  const key = `landing/${ref.department}/${ref.dataset}/${file}`;
  const s3 = lake.s3.client();
  const put = await putFile(s3, lake.s3.buckets.landing, key, body);
  return { bucket: lake.s3.buckets.landing, key, ...put };
}

/**
 * The clinics fixture with one clinic's name tagged: bytes of their own, so the upload is not a duplicate
 * of an earlier test's upload of the fixture into the same dataset (same rows, same errors).
 */
async function distinctClinics(tag: string): Promise<string> {
  return (await fixture('clinics.csv')).toString('utf8').replace('云岩区诊所', `云岩区诊所${tag}`);
}

describe('processUpload: a CSV through the lake', () => {
  it('copies the original byte for byte, publishes typed rows, quarantines the bad ones and reports', async () => {
    // Prepare
    const csv = await fixture('clinics.csv');
    const obj = await land('2026年11月 诊所.csv', csv);
    const { client } = instrumentedClient(lake);
    const started = new Date('2026-11-28T09:00:00Z');

    // Act
    const result = await processUpload(depsFor(lake, client, { now: () => started }), obj);

    // Assess
    const uploadId = uploadIdOf(obj.key, obj.etag.replaceAll('"', ''), obj.lastModified);
    expect(result.outcome).toBe('processed');
    expect(result.uploadId).toBe(uploadId);
    const report = result.report;
    if (!report) throw new Error('no report');
    expect(report.status).toBe('partial');
    expect(report.rows).toEqual({ total: 5, accepted: 3, rejected: 2 });
    expect(report.rows.accepted + report.rows.rejected + (report.rows.skipped ?? 0)).toBe(report.rows.total);
    expect(report.startedAt).toBe(started.toISOString());
    expect(report.source.sha256).toBe(sha256(csv));

    // raw: byte-identical, at the layout's key (dated by the upload, not by the clock)
    const raw = rawKey(CLINICS, uploadId, obj.lastModified, '2026年11月 诊所.csv');
    expect(result.rawKey).toBe(raw);
    expect(sha256(await getBytes(client, lake.s3.buckets.raw, raw))).toBe(sha256(csv));

    // curated: typed, value by value
    const curated = await readParquetObject(
      client,
      lake.s3.buckets.curated,
      curatedKey(CLINICS, uploadId, obj.lastModified),
    );
    expect(curated.types).toMatchObject({
      clinic_id: 'VARCHAR',
      clinic_name: 'VARCHAR',
      beds: 'BIGINT',
      opened_on: 'DATE',
      owner_name: 'VARCHAR',
      _upload_id: 'VARCHAR',
      _source_line: 'BIGINT',
    });
    const lineage = { _upload_id: uploadId, _ingested_at: expect.any(String) };
    expect(curated.rows).toEqual([
      {
        clinic_id: 'GZ000001',
        clinic_name: '南明区社区卫生服务中心',
        beds: '20',
        opened_on: '2015-03-18',
        owner_name: hmacHex(HASH_KEY, '张三丰'),
        _source_line: '2',
        ...lineage,
      },
      {
        clinic_id: 'GZ000002',
        clinic_name: '云岩区诊所',
        beds: '0',
        opened_on: '2016-07-01',
        owner_name: hmacHex(HASH_KEY, '李四'),
        _source_line: '3',
        ...lineage,
      },
      {
        clinic_id: 'GZ000005',
        clinic_name: '乌当区诊所',
        beds: '12',
        opened_on: '2020-12-31',
        owner_name: null,
        _source_line: '6',
        ...lineage,
      },
    ]);

    // quarantine: the two bad rows, with their reasons
    const quarantine = await readParquetObject(
      client,
      lake.s3.buckets.quarantine,
      quarantineKey(CLINICS, uploadId, obj.lastModified),
    );
    expect(quarantine.rows.map((r) => [r.clinic_id, r._source_line])).toEqual([
      ['BAD', '4'],
      ['GZ000004', '5'],
    ]);
    expect(JSON.stringify(quarantine.rows[0]._errors)).toContain('pattern');
    expect(JSON.stringify(quarantine.rows[1]._errors)).toContain('minimum');

    // the report: stored where the layout says, the same as returned
    const stored = await readReport(client, lake.s3.buckets.quarantine, CLINICS, uploadId);
    expect(stored).toEqual(report);
    expect(report.outputs.map((o) => [o.kind, o.key, o.rows])).toEqual([
      ['curated', curatedKey(CLINICS, uploadId, obj.lastModified), 3],
      ['quarantine', quarantineKey(CLINICS, uploadId, obj.lastModified), 2],
    ]);
  });

  it('lists and reads reports for the CLI', async () => {
    // Prepare
    const obj = await land('listed.csv', await fixture('clinics.csv'));
    const { client } = instrumentedClient(lake);
    const { uploadId } = await processUpload(depsFor(lake, client), obj);

    // Act
    const all = await listReports(client, lake.s3.buckets.quarantine);
    const health = await listReports(client, lake.s3.buckets.quarantine, 'health', 'clinics');
    const none = await listReports(client, lake.s3.buckets.quarantine, 'transport');
    const missing = await readReport(
      client,
      lake.s3.buckets.quarantine,
      CLINICS,
      '20000101T000000Z-000000000000',
    );

    // Assess
    const entry = health.find((e) => e.uploadId === uploadId);
    expect(entry).toMatchObject({
      department: 'health',
      dataset: 'clinics',
      key: reportKey(CLINICS, uploadId ?? ''),
    });
    expect(all.length).toBeGreaterThanOrEqual(health.length);
    expect([...health].map((e) => e.uploadId)).toEqual(health.map((e) => e.uploadId).sort());
    expect(none).toEqual([]);
    expect(missing).toBeNull();
  });
});

describe('processUpload: idempotency', () => {
  it('answers duplicate for the same object delivered again, and writes nothing', async () => {
    // Prepare
    const obj = await land('twice.csv', await fixture('clinics.csv'));
    const first = await processUpload(depsFor(lake, lake.s3.client()), obj);
    await sleep(1100); // a rewrite would change LastModified (second resolution)
    const before = await Promise.all(
      Object.values(lake.s3.buckets).map((b) => snapshot(lake.s3.client(), b)),
    );
    const { client, seen } = instrumentedClient(lake);

    // Act
    const again = await processUpload(depsFor(lake, client), obj);

    // Assess
    expect(again.outcome).toBe('duplicate');
    expect(again.uploadId).toBe(first.uploadId);
    expect(again.report).toEqual(first.report);
    expect(seen.filter((r) => WRITES.has(r.command))).toEqual([]);
    const after = await Promise.all(Object.values(lake.s3.buckets).map((b) => snapshot(lake.s3.client(), b)));
    expect(after).toEqual(before);
  });

  it('redoes the same keys after a crash before the report, without doubling rows', async () => {
    // Prepare: the report write fails once, after curated and quarantine were uploaded
    const obj = await land('crash.csv', await distinctClinics('crash'));
    let failures = 0;
    const failReportOnce = (r: SeenRequest) =>
      r.command === 'PutObjectCommand' && r.key?.startsWith('reports/') === true && failures++ === 0;
    const { client, seen } = instrumentedClient(lake, failReportOnce);
    const uploadId = uploadIdOf(obj.key, obj.etag.replaceAll('"', ''), obj.lastModified);
    const curated = curatedKey(CLINICS, uploadId, obj.lastModified);

    // Act 1: the crash
    await expect(processUpload(depsFor(lake, client), obj)).rejects.toThrow(/injected failure/);

    // Assess 1: curated published, no report
    const firstWrites = seen.filter((r) => WRITES.has(r.command)).map((r) => r.key);
    expect(firstWrites).toContain(curated);
    expect(await readReport(client, lake.s3.buckets.quarantine, CLINICS, uploadId)).toBeNull();
    const afterCrash = await snapshot(client, lake.s3.buckets.curated, `curated/health/clinics/`);

    // Act 2: the retry
    seen.length = 0;
    const retry = await processUpload(depsFor(lake, client), obj);

    // Assess 2: the same keys, one file per kind, rows not doubled; the manifest already names the upload
    expect(retry.outcome).toBe('processed');
    expect(retry.uploadId).toBe(uploadId);
    const retryWrites = seen.filter((r) => WRITES.has(r.command)).map((r) => r.key);
    const manifestKey = currentManifestKey(CLINICS);
    expect(firstWrites).toContain(manifestKey);
    // (the retry finds its own content index entry, written by the first attempt)
    expect(retryWrites).toEqual([
      ...firstWrites.filter(
        (k) => k !== manifestKey && !k?.startsWith('reports/') && !k?.includes('/_content/'),
      ),
      reportKey(CLINICS, uploadId),
    ]);
    const manifest = await readCurrentManifest(client, lake.s3.buckets.curated, CLINICS);
    expect(manifest?.uploadId).toBe(uploadId);
    const afterRetry = await snapshot(client, lake.s3.buckets.curated, `curated/health/clinics/`);
    expect([...afterRetry.keys()].sort()).toEqual([...afterCrash.keys()].sort());
    const rows = await readParquetObject(client, lake.s3.buckets.curated, curated);
    expect(rows.rows).toHaveLength(3);
    expect(retry.report?.rows).toEqual({ total: 5, accepted: 3, rejected: 2 });
  });

  it('removes an output an earlier attempt published when the retry does not produce it', async () => {
    // Prepare: first attempt publishes curated rows, then crashes before its report
    const obj = await land('contract-changed.csv', await distinctClinics('contract-changed'));
    let failures = 0;
    const { client } = instrumentedClient(
      lake,
      (r) => r.command === 'PutObjectCommand' && r.key?.startsWith('reports/') === true && failures++ === 0,
    );
    await expect(processUpload(depsFor(lake, client), obj)).rejects.toThrow(/injected failure/);
    const uploadId = uploadIdOf(obj.key, obj.etag.replaceAll('"', ''), obj.lastModified);
    const curated = curatedKey(CLINICS, uploadId, obj.lastModified);
    expect((await snapshot(client, lake.s3.buckets.curated, curated)).size).toBe(1);

    // Act: the retry runs under a stricter contract that quarantines the whole file
    const strict = contractsOf(clinicsContract({ maxRejectedRatio: 0 }));
    const retry = await processUpload(depsFor(lake, client, { contracts: strict }), obj);

    // Assess
    expect(retry.report?.status).toBe('rejected');
    expect(retry.report?.rows).toEqual({ total: 5, accepted: 0, rejected: 5 });
    expect((await snapshot(client, lake.s3.buckets.curated, curated)).size).toBe(0);
  });
});

describe('processUpload: files the lake cannot take', () => {
  it('writes a rejected report for a dataset without a contract, and still keeps the original', async () => {
    // Prepare
    const body = 'a,b\n1,2\n';
    const obj = await land('x.csv', body, { department: 'health', dataset: 'clinicz' });
    const { client } = instrumentedClient(lake);

    // Act
    const result = await processUpload(depsFor(lake, client), obj);

    // Assess
    expect(result.outcome).toBe('processed');
    const report = result.report;
    expect(report?.status).toBe('rejected');
    expect(report?.dataset).toBe('health/clinicz');
    expect(report?.rows).toEqual({ total: 0, accepted: 0, rejected: 0 });
    expect(report?.outputs).toEqual([]);
    expect(report?.errors).toHaveLength(1);
    const [error] = report?.errors ?? [];
    expect(error).toMatchObject({ line: null, column: null, rule: 'contract' });
    expect(error.message).toContain('"health/clinicz"');
    expect(error.message).toContain('clinics');
    expect(error.message).toContain('datasets/health/clinicz.yaml');
    expect(report?.errorCounts).toEqual({ contract: { _file: 1 } });
    const ref = { department: 'health', dataset: 'clinicz' };
    expect(await readReport(client, lake.s3.buckets.quarantine, ref, result.uploadId ?? '')).toEqual(report);
    expect((await getBytes(client, lake.s3.buckets.raw, result.rawKey ?? '')).toString()).toBe(body);
    expect((await snapshot(client, lake.s3.buckets.curated, 'curated/health/clinicz/')).size).toBe(0);
  });

  it('names the department with no contracts at all', async () => {
    const obj = await land('y.csv', 'a\n1\n', { department: 'transport', dataset: 'buses' });
    const result = await processUpload(depsFor(lake, lake.s3.client()), obj);
    expect(result.report?.errors[0].message).toContain(
      'the transport department has no dataset contracts yet',
    );
  });

  it('rejects a file larger than maxObjectBytes without downloading it', async () => {
    // Prepare
    const obj = await land('big.csv', await fixture('clinics.csv'));
    const { client, seen } = instrumentedClient(lake);

    // Act
    const result = await processUpload(depsFor(lake, client, { maxObjectBytes: 10 }), obj);

    // Assess
    expect(result.report?.status).toBe('rejected');
    expect(result.report?.errors[0]).toMatchObject({ rule: 'size' });
    expect(result.report?.contractHash).toBe(contractHash(clinicsContract()));
    expect(result.report?.errors[0].message).toContain('more than the 10 bytes');
    expect(seen.filter((r) => r.command === 'GetObjectCommand' && r.key === obj.key)).toEqual([]);
    expect(await getBytes(client, lake.s3.buckets.raw, result.rawKey ?? '')).toEqual(
      await fixture('clinics.csv'),
    );
  });

  it.each([
    ['a key outside landing/', 'raw/health/clinics/x.csv'],
    ['a key without a dataset', 'landing/health/x.csv'],
    ['a folder marker', 'landing/health/clinics/'],
    ['an invalid department id', 'landing/Health/clinics/x.csv'],
  ])('ignores %s', async (_what, key) => {
    const { client, seen } = instrumentedClient(lake);
    const result = await processUpload(depsFor(lake, client), { bucket: lake.s3.buckets.landing, key });
    expect(result).toMatchObject({ outcome: 'ignored', reason: expect.any(String) });
    expect(seen).toEqual([]);
  });

  it('ignores an object in another bucket, and one that no longer exists', async () => {
    const { client } = instrumentedClient(lake);
    const deps = depsFor(lake, client);
    const key = 'landing/health/clinics/x.csv';
    expect((await processUpload(deps, { bucket: lake.s3.buckets.raw, key })).outcome).toBe('ignored');
    const gone = await processUpload(deps, {
      bucket: lake.s3.buckets.landing,
      key: 'landing/health/clinics/gone.csv',
    });
    expect(gone).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('no longer exists') });
  });
});

describe('processUpload: the current upload of a replace dataset', () => {
  const SCHOOLS = { department: 'education', dataset: 'schools' };
  const schools = clinicsContract({ department: 'education', name: 'schools' });

  it('moves the manifest to a newer upload, never back to an older one', async () => {
    // Prepare: three uploads, a second apart (upload ids are time-ordered)
    const a = await land('a.csv', await distinctClinics('a'), SCHOOLS);
    await sleep(1100);
    const b = await land('b.csv', await distinctClinics('b'), SCHOOLS);
    await sleep(1100);
    const c = await land('c.csv', await distinctClinics('c'), SCHOOLS);
    const { client } = instrumentedClient(lake);
    const deps = depsFor(lake, client, { contracts: contractsOf(schools) });
    const curatedUri = (o: { key: string; etag: string; lastModified: Date }) => {
      const id = uploadIdOf(o.key, o.etag.replaceAll('"', ''), o.lastModified);
      return `s3://${lake.s3.buckets.curated}/${curatedKey(SCHOOLS, id, o.lastModified)}`;
    };
    const manifest = async () => (await readCurrentManifest(client, lake.s3.buckets.curated, SCHOOLS))?.uris;

    // Act + Assess: B first, then the older A arrives late, then the newer C
    await processUpload(deps, b);
    expect(await manifest()).toEqual([curatedUri(b)]);
    const late = await processUpload(deps, a);
    expect(late.outcome).toBe('processed');
    expect(await manifest()).toEqual([curatedUri(b)]);
    await processUpload(deps, c);
    expect(await manifest()).toEqual([curatedUri(c)]);

    // the manifest is a symlink manifest: one s3:// URI per line
    const text = (await getBytes(client, lake.s3.buckets.curated, currentManifestKey(SCHOOLS))).toString();
    expect(text).toBe(`${curatedUri(c)}\n`);
  });

  it('is not moved by a rejected upload, and not written for append datasets', async () => {
    // Prepare
    const ref = { department: 'education', dataset: 'teachers' };
    const teachers = clinicsContract({ department: 'education', name: 'teachers', maxRejectedRatio: 0 });
    const appended = clinicsContract({ department: 'education', name: 'courses', mode: 'append' });
    const deps = depsFor(lake, lake.s3.client(), { contracts: contractsOf(teachers, appended) });

    // Act
    const rejected = await processUpload(deps, await land('t.csv', await fixture('clinics.csv'), ref));
    const append = await processUpload(
      deps,
      await land('c.csv', await fixture('clinics.csv'), { department: 'education', dataset: 'courses' }),
    );

    // Assess
    expect(rejected.report?.status).toBe('rejected');
    expect(await readCurrentManifest(deps.s3, lake.s3.buckets.curated, ref)).toBeNull();
    expect(append.report?.status).toBe('partial');
    const courses = { department: 'education', dataset: 'courses' };
    expect(await readCurrentManifest(deps.s3, lake.s3.buckets.curated, courses)).toBeNull();
  });
});
