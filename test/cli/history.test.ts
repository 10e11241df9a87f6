/**
 * A dataset's history through the CLI on the local lake: the same file twice adds nothing (append and
 * replace), `lake withdraw` takes an upload's rows back (replace falls back to the previous upload), and a
 * withdrawal cut short at any step leaves the table consistent and is finished by running it again.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadSummary } from '../../src/cli/backend.ts';
import type { IngestReport } from '../../src/engine/report.ts';
import { localS3Client } from '../../src/ingest/local-s3.ts';
import { WITHDRAW_STEPS, type WithdrawStep, withdrawUpload } from '../../src/ingest/withdraw.ts';
import { LocalLake } from '../../src/local/local-lake.ts';
import { lake, ROOT, tempLakeDir } from './helpers.ts';

const SEPTEMBER = 'examples/civil_affairs/assistance_payments/assistance-payments-2026-09.csv';
const OCTOBER = 'examples/civil_affairs/assistance_payments/assistance-payments-2026-10.csv';
const PAYMENTS = 'civil_affairs/assistance_payments';
const CLINICS_FILE = 'examples/health/clinics/clinics-2026-11.csv';
const CLINICS = 'health/clinics';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
});
afterAll(async () => {
  await remove();
});

const at = () => ['--lake-dir', dir];

let lastIngest = 0;
/**
 * `lake ingest`, in a later second than the one before: upload ids are stamped to the second, so the same
 * file under the same name in the same second would be the same upload, and two files in one second of a
 * replace dataset would not be ordered by their arrival.
 */
async function ingestRaw(args: string[]) {
  const wait =
    Math.floor(lastIngest / 1000) === Math.floor(Date.now() / 1000) ? 1000 - (Date.now() % 1000) : 0;
  if (wait > 0) await new Promise((r) => setTimeout(r, wait + 10));
  try {
    return await lake(['ingest', ...args, ...at()]);
  } finally {
    lastIngest = Date.now();
  }
}

