/**
 * The portal's calls to its API: JSON in and out, errors as `{ code, message, hint }` (what went wrong
 * and what to do), files as downloads. Locally the identity travels in the HttpOnly cookie; deployed, the
 * ID token and the chosen identity travel in headers (sign-in.ts, which renews the token first when it
 * is about to expire). Uploads: upload-client.ts.
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
    headers: { Accept: 'application/json', ...(await authHeaders()) },
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

export async function sendJson<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...(await authHeaders()) },
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
    headers: { 'Content-Type': 'application/json', ...(await authHeaders()) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  saveBlob(await res.blob(), filename);
}

/** Saves a GET response as a file the browser downloads (an enterprise's granted data). */
export async function downloadGet(path: string, filename: string): Promise<void> {
  const res = await fetch(path, { credentials: 'same-origin', headers: { ...(await authHeaders()) } });
  if (!res.ok) throw await failure(res);
  saveBlob(await res.blob(), filename);
}

function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
