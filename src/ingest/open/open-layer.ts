/**
 * The open-data zone as a layer of published copies (src/ingest/published-copies.ts): a withdrawal or an
 * erasure rebuilds the open copy of the dataset from the lake as it is once the rows are gone (curated is
 * rewritten before this layer runs), so the open files, the index and the catalogue follow. An erasure
 * also removes the earlier versions of the dataset's open files (the bucket is versioned).
 *
 * The count returned is the open copy's rows before less after (a rebuild; uploads landing at the same
 * time may blur it, never below 0). Running it again rebuilds the same copy: idempotent.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { type DatasetRef, openPrefix } from '../../lake/layout.ts';
import type { LakeBuckets } from '../types.ts';
import { openZone, readOpenIndex, refreshOpenData } from './publish-open.ts';

interface LayerContext {
  readonly s3: S3Client;
  readonly buckets: LakeBuckets;
  readonly ref: DatasetRef;
}

/** Rebuilds the dataset's open copy; returns the rows it lost. 0 when the lake has no open zone. */
async function rebuild(ctx: LayerContext, purge: boolean): Promise<number> {
  if (!ctx.buckets.open) return 0;
  const { store, baseUrl } = openZone(ctx);
  const { index } = await readOpenIndex(store, baseUrl);
  const before = index.datasets[`${ctx.ref.department}/${ctx.ref.dataset}`]?.rows;
  if (before === undefined) return 0;
  const outcome = await refreshOpenData({ s3: ctx.s3, buckets: ctx.buckets }, ctx.ref);
  if (purge) await store.purgeHistory(openPrefix(ctx.ref));
  const after = outcome.status === 'published' ? outcome.rows : 0;
  return Math.max(0, before - after);
}

export const OPEN_DATA_LAYER = {
  name: 'open-data',
  withdrawUpload: (ctx: LayerContext, _uploadId: string) => rebuild(ctx, false),
  eraseRows: (ctx: LayerContext, _lines: ReadonlyMap<string, readonly number[]>) => rebuild(ctx, true),
};
