/**
 * The portal's API without a browser: the security headers on every answer, the Host check, the local
 * sign-in cookie's attributes, the same-origin check on state-changing calls, and the identity checks
 * (401 signed out, 403 the wrong kind of principal, 404 another department's upload).
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const other = await fetch(at('/api/datasets/health/clinics/uploads?filename=a.csv'), {
      method: 'POST',
      headers: { Cookie: steward, 'Content-Type': 'application/octet-stream' },
      body: 'a,b\n',
    });
    expect(other.status).toBe(404);
    const badName = await fetch(at('/api/datasets/transport/bus_stops/uploads?filename=%3Cimg%3E.csv'), {
      method: 'POST',
      headers: { Cookie: steward, 'Content-Type': 'application/octet-stream' },
      body: 'a,b\n',
    });
    expect(badName.status).toBe(400);
    expect((await answer(badName)).error.code).toBe('bad_file_name');
  });
});
