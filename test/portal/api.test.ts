/**
 * The portal's API without a browser: the security headers on every answer, the Host check, the local
 * sign-in cookie's attributes, the same-origin check on state-changing calls, the identity checks
 * (401 signed out, 403 the wrong kind of principal or another department's dataset), and an upload in
 * parts (start, PUT a part, complete, the receipt answering processing until the report is there; abort).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES, MIN_PART_BYTES } from '../../src/portal/upload.ts';
import { EXAMPLES } from '../cli/helpers.ts';
import { type Portal, startPortal } from './portal-helpers.ts';

let portal: Portal;

beforeAll(async () => {
  portal = await startPortal([]);
}, 180_000);

afterAll(async () => {
  await portal?.stop();
});

const at = (path: string) => new URL(path, portal.url).href;

interface Answer {
  who?: string | null;
  error: { code: string; message: string; hint?: string };
}
const answer = async (res: Response) => (await res.json()) as Answer;

/** A GET with a Host header of our choosing (fetch does not let one be set). */
function getWithHost(path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(portal.url);
    const req = request({ hostname: u.hostname, port: u.port, path, headers: { Host: host } }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function signIn(as: string): Promise<string> {
  const res = await fetch(at('/api/session'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: new URL(portal.url).origin },
    body: JSON.stringify({ as }),
  });
  expect(res.status).toBe(200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0];
}

describe('the portal API', () => {
  it('sends the security headers on pages and API answers alike', async () => {
    for (const path of ['/', '/api/catalog', '/api/uploads']) {
      const res = await fetch(at(path));
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
    const page = await (await fetch(at('/'))).text();
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('answers only to its own loopback host', async () => {
    const { port } = new URL(portal.url);
    const res = await getWithHost('/api/catalog', `attacker.example:${port}`);
    expect(res.status).toBe(421);
    expect(res.body).toContain('127.0.0.1');
    expect((await getWithHost('/api/catalog', `localhost:${port}`)).status).toBe(200);
  });

  it('keeps the sign-in in an HttpOnly, SameSite=Strict cookie, for offered identities only', async () => {
    const res = await fetch(at('/api/session'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ as: 'steward:transport' }),
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const bad = await fetch(at('/api/session'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ as: 'steward:nowhere' }),
    });
    expect(bad.status).toBe(400);
    expect((await answer(bad)).error.hint).toMatch(/identities/);
    // A forged cookie naming no offered identity is the public.
    const who = await answer(
      await fetch(at('/api/session'), { headers: { Cookie: 'lake_portal_as=steward:nowhere' } }),
    );
    expect(who.who).toBeNull();
  });

  it('refuses a state-changing call from another site', async () => {
    const cookie = await signIn('steward:transport');
    for (const headers of [
      { Origin: 'http://attacker.example' },
      { 'Sec-Fetch-Site': 'cross-site' },
    ] as Record<string, string>[]) {
      const res = await fetch(at('/api/uploads/u-1/withdraw'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookie, ...headers },
        body: JSON.stringify({ reason: 'x' }),
      });
      expect(res.status).toBe(403);
      expect((await answer(res)).error.code).toBe('cross_origin');
    }
  });

  it('checks the identity on every call', async () => {
    expect((await fetch(at('/api/uploads'))).status).toBe(401);
    expect((await fetch(at('/api/inbox'))).status).toBe(401);
    const analyst = await signIn('analyst:health');
    const res = await fetch(at('/api/uploads'), { headers: { Cookie: analyst } });
    expect(res.status).toBe(403);
    expect((await answer(res)).error.hint).toMatch(/steward/);
    const steward = await signIn('steward:transport');
    const start = (dataset: string, body: unknown) =>
      fetch(at(`/api/datasets/${dataset}/uploads/start`), {
        method: 'POST',
        headers: { Cookie: steward, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const other = await start('health/clinics', { fileName: 'a.csv', bytes: 4 });
    expect(other.status).toBe(403);
    expect((await answer(other)).error.code).toBe('not_your_department');
    expect((await start('transport/nothing', { fileName: 'a.csv', bytes: 4 })).status).toBe(404);
    const badName = await start('transport/bus_stops', { fileName: '<img>.csv', bytes: 4 });
    expect(badName.status).toBe(400);
    expect((await answer(badName)).error.code).toBe('bad_file_name');
    const empty = await start('transport/bus_stops', { fileName: 'a.csv', bytes: 0 });
    expect((await answer(empty)).error.code).toBe('empty_upload');
    const big = await start('transport/bus_stops', { fileName: 'a.csv', bytes: MAX_UPLOAD_BYTES + 1 });
    expect(big.status).toBe(413);
    expect((await answer(big)).error.hint).toContain('lake upload a.csv --dataset transport/bus_stops');
  });
});

describe('an upload in parts through the local portal', () => {
  const base = '/api/datasets/transport/bus_stops/uploads';

  it('takes the parts, completes, and answers processing until the report is there', async () => {
    const steward = await signIn('steward:transport');
    const csv = await readFile(join(EXAMPLES, 'transport/bus_stops/bus-stops-guiyang-2026-11.csv'));
    const call = (method: string, path: string, body?: unknown) =>
      fetch(at(path), {
        method,
        headers: { Cookie: steward, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const planRes = await call('POST', `${base}/start`, { fileName: 'stops-api.csv', bytes: csv.length });
    expect(planRes.status).toBe(200);
    const plan = (await planRes.json()) as {
      uploadId: string;
      fileName: string;
      partSize: number;
      parts: { partNumber: number; url: string }[];
      expiresAt: string | null;
    };
    expect(plan.fileName).toBe('stops-api.csv');
    expect(plan.partSize).toBe(MIN_PART_BYTES);
    expect(plan.parts).toEqual([{ partNumber: 1, url: `${base}/${plan.uploadId}/parts/1` }]);
    expect(plan).toMatchObject({
      complete: `${base}/${plan.uploadId}/complete`,
      abort: `${base}/${plan.uploadId}/abort`,
      expiresAt: null,
    });
    const put = (body: Uint8Array, cookie = steward) =>
      fetch(at(plan.parts[0].url), { method: 'PUT', headers: { Cookie: cookie }, body });
    // A part of another size than planned is refused, and so is another department's steward.
    const short = await put(csv.subarray(1));
    expect(short.status).toBe(400);
    expect((await answer(short)).error.message).toContain(`must be ${csv.length} bytes`);
    expect((await put(csv, await signIn('steward:education'))).status).toBe(403);
    const sent = await put(csv);
    expect(sent.status).toBe(200);
    const etag = sent.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const wrong = await call('POST', `${base}/${plan.uploadId}/complete`, {
      fileName: plan.fileName,
      parts: [{ partNumber: 1, etag: '"0"' }],
    });
    expect((await answer(wrong)).error.code).toBe('bad_parts');
    const done = await call('POST', `${base}/${plan.uploadId}/complete`, {
      fileName: plan.fileName,
      parts: [{ partNumber: 1, etag }],
    });
    expect(done.status).toBe(200);
    const { receipt, report } = (await done.json()) as { receipt: string; report: string };
    expect(receipt).toMatch(/^[0-9a-f]{12}$/);
    expect(report).toBe(`/api/datasets/transport/bus_stops/receipts/${receipt}`);
    // Completed: the upload is no longer under way.
    const again = await call('POST', `${base}/${plan.uploadId}/complete`, {
      fileName: plan.fileName,
      parts: [{ partNumber: 1, etag }],
    });
    expect(again.status).toBe(404);
    let state: { status: string; uploadId?: string } = { status: 'processing' };
    for (let i = 0; i < 120 && state.status === 'processing'; i++) {
      const r = await call('GET', report);
      expect(r.status).toBe(200);
      state = (await r.json()) as typeof state;
      if (state.status === 'processing') await new Promise((r) => setTimeout(r, 500));
    }
    expect(state.status).toBe('done');
    expect(state.uploadId).toMatch(new RegExp(`-${receipt}$`));
    const shown = (await (await call('GET', `/api/uploads/${state.uploadId}`)).json()) as {
      report: { uploadId: string; source: { key: string; bytes: number; sha256: string } };
    };
    // The object the transformer read is the file, byte for byte, under the key `lake upload` writes.
    expect(shown.report.source).toMatchObject({
      key: 'landing/transport/bus_stops/stops-api.csv',
      bytes: csv.length,
      sha256: createHash('sha256').update(csv).digest('hex'),
    });
    const cli = await portal.lake(['report', state.uploadId as string, '--json']);
    expect(cli.json<{ uploadId: string }>().uploadId).toBe(state.uploadId);
  });

  it('aborts an upload: its parts are dropped and it can no longer complete', async () => {
    const steward = await signIn('steward:transport');
    const call = (method: string, path: string, body?: unknown) =>
      fetch(at(path), {
        method,
        headers: { Cookie: steward, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const plan = (await (await call('POST', `${base}/start`, { fileName: 'gone.csv', bytes: 4 })).json()) as {
      uploadId: string;
    };
    const aborted = await call('POST', `${base}/${plan.uploadId}/abort`, { fileName: 'gone.csv' });
    expect(await aborted.json()).toEqual({ aborted: true });
    const part = await fetch(at(`${base}/${plan.uploadId}/parts/1`), {
      method: 'PUT',
      headers: { Cookie: steward },
      body: 'a,b\n',
    });
    expect(part.status).toBe(404);
    expect((await answer(part)).error.code).toBe('unknown_upload');
    const receipt = await call('GET', '/api/datasets/transport/bus_stops/receipts/not-a-receipt');
    expect((await answer(receipt)).error.code).toBe('bad_receipt');
  });
});
