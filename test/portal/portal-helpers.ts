/**
 * What the portal's browser tests share: a temporary local lake with example data, `lake serve` on a
 * free port in this process, a real headless Chromium (Debian's package, driven by playwright-core), a
 * browser context per identity, screenshots under test-output/portal/, and axe-core on every page.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Io } from '../../src/cli/output.ts';
import { run } from '../../src/cli/run.ts';
import { lake, ROOT, tempLakeDir } from '../cli/helpers.ts';

/** Where Debian installs Chromium (`.ci/run` installs it when missing). */
export const CHROMIUM = process.env.LAKE_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-output', 'portal');

export interface Portal {
  url: string;
  lakeDir: string;
  /** `lake <args>` on the same lake, in process (the CLI's answers to compare with the portal's). */
  lake(args: string[], env?: Record<string, string>): ReturnType<typeof lake>;
  stop(): Promise<void>;
}

/** A temporary lake with `files` ingested (`[file, dataset]`), served by `lake serve --port 0`. */
export async function startPortal(files: readonly (readonly [string, string])[]): Promise<Portal> {
  const tmp = await tempLakeDir();
  const cli = (args: string[], env: Record<string, string> = {}) =>
    lake([...args, '--lake-dir', tmp.dir], { env });
  for (const [file, dataset] of files) {
    const r = await cli(['ingest', file, '--dataset', dataset, '--json']);
    if (r.code !== 0) throw new Error(`ingest ${file} failed (${r.code}): ${r.stderr}`);
  }
  const abort = new AbortController();
  let printed = '';
  let listening: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => {
    listening = resolve;
  });
  const errors: string[] = [];
  const io: Io = {
    stdout: {
      write: (s: string) => {
        printed += s;
        const m = /The portal is at (\S+)/.exec(printed);
        if (m) listening(m[1]);
      },
    },
    stderr: { write: (s: string) => errors.push(s) },
    env: { PATH: process.env.PATH },
    cwd: ROOT,
    signal: abort.signal,
  };
  const serving = run(['serve', '--port', '0', '--lake-dir', tmp.dir], io);
  const first = await Promise.race([url, serving.then((code) => `exit ${code}`)]);
  if (!first.startsWith('http')) throw new Error(`lake serve stopped (${first}): ${errors.join('')}`);
  return {
    url: first,
    lakeDir: tmp.dir,
    lake: cli,
    async stop() {
      abort.abort();
      await serving;
      await tmp.remove();
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-gpu',
      '--no-first-run',
    ],
  });
}

/** A browser context (its own cookies) signed in as `as` through the sign-in page, or the public's. */
export async function contextAs(
  browser: Browser,
  portal: Portal,
  as: string | null,
): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: portal.url, acceptDownloads: true, locale: 'zh-CN' });
  // What the Content-Security-Policy blocked (an inline script or style would be): checked by checkPage.
  context.on('page', (page) =>
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text()))
        blocked.set(page, [...(blocked.get(page) ?? []), m.text()]);
    }),
  );
  if (as) {
    const page = await context.newPage();
    await page.goto('/#/signin');
    await page.getByLabel('身份').selectOption(as);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.getByTestId('who').waitFor();
    await page.close();
  }
  return context;
}

const blocked = new WeakMap<Page, string[]>();

/**
 * Writes a screenshot of the page and checks it with axe-core (no serious or critical violation) and
 * that the Content-Security-Policy blocked nothing on it.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  expect(blocked.get(page) ?? [], `CSP violations on ${name}`).toEqual([]);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const text = bad.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  if (bad.length > 0) throw new Error(`accessibility violations on ${name}:\n${text.join('\n')}`);
}
