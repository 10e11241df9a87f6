/**
 * A withdrawal asked for on the deployed lake. A department's steward may write only under its own
 * landing prefix (its upload role's one grant), so `lake withdraw` puts a small request there:
 *
 *   landing/<department>/_requests/withdraw/<uploadId>.json   { uploadId, dataset, by, reason, requestedAt }
 *
 * The upload's notification reaches the transformer like any upload; the transformer recognises the key,
 * checks the request (the upload id of the key and of the document agree, and the dataset is the
 * department's own: a department can only ever withdraw its own uploads, since it can only write its own
 * prefix and the upload's report is looked up under that department), and carries out withdrawUpload,
 * whose report the CLI waits for. The request is delivered at least once; withdrawUpload is idempotent.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ID_PATTERN } from '../contracts/id-pattern.ts';
import { type DatasetRef, parseWithdrawRequestKey, withdrawRequestKey } from '../lake/layout.ts';
import { isNotFound } from './s3-objects.ts';
import type { ProcessResult, ProcessUploadDeps, UploadObject } from './types.ts';
import { WithdrawError, withdrawUpload } from './withdraw.ts';

export const WITHDRAW_REQUEST_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The request document. */
export interface WithdrawRequestDocument {
  uploadId: string;
  /** `<department>/<dataset>` */
  dataset: string;
  /** Who asks (the CLI's caller). */
  by: string;
  reason: string;
  requestedAt: string;
}

/** The key and body of a request (what `lake withdraw` writes as the department's upload role). */
export function withdrawRequestObject(doc: WithdrawRequestDocument): { key: string; body: string } {
  const department = doc.dataset.split('/')[0];
  return { key: withdrawRequestKey(department, doc.uploadId), body: `${JSON.stringify(doc, null, 2)}\n` };
}

/** True when the key is a withdrawal request's. */
export function isWithdrawRequest(key: string): boolean {
  return parseWithdrawRequestKey(key) !== null;
}

/** Carries out one withdrawal request found in landing. */
export async function processWithdrawRequest(
  deps: ProcessUploadDeps,
  object: UploadObject,
): Promise<ProcessResult> {
  const parsed = parseWithdrawRequestKey(object.key);
  if (!parsed) return { outcome: 'ignored', reason: 'not a withdrawal request key' };
  let doc: Partial<WithdrawRequestDocument>;
  try {
    const r = await deps.s3.send(
      new GetObjectCommand({ Bucket: object.bucket, Key: object.key, VersionId: object.versionId }),
    );
    doc = JSON.parse((await r.Body?.transformToString('utf8')) ?? '{}') as Partial<WithdrawRequestDocument>;
  } catch (e) {
    if (isNotFound(e)) return { outcome: 'ignored', reason: 'the request no longer exists' };
    if (e instanceof SyntaxError) return { outcome: 'ignored', reason: 'the request is not JSON' };
    throw e;
  }
  const [department, dataset] = String(doc.dataset ?? '').split('/');
  const refused = (reason: string): ProcessResult => {
    deps.logger?.warn('withdrawal request refused', { key: object.key, reason });
    return { outcome: 'ignored', uploadId: parsed.uploadId, reason };
  };
  if (doc.uploadId !== parsed.uploadId) return refused('the request names another upload than its key');
  if (department !== parsed.department || !ID_PATTERN.test(dataset ?? ''))
    return refused(`the request names a dataset outside department ${parsed.department}`);
  if (typeof doc.reason !== 'string' || doc.reason.trim() === '')
    return refused('the request gives no reason');
  const ref: DatasetRef = { department, dataset };
  try {
    const report = await withdrawUpload(
      { s3: deps.s3, buckets: deps.buckets, logger: deps.logger, now: deps.now },
      { ref, uploadId: parsed.uploadId, by: String(doc.by ?? 'unknown'), reason: doc.reason },
    );
    return { outcome: 'withdrawn', uploadId: parsed.uploadId, report };
  } catch (e) {
    if (e instanceof WithdrawError) return refused(e.message);
    throw e;
  }
}
