#!/usr/bin/env node
// The `lake` command (package.json "bin"): runs the CLI built to JavaScript by scripts/build-cli.mjs (at
// `npm ci`, or here when a source file changed since), so a call starts without compiling TypeScript.
// LAKE_CLI_TSX=1, or a build that fails, runs the TypeScript sources through tsx instead.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Where scripts/build-cli.mjs keeps the builds (LAKE_CLI_CACHE moves it, for tests).
const cache =
  process.env.LAKE_CLI_CACHE || fileURLToPath(new URL('../node_modules/.cache/lake-cli', import.meta.url));
const current = join(cache, 'current.json');

/** The entry of the current build when every source file it was built from is unchanged, else null. */
function freshBuild() {
  try {
    const { entry, inputs } = JSON.parse(readFileSync(current, 'utf8'));
    for (const [path, [size, mtimeMs]] of Object.entries(inputs)) {
      const s = statSync(path);
      if (s.size !== size || s.mtimeMs !== mtimeMs) return null;
    }
    return entry;
  } catch {
    return null;
  }
}

let entry = process.env.LAKE_CLI_TSX === '1' ? null : freshBuild();
if (!entry && process.env.LAKE_CLI_TSX !== '1') {
  try {
    const { buildCli } = await import('../scripts/build-cli.mjs');
    entry = await buildCli();
  } catch (e) {
    if (process.env.LAKE_DEBUG)
      process.stderr.write(`lake: the CLI could not be built (${e.message}); running the sources\n`);
  }
}
if (entry) {
  await import(pathToFileURL(entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
