/**
 * Erasing a person (or one row key) from the lake (`lake erase`): a lake admin answers a deletion request
 * under the Personal Information Protection Law. Every row and line of the subject leaves every layer:
 *
 *   1. recorded          the receipt is written: request id, who, when, why, which datasets
 *   2. curated           each Parquet file holding the subject's rows (an upload's file, an upsert dataset's
 *                        merged states, a withdrawn upload's file) is rewritten without them, in place
 *   3. quarantine        the same for the rejected rows
 *   4. published-copies  copies beyond the zones (published-copies.ts: the open-data zone, once it exists)
 *   5. landing           a landing file holding the subject is deleted, with its versions (rewriting it would
 *                        be a new upload)
 *   6. raw               each original is rewritten with the subject's lines emptied (every other line
 *                        keeps its number, so the lineage of every other row stays exact; the receipt
 *                        keeps the sha256 before and after); one the lake cannot empty lines of (xlsx, a
 *                        JSON array, UTF-16 text) is removed whole. Earlier versions are deleted, past raw's governance
 *                        Object Lock retention with x-amz-bypass-governance-retention (the erasure role's)
 *   7. completed         the receipt's totals and `completedAt`
 *
 * Rows are found by value (hashed or clear columns, erase-subject.ts) and through the originals' lines
 * (erase-scan.ts), which is why raw is rewritten last: until then a retry finds every line again. Each
 * object's count goes into the receipt before the object is rewritten, and is set, not added: a crash at
 * any point, then the same request again (the same --request id), ends with the subject gone from every
 * layer, every other row in place and each count once. Every file is replaced by a single PutObject of its
 * key, so readers of a table see it before or after the erasure of that file.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DatasetContract } from '../contracts/schema.ts';
import { curatedPrefix, landingPrefix, REQUESTS_DIR, withdrawnPrefix } from '../lake/layout.ts';
import {
  deleteObjectEverywhere,
  filterParquet,
  replaceWithBytes,
  sha256Of,
  withoutLines,
} from './erase-objects.ts';
import {
  ERASE_STEPS,
  type ErasedObject,
  type EraseLayer,
  type EraseStep,
  type ErasureReceipt,
  readReceipt,
  totalsOf,
  writeReceipt,
} from './erase-receipt.ts';
import { type LineSpan, scanOriginal } from './erase-scan.ts';
import { ErasureError, type ErasureSubject, type ErasureTarget, erasureTargets } from './erase-subject.ts';
import { PUBLISHED_COPY_LAYERS } from './published-copies.ts';
import { downloadToFile, listObjects } from './s3-objects.ts';
import type { IngestLogger, LakeBuckets } from './types.ts';

export { ERASE_STEPS, type EraseStep };

export interface EraseDeps {
  readonly s3: S3Client;
  readonly buckets: LakeBuckets;
  /** Contracts keyed `department/name`. */
  readonly contracts: ReadonlyMap<string, DatasetContract>;
  /** The lake's `protect: hash` key. */
  readonly hashKey: Buffer;
  /** Delete raw's earlier versions past governance retention (the deployed lake's erasure role). */
  readonly bypassGovernance: boolean;
  readonly logger?: IngestLogger;
  readonly tmpDir?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Called after each step (tests inject a crash here). */
  readonly afterStep?: (step: EraseStep) => Promise<void> | void;
}

export interface EraseRequest {
  requestId: string;
  subject: ErasureSubject;
  by: string;
  reason: string;
}

