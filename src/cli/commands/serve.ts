/**
 * `lake serve`: the web portal over the local lake, on loopback: the open-data catalogue for the public,
 * uploads, reports and the request inbox for stewards, the government catalogue, requests and SQL for
 * analysts. The same backends as the other commands; the portal is built from web/ when missing or stale.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from '../command.ts';
import { LOCAL_GLOBALS } from '../command.ts';
import type { Context } from '../context.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';
import { jsonText } from '../output.ts';

/** The port the portal listens on unless told otherwise. */
export const DEFAULT_SERVE_PORT = 4580;
/** The hosts the portal may bind: loopback only (the local sign-in has no passwords). */
const LOOPBACK = ['127.0.0.1', 'localhost'];

/** The project's build-portal script, found upward from this module (the sources or the CLI's build). */
async function portalBuilder(): Promise<{ ensurePortal(): Promise<string> }> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const script = join(dir, 'scripts', 'build-portal.mjs');
    if (existsSync(script)) return import(pathToFileURL(script).href);
    const up = dirname(dir);
    if (up === dir)
      throw new CliError('the portal build script (scripts/build-portal.mjs) is missing', {
        hint: 'Run lake from the project checkout (npm ci builds the portal).',
      });
    dir = up;
  }
}

export function parsePort(value: unknown, fallback: number): number {
  const port = Number(value ?? fallback);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(
      `--port must be a port number, not "${value}"`,
      'Give 1–65535, or 0 for any free port.',
    );
  return port;
}

/**
 * Starts the portal over the local lake of `ctx` (attached to the `lake up` serving it, or started in this
 * process); returns its address and how to stop it.
 */
export async function startPortal(ctx: Context, opts: { port: number; host: string }) {
  if (!LOOPBACK.includes(opts.host))
    throw new UsageError(
      `--host must be a loopback address (${LOOPBACK.join(' or ')}), not "${opts.host}"`,
      'The local portal signs in without passwords: it is for this machine only.',
    );
  const webDir = await (await portalBuilder()).ensurePortal();
  const { localServices } = await import('../../portal/local-services.ts');
  const { startPortalServer } = await import('../../portal/local-server.ts');
  const { lakeNow } = await import('../../lake/freshness.ts');
  const services = await localServices({
    lakeDir: ctx.lakeDir,
    contracts: ctx.contracts(),
    cwd: ctx.io.cwd,
    now: () => lakeNow(ctx.io.env),
  });
  try {
    return await startPortalServer({
      services,
      webDir,
      host: opts.host,
      port: opts.port,
      onError: (e) => ctx.out.notice(`portal: ${(e as Error)?.message ?? e}`),
    });
  } catch (e) {
    await services.close();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new CliError(`port ${opts.port} is in use`, {
        hint: 'Pass --port <another port>, or --port 0 for any free one.',
        code: 'port_in_use',
      });
    throw e;
  }
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the web portal over the local lake: open data, uploads and reports, requests, SQL',
  usage: '[--port <port>] [--host 127.0.0.1]',
  options: {
    port: {
      type: 'string',
      help: `<port> the portal's port (default ${DEFAULT_SERVE_PORT}; 0 for any free port)`,
    },
    host: { type: 'string', help: '<host> the loopback address to listen on (default 127.0.0.1)' },
  },
  globals: LOCAL_GLOBALS,
  details:
    'Open the printed address in a browser. The public sees the open-data catalogue; "登录 / Sign in" picks a local identity (a department\'s steward or analyst, as --as does). Stop it with Ctrl-C.',
  async run(ctx, _positionals, values) {
    const port = parsePort(values.port, DEFAULT_SERVE_PORT);
    const portal = await startPortal(ctx, { port, host: (values.host as string | undefined) ?? '127.0.0.1' });
    if (ctx.out.json) ctx.io.stdout.write(`${jsonText({ event: 'serving', url: portal.url })}\n`);
    else {
      ctx.out.line(`The portal is at ${portal.url}`);
      ctx.out.line('Open it in a browser; Ctrl-C stops it.');
    }
    await new Promise<void>((resolve) => {
      if (!ctx.io.signal) return; // Without a signal (never in the CLI) it would serve forever.
      if (ctx.io.signal.aborted) resolve();
      ctx.io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    ctx.out.notice('stopping the portal…');
    await portal.close();
    return EXIT.ok;
  },
};
