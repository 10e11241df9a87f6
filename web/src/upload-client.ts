/**
 * A steward's upload from the page, in the steps the portal API plans (src/portal/upload.ts): start, each
 * part PUT where the plan says (deployed: straight to the landing bucket with a presigned URL; locally:
 * the portal itself) with its progress, complete with the parts' ETags, then the report asked for every
 * couple of seconds until the lake has processed the file. An upload that fails or is cancelled is
 * aborted, so its parts do not linger.
 */
import { ApiFailure, getJson, sendJson } from './api.ts';
import { authHeaders } from './sign-in.ts';

/** What start answers. */
interface Plan {
  uploadId: string;
  fileName: string;
  partSize: number;
  parts: { partNumber: number; url: string }[];
  expiresAt: string | null;
  /** The upload's complete and abort routes. */
  complete: string;
  abort: string;
}

/** Parts in flight at once. */
const PARTS_AT_ONCE = 3;
/** How often the page asks whether the report is there. */
export const REPORT_POLL_MS = 2000;
/** How long the page asks before it sends the steward to the upload history instead. */
export const REPORT_WAIT_MS = 15 * 60_000;

/** The part PUT's failure, as the API's errors read: what went wrong, what to do. */
function partFailure(n: number, xhr: XMLHttpRequest, own: boolean, expiresAt: string | null): ApiFailure {
  if (own) {
    const doc = (() => {
      try {
        return JSON.parse(xhr.responseText || 'null');
      } catch {
        return null;
      }
    })();
    if (doc?.error) return new ApiFailure(xhr.status, doc.error);
  }
  const code = /<Code>([^<]{1,64})<\/Code>/.exec(xhr.responseText ?? '')?.[1];
  const expired = code === 'AccessDenied' && expiresAt !== null && Date.parse(expiresAt) <= Date.now();
  return new ApiFailure(xhr.status, {
    code: 'part_refused',
    message: `part ${n} of the file was refused (${xhr.status}${code ? ` ${code}` : ''})`,
    hint: expired
      ? 'The upload links last an hour: upload the file again, or from a terminal with `lake upload`.'
      : 'Upload the file again; if it keeps failing, upload it from a terminal with `lake upload`.',
  });
}

/** PUTs one part, reporting the bytes sent; resolves with the ETag the answer carries. */
async function putPart(
  url: string,
  body: Blob,
  n: number,
  expiresAt: string | null,
  onProgress: (sent: number) => void,
  signal: AbortSignal,
): Promise<string> {
  // The portal's own route carries the sign-in; a presigned URL carries its own (and must get no other).
  const own = url.startsWith('/');
  const headers = own ? await authHeaders() : {};
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      const etag = xhr.getResponseHeader('ETag');
      if (xhr.status >= 200 && xhr.status < 300 && etag) {
        onProgress(body.size);
        resolve(etag);
      } else if (xhr.status >= 200 && xhr.status < 300)
        reject(
          new ApiFailure(xhr.status, {
            code: 'no_etag',
            message: `part ${n} was sent, but its answer carried no ETag`,
            hint: 'The landing bucket’s CORS must expose ETag to the portal: ask the platform team to deploy the stack again.',
          }),
        );
      else reject(partFailure(n, xhr, own, expiresAt));
    };
    xhr.onerror = () =>
      reject(
        new ApiFailure(0, {
          code: 'network',
          message: `part ${n} of the file was cut off`,
          hint: own
            ? 'Check that `lake serve` is running, then upload again.'
            : 'Check the network connection, then upload again.',
        }),
      );
    xhr.onabort = () => reject(new DOMException('the upload was cancelled', 'AbortError'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

/**
 * Uploads `file` to the dataset (`<department>/<dataset>`), reporting the bytes sent of the total;
 * resolves with the path that answers the upload's report once the lake has processed it.
 */
export async function uploadInParts(
  dataset: string,
  file: File,
  onProgress: (sent: number, total: number) => void,
  signal: AbortSignal,
): Promise<string> {
  const plan = await sendJson<Plan>('POST', `/api/datasets/${dataset}/uploads/start`, {
    fileName: file.name,
    bytes: file.size,
  });
  const sent = plan.parts.map(() => 0);
  const report = () =>
    onProgress(
      Math.min(
        file.size,
        sent.reduce((a, b) => a + b, 0),
      ),
      file.size,
    );
  report();
  // Stops every part in flight when the steward cancels or one part fails.
  const inFlight = new AbortController();
  const cancel = () => inFlight.abort();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    const etags: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < plan.parts.length) {
        if (inFlight.signal.aborted) throw new DOMException('the upload was cancelled', 'AbortError');
        const i = next++;
        const part = plan.parts[i];
        const from = i * plan.partSize;
        const body = file.slice(from, Math.min(file.size, from + plan.partSize));
        etags[i] = await putPart(
          part.url,
          body,
          part.partNumber,
          plan.expiresAt,
          (bytes) => {
            sent[i] = bytes;
            report();
          },
          inFlight.signal,
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARTS_AT_ONCE, plan.parts.length) }, worker));
    const done = await sendJson<{ receipt: string; report: string }>('POST', plan.complete, {
      fileName: plan.fileName,
      parts: plan.parts.map((p, i) => ({ partNumber: p.partNumber, etag: etags[i] })),
    });
    return done.report;
  } catch (e) {
    // The parts sent so far are dropped; the error the steward sees is the one that stopped the upload.
    inFlight.abort();
    await sendJson('POST', plan.abort, { fileName: plan.fileName }).catch(() => undefined);
    throw e;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/** Asks `reportPath` every REPORT_POLL_MS until the report is there; resolves with its upload id. */
export async function waitForReport(reportPath: string, signal: AbortSignal): Promise<string> {
  const deadline = Date.now() + REPORT_WAIT_MS;
  for (;;) {
    const r = await getJson<{ status: 'processing' | 'done'; uploadId?: string }>(reportPath);
    if (r.status === 'done' && r.uploadId) return r.uploadId;
    if (Date.now() > deadline)
      throw new ApiFailure(0, {
        code: 'report_timeout',
        message: 'the file is uploaded, but the lake has not finished processing it yet',
        hint: 'Its report appears in the upload history (上传记录) when the lake is done.',
      });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, REPORT_POLL_MS);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(new DOMException('stopped waiting', 'AbortError'));
        },
        { once: true },
      );
    });
  }
}
