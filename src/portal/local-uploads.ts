/**
 * The upload steps (upload.ts) over the local lake: the parts come to the portal's own
 * `PUT …/uploads/:uploadId/parts/:n`, each streamed to a private temporary folder (never held in memory,
 * each checked for its exact size); complete puts them together as one file and hands it to the lake as
 * `lake upload` does (LakeBackend.upload), then waits for the transformer's report in the background, so
 * the page's polls find it. Uploads left unfinished are dropped after an hour.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { LakeBackend } from '../cli/backend.ts';
import { silentProgress } from '../cli/progress.ts';
import type { DatasetRef } from '../lake/layout.ts';
import { ApiError } from './api-error.ts';
import {
  type DirectUploads,
  partBytes,
  partCount,
  partSizeFor,
  type SentPart,
  type UploadPlan,
  unknownUpload,
} from './upload.ts';

/** How long parts of an unfinished upload are kept. */
export const LOCAL_UPLOAD_TTL_MS = 60 * 60_000;
/** Uploads under way at once (each may hold up to MAX_UPLOAD_BYTES on disk). */
export const LOCAL_UPLOADS_AT_ONCE = 8;
/** How long the background wait for a report lasts. */
export const REPORT_WAIT_MS = 10 * 60_000;

interface Pending {
  ref: DatasetRef;
  name: string;
  bytes: number;
  partSize: number;
  dir: string;
  etags: Map<number, string>;
  startedAt: number;
}

/** The URL of part `n` of an upload, on the portal itself. */
export function localPartUrl(ref: DatasetRef, uploadId: string, n: number): string {
  return `/api/datasets/${ref.department}/${ref.dataset}/uploads/${uploadId}/parts/${n}`;
}

