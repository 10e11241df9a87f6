/**
 * A steward's upload through the portal, in steps the local and the deployed portal both answer, so the
 * web app has one way to upload whichever serves it:
 *
 * 1. start `{ fileName, bytes }`: the plan, one URL per part of `partSize` bytes (the last one shorter).
 *    Deployed, the URLs are S3 UploadPart URLs presigned as the department's upload role, for a
 *    multipart upload to the landing key `lake upload` would write; locally, the portal's own
 *    `PUT …/parts/:n` route, which keeps the part in a private temporary folder.
 * 2. The browser PUTs each part (reporting progress) and keeps each answer's ETag.
 * 3. complete `{ fileName, parts: [{ partNumber, etag }] }`: the object is put together in landing, as
 *    `lake upload` puts it there; the answer is a receipt (the digest the transformer's upload id ends
 *    with). abort `{ fileName }` drops the parts of an upload given up.
 * 4. The page asks for the receipt's report every couple of seconds until the transformer wrote it: no
 *    request waits for the transformer.
 *
 * Here: the plan's shape, the checks of what the browser sends, the part sizes.
 */
import type { DatasetRef } from '../lake/layout.ts';
import { ApiError } from './api-error.ts';

/** The largest file the portal takes (larger ones: `lake upload`, which streams from the terminal). */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
/** The smallest part (S3's minimum is 5 MiB; `lake upload` uses 8 MiB too). */
export const MIN_PART_BYTES = 8 * 1024 ** 2;
/** S3's most parts in one multipart upload. */
export const MAX_PARTS = 10_000;
/** File names kept as landing keys: letters (any script), digits, dot, dash, underscore. */
const SAFE_NAME = /^[\p{L}\p{N}][\p{L}\p{N}._-]{0,150}$/u;
/** A receipt: the 12 hexadecimal digits the transformer's upload id ends with. */
const RECEIPT = /^[0-9a-f]{12}$/;

/** One part the browser sends: its number (1-based) and where to PUT it. */
export interface PartTarget {
  partNumber: number;
  url: string;
}

/** What start answers. */
export interface UploadPlan {
  /** The upload's id (deployed: S3's multipart upload id), named in the complete and abort routes. */
  uploadId: string;
  /** The checked file name: the last part of the landing key. */
  fileName: string;
  /** Bytes of each part but the last. */
  partSize: number;
  parts: PartTarget[];
  /** When the part URLs stop working (deployed: the signing session's end), ISO 8601; null: they do not. */
  expiresAt: string | null;
}

/** A part as the browser sent it: its number and the ETag its PUT answered. */
export interface SentPart {
  partNumber: number;
  etag: string;
}

/** The portal's side of the steps, over one lake (local-uploads.ts, aws-uploads.ts). */
export interface DirectUploads {
  start(ref: DatasetRef, file: { name: string; bytes: number }): Promise<UploadPlan>;
  /**
   * Takes one part (local only: deployed, the parts go straight to S3). Answers the part's ETag.
   */
  putPart?(
    ref: DatasetRef,
    uploadId: string,
    partNumber: number,
    body: ReadableStream<Uint8Array> | null,
  ): Promise<string>;
  /** Puts the object together in landing; answers the upload's receipt. */
  complete(ref: DatasetRef, uploadId: string, fileName: string, parts: SentPart[]): Promise<string>;
  /** Drops the parts of an upload given up (an unknown or finished upload is no error). */
  abort(ref: DatasetRef, uploadId: string, fileName: string): Promise<void>;
  /** The upload id of the receipt's report, once the transformer wrote it; null while it is processing. */
  reportOf(ref: DatasetRef, receipt: string): Promise<string | null>;
}

/** The file name the browser sent, checked: a plain name, no path. */
export function landingName(name: string): string {
  const base = name.split(/[\\/]/).pop()?.trim() ?? '';
  if (!SAFE_NAME.test(base) || base.includes('..'))
    throw new ApiError(
      400,
      'bad_file_name',
      `the file name "${base.slice(0, 60)}" cannot be a landing key`,
      'Rename the file to letters, digits, dots, dashes and underscores (e.g. clinics-2026-11.csv).',
    );
  return base;
}