async function ingest(file: string, dataset: string, ...more: string[]): Promise<IngestReport> {
  const r = await ingestRaw([file, '--dataset', dataset, '--json', ...more]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.json<IngestReport>();
}

async function withdraw(uploadId: string, reason: string): Promise<IngestReport> {
  const r = await lake(['withdraw', uploadId, '--reason', reason, '--json', ...at()]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.json<IngestReport>();
}

/** Rows, distinct payment ids, the paid total and the uploads the payments table holds. */
async function payments(): Promise<{ n: number; ids: number; paid: string; uploads: number }> {
  const r = await lake(
    [
      'query',
      'SELECT count(*) AS n, count(DISTINCT payment_id) AS ids, CAST(sum(amount) AS VARCHAR) AS paid, count(DISTINCT _upload_id) AS uploads FROM civil_affairs.assistance_payments',
      '--json',
      ...at(),
    ],
    {},
  );
  expect(r.code).toBe(0);
  return r.json<{ rows: { n: number; ids: number; paid: string; uploads: number }[] }>().rows[0];
}

/** Rows of the clinics table, and the upload they come from. */
async function clinics(): Promise<{ n: number; upload: string | null }> {
  const r = await lake(
    ['query', 'SELECT count(*) AS n, min(_upload_id) AS upload FROM health.clinics', '--json', ...at()],
    {},
  );
  expect(r.code).toBe(0);
  return r.json<{ rows: { n: number; upload: string | null }[] }>().rows[0];
}

async function statusOf(uploadId: string): Promise<UploadSummary | undefined> {
  const r = await lake(['status', '--limit', '100', '--json', ...at()]);
  expect(r.code).toBe(0);
  return r.json<{ uploads: UploadSummary[] }>().uploads.find((u) => u.uploadId === uploadId);
}

describe('an append dataset: the same file twice, then withdrawn', () => {
  let september: { n: number; ids: number; paid: string; uploads: number };
  let both: { n: number; ids: number; paid: string; uploads: number };
  let october: IngestReport;

  it('adds nothing when October is uploaded a second time: 2,877 rows stay 2,877', async () => {
    // Prepare
    await ingest(SEPTEMBER, PAYMENTS);
    september = await payments();
    october = await ingest(OCTOBER, PAYMENTS);
    both = await payments();

    // Act: the same file again, then once more under another name, as a person at a terminal would
    const second = await ingest(OCTOBER, PAYMENTS);
    const third = await ingestRaw([OCTOBER, '--dataset', PAYMENTS, '--name', 'again.csv']);

    // Assess
    expect(both).toMatchObject({ n: 2877, ids: 2877, uploads: 2 });
    expect(second).toMatchObject({
      status: 'duplicate',
      duplicateOf: october.uploadId,
      rows: { total: 0, accepted: 0, rejected: 0 },
      outputs: [],
    });
    expect(second.uploadId).not.toBe(october.uploadId);
    expect(second.source.sha256).toBe(october.source.sha256);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('= duplicate');
    expect(third.stdout).toContain(`the same bytes as upload ${october.uploadId}`);
    expect(third.stdout).toContain('nothing added');
    expect(await payments()).toEqual(both);
    expect(await statusOf(second.uploadId)).toMatchObject({
      status: 'duplicate',
      duplicateOf: october.uploadId,
    });
  });

  it('takes October back with lake withdraw: the count and the paid total return to September alone', async () => {
    // Act
    const report = await withdraw(october.uploadId, 'sent twice by mistake');
    const text = await lake(['status', '--dataset', PAYMENTS, ...at()]);

    // Assess
    expect(report.withdrawal).toMatchObject({ reason: 'sent twice by mistake', by: expect.any(String) });
    expect(report.withdrawal?.completedAt).toEqual(expect.any(String));
    expect(await payments()).toEqual(september);
    expect(await statusOf(october.uploadId)).toMatchObject({
      status: 'partial',
      withdrawal: { reason: 'sent twice by mistake' },
    });
    expect(text.stdout).toContain('↩ withdrawn');
  });

  it('says so, and changes nothing, when the withdrawal is asked again', async () => {
    const again = await withdraw(october.uploadId, 'another reason');
    expect(again.withdrawal?.reason).toBe('sent twice by mistake');
    expect(await payments()).toEqual(september);
  });

  it('publishes the same bytes anew once the earlier upload is withdrawn', async () => {
    const report = await ingest(OCTOBER, PAYMENTS);
    expect(report.status).toBe('partial');
    expect(report.duplicateOf).toBeUndefined();
    expect(await payments()).toMatchObject({ n: both.n, ids: both.ids, paid: both.paid, uploads: 2 });
  });

  it('refuses to withdraw an upload that published nothing, and asks for a reason', async () => {
    const duplicate = await ingest(OCTOBER, PAYMENTS);
    const refused = await lake(['withdraw', duplicate.uploadId, '--reason', 'x', '--json', ...at()]);
    expect(refused.code).toBe(1);
    expect(refused.error()).toMatchObject({ code: 'not_published' });
    expect(refused.error().message).toContain('is duplicate');
    const unknown = await lake(['withdraw', '20990101T000000Z-000000000000', '--reason', 'x', ...at()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no report for upload');
    const noReason = await lake(['withdraw', duplicate.uploadId, ...at()]);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason');
  });
});

describe('a replace dataset: the same file twice, then withdrawn twice', () => {
  let first: IngestReport;
  let smaller: IngestReport;
  let full: { n: number; upload: string | null };

  it('adds nothing when the same file is uploaded again', async () => {
    first = await ingest(CLINICS_FILE, CLINICS);
    full = await clinics();
    const second = await ingest(CLINICS_FILE, CLINICS);
    expect(full).toEqual({ n: first.rows.accepted, upload: first.uploadId });
    expect(second).toMatchObject({ status: 'duplicate', duplicateOf: first.uploadId });
    expect(await clinics()).toEqual(full);
  });

  it('falls back to the previous upload when the current one is withdrawn, and to none after that', async () => {
    // Prepare: a newer, smaller upload (the first 300 clinics) becomes current
    const bytes = await readFile(join(ROOT, CLINICS_FILE));
    const lines = bytes.toString('latin1').split('\n');
    const path = join(dir, 'clinics-2026-12.csv');
    await writeFile(path, Buffer.from(`${lines.slice(0, 301).join('\n')}\n`, 'latin1'));
    smaller = await ingest(path, CLINICS);
    expect(await clinics()).toEqual({ n: smaller.rows.accepted, upload: smaller.uploadId });
    expect(smaller.rows.accepted).toBeLessThan(first.rows.accepted);

    // Act + Assess: withdraw the newer one, then the first
    await withdraw(smaller.uploadId, 'the wrong month');
    expect(await clinics()).toEqual(full);
    await withdraw(first.uploadId, 'superseded');
    expect(await clinics()).toEqual({ n: 0, upload: null });
  });
});

describe('a withdrawal cut short, then run again', () => {
  beforeAll(async () => {
    // October is published again by the tests above: take it back, so each case can publish it anew.
    const r = await lake(['status', '--dataset', PAYMENTS, '--limit', '100', '--json', ...at()]);
    for (const u of r.json<{ uploads: UploadSummary[] }>().uploads) {
      if (u.status === 'partial' && !u.withdrawal && u.sourceKey.endsWith('2026-10.csv'))
        await withdraw(u.uploadId, 'a fresh start for the crash tests');
    }
  });

  /** Runs the withdrawal in this process against the lake, crashing after `step` (or in `failDelete`). */
  async function crashedWithdrawal(
    uploadId: string,
    crash: { after?: WithdrawStep; failDelete?: boolean },
    ref = PAYMENTS,
  ) {
    const local = await LocalLake.open({ lakeDir: dir, contracts: new Map() });
    const s3: S3Client = localS3Client(local.endpoint);
    if (crash.failDelete) {
      s3.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'DeleteObjectCommand')
            throw new Error('injected crash before the delete');
          return next(args);
        },
        { step: 'initialize', name: 'crashOnDelete' },
      );
    }
    try {
      const [department, dataset] = ref.split('/');
      await expect(
        withdrawUpload(
          {
            s3,
            buckets: local.buckets,
            afterStep: (s) => {
              if (s === crash.after) throw new Error(`injected crash after ${s}`);
            },
          },
          { ref: { department, dataset }, uploadId, by: 'test', reason: 'cut short' },
        ),
      ).rejects.toThrow(/injected crash/);
    } finally {
      s3.destroy();
      await local.close();
    }
  }

  const cases: {
    name: string;
    crash: { after?: WithdrawStep; failDelete?: boolean };
    sees: 'before' | 'after';
  }[] = [
    ...WITHDRAW_STEPS.filter((s) => s !== 'completed').map((s) => ({
      name: `after the step "${s}"`,
      crash: { after: s },
      sees: s === 'moved' ? ('after' as const) : ('before' as const),
    })),
    {
      name: 'between the copy to withdrawn/ and the delete from curated/',
      crash: { failDelete: true },
      sees: 'before',
    },
  ];

  for (const { name, crash, sees } of cases) {
    it(`${name}: the table shows the dataset before or after, and the retry finishes`, async () => {
      // Prepare: October published again (the earlier October uploads are withdrawn or duplicates)
      const before = await payments();
      const october = await ingestRaw([OCTOBER, '--dataset', PAYMENTS, '--json']);
      const report = october.json<IngestReport>();
      expect(report.status).toBe('partial');
      const published = await payments();
      expect(published.n).toBe(before.n + report.rows.accepted);

      // Act 1: the crash
      await crashedWithdrawal(report.uploadId, crash);

      // Assess 1: consistent, and shown as under way
      expect(await payments()).toEqual(sees === 'before' ? published : before);
      expect((await statusOf(report.uploadId))?.withdrawal?.completedAt).toBeUndefined();
      expect((await lake(['status', '--dataset', PAYMENTS, ...at()])).stdout).toContain('↩ withdrawing');

      // Act 2 + Assess 2: the retry finishes, keeping the first request's reason
      const done = await withdraw(report.uploadId, 'retried');
      expect(done.withdrawal).toMatchObject({ reason: 'cut short', completedAt: expect.any(String) });
      expect(await payments()).toEqual(before);
    });
  }

  it('in a replace dataset, after the manifest fell back: the table shows the previous upload, the retry finishes', async () => {
    // Prepare: the clinics file is current again (its earlier uploads are withdrawn), then a smaller one
    const full = await ingest(CLINICS_FILE, CLINICS);
    const lines = (await readFile(join(ROOT, CLINICS_FILE))).toString('latin1').split('\n');
    const path = join(dir, 'clinics-2027-01.csv');
    await writeFile(path, Buffer.from(`${lines.slice(0, 201).join('\n')}\n`, 'latin1'));
    const smaller = await ingest(path, CLINICS);
    expect(await clinics()).toEqual({ n: smaller.rows.accepted, upload: smaller.uploadId });

    // Act 1: the crash, once the manifest names the previous upload again
    await crashedWithdrawal(smaller.uploadId, { after: 'manifest' }, CLINICS);

    // Assess 1: the table is the previous upload, whole
    expect(await clinics()).toEqual({ n: full.rows.accepted, upload: full.uploadId });
    expect((await statusOf(smaller.uploadId))?.withdrawal?.completedAt).toBeUndefined();

    // Act 2 + Assess 2
    const done = await withdraw(smaller.uploadId, 'retried');
    expect(done.withdrawal?.completedAt).toEqual(expect.any(String));
    expect(await clinics()).toEqual({ n: full.rows.accepted, upload: full.uploadId });
  });
});
