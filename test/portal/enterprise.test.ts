/**
 * An enterprise's granted download on the local portal (`GET /api/datasets/<d>/<n>/granted.csv`, the same
 * route the deployed portal serves over Athena): refused without an approved request, for another
 * enterprise, after a revocation and after the grant's date; when granted, the CSV holds the granted
 * columns only, never a personal or non-public one. In a browser, "my requests" offers the download for
 * an approved request.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, launchChromium, type Portal, startPortal } from './portal-helpers.ts';

let portal: Portal;
let browser: Browser | undefined;
const DATASET = 'health/clinics';
const DOWNLOAD = `/api/datasets/${DATASET}/granted.csv`;
/** A resident ID number or a mobile number: never in a download. */
const PERSONAL = /(?<!\d)\d{17}[\dXx](?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)/;

beforeAll(async () => {
  portal = await startPortal([['examples/health/clinics/clinics-2026-11.csv', DATASET]]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

const at = (path: string) => new URL(path, portal.url).href;
const origin = () => new URL(portal.url).origin;

async function signIn(as: string): Promise<string> {
  const res = await fetch(at('/api/session'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: origin() },
    body: JSON.stringify({ as }),
  });
  expect(res.status).toBe(200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0];
}

async function post(cookie: string, path: string, body: unknown): Promise<Response> {
  return fetch(at(path), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: origin(), Cookie: cookie },
    body: JSON.stringify(body),
  });
}

function inDays(days: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

async function ask(cookie: string, columns: string[]): Promise<string> {
  const res = await post(cookie, '/api/requests', {
    dataset: DATASET,
    purpose: 'a map of clinic beds',
    until: inDays(30),
    columns,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { request: { id: string } }).request.id;
}

async function download(cookie: string): Promise<{ status: number; text: string; code?: string }> {
  const res = await fetch(at(DOWNLOAD), { headers: { Cookie: cookie } });
  const text = await res.text();
  const code = res.ok ? undefined : (JSON.parse(text) as { error: { code: string } }).error.code;
  return { status: res.status, text, code };
}

describe('an enterprise’s granted download', () => {
  it('is refused without an approved request, to another enterprise, and to the government', async () => {
    const acme = await signIn('enterprise:acme_data');
    expect(await download(acme)).toMatchObject({ status: 403, code: 'no_grant' });
    const pending = await ask(acme, ['clinic_name', 'beds']);
    expect(pending).toMatch(/^r-/);
    expect(await download(acme)).toMatchObject({ status: 403, code: 'no_grant' });
    const analyst = await signIn('analyst:health');
    expect((await download(analyst)).status).toBe(403);
    expect((await fetch(at(DOWNLOAD))).status).toBe(401);
    // A dataset that is not opened (or not there) is not found for an enterprise.
    const none = await fetch(at('/api/datasets/civil_affairs/assistance_payments/granted.csv'), {
      headers: { Cookie: acme },
    });
    expect(none.status).toBe(404);
    // Open data needs no request: its page has the download.
    const open = await fetch(at('/api/datasets/transport/bus_stops/granted.csv'), {
      headers: { Cookie: acme },
    });
    expect(open.status).toBe(403);
    expect(((await open.json()) as { error: { message: string } }).error.message).toContain('open data');
  });

  it('gives the granted columns only, once the steward approves, until revoked', async () => {
    const acme = await signIn('enterprise:acme_beds');
    const id = await ask(acme, ['clinic_name', 'beds']);
    const steward = await signIn('steward:health');
    expect((await post(steward, `/api/requests/${id}/approve`, {})).status).toBe(200);

    const got = await download(acme);
    expect(got.status, got.text).toBe(200);
    const [header, ...rows] = got.text
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    const columns = header.split(',');
    expect(columns).toContain('clinic_name');
    expect(columns).toContain('beds');
    // Nothing else of the contract's fields: lineage columns only besides the granted ones.
    for (const other of ['clinic_id', 'license_holder', 'license_holder_id', 'phone', 'address', 'doctors'])
      expect(columns, other).not.toContain(other);
    expect(columns.filter((c) => !['clinic_name', 'beds'].includes(c)).every((c) => c.startsWith('_'))).toBe(
      true,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(PERSONAL.test(got.text)).toBe(false);

    // Another enterprise's grant is not this one's.
    const globex = await signIn('enterprise:globex');
    expect(await download(globex)).toMatchObject({ status: 403, code: 'no_grant' });

    const revoked = await post(steward, `/api/requests/${id}/revoke`, { reason: 'purpose met' });
    expect(revoked.status).toBe(200);
    expect(await download(acme)).toMatchObject({ status: 403, code: 'no_grant' });
  });

  it('ends with the grant’s date', async () => {
    const acme = await signIn('enterprise:acme_maps');
    const id = await ask(acme, ['clinic_name']);
    const steward = await signIn('steward:health');
    expect((await post(steward, `/api/requests/${id}/approve`, {})).status).toBe(200);
    expect((await download(acme)).status).toBe(200);
    // The days pass: the grant's last day was yesterday (the store as the lake keeps it).
    const file = join(portal.lakeDir, 'access', 'requests.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { requests: { id: string; until: string }[] };
    for (const r of doc.requests) if (r.id === id) r.until = inDays(-1);
    writeFileSync(file, JSON.stringify(doc));
    expect(await download(acme)).toMatchObject({ status: 403, code: 'no_grant' });
    const mine = (await (await fetch(at('/api/requests/mine'), { headers: { Cookie: acme } })).json()) as {
      requests: { id: string; status: string }[];
    };
    expect(mine.requests.find((r) => r.id === id)?.status).toBe('expired');
  });

  it('is offered on “my requests” in the browser for an approved request, and saves the granted columns', async () => {
    const acme = await signIn('enterprise:acme_web');
    const id = await ask(acme, ['clinic_name']);
    const steward = await signIn('steward:health');
    expect((await post(steward, `/api/requests/${id}/approve`, {})).status).toBe(200);
    const pending = await ask(acme, ['beds']);
    expect(pending).toMatch(/^r-/);

    browser = await launchChromium();
    const context = await browser.newContext({ baseURL: portal.url, acceptDownloads: true, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto('/#/signin');
    await page.getByLabel('企业标识').fill('acme_web');
    await page.getByRole('button', { name: '以企业身份登录' }).click();
    await page.getByTestId('who').waitFor();
    await page.goto('/#/requests');
    await page.getByRole('heading', { level: 1, name: '我的申请' }).waitFor();
    // One button: the approved request's, not the pending one's.
    const buttons = page.getByTestId('granted-download');
    await buttons.first().waitFor();
    expect(await buttons.count()).toBe(1);
    await checkPage(page, 'enterprise-my-requests');
    const [file] = await Promise.all([page.waitForEvent('download'), buttons.first().click()]);
    expect(file.suggestedFilename()).toBe('clinics-granted.csv');
    const csv = await readFile((await file.path()) as string, 'utf8');
    const columns = csv
      .replace(/^\ufeff/, '')
      .split('\r\n')[0]
      .split(',');
    expect(columns[0]).toBe('clinic_name');
    expect(columns.filter((c) => c !== 'clinic_name').every((c) => c.startsWith('_'))).toBe(true);
    expect(PERSONAL.test(csv)).toBe(false);
    await context.close();
  });
});