/** Counts the bytes going through, refusing more than `limit`. */
function limited(limit: number, seen: { bytes: number }, hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen.bytes += chunk.length;
      if (seen.bytes > limit) return done(new Error('part too large'));
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

export class LocalDirectUploads implements DirectUploads {
  private readonly pending = new Map<string, Pending>();
  /** Reports waited for, by receipt: the upload id once there (null: the wait gave up). */
  private readonly reports = new Map<string, { done: boolean; uploadId: string | null }>();

  constructor(
    private readonly lake: LakeBackend,
    private readonly now: () => number = Date.now,
  ) {}

  async start(ref: DatasetRef, file: { name: string; bytes: number }): Promise<UploadPlan> {
    await this.sweep();
    if (this.pending.size >= LOCAL_UPLOADS_AT_ONCE)
      throw new ApiError(
        429,
        'too_many_uploads',
        `${LOCAL_UPLOADS_AT_ONCE} uploads are under way in this portal already`,
        'Wait for one to finish (or cancel it), then upload again.',
      );
    const uploadId = randomUUID();
    const partSize = partSizeFor(file.bytes);
    const dir = await mkdtemp(join(tmpdir(), 'lake-portal-upload-'));
    this.pending.set(uploadId, {
      ref,
      name: file.name,
      bytes: file.bytes,
      partSize,
      dir,
      etags: new Map(),
      startedAt: this.now(),
    });
    const parts = Array.from({ length: partCount(file.bytes, partSize) }, (_, i) => ({
      partNumber: i + 1,
      url: localPartUrl(ref, uploadId, i + 1),
    }));
    return { uploadId, fileName: file.name, partSize, parts, expiresAt: null };
  }

  async putPart(
    ref: DatasetRef,
    uploadId: string,
    partNumber: number,
    body: ReadableStream<Uint8Array> | null,
  ): Promise<string> {
    const p = this.upload(ref, uploadId);
    const count = partCount(p.bytes, p.partSize);
    if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > count)
      throw new ApiError(
        400,
        'bad_part',
        `the upload of "${p.name}" has parts 1 to ${count}, not ${partNumber}`,
        'PUT each part to the URL the start route answered for it.',
      );
    const expected = partBytes(p.bytes, p.partSize, partNumber);
    const seen = { bytes: 0 };
    const hash = createHash('sha256');
    const wrong = () =>
      new ApiError(
        400,
        'bad_part',
        `part ${partNumber} of "${p.name}" must be ${expected} bytes; ${seen.bytes} came`,
        'Send the file as the start route planned it: each part of partSize bytes, the last one the rest.',
      );
    if (!body) throw wrong();
    try {
      await pipeline(
        Readable.fromWeb(body as WebReadableStream<Uint8Array>),
        limited(expected, seen, hash),
        createWriteStream(join(p.dir, `part-${partNumber}`), { mode: 0o600 }),
      );
    } catch (e) {
      if (seen.bytes > expected) throw wrong();
      throw e;
    }
    if (seen.bytes !== expected) throw wrong();
    const etag = `"${hash.digest('hex').slice(0, 32)}"`;
    p.etags.set(partNumber, etag);
    return etag;
  }

  async complete(ref: DatasetRef, uploadId: string, fileName: string, parts: SentPart[]): Promise<string> {
    const p = this.upload(ref, uploadId, fileName);
    const count = partCount(p.bytes, p.partSize);
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter(
      (n) => p.etags.get(n) !== parts[n - 1]?.etag,
    );
    if (parts.length !== count || missing.length > 0)
      throw new ApiError(
        400,
        'bad_parts',
        `the upload of "${p.name}" has ${count} parts; ${parts.length} were named, ${missing.length ? `and part ${missing[0]} is not the one that arrived (or none did)` : 'too many'}`,
        'PUT the parts named again, then complete with the ETag each PUT answered.',
      );
    this.pending.delete(uploadId);
    try {
      const file = join(p.dir, p.name);
      const out = createWriteStream(file, { mode: 0o600 });
      for (let n = 1; n <= count; n++)
        await pipeline(createReadStream(join(p.dir, `part-${n}`)), out, { end: n === count });
      const object = await this.lake.upload(file, ref, p.name, silentProgress);
      // The digest the transformer's upload id ends with (loaded here: the AWS backend's module).
      const { objectDigest } = await import('../cli/aws/aws-backend.ts');
      const receipt = objectDigest(object);
      const wait: { done: boolean; uploadId: string | null } = { done: false, uploadId: null };
      this.reports.set(receipt, wait);
      this.lake
        .waitForReport(object, ref, { timeoutMs: REPORT_WAIT_MS })
        .then((r) => {
          wait.uploadId = r.uploadId;
        })
        .catch(() => undefined)
        .finally(() => {
          wait.done = true;
        });
      return receipt;
    } finally {
      await rm(p.dir, { recursive: true, force: true });
    }
  }

  async abort(ref: DatasetRef, uploadId: string, fileName: string): Promise<void> {
    const p = this.pending.get(uploadId);
    if (!p) return;
    this.upload(ref, uploadId, fileName);
    this.pending.delete(uploadId);
    await rm(p.dir, { recursive: true, force: true });
  }

  async reportOf(ref: DatasetRef, receipt: string): Promise<string | null> {
    const wait = this.reports.get(receipt);
    if (wait && !wait.done) return null;
    if (wait?.uploadId) {
      this.reports.delete(receipt);
      return wait.uploadId;
    }
    // Not waited for here (the server restarted since), or the wait gave up: the dataset's latest reports.
    const recent = await this.lake.uploads({ ref, limit: 20 });
    return recent.find((u) => u.uploadId.endsWith(`-${receipt}`))?.uploadId ?? null;
  }

  /** The upload under way, of this dataset (and file) only. */
  private upload(ref: DatasetRef, uploadId: string, fileName?: string): Pending {
    const p = this.pending.get(uploadId);
    if (
      !p ||
      p.ref.department !== ref.department ||
      p.ref.dataset !== ref.dataset ||
      (fileName !== undefined && fileName !== p.name)
    )
      throw unknownUpload(ref, uploadId);
    return p;
  }

  /** Drops the uploads left unfinished for longer than LOCAL_UPLOAD_TTL_MS. */
  private async sweep(): Promise<void> {
    for (const [id, p] of [...this.pending]) {
      if (this.now() - p.startedAt < LOCAL_UPLOAD_TTL_MS) continue;
      this.pending.delete(id);
      await rm(p.dir, { recursive: true, force: true });
    }
  }

  /** Removes every unfinished upload's parts (the server stops). */
  async close(): Promise<void> {
    for (const p of this.pending.values()) await rm(p.dir, { recursive: true, force: true });
    this.pending.clear();
  }
}
