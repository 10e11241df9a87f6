/**
 * The deployed upload page in a real browser, without AWS: the built web app served with the deployed
 * CSP (the landing bucket's origin allowed), a stand-in for the portal API's upload routes that plans
 * three parts to presigned-style URLs on another origin, and a stand-in for the landing bucket on that
 * origin answering CORS as lib/storage/browser-uploads.ts configures it (the portal's origin only, PUT,
 * ETag exposed). The page PUTs each part there with no sign-in header, shows a progress bar, completes
 * with the ETags in order, waits for the report and opens it; a part the bucket refuses stops the upload,
 * says which part and why, and the page aborts it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedCsp } from '../../lib/portal/portal-site.ts';
import { browserUploadRule } from '../../lib/storage/browser-uploads.ts';
import { ROOT } from '../cli/helpers.ts';
import { checkPage, launchChromium } from './portal-helpers.ts';

const WEB = process.env.LAKE_PORTAL_DIR ?? join(ROOT, 'node_modules', '.cache', 'lake-portal');
const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const ID_TOKEN = `${enc({ alg: 'RS256', kid: 'k1' })}.${enc({ sub: 'u-1', exp: 4102444800 })}.c2ln`;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
};
/** The stand-in plan's part size: small, so a small file is three parts. */
const PART = 1000;
const BASE = '/api/datasets/transport/bus_stops/uploads';

let site: Server;
let storage: Server;
let siteUrl: string;
let storageUrl: string;
let browser: Browser;
let work: string;
let file: string;
let content: Buffer;
/** What the stand-ins saw. */
const seen = {
  parts: new Map<number, { bytes: Buffer; authorization?: string }>(),
  completed: [] as unknown[],
  aborted: [] as unknown[],
  polls: 0,
};
/** The part the bucket refuses (the failure test), or none. */
let refuse: number | null = null;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

function json(res: ServerResponse, status: number, doc: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(doc));
}

beforeAll(async () => {
  if (!existsSync(join(WEB, 'index.html')))
    throw new Error(`the portal is not built in ${WEB}: run node scripts/build-portal.mjs`);
  work = await mkdtemp(join(tmpdir(), 'lake-deployed-upload-'));
  content = Buffer.from(Array.from({ length: 2 * PART + 500 }, (_, i) => 65 + (i % 26)));
  file = join(work, 'stops-2026-12.csv');
  await writeFile(file, content);

  // The landing bucket: CORS as the stack sets it, a presigned PUT per part answering its ETag.
  storage = createServer(async (req, res) => {
    const rule = browserUploadRule(siteUrl);
    const origin = req.headers.origin ?? '';
    const cors: Record<string, string> = rule.AllowedOrigins.includes(origin)
      ? {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': rule.AllowedMethods.join(', '),
          'access-control-allow-headers': rule.AllowedHeaders.join(', '),
          'access-control-expose-headers': rule.ExposeHeaders.join(', '),
          'access-control-max-age': String(rule.MaxAgeSeconds),
        }
      : {};
    if (req.method === 'OPTIONS') {
      res.writeHead(rule.AllowedOrigins.includes(origin) ? 200 : 403, cors);
      return res.end();
    }
    const url = new URL(req.url ?? '/', storageUrl);
    const n = Number(url.searchParams.get('partNumber'));
    const bytes = await body(req);
    if (req.method !== 'PUT' || url.searchParams.get('uploadId') !== 'mpu-1' || n === refuse) {
      res.writeHead(403, { ...cors, 'content-type': 'application/xml' });
      return res.end('<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>no</Message></Error>');
    }
    seen.parts.set(n, { bytes, authorization: req.headers.authorization });
    // Held back a moment, so the progress bar is seen.
    await new Promise((r) => setTimeout(r, 300));
    res.writeHead(200, { ...cors, etag: `"etag-${n}"` });
    res.end();
  });
  storageUrl = await listen(storage);

  site = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', siteUrl);
    const path = url.pathname;
    if (path === '/portal-config.json')
      return json(res, 200, {
        signIn: 'cognito',
        signInUrl: 'http://127.0.0.1:9',
        clientId: 'client1',
        redirectUri: `${siteUrl}/`,
      });
    if (path.startsWith('/api/') && req.headers.authorization !== ID_TOKEN)
      return json(res, 401, { message: 'Unauthorized' });
    if (path === '/api/session')
      return json(res, 200, { who: 'steward:transport', identities: ['steward:transport'] });
    if (path === '/api/overdue')
      return json(res, 200, { datasets: [{ dataset: 'transport/bus_stops', title: 'Guiyang bus stops' }] });
    if (path === `${BASE}/start` && req.method === 'POST') {
      const asked = JSON.parse((await body(req)).toString()) as { fileName: string; bytes: number };
      const count = Math.ceil(asked.bytes / PART);
      return json(res, 200, {
        uploadId: 'mpu-1',
        fileName: asked.fileName,
        partSize: PART,
        parts: Array.from({ length: count }, (_, i) => ({
          partNumber: i + 1,
          url: `${storageUrl}/landing/transport/bus_stops/${asked.fileName}?partNumber=${i + 1}&uploadId=mpu-1&X-Amz-Signature=s`,
        })),
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        complete: `${BASE}/mpu-1/complete`,
        abort: `${BASE}/mpu-1/abort`,
      });
    }
    if (path === `${BASE}/mpu-1/complete`) {
      seen.completed.push(JSON.parse((await body(req)).toString()));
      return json(res, 200, {
        receipt: 'abc123abc123',
        report: '/api/datasets/transport/bus_stops/receipts/abc123abc123',
      });
    }
    if (path === `${BASE}/mpu-1/abort`) {
      seen.aborted.push(JSON.parse((await body(req)).toString()));
      return json(res, 200, { aborted: true });
    }
    if (path === '/api/datasets/transport/bus_stops/receipts/abc123abc123')
      return json(
        res,
        200,
        ++seen.polls < 2 ? { status: 'processing' } : { status: 'done', uploadId: 'u-9' },
      );
    if (path.startsWith('/api/'))
      return json(res, 404, { error: { code: 'not_found', message: 'not part of this test' } });
    const name = path === '/' ? 'index.html' : normalize(path).replace(/^[/\\]+/, '');
    const local = join(WEB, name);
    if (!local.startsWith(WEB) || !existsSync(local)) return json(res, 404, {});
    res.writeHead(200, {
      'content-type': TYPES[extname(local)] ?? 'application/octet-stream',
      'content-security-policy': deployedCsp('http://127.0.0.1:9', storageUrl),
    });
    res.end(readFileSync(local));
  });
  siteUrl = await listen(site);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (storage ? storage.close(() => resolve()) : resolve()));
  if (work) await rm(work, { recursive: true, force: true });
});

