/**
 * The public portal in a real browser, no sign-in: the catalogue searched in Chinese (学校), an open
 * dataset's page (publisher, update cycle, dictionary, downloads, DCAT link), and its CSV downloaded and
 * compared with what a query of the lake returns. Every page passes axe-core.
 */
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, contextAs, launchChromium, type Portal, startPortal } from './portal-helpers.ts';

let portal: Portal;
let browser: Browser;

beforeAll(async () => {
  portal = await startPortal([
    ['examples/education/schools/schools-2026.xlsx', 'education/schools'],
    ['examples/statistics/divisions/divisions-guizhou-2024.csv', 'statistics/divisions'],
  ]);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

/** A CSV's rows (the open CSVs quote only what needs it). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

describe('the public portal', () => {
  it('finds 学校, shows the open dataset and downloads a CSV whose rows match a query', async () => {
    const context = await contextAs(browser, portal, null);
    const page = await context.newPage();
    await page.goto('/');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.getByRole('heading', { level: 1, name: '开放数据目录' }).waitFor();
    await checkPage(page, 'public-catalogue');

    // A filter keeps the department's datasets only.
    await page.getByLabel('部门', { exact: true }).selectOption('statistics');
    await page.getByText('1 个数据集').waitFor();
    expect(await page.locator('.card h2').allInnerTexts()).toEqual(['Administrative divisions of Guizhou']);
    await page.getByLabel('部门', { exact: true }).selectOption('');
    await page.getByRole('link', { name: 'Schools and kindergartens' }).waitFor();

    await page.getByLabel('搜索数据集').fill('学校');
    await page.getByRole('button', { name: '搜索' }).click();
    // The search's answer lists where each dataset matched.
    await page.locator('.matched').first().waitFor();
    const result = page.getByRole('link', { name: 'Schools and kindergartens' });
    // Only datasets matching 学校: the divisions do not.
    expect(await page.getByRole('link', { name: 'Administrative divisions of Guizhou' }).count()).toBe(0);
    await checkPage(page, 'public-search');

    await result.click();
    await page.getByRole('heading', { level: 1, name: 'Schools and kindergartens' }).waitFor();
    const facts = await page.locator('dl.facts').innerText();
    expect(facts).toContain('贵州省教育厅');
    expect(facts).toContain('每年');
    // The area by its name from the published divisions, as `lake catalog` shows it.
    expect(facts).toMatch(/覆盖地区\s+贵州省 · 520000/);
    await page.getByRole('heading', { name: '数据字典' }).waitFor();
    expect(await page.locator('table').innerText()).toContain('学校名称');
    expect(await page.getByRole('link', { name: 'DCAT 元数据' }).getAttribute('href')).toMatch(
      /catalog\.jsonld/,
    );
    await checkPage(page, 'public-dataset');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('a[data-format="csv"]').click(),
    ]);
    const text = await readFile((await download.path()) as string, 'utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    const [header, ...rows] = parseCsv(text.slice(1)).filter((r) => r.length > 1);
    const q = await portal.lake([
      'query',
      `SELECT ${header.join(', ')} FROM education.schools ORDER BY school_id`,
      '--json',
    ]);
    const queried = q.json<{ rows: Record<string, unknown>[] }>().rows;
    expect(rows.length).toBe(queried.length);
    const idAt = header.indexOf('school_id');
    const nameAt = header.indexOf('school_name');
    const byId = new Map(rows.map((r) => [r[idAt], r]));
    for (const row of queried) {
      const csv = byId.get(String(row.school_id));
      expect(csv, `school ${row.school_id} in the CSV`).toBeDefined();
      expect(csv?.[nameAt]).toBe(String(row.school_name));
    }

    // The whole catalogue as JSON-LD, with the dataset in it.
    const jsonld = await page.request.get('/open/catalog.jsonld');
    expect(jsonld.ok()).toBe(true);
    expect(await jsonld.text()).toContain('education/schools');

    // English switch.
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: 'Data dictionary' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await checkPage(page, 'public-dataset-en');
    await context.close();
  });

  it('keeps what is not open data from the public', async () => {
    const context = await contextAs(browser, portal, null);
    const page = await context.newPage();
    await page.goto('/#/datasets/civil_affairs/assistance_payments');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toContain('civil_affairs/assistance_payments');
    const api = await page.request.get('/api/datasets/civil_affairs/assistance_payments');
    expect(api.status()).toBe(404);
    // A path out of the open zone is refused.
    expect((await page.request.get('/open/..%2Fcatalog.duckdb')).status()).toBe(404);
    await context.close();
  });
});
