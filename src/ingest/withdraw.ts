/**
 * Withdrawing an upload (`lake withdraw`): a department's steward takes back a file sent by mistake. Its
 * rows leave the table wherever they were published; the original stays in raw/ and the report records
 * who asked, when and why.
 *
 *   1. the report gets its `withdrawal` (by, at, reason): from now on the upload no longer counts as
 *      published (the same bytes uploaded again are published anew, not a duplicate)
 *   2. replace datasets: if the current-upload manifest names the upload, it falls back to the latest
 *      upload still published, or to none (one conditional write: readers see before or after); upsert
 *      datasets: the merged state is rebuilt from the uploads still published (upsert-merge.ts)
 *   3. each curated file of the upload is copied to withdrawn/<its key> in the curated bucket, outside
 *      every table's location, then deleted from curated/ (the delete is the one step an append table's
 *      readers see; until it, they see the table as before); copies beyond the zones drop the upload's
 *      rows (published-copies.ts)
 *   4. the withdrawal's `completedAt` is set in the report
 *
 * The curated file is moved rather than deleted so that a withdrawal made by mistake can be undone without
 * transforming the original again, and so that what was published stays auditable; it is out of every
 * table and out of every analyst's grants (which cover curated/ only). Every step is idempotent and
 * checks what is already done, so a withdrawal cut short at any point is finished by running it again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { IngestReport, Withdrawal } from '../engine/report.ts';
import { type DatasetRef, withdrawnKey } from '../lake/layout.ts';
import { publishes } from './content-index.ts';
import { retreatCurrentManifest } from './current-manifest.ts';
import { IngestError } from './errors.ts';
import { PUBLISHED_COPY_LAYERS } from './published-copies.ts';
import { listReports, readReport, writeReport } from './report-store.ts';
import { copyObject, exists, isNotFound } from './s3-objects.ts';
import type { IngestLogger, LakeBuckets } from './types.ts';
import { rebuildUpsert } from './upsert-merge.ts';

/** The steps of a withdrawal, in order (for tests that cut one short). */
export const WITHDRAW_STEPS = ['recorded', 'manifest', 'moved', 'completed'] as const;
export type WithdrawStep = (typeof WITHDRAW_STEPS)[number];

export interface WithdrawDeps {
  readonly s3: S3Client;
  readonly buckets: LakeBuckets;
  readonly logger?: IngestLogger;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Called after each step (tests inject a crash here). @default nothing */
  readonly afterStep?: (step: WithdrawStep) => Promise<void> | void;
}

export interface WithdrawRequest {
  ref: DatasetRef;
  uploadId: string;
  /** Who asks: the OS user, or the AWS caller's ARN. */
  by: string;
  reason: string;
}

/** A withdrawal that cannot be made: no such upload, or nothing of it was published. */
export class WithdrawError extends IngestError {
  constructor(
    message: string,
    readonly code: 'unknown_upload' | 'not_published',
  ) {
    super(message);
    this.name = 'WithdrawError';
  }
}

/** Withdraws one upload (or finishes a withdrawal cut short) and returns its report as it is now. */
export async function withdrawUpload(deps: WithdrawDeps, request: WithdrawRequest): Promise<IngestReport> {
  const { s3, buckets } = deps;
  const { ref, uploadId } = request;
  const now = deps.now ?? (() => new Date());
  const report = await readReport(s3, buckets.quarantine, ref, uploadId);
  if (!report) {
    throw new WithdrawError(
      `no report for upload ${uploadId} in ${ref.department}/${ref.dataset}: check the id with \`lake status\``,
      'unknown_upload',
    );
  }
  if (report.withdrawal?.completedAt) return report;
  if (report.status !== 'accepted' && report.status !== 'partial') {
    throw new WithdrawError(
      `upload ${uploadId} is ${report.status}: none of its rows were published, so there is nothing to withdraw`,
      'not_published',
    );
  }

  // 1. Recorded: the upload stops counting as published. A retry keeps the first request's who, when, why.
  if (!report.withdrawal) {
    const withdrawal: Withdrawal = { by: request.by, at: now().toISOString(), reason: request.reason };
    report.withdrawal = withdrawal;
    await writeReport(s3, buckets.quarantine, ref, report);
  }
  await deps.afterStep?.('recorded');

  // 2. A replace dataset's current upload falls back.
  const curated = report.outputs.filter((o) => o.kind === 'curated').map((o) => o.key);
  if (await rebuildWithout(deps, ref, uploadId)) {
    deps.logger?.info('the merged state was rebuilt without the upload', { uploadId });
  } else {
    const retreat = await retreatCurrentManifest(s3, buckets.curated, ref, uploadId, () =>
      latestPublished(deps, ref, uploadId),
    );
    if (retreat === 'fell-back') deps.logger?.info('the current upload fell back', { uploadId });
  }
  await deps.afterStep?.('manifest');

  // 3. The curated files leave the table's location, and the upload's rows any copy beyond the zones
  // (published-copies.ts: the open-data zone, once it registers there).
  for (const key of curated) await moveOut(deps, key);
  for (const layer of PUBLISHED_COPY_LAYERS) await layer.withdrawUpload({ s3, buckets, ref }, uploadId);
  await deps.afterStep?.('moved');

  // 4. Done.
  report.withdrawal = { ...(report.withdrawal as Withdrawal), completedAt: now().toISOString() };
  await writeReport(s3, buckets.quarantine, ref, report);
  await deps.afterStep?.('completed');
  return report;
}

/** An upsert dataset's merged state rebuilt without `uploadId` (false: not an upsert dataset). */
async function rebuildWithout(deps: WithdrawDeps, ref: DatasetRef, uploadId: string): Promise<boolean> {
  const work = await mkdtemp(join(tmpdir(), 'lake-withdraw-'));
  try {
    return await rebuildUpsert(deps, ref, uploadId, work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The latest upload of the dataset, other than `except`, that is still published, with its curated files. */
async function latestPublished(
  deps: WithdrawDeps,
  ref: DatasetRef,
  except: string,
): Promise<{ uploadId: string; keys: string[] } | null> {
  const entries = await listReports(deps.s3, deps.buckets.quarantine, ref.department, ref.dataset);
  for (const entry of entries.reverse()) {
    if (entry.uploadId === except) continue;
    const r = await readReport(deps.s3, deps.buckets.quarantine, ref, entry.uploadId);
    const keys = r?.outputs.filter((o) => o.kind === 'curated').map((o) => o.key) ?? [];
    if (r && publishes(r) && keys.length > 0) return { uploadId: r.uploadId, keys };
  }
  return null;
}

/** Copies a curated file to withdrawn/, then deletes it from curated/; already moved is fine. */
async function moveOut(deps: WithdrawDeps, key: string): Promise<void> {
  const { s3, buckets } = deps;
  const target = withdrawnKey(key);
  let size: number;
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: buckets.curated, Key: key }));
    size = head.ContentLength ?? 0;
  } catch (e) {
    if (!isNotFound(e)) throw e;
    if (!(await exists(s3, buckets.curated, target))) {
      deps.logger?.warn('a curated file of the upload is neither in curated/ nor in withdrawn/', { key });
    }
    return;
  }
  await copyObject(s3, {
    source: { bucket: buckets.curated, key },
    target: { bucket: buckets.curated, key: target },
    size,
  });
  await s3.send(new DeleteObjectCommand({ Bucket: buckets.curated, Key: key }));
}
