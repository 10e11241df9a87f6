/**
 * A department's data steward in a real browser: uploads a file with rejected rows (in parts, with a
 * progress bar, then processing, then the report), reads each rejected line on the report page as `lake report --errors all` lists it, downloads
 * them as CSV, sees the upload in the history and withdraws it; the overdue and inbox pages. A steward of
 * another department sees none of it. Every page passes axe-core.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES } from '../cli/helpers.ts';
import { checkPage, contextAs, launchChromium, type Portal, startPortal } from './portal-helpers.ts';

let portal: Portal;
let browser: Browser;
let work: string;
let file: string;
/** The lines (1-based, header = 1) the test breaks. */
const BROKEN = [5, 17, 40];

beforeAll(async () => {
  portal = await startPortal([]);
  browser = await launchChromium();
  work = await mkdtemp(join(tmpdir(), 'lake-portal-steward-'));
  const lines = (
    await readFile(join(EXAMPLES, 'transport/bus_stops/bus-stops-guiyang-2026-11.csv'), 'utf8')
  ).split('\n');
  for (const n of BROKEN) lines[n - 1] = lines[n - 1].replace(/^GYBS\d{5}/, 'BADSTOP');
  file = join(work, 'bus-stops-2026-12.csv');
  await writeFile(file, lines.join('\n'));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the steward portal', () => {
  let uploadId = '';

  it('uploads a file and reads every rejected line on the report page', async () => {
    const context = await contextAs(browser, portal, 'steward:transport');
    const page = await context.newPage();
    await page.goto('/#/upload');
    await page.getByRole('heading', { level: 1, name: '上传数据文件' }).waitFor();
    await page.getByLabel('数据集').selectOption('transport/bus_stops');
    await page.getByLabel('文件').setInputFiles(file);
    await checkPage(page, 'steward-upload');
    // The part is held back a moment, so the progress bar is there to be seen and checked.
    await page.route('**/uploads/*/parts/*', async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await page.getByRole('button', { name: '上传' }).click();
    await page.getByRole('progressbar', { name: '正在上传' }).waitFor();
    await checkPage(page, 'steward-uploading');
    await page.getByRole('heading', { level: 1, name: /处理报告/ }).waitFor({ timeout: 120_000 });
    uploadId = decodeURIComponent(new URL(page.url()).hash.split('/').pop() as string);
    const cli = await portal.lake(['report', uploadId, '--errors', 'all', '--json']);
    const report = cli.json<{
      rows: { rejected: number };
      errors: { line: number; column: string; rule: string; message: string }[];
    }>();
    const errors = report.errors;
    // The lines broken here are among them (the example file has rows of its own that the contract rejects).
    expect(errors.map((e) => e.line)).toEqual(expect.arrayContaining(BROKEN));
    expect(await page.getByTestId('rows-rejected').innerText()).toBe(String(report.rows.rejected));
    const rows = await page.locator('table.errors tbody tr').allInnerTexts();
    expect(rows.length).toBe(errors.length);
    for (const [i, e] of errors.entries()) {
      const cells = rows[i].split('\t').map((c) => c.trim());
      expect(cells).toEqual([String(e.line ?? '—'), e.column ?? '—', e.rule, e.message]);
    }
    await checkPage(page, 'steward-report');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: '下载 CSV' }).click(),
    ]);
    const csv = await readFile((await download.path()) as string, 'utf8');
    expect(csv.startsWith('\ufeffline,column,rule,message\r\n')).toBe(true);
    expect(csv.trim().split('\r\n').length).toBe(errors.length + 1);
    for (const n of BROKEN) expect(csv).toContain(`\r\n${n},stop_id,`);
    await context.close();
  });

  it('lists the upload, withdraws it, and shows freshness and the inbox', async () => {
    const context = await contextAs(browser, portal, 'steward:transport');
    const page = await context.newPage();
    await page.goto('/#/uploads');
    await page.getByRole('link', { name: uploadId }).waitFor();
    await checkPage(page, 'steward-uploads');
    await page.getByRole('button', { name: `撤回 ${uploadId}` }).click();
    await page.getByLabel('撤回理由').fill('测试撤回：文件有误');
    await page.getByRole('button', { name: '确认撤回' }).click();
    await page
      .locator('.badge-no, [role=alert]', { hasText: /已撤回|出错/ })
      .first()
      .waitFor();
    expect(await page.getByRole('alert').count(), await page.locator('main').innerText()).toBe(0);
    const status = await portal.lake(['status', '--json']);
    expect(JSON.stringify(status.json())).toContain('withdraw');

    await page.goto('/#/overdue');
    await page.getByRole('heading', { level: 1, name: '本部门数据集时效' }).waitFor();
    await page.getByRole('link', { name: 'Guiyang bus stops' }).waitFor();
    await checkPage(page, 'steward-overdue');

    await page.goto('/#/inbox');
    await page.getByRole('heading', { level: 1, name: '数据共享申请审批' }).waitFor();
    await checkPage(page, 'steward-inbox');
    await context.close();
  });

  it('shows another department none of the uploads or reports', async () => {
    const context = await contextAs(browser, portal, 'steward:education');
    const page = await context.newPage();
    await page.goto(`/#/reports/${uploadId}`);
    await page.getByRole('alert').waitFor();
    expect((await page.request.get(`/api/uploads/${uploadId}`)).status()).toBe(404);
    expect((await page.request.get(`/api/uploads/${uploadId}/errors.csv`)).status()).toBe(404);
    const list = await (await page.request.get('/api/uploads')).json();
    expect(JSON.stringify(list)).not.toContain(uploadId);
    const refused = await page.request.post(`/api/uploads/${uploadId}/withdraw`, { data: { reason: 'x' } });
    expect(refused.status()).toBe(404);
    const upload = await page.request.post('/api/datasets/transport/bus_stops/uploads/start', {
      data: { fileName: 'x.csv', bytes: 4 },
    });
    expect(upload.status()).toBe(403);
    // The public (no sign-in) is asked to sign in.
    const anon = await browser.newContext({ baseURL: portal.url });
    expect((await anon.request.get('/api/uploads')).status()).toBe(401);
    await anon.close();
    await context.close();
  });
});
