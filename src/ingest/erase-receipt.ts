/**
 * The erasure receipt: what one erasure request did, stored under reports/_erasures/<requestId>.json in
 * the quarantine bucket (outside every department's reports/ folder) and printed by `lake erase`.
 *
 * It holds no personal data: not the resident ID or key value, nor any hash of it (a hash of a resident
 * ID is reversed by trying every ID). It says which request, who, when, why, which datasets, and how many
 * rows, lines and objects left each layer; per object, the count removed (and for a raw original, the
 * sha256 of the original before it was rewritten, and after).
 *
 * The receipt is also the erasure's record of progress: written when the request is recorded, again for
 * each object before that object is rewritten (so a count is never lost to a crash and, being set rather
 * than added, never doubled by a retry), after each step, and last with `completedAt`.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { erasureReceiptKey } from '../lake/layout.ts';
import { IngestError } from './errors.ts';
import { readText } from './s3-objects.ts';

/** The steps of an erasure, in order (for tests that cut one short). */
export const ERASE_STEPS = [
  'recorded',
  'curated',
  'quarantine',
  'published-copies',
  'landing',
  'raw',
  'completed',
] as const;
export type EraseStep = (typeof ERASE_STEPS)[number];

/** The layers an erasure removes from, as the receipt counts them. */
export type EraseLayer = 'curated' | 'quarantine' | 'landing' | 'raw';

/** What was removed from one object. */
export interface ErasedObject {
  layer: EraseLayer;
  dataset: string;
  /** Rows (curated, quarantine) or lines (raw) removed; landing objects are removed whole (1). */
  removed: number;
  /** Raw originals: sha256 of the original before, and of what replaced it (absent: removed whole). */
  sha256Before?: string;
  sha256After?: string;
  /** The object was removed whole (a landing file; a raw original the lake cannot rewrite line by line). */
  removedWhole?: boolean;
}

export interface DatasetErasure {
  curatedRows: number;
  quarantineRows: number;
  rawLines: number;
  rawObjects: number;
  landingObjects: number;
}

export interface ErasureReceipt {
  requestId: string;
  /** A person (every dataset declaring a cn_resident_id field), or one dataset's primary key. */
  kind: 'person' | 'key';
  /** What was searched, without the value: the datasets searched, or the dataset and its key columns. */
  scope: { datasets: string[]; keyColumns?: string[] };
  by: string;
  reason: string;
  requestedAt: string;
  /** When each step finished (a retry keeps the first time). */
  steps: Partial<Record<EraseStep, string>>;
  /** Totals per dataset touched (datasets with nothing to remove are not listed). */
  datasets: Record<string, DatasetErasure>;
  /** Per object removed from or rewritten: `<bucket>/<key>`. */
  objects: Record<string, ErasedObject>;
  /** How raw's Object Lock retention was dealt with. */
  rawRetention: 'governance retention bypassed by the erasure role' | 'no object lock (local lake)';
  /** Copies beyond the lake's zones (e.g. open data) the erasure reached, by layer name. */
  publishedCopies: Record<string, number>;
  completedAt?: string;
}

export const RECEIPT_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A request id: letters, digits, `.`, `_`, `-`; it names the receipt. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/** A new request id: `erase-<UTC time>-<random>`. */
export function newRequestId(now: Date, random: string): string {
  return `erase-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${random}`;
}

export async function readReceipt(
  s3: S3Client,
  bucket: string,
  requestId: string,
): Promise<ErasureReceipt | null> {
  const found = await readText(s3, bucket, erasureReceiptKey(requestId));
  if (!found) return null;
  const receipt = JSON.parse(found.text) as ErasureReceipt;
  if (receipt?.requestId !== requestId) {
    throw new IngestError(`${erasureReceiptKey(requestId)} is not the receipt of request ${requestId}`);
  }
  return receipt;
}

export async function writeReceipt(s3: S3Client, bucket: string, receipt: ErasureReceipt): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: erasureReceiptKey(receipt.requestId),
      Body: `${JSON.stringify(receipt, null, 2)}\n`,
      ContentType: RECEIPT_CONTENT_TYPE,
    }),
  );
}

/** The receipt's per-dataset totals, summed from its objects. */
export function totalsOf(objects: Record<string, ErasedObject>): Record<string, DatasetErasure> {
  const out: Record<string, DatasetErasure> = {};
  for (const o of Object.values(objects)) {
    out[o.dataset] ??= { curatedRows: 0, quarantineRows: 0, rawLines: 0, rawObjects: 0, landingObjects: 0 };
    const d = out[o.dataset];
    if (o.layer === 'curated') d.curatedRows += o.removed;
    if (o.layer === 'quarantine') d.quarantineRows += o.removed;
    if (o.layer === 'landing') d.landingObjects += 1;
    if (o.layer === 'raw') {
      d.rawLines += o.removed;
      d.rawObjects += 1;
    }
  }
  return out;
}
