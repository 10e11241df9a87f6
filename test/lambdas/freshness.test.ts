/**
 * The freshness check's core (lambdas/freshness/count-overdue.ts) on a real S3-compatible server: the
 * newest upload that counts per dataset, read newest first from reports/<department>/<dataset>/, and the
 * overdue datasets per department, every department with a contract counted (0 included).
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { datasetsFreshness, overdueCounts } from '../../lambdas/freshness/count-overdue.ts';
import { loadDatasets } from '../../src/contracts/index.ts';
import type { IngestReport, ReportStatus } from '../../src/engine/report.ts';
import { writeContractsBundle } from '../../src/ingest/contracts-bundle.ts';
import { DEFAULT_CONTRACTS_FILE } from '../../src/ingest/env.ts';
import { FRESHNESS_ENV, OVERDUE_DATASETS_METRIC } from '../../src/ingest/freshness-metrics.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/ingest/local-s3.ts';
import { writeReport } from '../../src/ingest/report-store.ts';
import { ERASURES_PREFIX } from '../../src/lake/layout.ts';
import { ROOT } from '../cli/helpers.ts';
import { startTestLake, type TestLake } from '../ingest/helpers.ts';

const contracts = loadDatasets(`${ROOT}datasets`);
const NOW = new Date('2026-03-01T00:00:00Z');

let lake: TestLake;
let s3: S3Client;
let bucket: string;

/** Writes a report of `dataset` (`dept/name`) with the given status and start time. */
async function report(
  dataset: string,
  uploadId: string,
  status: ReportStatus,
  startedAt: string,
  withdrawn = false,
) {
  const [department, name] = dataset.split('/');
  const r = {
    uploadId,
    dataset,
    status,
    startedAt,
    rows: { total: 1, accepted: status === 'rejected' ? 0 : 1, rejected: status === 'rejected' ? 1 : 0 },
    ...(withdrawn ? { withdrawal: { by: 'steward', at: startedAt, reason: 'wrong month' } } : {}),
  } as unknown as IngestReport;
  await writeReport(s3, bucket, { department, dataset: name }, r);
}

beforeAll(async () => {
  lake = await startTestLake();
  s3 = lake.s3.client();
  bucket = lake.s3.buckets.quarantine;
  // health/clinics (monthly): accepted on 10 January, due 10 February: overdue by 19 days on 1 March.
  await report('health/clinics', '20260110T000000Z-000000000001', 'accepted', '2026-01-10T00:00:00Z');
  // transport/bus_stops (monthly): accepted on 1 February, then a rejected upload that does not count.
  await report('transport/bus_stops', '20260201T000000Z-000000000002', 'partial', '2026-02-01T00:00:00Z');
  await report('transport/bus_stops', '20260220T000000Z-000000000003', 'rejected', '2026-02-20T00:00:00Z');
  // statistics/divisions (yearly): the same bytes again still counts as an update (due 2 March 2026).
  await report('statistics/divisions', '20250101T000000Z-000000000004', 'duplicate', '2025-03-02T00:00:00Z');
  // education/schools (yearly): its only upload was withdrawn, so it has none that counts.
  await report(
    'education/schools',
    '20260105T000000Z-000000000005',
    'accepted',
    '2026-01-05T00:00:00Z',
    true,
  );
  // An erasure receipt beside the reports is not a dataset's report.
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${ERASURES_PREFIX}r-1.json`, Body: '{}' }));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await lake.stop();
});

describe('the freshness check', () => {
  it("judges each dataset by its newest upload that counts, and counts each department's overdue ones", async () => {
    // Act
    const datasets = await datasetsFreshness(s3, bucket, contracts, NOW);

    // Assess
    const state = Object.fromEntries(datasets.map((d) => [d.dataset, d.freshness.state]));
    expect(state).toEqual({
      'civil_affairs/assistance_payments': 'never',
      'education/schools': 'never',
      'health/clinics': 'overdue',
      'statistics/divisions': 'current',
      'transport/bus_stops': 'current',
    });
    const clinics = datasets.find((d) => d.dataset === 'health/clinics');
    expect(clinics?.freshness).toMatchObject({ dueAt: '2026-02-10T00:00:00.000Z', daysOverdue: 19 });
    const stops = datasets.find((d) => d.dataset === 'transport/bus_stops');
    expect(stops?.freshness.lastUpload).toBe('2026-02-01T00:00:00Z');
    expect(overdueCounts(datasets)).toEqual([
      { department: 'civil_affairs', overdue: 0 },
      { department: 'education', overdue: 0 },
      { department: 'health', overdue: 1 },
      { department: 'statistics', overdue: 0 },
      { department: 'transport', overdue: 0 },
    ]);
  });

  it('finds nothing overdue the day after the uploads', async () => {
    const datasets = await datasetsFreshness(s3, bucket, contracts, new Date('2026-01-11T00:00:00Z'));
    expect(overdueCounts(datasets).every((c) => c.overdue === 0)).toBe(true);
  });
});

describe('the bundled freshness check', () => {
  it('emits OverdueDatasets per department in embedded metric format', async () => {
    // Prepare: the handler as the stack ships it, the contracts bundle beside it.
    const asset = await mkdtemp(join(tmpdir(), 'lake-freshness-asset-'));
    await build({
      entryPoints: [join(ROOT, 'lambdas/freshness/handler.ts')],
      outfile: join(asset, 'index.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    writeContractsBundle(join(ROOT, 'datasets'), join(asset, DEFAULT_CONTRACTS_FILE));
    await symlink(join(ROOT, 'node_modules'), join(asset, 'node_modules'), 'dir');
    vi.stubEnv(FRESHNESS_ENV.reportsBucket, bucket);
    vi.stubEnv('AWS_ENDPOINT_URL_S3', lake.s3.endpoint);
    vi.stubEnv('AWS_REGION', LOCAL_REGION);
    vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey);
    vi.stubEnv('AWS_REQUEST_CHECKSUM_CALCULATION', 'WHEN_REQUIRED');
    vi.stubEnv('AWS_RESPONSE_CHECKSUM_VALIDATION', 'WHEN_REQUIRED');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('LAKE_NOW', NOW.toISOString());
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = String(chunk);
      if (text.includes('"_aws"')) {
        lines.push(text);
        return true;
      }
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    });

    try {
      // Act
      const { handler } = await import(pathToFileURL(join(asset, 'index.mjs')).href);
      const counts = await handler();

      // Assess
      expect(counts).toContainEqual({ department: 'health', overdue: 1 });
      const emf = lines
        .flatMap((l) => l.split('\n'))
        .filter((l) => l.includes('"_aws"'))
        .map((l) => JSON.parse(l));
      const byDepartment = Object.fromEntries(emf.map((m) => [m.department, m[OVERDUE_DATASETS_METRIC]]));
      expect(byDepartment).toEqual({
        civil_affairs: 0,
        education: 0,
        health: 1,
        statistics: 0,
        transport: 0,
      });
      expect(emf[0]._aws.CloudWatchMetrics[0]).toMatchObject({
        Namespace: 'PublicDataLake',
        Dimensions: [expect.arrayContaining(['service', 'department'])],
        Metrics: [{ Name: OVERDUE_DATASETS_METRIC, Unit: 'Count' }],
      });
      expect(emf[0].service).toBe('lake-freshness');
    } finally {
      await rm(asset, { recursive: true, force: true });
    }
  });
});
