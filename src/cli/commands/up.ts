/** `lake up`: serve the local lake until interrupted, so any S3 client can upload as a department would. */
import { relative } from 'node:path';
import type { IngestReport } from '../../engine/report.ts';
import type { LocalLake } from '../../local/local-lake.ts';
import type { Command } from '../command.ts';
import { LOCAL_GLOBALS } from '../command.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';
import { jsonText } from '../output.ts';
import { printShortReport, summaryOf } from '../report-view.ts';
import { DEFAULT_SERVE_PORT, parsePort, startPortal } from './serve.ts';

/** The port `lake up` listens on unless told otherwise (s3rver's usual one). */
export const DEFAULT_UP_PORT = 4568;

export const upCommand: Command = {
  name: 'up',
  summary: 'serve the local lake: an S3 endpoint on loopback and the transformer behind it',
  usage: `[--port <port>] [--portal-port <port>]`,
  options: {
    'portal-port': {
      type: 'string',
      help: `<port> the web portal's port (default ${DEFAULT_SERVE_PORT}; 0 for any free port)`,
    },
    port: {
      type: 'string',
      help: `<port> the S3 endpoint's port (default ${DEFAULT_UP_PORT}; 0 for any free port)`,
    },
  },
  globals: LOCAL_GLOBALS,
  details:
    'Every upload to landing/<department>/<dataset>/ is processed as in AWS, and the catalog is kept current. Other lake commands on the same --lake-dir use this lake while it runs. Stop it with Ctrl-C.',
  async run(ctx, _positionals, values) {
    const port = Number(values.port ?? DEFAULT_UP_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port must be a port number, not "${values.port}"`);
    const contracts = ctx.contracts({ every: true });
    const { LakeBusyError, LocalLake } = await import('../../local/local-lake.ts');
    const { LOCAL_CREDENTIALS, LOCAL_REGION } = await import('../../ingest/local-s3.ts');
    const out = ctx.out;
    let syncing = Promise.resolve();
    let lake: LocalLake;
    try {
      lake = await LocalLake.open({
        lakeDir: ctx.lakeDir,
        contracts: contracts.datasets,
        publishers: new Map(contracts.departments.map((d) => [d.id, d.name])),
        port,
        serve: true,
        onProcessed: (result) => {
          if (!result.report || result.outcome !== 'processed') return;
          const report: IngestReport = result.report;
          if (out.json) ctx.io.stdout.write(`${jsonText({ event: 'processed', ...summaryOf(report) })}\n`);
          else printShortReport(out, report);
          // Keep the catalog current for other readers of catalog.duckdb; a busy catalog is synced next time.
          syncing = syncing
            .then(() => lake.syncCatalog(contracts.datasets).then(() => undefined))
            .catch((e) => out.notice(`catalog not updated yet: ${(e as Error).message}`));
        },
      });
    } catch (e) {
      if (e instanceof LakeBusyError) {
        throw new CliError(e.message, {
          hint: `Use that one (lake commands find it by themselves), stop it, or serve another directory with --lake-dir.`,
          code: 'lake_busy',
          exitCode: EXIT.config,
        });
      }
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new CliError(`port ${port} is in use`, {
          hint: 'Pass --port <another port>, or --port 0 for any free one.',
          code: 'port_in_use',
        });
      }
      throw e;
    }
    await lake.syncCatalog(contracts.datasets).catch(() => undefined);
    // The web portal over the lake, as `lake serve` runs it (it attaches to this lake like any command).
    const portalPort = parsePort(values['portal-port'], DEFAULT_SERVE_PORT);
    const portal = await startPortal(ctx, { port: portalPort, host: '127.0.0.1' })
      .catch((e) => {
        // The usual port taken (another lake's portal): any free one, unless this one was asked for.
        if (values['portal-port'] !== undefined || (e as CliError).code !== 'port_in_use') throw e;
        return startPortal(ctx, { port: 0, host: '127.0.0.1' });
      })
      .catch(async (e) => {
        await lake.close();
        throw e;
      });
    const where = relative(ctx.io.cwd, lake.paths.root) || '.';
    const info = {
      event: 'up',
      endpoint: lake.endpoint,
      region: LOCAL_REGION,
      buckets: lake.buckets,
      credentials: LOCAL_CREDENTIALS,
      lakeDir: lake.paths.root,
      catalog: lake.paths.catalog,
      datasets: [...contracts.datasets.keys()],
      portal: portal.url,
    };
    if (out.json) {
      ctx.io.stdout.write(`${jsonText(info)}\n`);
    } else {
      out.heading(`The local lake in ${where} is up at ${lake.endpoint}`);
      out.line();
      out.fields([
        ['S3 endpoint', `${lake.endpoint} (path-style, region ${LOCAL_REGION})`],
        [
          'credentials',
          `AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey}`,
        ],
        ['upload to', `s3://${lake.buckets.landing}/landing/<department>/<dataset>/<file>`],
        ['catalog', `${relative(ctx.io.cwd, lake.paths.catalog)} (DuckDB: <department>.<dataset>)`],
        ['datasets', [...contracts.datasets.keys()].join(', ')],
        ['portal', `${portal.url} (open data, uploads and reports, requests, SQL)`],
      ]);
      out.line();
      out.line('Upload as a department would, with the lake CLI or any S3 client:');
      out.line(`  npx lake ingest examples/health/clinics/clinics-2026-11.csv --dataset health/clinics`);
      out.line(
        `  AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey} aws --endpoint-url ${lake.endpoint} s3 cp <file> s3://${lake.buckets.landing}/landing/<department>/<dataset>/<file>`,
      );
      out.line('Then: npx lake status, npx lake catalog, npx lake query "<sql>". Ctrl-C stops the lake.');
      out.line();
    }
    await new Promise<void>((resolve) => {
      if (!ctx.io.signal) return; // Without a signal (never in the CLI) it would serve forever.
      if (ctx.io.signal.aborted) resolve();
      ctx.io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    out.notice('stopping the lake (finishing uploads in progress)…');
    await portal.close();
    await lake.close();
    await syncing;
    return EXIT.ok;
  },
};
