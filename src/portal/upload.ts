/**
 * A steward's upload through the local portal: the request body is written to a private temporary file
 * (never held in memory), uploaded to the lake's landing as `lake upload` does, and the transformer's
 * report awaited. The deployed portal hands the browser a presigned URL instead and polls for the report.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { silentProgress } from '../cli/progress.ts';
import type { IngestReport } from '../engine/report.ts';
import type { DatasetRef } from '../lake/layout.ts';
import { ApiError } from './api-error.ts';
import type { PortalServices } from './services.ts';

/** The largest file the local portal takes (larger ones: `lake upload`, which streams multipart). */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
/** How long the portal waits for the transformer's report. */
export const REPORT_WAIT_MS = 10 * 60_000;
/** File names kept as landing keys: letters (any script), digits, dot, dash, underscore. */
const SAFE_NAME = /^[\p{L}\p{N}][\p{L}\p{N}._-]{0,150}$/u;

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

export async function receiveUpload(
  s: PortalServices,
  request: Request,
  ref: DatasetRef,
  filename: string,
): Promise<IngestReport> {
  const name = landingName(filename);
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > MAX_UPLOAD_BYTES)
    throw new ApiError(
      413,
      'file_too_large',
      `the file is larger than the portal takes (${MAX_UPLOAD_BYTES} bytes)`,
      `Upload it with \`lake upload <file> --dataset ${ref.department}/${ref.dataset}\`.`,
    );
  if (!request.body)
    throw new ApiError(400, 'empty_upload', 'the upload has no file', 'Choose a file to upload.');
  const work = await mkdtemp(join(tmpdir(), 'lake-portal-upload-'));
  try {
    const file = join(work, name);
    await pipeline(
      Readable.fromWeb(request.body as WebReadableStream<Uint8Array>),
      createWriteStream(file, { mode: 0o600 }),
    );
    const object = await s.lake.upload(file, ref, name, silentProgress);
    return await s.lake.waitForReport(object, ref, { timeoutMs: REPORT_WAIT_MS });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
