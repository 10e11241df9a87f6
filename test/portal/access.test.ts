/**
 * Sharing through the portal in a real browser: an analyst of one department is refused a conditionally
 * shared dataset, requests it, a steward of another department can neither see nor approve the request,
 * the owning department's steward approves it, and the analyst's query then returns rows (as a table and
 * as CSV), without a personal value on the page. Every page passes axe-core.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, contextAs, launchChromium, type Portal, startPortal } from './portal-helpers.ts';

let portal: Portal;
let browser: Browser;
const DATASET = 'civil_affairs/assistance_payments';
const SQL =
  'SELECT program, count(*) AS payments, sum(amount) AS total FROM civil_affairs.assistance_payments GROUP BY program ORDER BY program';
/** A resident ID number or a mobile number: never on a page. */
const PERSONAL = /(?<!\d)\d{17}[\dXx](?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)/;

beforeAll(async () => {
  portal = await startPortal([
    ['examples/civil_affairs/assistance_payments/assistance-payments-2026-09.csv', DATASET],
    ['examples/statistics/divisions/divisions-guizhou-2024.csv', 'statistics/divisions'],
    ['examples/health/clinics/clinics-2026-11.csv', 'health/clinics'],
  ]);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

async function runSql(page: Page): Promise<void> {
  await page.goto('/#/sql');
  await page.getByLabel('SQL 语句').fill(SQL);
  await page.getByRole('button', { name: '运行' }).click();
  await page.locator('[role=alert], [data-testid=result-count]').first().waitFor();
}

describe('access requests in the portal', () => {
  let requestId = '';

  it('refuses the analyst, who then requests access', async () => {
    const context = await contextAs(browser, portal, 'analyst:health');
    const page = await context.newPage();
    await page.goto('/#/gov');
    const row = page.locator(`tr[data-dataset="${DATASET}"]`);
    await row.getByRole('link', { name: '申请访问' }).waitFor();
    expect(await row.innerText()).toContain('有条件共享');
    await checkPage(page, 'analyst-catalogue');

    await runSql(page);
    expect(await page.getByRole('alert').innerText()).toContain('assistance_payments');
    expect(await page.locator('table.result').count()).toBe(0);
    await checkPage(page, 'analyst-sql-refused');

    await page.goto('/#/gov');
    await page.locator(`tr[data-dataset="${DATASET}"]`).getByRole('link', { name: '申请访问' }).click();
    await page.getByLabel('用途').fill('低保政策评估统计');
    await checkPage(page, 'analyst-request');
    await page.getByRole('button', { name: '提交申请' }).click();
    await page.getByRole('heading', { level: 1, name: '我的申请' }).waitFor();
    await page.getByText('待审批').first().waitFor();
    await checkPage(page, 'analyst-my-requests');
    const mine = await (await page.request.get('/api/requests/mine')).json();
    requestId = mine.requests[0].id;
    expect(mine.requests[0].dataset).toBe(DATASET);
    await context.close();
  });

  it('does not show or let another department decide the request', async () => {
    const context = await contextAs(browser, portal, 'steward:health');
    const page = await context.newPage();
    await page.goto('/#/inbox');
    await page.getByText('没有申请').waitFor();
    expect(JSON.stringify(await (await page.request.get('/api/inbox')).json())).not.toContain(requestId);
    const approve = await page.request.post(`/api/requests/${requestId}/approve`, { data: { reason: 'x' } });
    // Refused (the access service says only the owning steward decides), and nothing of the request is shown.
    expect([403, 404]).toContain(approve.status());
    expect(await approve.text()).not.toContain('低保政策评估统计');
    // A request from another site is refused before anything else.
    const forged = await page.request.post(`/api/requests/${requestId}/approve`, {
      data: {},
      headers: { Origin: 'http://evil.example' },
    });
    expect(forged.status()).toBe(403);
    await context.close();
  });

  it('is approved by the owning steward, and the analyst then reads rows', async () => {
    const steward = await contextAs(browser, portal, 'steward:civil_affairs');
    const page = await steward.newPage();
    await page.goto('/#/inbox');
    await page.getByRole('heading', { name: new RegExp(DATASET) }).waitFor();
    await checkPage(page, 'steward-inbox-request');
    await page.getByLabel('审批理由').fill('用途符合共享条件');
    await page.getByRole('button', { name: `批准 ${requestId}` }).click();
    await page.getByText('已批准').first().waitFor();
    await steward.close();

    const analyst = await contextAs(browser, portal, 'analyst:health');
    const a = await analyst.newPage();
    await runSql(a);
    expect(await a.getByRole('alert').count()).toBe(0);
    const expected = (await portal.lake(['query', SQL, '--json'])).json<{
      rows: { program: string; payments: number }[];
    }>().rows;
    expect(expected.length).toBeGreaterThan(0);
    const rows = await a.locator('table.result tbody tr').allInnerTexts();
    expect(rows.length).toBe(expected.length);
    for (const [i, r] of expected.entries())
      expect(rows[i].split('\t').slice(0, 2)).toEqual([r.program, String(r.payments)]);
    expect(PERSONAL.test(await a.locator('main').innerText())).toBe(false);
    await checkPage(a, 'analyst-sql-rows');

    const [download] = await Promise.all([
      a.waitForEvent('download'),
      a.getByRole('button', { name: '下载 CSV' }).click(),
    ]);
    const csv = await readFile((await download.path()) as string, 'utf8');
    expect(csv.startsWith('\ufeffprogram,payments,total\r\n')).toBe(true);
    expect(csv.trim().split('\r\n').length).toBe(expected.length + 1);
    await analyst.close();
  });

  it('lets an enterprise request conditionally opened data: public columns only, once approved', async () => {
    const context = await browser.newContext({ baseURL: portal.url, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto('/#/signin');
    await page.getByLabel('企业标识').fill('acme_data');
    await page.getByRole('button', { name: '以企业身份登录' }).click();
    await page.getByRole('heading', { level: 1, name: '可申请的数据' }).waitFor();
    const row = page.locator('tr[data-dataset="health/clinics"]');
    await row.getByRole('link', { name: '申请访问' }).waitFor();
    // Not opened at all: not listed for an enterprise.
    expect(await page.locator(`tr[data-dataset="${DATASET}"]`).count()).toBe(0);
    await checkPage(page, 'enterprise-catalogue');
    await row.getByRole('link', { name: '申请访问' }).click();
    await page.getByLabel('用途').fill('医疗机构地图服务');
    // Only public columns without personal data can be asked for.
    const offered = await page.locator('fieldset code').allInnerTexts();
    expect(offered).toContain('clinic_name');
    expect(offered).not.toContain('license_holder_id');
    await page.getByRole('checkbox', { name: /clinic_name/ }).check();
    await page.getByRole('checkbox', { name: /beds/ }).check();
    await checkPage(page, 'enterprise-request');
    await page.getByRole('button', { name: '提交申请' }).click();
    await page.getByText('待审批').first().waitFor();
    const mine = await (await page.request.get('/api/requests/mine')).json();
    const id = mine.requests[0].id as string;

    const steward = await contextAs(browser, portal, 'steward:health');
    const decided = await steward.request.post(`/api/requests/${id}/approve`, { data: {} });
    expect(decided.status()).toBe(200);
    await steward.close();

    await page.goto('/#/sql');
    await page
      .getByLabel('SQL 语句')
      .fill('SELECT clinic_name, beds FROM health.clinics ORDER BY clinic_name LIMIT 5');
    await page.getByRole('button', { name: '运行' }).click();
    await page.locator('[role=alert], [data-testid=result-count]').first().waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.locator('table.result tbody tr').count()).toBe(5);
    await checkPage(page, 'enterprise-sql');
    const refused = await page.request.post('/api/query', {
      data: { sql: 'SELECT license_holder_id FROM health.clinics LIMIT 1' },
    });
    expect(refused.ok()).toBe(false);
    expect(PERSONAL.test(await refused.text())).toBe(false);
    await context.close();
  });
});