/** The part size of a file of `bytes`: at least MIN_PART_BYTES, whole MiB, at most MAX_PARTS parts. */
export function partSizeFor(bytes: number): number {
  const mib = 1024 ** 2;
  return Math.max(MIN_PART_BYTES, Math.ceil(bytes / MAX_PARTS / mib) * mib);
}

/** How many parts a file of `bytes` is sent in. */
export function partCount(bytes: number, partSize: number): number {
  return Math.max(1, Math.ceil(bytes / partSize));
}

/** The bytes part `n` (1-based) of a file of `bytes` holds. */
export function partBytes(bytes: number, partSize: number, n: number): number {
  const count = partCount(bytes, partSize);
  return n < count ? partSize : bytes - partSize * (count - 1);
}

/** The start request's body, checked: `{ fileName, bytes }`. */
export function startRequest(body: unknown, ref: DatasetRef): { name: string; bytes: number } {
  const b = (body ?? {}) as { fileName?: unknown; bytes?: unknown };
  const name = landingName(typeof b.fileName === 'string' ? b.fileName : '');
  const bytes = b.bytes;
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 1)
    throw new ApiError(
      400,
      'empty_upload',
      `the upload of "${name}" names no size, or an empty file ("bytes" in the start request)`,
      'Choose a file that holds the data, then upload it again.',
    );
  if (bytes > MAX_UPLOAD_BYTES)
    throw new ApiError(
      413,
      'file_too_large',
      `"${name}" is ${bytes} bytes, more than the portal takes (${MAX_UPLOAD_BYTES} bytes)`,
      `Upload it from a terminal: \`lake upload ${name} --dataset ${ref.department}/${ref.dataset}\`.`,
    );
  return { name, bytes };
}

/** The complete request's parts, checked: `[{ partNumber, etag }]`, numbered 1 to n in order. */
export function sentParts(body: unknown): SentPart[] {
  const parts = (body as { parts?: unknown } | null)?.parts;
  const bad = (what: string) =>
    new ApiError(
      400,
      'bad_parts',
      `the complete request's "parts" ${what}`,
      'Send every part once, in order: [{ "partNumber": 1, "etag": "<the ETag its PUT answered>" }, …].',
    );
  if (!Array.isArray(parts) || parts.length === 0) throw bad('list is missing or empty');
  if (parts.length > MAX_PARTS) throw bad(`list has more than ${MAX_PARTS} parts`);
  return parts.map((p, i) => {
    const { partNumber, etag } = (p ?? {}) as { partNumber?: unknown; etag?: unknown };
    if (partNumber !== i + 1) throw bad(`entry ${i + 1} is not part ${i + 1}`);
    if (typeof etag !== 'string' || !/^"?[\w-]{1,128}"?$/.test(etag)) throw bad(`entry ${i + 1} has no ETag`);
    return { partNumber, etag };
  });
}

/** The file name of the complete and abort requests' body (`{ fileName }`), checked. */
export function fileNameOf(body: unknown): string {
  const name = (body as { fileName?: unknown } | null)?.fileName;
  return landingName(typeof name === 'string' ? name : '');
}

/** A receipt from the path, checked. */
export function receiptOf(text: string): string {
  if (!RECEIPT.test(text))
    throw new ApiError(
      400,
      'bad_receipt',
      'the receipt in the path is not one the complete route answers (12 hexadecimal digits)',
      'Use the receipt the complete route answered; the upload history lists finished uploads.',
    );
  return text;
}

/** The upload an id names does not exist (any more): started elsewhere, completed, aborted or expired. */
export function unknownUpload(ref: DatasetRef, uploadId: string): ApiError {
  return new ApiError(
    404,
    'unknown_upload',
    `no upload "${uploadId.slice(0, 40)}" under way to ${ref.department}/${ref.dataset}`,
    'Upload the file again from the start: parts are kept only while an upload is under way.',
  );
}