/** Carries out an erasure (or finishes one cut short) and returns its receipt. */
export async function eraseSubject(deps: EraseDeps, request: EraseRequest): Promise<ErasureReceipt> {
  const { s3, buckets } = deps;
  const now = deps.now ?? (() => new Date());
  const targets = erasureTargets(request.subject, deps.contracts, deps.hashKey);
  let receipt = await readReceipt(s3, buckets.quarantine, request.requestId);
  if (receipt?.completedAt) return receipt;
  if (receipt && receipt.kind !== request.subject.kind) {
    throw new ErasureError(
      `request ${request.requestId} is an erasure by ${receipt.kind}, not by ${request.subject.kind}: give another --request id`,
      'request_mismatch',
    );
  }
  const save = async () => writeReceipt(s3, buckets.quarantine, receipt as ErasureReceipt);
  const done = async (step: EraseStep) => {
    const r = receipt as ErasureReceipt;
    r.steps[step] ??= now().toISOString();
    await save();
    await deps.afterStep?.(step);
  };

  // 1. Recorded. A retry keeps the first request's who, when and why.
  receipt ??= {
    requestId: request.requestId,
    kind: request.subject.kind,
    scope: {
      datasets: targets.map((t) => t.id),
      ...(request.subject.kind === 'key' ? { keyColumns: Object.keys(request.subject.key).sort() } : {}),
    },
    by: request.by,
    reason: request.reason,
    requestedAt: now().toISOString(),
    steps: {},
    datasets: {},
    objects: {},
    rawRetention: deps.bypassGovernance
      ? 'governance retention bypassed by the erasure role'
      : 'no object lock (local lake)',
    publishedCopies: {},
  };
  await done('recorded');

  const work = await mkdtemp(join(deps.tmpDir ?? tmpdir(), 'lake-erase-'));
  try {
    // Where the subject is in the originals: found again on every run, raw being rewritten last.
    const found = new Map<string, { raw: Map<string, { key: string; spans: LineSpan[] }> }>();
    for (const t of targets) found.set(t.id, { raw: await scanRaw(deps, t, work) });
    const linesOf = (t: ErasureTarget) =>
      new Map([...(found.get(t.id)?.raw ?? new Map()).entries()].map(([u, r]) => [u, r.spans]));

    const record = async (bucket: string, key: string, entry: ErasedObject) => {
      const r = receipt as ErasureReceipt;
      const id = `${bucket}/${key}`;
      if (r.objects[id] && entry.removed === 0) return;
      r.objects[id] = { ...r.objects[id], ...entry };
      r.datasets = totalsOf(r.objects);
      await save();
    };

    // 2, 3. Curated (with the merged states and withdrawn files), then quarantine.
    for (const layer of ['curated', 'quarantine'] as const) {
      for (const t of targets) {
        const bucket = buckets[layer];
        for (const key of await parquetKeys(deps, layer, t)) {
          const dir = await freshDir(work, 'parquet');
          const f = await filterParquet(
            s3,
            bucket,
            key,
            { predicate: t.rowPredicate, lines: linesOf(t) },
            dir,
          );
          if (f.removed === 0) continue;
          await record(bucket, key, { layer, dataset: t.id, removed: f.removed });
          await f.write();
        }
      }
      await done(layer);
    }

    // 4. Copies beyond the zones.
    for (const layer of PUBLISHED_COPY_LAYERS) {
      for (const t of targets) {
        const n = await layer.eraseRows({ s3, buckets, ref: t.ref }, linesOf(t));
        const r = receipt as ErasureReceipt;
        r.publishedCopies[layer.name] = (r.publishedCopies[layer.name] ?? 0) + n;
      }
    }
    await done('published-copies');

    // 5. Landing files holding the subject.
    for (const t of targets) {
      for await (const o of listObjects(
        s3,
        buckets.landing,
        landingPrefix(t.ref.department, t.ref.dataset),
      )) {
        if (!o.Key || o.Key.includes(`/${REQUESTS_DIR}/`)) continue;
        const dir = await freshDir(work, 'landing');
        const path = join(dir, 'original');
        await downloadToFile(s3, { Bucket: buckets.landing, Key: o.Key }, path);
        if ((await scanOriginal(path, t.contract, t.source, dir)).length === 0) continue;
        await record(buckets.landing, o.Key, {
          layer: 'landing',
          dataset: t.id,
          removed: 1,
          removedWhole: true,
        });
        await deleteObjectEverywhere(s3, buckets.landing, o.Key, { bypassGovernance: false });
      }
    }
    await done('landing');

    // 6. Raw originals, last.
    for (const t of targets) {
      for (const { key, spans } of found.get(t.id)?.raw.values() ?? []) {
        await eraseRaw(deps, t, key, spans, work, record);
      }
    }
    await done('raw');

    // 7. Completed.
    receipt.datasets = totalsOf(receipt.objects);
    receipt.completedAt = now().toISOString();
    await done('completed');
    return receipt;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The raw originals of a dataset holding the subject: upload id -> key and the subject's lines. */
async function scanRaw(
  deps: EraseDeps,
  t: ErasureTarget,
  work: string,
): Promise<Map<string, { key: string; spans: LineSpan[] }>> {
  const out = new Map<string, { key: string; spans: LineSpan[] }>();
  const prefix = `raw/${t.ref.department}/${t.ref.dataset}/`;
  for await (const o of listObjects(deps.s3, deps.buckets.raw, prefix)) {
    // raw/<department>/<dataset>/ingest_date=<d>/<uploadId>/<file>
    const uploadId = o.Key?.slice(prefix.length).split('/')[1];
    if (!o.Key || !uploadId) continue;
    const dir = await freshDir(work, 'raw');
    const path = join(dir, 'original');
    await downloadToFile(deps.s3, { Bucket: deps.buckets.raw, Key: o.Key }, path);
    const spans = await scanOriginal(path, t.contract, t.source, dir);
    if (spans.length > 0) out.set(uploadId, { key: o.Key, spans });
  }
  return out;
}

/** Rewrites one raw original with the subject's lines emptied (or removes it whole), recording it first. */
async function eraseRaw(
  deps: EraseDeps,
  t: ErasureTarget,
  key: string,
  spans: readonly LineSpan[],
  work: string,
  record: (bucket: string, key: string, entry: ErasedObject) => Promise<void>,
): Promise<void> {
  const { s3, buckets } = deps;
  const dir = await freshDir(work, 'raw-rewrite');
  const path = join(dir, 'original');
  await downloadToFile(s3, { Bucket: buckets.raw, Key: key }, path);
  const before = await readFile(path);
  const after = withoutLines(before, spans, t.contract.format.type);
  const lines = spans.reduce((n, s) => n + s.last - s.line + 1, 0);
  const layer: EraseLayer = 'raw';
  const opts = { bypassGovernance: deps.bypassGovernance };
  if (after) {
    await record(buckets.raw, key, {
      layer,
      dataset: t.id,
      removed: lines,
      sha256Before: sha256Of(before),
      sha256After: sha256Of(after),
    });
    await replaceWithBytes(s3, buckets.raw, key, after, dir, opts);
  } else {
    await record(buckets.raw, key, {
      layer,
      dataset: t.id,
      removed: lines,
      sha256Before: sha256Of(before),
      removedWhole: true,
    });
    await deleteObjectEverywhere(s3, buckets.raw, key, opts);
  }
}

/** The Parquet files of a dataset in a layer: curated (with _merged/ and withdrawn/), or quarantine. */
async function parquetKeys(
  deps: EraseDeps,
  layer: 'curated' | 'quarantine',
  t: ErasureTarget,
): Promise<string[]> {
  const prefixes =
    layer === 'curated'
      ? [curatedPrefix(t.ref), withdrawnPrefix(t.ref)]
      : [`quarantine/${t.ref.department}/${t.ref.dataset}/`];
  const keys: string[] = [];
  for (const prefix of prefixes) {
    for await (const o of listObjects(deps.s3, deps.buckets[layer], prefix)) {
      if (o.Key?.endsWith('.parquet')) keys.push(o.Key);
    }
  }
  return keys;
}

let dirs = 0;
async function freshDir(work: string, name: string): Promise<string> {
  const dir = join(work, `${name}-${++dirs}`);
  await mkdir(dir, { recursive: true });
  return dir;
}
