/**
 * The rows an append dataset already publishes, brought to local disk for the engine's key checks
 * (`TransformOptions.publishedKeys`): the curated files of every other upload whose report says it
 * publishes (accepted or partial, not withdrawn). The engine reads only the key columns, `_upload_id` and
 * `_source_line` of them, so the check costs one download of each curated file and one column scan.
 *
 * An upload counts once its report is written (the last step of its ingestion): two uploads of the same
 * dataset processed at the same moment do not see each other's keys.
 */
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DatasetContract } from '../contracts/schema.ts';
import type { DatasetRef } from '../lake/layout.ts';
import { publishes } from './content-index.ts';
import { listReports, readReport } from './report-store.ts';
import { downloadToFile, isNotFound } from './s3-objects.ts';
import type { LakeBuckets } from './types.ts';

export interface PublishedKeysDeps {
  readonly s3: S3Client;
  readonly buckets: LakeBuckets;
}

/** True when the contract has a key to hold across uploads: an append dataset with primaryKey or unique. */
export function checksKeysAcrossUploads(contract: DatasetContract): boolean {
  return (
    contract.mode === 'append' &&
    (!!contract.primaryKey?.length || contract.fields.some((f) => f.constraints?.unique))
  );
}

/**
 * Downloads the curated files the dataset publishes, other than `uploadId`'s, into `dir`; returns the glob
 * the engine reads, or undefined when there is nothing to check against.
 */
export async function downloadPublishedKeys(
  deps: PublishedKeysDeps,
  ref: DatasetRef,
  contract: DatasetContract,
  uploadId: string,
  dir: string,
): Promise<string | undefined> {
  if (!checksKeysAcrossUploads(contract)) return undefined;
  const { s3, buckets } = deps;
  let n = 0;
  for (const entry of await listReports(s3, buckets.quarantine, ref.department, ref.dataset)) {
    if (entry.uploadId === uploadId) continue;
    const report = await readReport(s3, buckets.quarantine, ref, entry.uploadId);
    if (!report || !publishes(report)) continue;
    for (const output of report.outputs) {
      if (output.kind !== 'curated') continue;
      try {
        await downloadToFile(s3, { Bucket: buckets.curated, Key: output.key }, join(dir, `${n}.parquet`));
        n++;
      } catch (e) {
        // Withdrawn since its report was read: no longer published.
        if (!isNotFound(e)) throw e;
      }
    }
  }
  return n > 0 ? join(dir, '*.parquet') : undefined;
}
