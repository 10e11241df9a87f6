/**
 * Copies of a dataset's rows beyond the lake's own zones (landing, raw, curated, quarantine): the one place
 * where withdrawal and erasure learn about them. The open-data zone (`open/`, src/ingest/open/open-layer.ts) is
 * its layer; nothing else needs to change for `lake withdraw` and `lake erase` to reach it.
 *
 * A layer is told what to take out in lineage terms (upload ids, and for an erasure the source lines of
 * those uploads), never the person's ID, and returns how many rows it removed. Each call must be
 * idempotent: withdrawal and erasure run it again when a retry passes the step.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DatasetRef } from '../lake/layout.ts';
import { OPEN_DATA_LAYER } from './open/open-layer.ts';
import type { LakeBuckets } from './types.ts';

export interface PublishedCopyContext {
  readonly s3: S3Client;
  readonly buckets: LakeBuckets;
  readonly ref: DatasetRef;
}

export interface PublishedCopyLayer {
  /** e.g. `open-data`: the key of its count in an erasure receipt. */
  readonly name: string;
  /** Takes an upload's rows out of the copy (a withdrawal). Returns the rows removed. */
  withdrawUpload(ctx: PublishedCopyContext, uploadId: string): Promise<number>;
  /** Takes these rows (upload id -> source lines) out of the copy (an erasure). Returns the rows removed. */
  eraseRows(ctx: PublishedCopyContext, lines: ReadonlyMap<string, readonly number[]>): Promise<number>;
}

/** The layers holding copies of published rows: the open-data zone (src/ingest/open/open-layer.ts). */
export const PUBLISHED_COPY_LAYERS: PublishedCopyLayer[] = [OPEN_DATA_LAYER];
