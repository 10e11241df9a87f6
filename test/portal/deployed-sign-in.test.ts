/**
 * The deployed portal's sign-in in a real browser: the built web app served with the deployed CSP and a
 * `/portal-config.json` naming a local stand-in for the hosted sign-in (authorize redirects back with a
 * code, token answers a JWT-shaped ID token for the right PKCE verifier, logout redirects back), and a
 * stand-in for the API's `/api/session` that answers only with that token. The page signs in, shows the
 * identity, switches to another of the user's identities (X-Lake-As) and signs out; given a token about
 * to expire, it renews it with the refresh token first, and when the renewal is refused it drops the
 * tokens and the sign-in page says so.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedCsp } from '../../lib/portal/portal-site.ts';
import { ROOT } from '../cli/helpers.ts';
import { launchChromium } from './portal-helpers.ts';

const WEB = process.env.LAKE_PORTAL_DIR ?? join(ROOT, 'node_modules', '.cache', 'lake-portal');
const CLIENT_ID = 'client1';
const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const ID_TOKEN = `${enc({ alg: 'RS256', kid: 'k1' })}.${enc({ sub: 'u-1', exp: 4102444800 })}.c2ln`;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
};

let site: Server;
let hosted: Server;
let siteUrl: string;
let signInUrl: string;
let browser: Browser;
/** What the stand-ins saw. */
const seen = { challenge: '', tokenForm: {} as Record<string, string>, sessions: [] as string[] };
/** What the token endpoint answers a code with (the renewal tests: a token about to expire). */
let codeAnswer: Record<string, string> = { id_token: ID_TOKEN };
/** Whether it renews a token for the refresh token `r-1`, and the renewal requests it got. */
const renewal = { ok: true, forms: [] as Record<string, string>[] };
/** An ID token that expires in a minute: within the two minutes before expiry the app renews in. */
const expiringToken = () =>
  `${enc({ alg: 'RS256', kid: 'k1' })}.${enc({ sub: 'u-1', exp: Math.floor(Date.now() / 1000) + 60 })}.c2ln`;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => resolve(text));
  });
}

function json(res: ServerResponse, status: number, doc: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(doc));
}

beforeAll(async () => {
  if (!existsSync(join(WEB, 'index.html')))
    throw new Error(`the portal is not built in ${WEB}: run node scripts/build-portal.mjs`);
  hosted = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', signInUrl);
    if (url.pathname === '/oauth2/authorize') {
      const q = Object.fromEntries(url.searchParams);
      const ok =
        q.response_type === 'code' &&
        q.client_id === CLIENT_ID &&
        q.redirect_uri === `${siteUrl}/` &&
        q.scope === 'openid' &&
        q.code_challenge_method === 'S256' &&
        /^[A-Za-z0-9_-]{43}$/.test(q.code_challenge ?? '') &&
        !!q.state;
      if (!ok) return json(res, 400, { error: 'invalid_request' });
      seen.challenge = q.code_challenge;
      res.writeHead(302, { location: `${q.redirect_uri}?code=c-1&state=${encodeURIComponent(q.state)}` });
      return res.end();
    }
    if (url.pathname === '/oauth2/token' && req.method === 'POST') {
      const cors = { 'access-control-allow-origin': siteUrl };
      const form = Object.fromEntries(new URLSearchParams(await body(req)));
      if (form.grant_type === 'refresh_token') {
        renewal.forms.push(form);
        return renewal.ok && form.refresh_token === 'r-1' && form.client_id === CLIENT_ID
          ? json(res, 200, { id_token: ID_TOKEN, access_token: 'a', token_type: 'Bearer' }, cors)
          : json(res, 400, { error: 'invalid_grant' }, cors);
      }
      seen.tokenForm = form;
      const f = seen.tokenForm;
      const challenge = createHash('sha256')
        .update(f.code_verifier ?? '')
        .digest('base64url');
      if (f.grant_type !== 'authorization_code' || f.code !== 'c-1' || challenge !== seen.challenge)
        return json(res, 400, { error: 'invalid_grant' }, cors);
      return json(res, 200, { ...codeAnswer, access_token: 'a', token_type: 'Bearer' }, cors);
    }
    if (url.pathname === '/logout') {
      if (url.searchParams.get('client_id') !== CLIENT_ID) return json(res, 400, { error: 'bad client' });
      res.writeHead(302, { location: url.searchParams.get('logout_uri') ?? '/' });
      return res.end();
    }
    json(res, 404, {});
  });
  signInUrl = await listen(hosted);
  site = createServer((req, res) => {
    const url = new URL(req.url ?? '/', siteUrl);
    const csp = { 'content-security-policy': deployedCsp(signInUrl) };
    if (url.pathname === '/portal-config.json')
      return json(res, 200, {
        signIn: 'cognito',
        signInUrl,
        clientId: CLIENT_ID,
        redirectUri: `${siteUrl}/`,
      });
    if (url.pathname === '/api/session') {
      // As API Gateway's authorizer: the bare ID token, or 401.
      if (req.headers.authorization !== ID_TOKEN) return json(res, 401, { message: 'Unauthorized' });
      const identities = ['steward:health', 'analyst:health'];
      const asked = req.headers['x-lake-as'];
      seen.sessions.push(String(asked ?? ''));
      const who = typeof asked === 'string' && identities.includes(asked) ? asked : identities[0];
      return json(res, 200, { who, identities, signIn: 'cognito' });
    }
    if (url.pathname.startsWith('/api/'))
      return json(res, 404, { error: { code: 'not_found', message: 'not part of this test' } });
    const file = url.pathname === '/' ? 'index.html' : normalize(url.pathname).replace(/^[/\\]+/, '');
    const path = join(WEB, file);
    if (!path.startsWith(WEB) || !existsSync(path)) return json(res, 404, {});
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', ...csp });
    res.end(readFileSync(path));
  });
  siteUrl = await listen(site);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (hosted ? hosted.close(() => resolve()) : resolve()));
});

