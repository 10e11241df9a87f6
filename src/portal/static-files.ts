/**
 * The built web app (scripts/build-portal.mjs writes it), served as files: a path that names a file of
 * the build gets it, any other page path gets index.html (the app routes itself). Hashed assets are
 * cached for good; index.html never, so a rebuilt portal is picked up at the next load.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Context } from 'hono';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

export function staticFiles(dir: string) {
  const root = resolve(dir);
  return async (c: Context) => {
    const path = c.req.path;
    const candidate = resolve(root, `.${path}`);
    const ext = /\.[a-z0-9]+$/.exec(path)?.[0] ?? '';
    if (candidate.startsWith(root + sep) && TYPES[ext]) {
      const s = await stat(candidate).catch(() => null);
      if (s?.isFile()) {
        return c.body(await readFile(candidate), 200, {
          'Content-Type': TYPES[ext],
          'Cache-Control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
      }
      if (path.startsWith('/assets/')) return c.text('not found', 404);
    }
    return c.body(await readFile(resolve(root, 'index.html')), 200, {
      'Content-Type': TYPES['.html'],
      'Cache-Control': 'no-cache',
    });
  };
}
