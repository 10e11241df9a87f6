/**
 * Builds the web portal (web/, Preact) with Vite into `node_modules/.cache/lake-portal/` (LAKE_PORTAL_DIR
 * moves it), which `lake serve` and `lake up` serve. Everything the pages load comes from there: no CDN
 * at run time. `build.json` records the size and time of every source file, so a server can tell a stale
 * build and rebuild it (ensurePortal).
 *
 * Run by `npm ci`/`npm install` (the `prepare` script, after the CLI's build), by `lake serve` when the
 * build is missing or stale, and by hand: `node scripts/build-portal.mjs`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The web app's sources. */
export const WEB_DIR = join(ROOT, 'web');
/** Where the built portal is served from. */
export const PORTAL_DIR = resolve(
  process.env.LAKE_PORTAL_DIR || join(ROOT, 'node_modules', '.cache', 'lake-portal'),
);
const STAMP = 'build.json';

/** Size and modification time of every source file of the web app (and of this script). */
function inputs() {
  const out = {};
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        out[p] = [s.size, s.mtimeMs];
      }
    }
  };
  walk(WEB_DIR);
  const self = fileURLToPath(import.meta.url);
  const s = statSync(self);
  out[self] = [s.size, s.mtimeMs];
  return out;
}

/** True when the portal is built from the sources as they are now. */
export function portalIsFresh() {
  try {
    const built = JSON.parse(readFileSync(join(PORTAL_DIR, STAMP), 'utf8')).inputs;
    return JSON.stringify(built) === JSON.stringify(inputs()) && existsSync(join(PORTAL_DIR, 'index.html'));
  } catch {
    return false;
  }
}

/** Builds the portal; returns its directory. */
export async function buildPortal() {
  const { build } = await import('vite');
  const stamp = inputs();
  const temp = `${PORTAL_DIR}.${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  await build({
    root: WEB_DIR,
    configFile: false,
    logLevel: 'warn',
    base: '/',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    resolve: { alias: { react: 'preact/compat' } },
    build: {
      outDir: temp,
      emptyOutDir: true,
      // Modules load from the portal's own origin; no inline script (the CSP allows none).
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      reportCompressedSize: false,
    },
  });
  writeFileSync(join(temp, STAMP), JSON.stringify({ inputs: stamp }));
  rmSync(PORTAL_DIR, { recursive: true, force: true });
  try {
    renameSync(temp, PORTAL_DIR);
  } catch (e) {
    // Another process built it at the same time (tests start servers in parallel): keep theirs.
    rmSync(temp, { recursive: true, force: true });
    if (!portalIsFresh()) throw e;
  }
  return PORTAL_DIR;
}

/** The portal's directory, built first when it is missing or stale. */
export async function ensurePortal() {
  return portalIsFresh() ? PORTAL_DIR : buildPortal();
}

// As the `prepare` script: a failed build does not fail `npm ci`; `lake serve` builds it on first use.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const dir = await buildPortal();
    process.stdout.write(`lake portal built: ${dir}\n`);
  } catch (e) {
    process.stderr.write(`lake portal not built (${e.message}); \`lake serve\` builds it on first use\n`);
  }
}