describe('deployed sign-in (hosted UI, PKCE)', () => {
  it('signs in through the hosted sign-in, switches identity and signs out, the token only in this tab', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    const csp: string[] = [];
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
    });
    await page.goto(`${siteUrl}/`);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect.poll(() => page.getByTestId('who').textContent()).toContain('数据管理员 health');
    // The code and state left the address bar; the verifier went to the token endpoint.
    expect(new URL(page.url()).search).toBe('');
    expect(seen.tokenForm).toMatchObject({ client_id: CLIENT_ID, redirect_uri: `${siteUrl}/` });
    // Evaluated in the page (this file is type-checked without the DOM's types).
    const storage = (await page.evaluate(
      '({ session: Object.keys(sessionStorage), local: JSON.stringify(localStorage) })',
    )) as { session: string[]; local: string };
    expect(storage.session).toContain('lake-portal-id-token');
    expect(storage.session).not.toContain('lake-portal-pkce-verifier');
    expect(storage.local).not.toContain(ID_TOKEN);

    await page.getByLabel('切换身份').selectOption('analyst:health');
    await expect.poll(() => page.getByTestId('who').textContent()).toContain('分析员 health');
    expect(seen.sessions).toContain('analyst:health');

    await page.getByRole('button', { name: '退出' }).click();
    await page.getByRole('button', { name: '登录', exact: true }).waitFor();
    expect(await page.getByTestId('who').count()).toBe(0);
    expect(await page.evaluate('Object.keys(sessionStorage)')).toEqual([]);
    expect(csp).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('renews an ID token about to expire with the refresh token, before the API call', async () => {
    codeAnswer = { id_token: expiringToken(), refresh_token: 'r-1' };
    renewal.ok = true;
    renewal.forms.length = 0;
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${siteUrl}/`);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    // /api/session answers only the renewed token: the page shows who is signed in only after renewing.
    await expect.poll(() => page.getByTestId('who').textContent()).toContain('数据管理员 health');
    expect(renewal.forms).toEqual([
      { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: 'r-1' },
    ]);
    expect(await page.evaluate(`sessionStorage.getItem('lake-portal-id-token')`)).toBe(ID_TOKEN);
    expect(await page.evaluate(`sessionStorage.getItem('lake-portal-refresh-token')`)).toBe('r-1');
    expect(await page.evaluate('JSON.stringify(localStorage)')).not.toContain('r-1');
    await context.close();
  }, 60_000);

  it('drops the tokens and says so on the sign-in page when the renewal is refused', async () => {
    codeAnswer = { id_token: expiringToken(), refresh_token: 'r-2' };
    renewal.forms.length = 0;
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${siteUrl}/`);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.getByText('您的登录已过期且无法续期，请重新登录。').waitFor();
    expect(renewal.forms.map((f) => f.refresh_token)).toEqual(['r-2']);
    expect(new URL(page.url()).hash).toBe('#/signin');
    expect(await page.evaluate('Object.keys(sessionStorage)')).toEqual([]);
    expect(await page.getByTestId('who').count()).toBe(0);
    await context.close();
    codeAnswer = { id_token: ID_TOKEN };
  }, 60_000);
});
