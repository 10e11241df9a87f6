/**
 * A dataset's history on the local lake: `lake withdraw` and `lake erase`, run in this process against the
 * lake's S3 endpoint (moved here from local-backend.ts, which stays the lake's reading side).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { DatasetContract } from '../contracts/schema.ts';
import type { IngestReport } from '../engine/report.ts';
import { type ErasureReceipt, newRequestId } from '../ingest/erase-receipt.ts';
import type { ErasureError } from '../ingest/erase-subject.ts';
import type { WithdrawError } from '../ingest/withdraw.ts';
import { loadOrCreateHashKey } from '../local/lake-dir.ts';
import type { LocalLake } from '../local/local-lake.ts';
import type { EraseOptions } from './backend.ts';
import { CliError } from './errors.ts';

/** Withdraws an upload of the local lake (see src/ingest/withdraw.ts). */
export async function withdrawLocal(
  lake: LocalLake,
  uploadId: string,
  request: { reason: string },
): Promise<IngestReport> {
  const entry = (await lake.listReports()).find((e) => e.uploadId === uploadId);
  if (!entry) throw unknownUpload(uploadId);
  const { WithdrawError, withdrawUpload } = await import('../ingest/withdraw.ts');
  try {
    return await withdrawUpload(
      { s3: lake.s3, buckets: lake.buckets },
      {
        ref: { department: entry.department, dataset: entry.dataset },
        uploadId,
        by: userInfo().username,
        reason: request.reason,
      },
    );
  } catch (e) {
    if (e instanceof WithdrawError) throw withdrawRefused(e);
    throw e;
  }
}

/**
 * Erases a person or a row key from the local lake (see src/ingest/erase.ts), then brings the catalog's
 * cache up to date so that no cached copy of a rewritten file keeps the rows. The local store has no
 * Object Lock and no versions: each rewritten object simply replaces the one before.
 */
export async function eraseLocal(
  lake: LocalLake,
  contracts: ReadonlyMap<string, DatasetContract>,
  request: EraseOptions,
): Promise<ErasureReceipt> {
  const { ErasureError, eraseSubject } = await import('../ingest/erase.ts').then(async (m) => ({
    ...m,
    ...(await import('../ingest/erase-subject.ts')),
  }));
  try {
    const receipt = await eraseSubject(
      {
        s3: lake.s3,
        buckets: lake.buckets,
        contracts,
        hashKey: loadOrCreateHashKey(lake.paths),
        bypassGovernance: false,
        tmpDir: lake.paths.tmp,
      },
      {
        requestId: request.requestId ?? newErasureId(),
        subject: request.subject,
        by: userInfo().username,
        reason: request.reason,
      },
    );
    // The catalog's cache keeps curated files by key (a key's bytes never change, but here): drop the
    // copies of the rewritten files, and the sync fetches them again.
    const curated = `${lake.buckets.curated}/`;
    for (const [id, o] of Object.entries(receipt.objects)) {
      if (o.layer !== 'curated' || !id.startsWith(curated)) continue;
      await rm(join(lake.paths.cache, ...id.slice(curated.length).split('/')), { force: true });
    }
    await lake.syncCatalog(contracts);
    return receipt;
  } catch (e) {
    if (e instanceof ErasureError) throw erasureRefused(e);
    throw e;
  }
}

/** A new erasure request id. */
export function newErasureId(now = new Date()): string {
  return newRequestId(now, randomBytes(4).toString('hex'));
}

/** No report has this upload id. */
export function unknownUpload(uploadId: string): CliError {
  return new CliError(`no report for upload "${uploadId}"`, {
    hint: 'Check the id with `lake status`; an upload still being processed has no report yet.',
    code: 'unknown_upload',
  });
}

/** A withdrawal the lake refused, in the CLI's terms. */
export function withdrawRefused(e: WithdrawError): CliError {
  return new CliError(e.message, {
    hint:
      e.code === 'not_published'
        ? '`lake status` shows which uploads published rows; only those can be withdrawn.'
        : 'Check the id with `lake status`.',
    code: e.code,
    cause: e,
  });
}

/** An erasure the lake refused, in the CLI's terms. */
export function erasureRefused(e: ErasureError): CliError {
  const hints: Record<ErasureError['code'], string> = {
    invalid_person: 'Give the resident ID as written on the request, e.g. --person 52010219900101123X.',
    unknown_dataset: 'Name the dataset as <department>/<dataset>: `lake catalog` lists them.',
    invalid_key: '`lake catalog <department>/<dataset>` shows the primary key.',
    request_mismatch: 'Each --request id names one erasure; leave --request out for a new one.',
  };
  return new CliError(e.message, { hint: hints[e.code], code: e.code, cause: e });
}
