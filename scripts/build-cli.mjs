/**
 * Builds the `lake` CLI into plain JavaScript (esbuild), so that a call starts without compiling
 * TypeScript: `src/cli/main.ts` and the project code it imports, split into chunks that load when a
 * command needs them, into `node_modules/.cache/lake-cli/<build>/`; npm packages (DuckDB's native
 * binding among them) stay external and load from node_modules, but the few every local query loads
 * (BUNDLED). `current.json` names the build and
 * the size and time of every source file it was built from, so bin/lake.mjs can tell a stale build.
 *
 * Run by `npm ci`/`npm install` (the `prepare` script), and by bin/lake.mjs whenever a source file
 * changed since. `node scripts/build-cli.mjs` builds it by hand.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the builds are kept (LAKE_CLI_CACHE moves it, for tests: inside the project, so npm packages resolve). */
export const CLI_CACHE = resolve(
  process.env.LAKE_CLI_CACHE || join(ROOT, 'node_modules', '.cache', 'lake-cli'),
);
/** Names the current build and its inputs. */
export const CURRENT = join(CLI_CACHE, 'current.json');
/**
 * Builds kept besides the current one: a running process (`lake up`) may still load chunks of the
 * build it started on, so a build goes only once it is neither among the last KEEP nor younger than
 * KEEP_MS.
 */
const KEEP = 2;
const KEEP_MS = 24 * 3600 * 1000;
/**
 * npm packages built into the chunks rather than loaded from node_modules: plain JavaScript that every
 * local query loads (contracts: yaml, zod; DuckDB's API over its native binding). Node imports a
 * CommonJS package into an ES module only after scanning each of its files for exports, and resolves an
 * ES package file by file: bundled, they load as one chunk each. Everything else (DuckDB's native
 * binding, the AWS SDK, exceljs...) stays external and loads from node_modules when a command needs it.
 */
const BUNDLED = new Set(['@duckdb/node-api', 'yaml', 'zod']);

/** The package a bare import names (`@scope/name/sub` → `@scope/name`), or null for a path. */
function packageOf(spec) {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) return null;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** esbuild plugin: every npm package external but those BUNDLED. */
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const pkg = packageOf(args.path);
      return pkg && !BUNDLED.has(pkg) ? { path: args.path, external: true } : undefined;
    });
  },
};

/** Builds the CLI; returns the path of its entry file. */
export async function buildCli() {
  const { build } = await import('esbuild');
  const id = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const outdir = join(CLI_CACHE, id);
  mkdirSync(CLI_CACHE, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'src/cli/main.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [externalPackages],
    // The bundled CommonJS packages require their own dependencies (DuckDB's native binding).
    banner: {
      js: "import { createRequire as __lakeRequire } from 'node:module'; const require = __lakeRequire(import.meta.url);",
    },
    outExtension: { '.js': '.mjs' },
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    // A bundled package changes with `npm ci`/`npm install`, which builds again (the `prepare` script).
    if (input.includes('node_modules/')) continue;
    const path = resolve(ROOT, input);
    const s = statSync(path);
    inputs[path] = [s.size, s.mtimeMs];
  }
  const entry = join(outdir, 'main.mjs');
  const temp = `${CURRENT}.${id}`;
  writeFileSync(temp, JSON.stringify({ entry, inputs }));
  renameSync(temp, CURRENT);
  const builds = readdirSync(CLI_CACHE, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== id)
    .map((d) => ({ dir: join(CLI_CACHE, d.name), at: statSync(join(CLI_CACHE, d.name)).mtimeMs }))
    .sort((a, b) => a.at - b.at);
  for (const old of builds.slice(0, Math.max(0, builds.length - KEEP))) {
    if (Date.now() - old.at > KEEP_MS) rmSync(old.dir, { recursive: true, force: true });
  }
  return entry;
}

// As the `prepare` script: a failed build does not fail `npm ci`; bin/lake.mjs then builds on first use,
// or runs the sources.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const entry = await buildCli();
    process.stdout.write(`lake CLI built: ${entry}\n`);
  } catch (e) {
    process.stderr.write(`lake CLI not built (${e.message}); bin/lake.mjs builds it on first use\n`);
  }
}