/** A page of the deployed portal, signed in (the ID token where the app keeps it). */
async function signedInPage() {
  const context = await browser.newContext({ locale: 'zh-CN', baseURL: siteUrl });
  await context.addInitScript(`sessionStorage.setItem('lake-portal-id-token', '${ID_TOKEN}')`);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy|CORS/i.test(m.text())) problems.push(m.text());
  });
  return { context, page, problems };
}

describe('the deployed upload page', () => {
  it('sends the parts straight to the bucket with a progress bar, completes, waits, opens the report', async () => {
    const { context, page, problems } = await signedInPage();
    await page.goto('/#/upload');
    await page.getByLabel('文件').setInputFiles(file);
    await page.getByRole('button', { name: '上传' }).click();
    await page.getByRole('progressbar', { name: '正在上传' }).waitFor();
    await checkPage(page, 'steward-upload-deployed');
    await page.getByRole('progressbar', { name: '已上传，数据湖正在处理…' }).waitFor();
    await expect.poll(() => new URL(page.url()).hash, { timeout: 20_000 }).toBe('#/reports/u-9');
    expect([...seen.parts.keys()].sort()).toEqual([1, 2, 3]);
    expect(Buffer.concat([1, 2, 3].map((n) => seen.parts.get(n)?.bytes as Buffer))).toEqual(content);
    // A presigned URL carries its own signature: the sign-in never goes to the bucket.
    expect([...seen.parts.values()].map((p) => p.authorization)).toEqual([undefined, undefined, undefined]);
    expect(seen.completed).toEqual([
      {
        fileName: 'stops-2026-12.csv',
        parts: [1, 2, 3].map((n) => ({ partNumber: n, etag: `"etag-${n}"` })),
      },
    ]);
    expect(seen.polls).toBe(2);
    expect(seen.aborted).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('stops on a part the bucket refuses, says which and why, and aborts the upload', async () => {
    refuse = 2;
    seen.completed.length = 0;
    const { context, page } = await signedInPage();
    await page.goto('/#/upload');
    await page.getByLabel('文件').setInputFiles(file);
    await page.getByRole('button', { name: '上传' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('part 2 of the file was refused (403 AccessDenied)');
    expect(seen.aborted).toEqual([{ fileName: 'stops-2026-12.csv' }]);
    expect(seen.completed).toEqual([]);
    expect(await page.getByRole('button', { name: '上传' }).isEnabled()).toBe(true);
    refuse = null;
    await context.close();
  }, 60_000);
});
