/**
 * The portal's calls to its API: JSON in and out, errors as `{ code, message, hint }` (what went wrong
 * and what to do), files as downloads. Locally the identity travels in the HttpOnly cookie; deployed, the
 * ID token and the chosen identity travel in headers (sign-in.ts).
 */
import { authHeaders } from './sign-in.ts';

export interface ApiErrorBody {
  code: string;
  message: string;
  hint?: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
}

async function failure(res: Response): Promise<ApiFailure> {
  const doc = (await res.json().catch(() => null)) as { error?: ApiErrorBody } | null;
  return new ApiFailure(
    res.status,
    doc?.error ?? { code: 'failure', message: `the portal answered ${res.status}`, hint: 'Try again.' },
  );
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, {
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...authHeaders() },
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

export async function sendJson<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/** Saves a response as a file the browser downloads (a POSTed query's CSV). */
export async function download(path: string, body: unknown, filename: string): Promise<void> {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', ...authHeaders() },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Uploads a file with its progress (XMLHttpRequest reports upload progress; fetch does not), then
 * resolves with the server's answer once the lake has processed it.
 */
export function uploadFile<T>(
  path: string,
  file: File,
  onProgress: (sent: number, total: number) => void,
  onSent: () => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.upload.onload = () => onSent();
    xhr.onload = () => {
      const doc = JSON.parse(xhr.responseText || 'null');
      if (xhr.status >= 200 && xhr.status < 300) resolve(doc as T);
      else
        reject(
          new ApiFailure(
            xhr.status,
            doc?.error ?? { code: 'failure', message: `upload failed (${xhr.status})` },
          ),
        );
    };
    xhr.onerror = () =>
      reject(
        new ApiFailure(0, {
          code: 'network',
          message: 'the upload was cut off',
          hint: 'Check that `lake serve` is running, then try again.',
        }),
      );
    xhr.send(file);
  });
}
