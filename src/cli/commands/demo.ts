/**
 * `lake demo` (what `npm start` runs): the local lake with the example files of five departments
 * ingested, each report in short, the catalog, and analysts' questions answered across departments.
 *
 * Files already in the lake (same key, same bytes) are not uploaded again, so running the demo twice
 * does not double the appended datasets; `--fresh` starts from an empty lake.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { IngestReport } from '../../engine/report.ts';
import { type DatasetRef, landingKey } from '../../lake/layout.ts';
import { lakePaths, readServerInfo } from '../../local/lake-dir.ts';
import type { Command } from '../command.ts';
import { LOCAL_GLOBALS } from '../command.ts';
import type { Context } from '../context.ts';
import { DEMO_QUERIES } from '../demo-queries.ts';
import { CliError, EXIT } from '../errors.ts';
import type { LocalBackend } from '../local-backend.ts';
import { formatDuration, formatInt } from '../output.ts';
import { createProgress, silentProgress } from '../progress.ts';
import { printShortReport } from '../report-view.ts';
import { printResult } from './query.ts';
import { DEFAULT_SERVE_PORT } from './serve.ts';

export const DEFAULT_EXAMPLES_DIR = 'examples';
/** The order departments' files are ingested in: the reference table first. */
const DEPARTMENT_ORDER = ['statistics', 'health', 'education', 'transport', 'civil_affairs'];

export interface ExampleFile {
  path: string;
  ref: DatasetRef;
  name: string;
}

/** The example uploads: `<examples>/<department>/<dataset>/<file>` for every dataset with a contract. */
export function exampleFiles(dir: string, datasets: ReadonlyMap<string, unknown>): ExampleFile[] {
  const files: ExampleFile[] = [];
  const dirs = (d: string) =>
    readdirSync(d).filter((n) => !n.startsWith('.') && statSync(join(d, n)).isDirectory());
  for (const department of dirs(dir)) {
    for (const dataset of dirs(join(dir, department))) {
      if (!datasets.has(`${department}/${dataset}`)) continue;
      for (const name of readdirSync(join(dir, department, dataset)).sort()) {
        const path = join(dir, department, dataset, name);
        if (!name.startsWith('.') && statSync(path).isFile())
          files.push({ path, ref: { department, dataset }, name });
      }
    }
  }
  const rank = (d: string) =>
    DEPARTMENT_ORDER.includes(d) ? DEPARTMENT_ORDER.indexOf(d) : DEPARTMENT_ORDER.length;
  return files.sort(
    (a, b) =>
      rank(a.ref.department) - rank(b.ref.department) ||
      a.ref.department.localeCompare(b.ref.department) ||
      a.path.localeCompare(b.path),
  );
}

async function md5(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The report of an example already in the lake with the same bytes, or null when it must be uploaded. */
async function alreadyIngested(lake: LocalBackend, file: ExampleFile): Promise<IngestReport | null> {
  const key = landingKey(file.ref, file.name);
  const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
  const { isNotFound, normalizeEtag } = await import('../../ingest/s3-objects.ts');
  try {
    const head = await lake.lake.s3.send(
      new HeadObjectCommand({ Bucket: lake.lake.buckets.landing, Key: key }),
    );
    if (normalizeEtag(head.ETag) !== (await md5(file.path))) return null;
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
  const uploadId = await lake.lake.uploadIdOf(key);
  return lake.lake.waitForReport(file.ref, uploadId, { timeoutMs: 120_000 });
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the whole lake locally on example data and answer a few questions (npm start)',
  usage: '[--fresh] [--examples <dir>]',
  options: {
    fresh: { type: 'boolean', help: 'empty the local lake first' },
    examples: { type: 'string', help: `<dir> the example uploads (default ./${DEFAULT_EXAMPLES_DIR})` },
  },
  globals: LOCAL_GLOBALS,
  async run(ctx, _positionals, values) {
    const started = Date.now();
    const out = ctx.out;
    const contracts = ctx.contracts({ every: true });
    const examplesDir = resolve(ctx.io.cwd, (values.examples as string | undefined) ?? DEFAULT_EXAMPLES_DIR);
    if (!existsSync(examplesDir)) {
      throw new CliError(`no examples directory at ${relative(ctx.io.cwd, examplesDir)}`, {
        hint: 'Run the demo from the project directory, or pass --examples <dir>.',
        exitCode: EXIT.usage,
        code: 'missing_file',
      });
    }
    const files = exampleFiles(examplesDir, contracts.datasets);
    if (values.fresh) freshLake(ctx);

    const { LocalBackend } = await import('../local-backend.ts');
    const lake = await LocalBackend.open({ lakeDir: ctx.lakeDir, contracts, cwd: ctx.io.cwd });
    try {
      const departments = new Set(files.map((f) => f.ref.department));
      out.heading(`1. Ingesting ${files.length} example files of ${departments.size} departments`);
      out.line(out.style(`   ${lake.description}`, 'dim'));
      out.line();
      const reports: IngestReport[] = [];
      for (const file of files) {
        let report = await alreadyIngested(lake, file);
        const again = report !== null;
        if (!report) {
          const progress = createProgress(ctx.io.stderr, {
            enabled: !out.json,
            bytes: true,
            label: `uploading ${file.name}`,
          });
          const object = await lake.upload(file.path, file.ref, file.name, progress);
          progress.done();
          const waiting = createProgress(ctx.io.stderr, { enabled: !out.json });
          waiting.phase(`transforming ${file.name}`);
          const ticker = setInterval(() => waiting.update(0), 100);
          try {
            report = await lake.waitForReport(object, file.ref, {
              timeoutMs: 120_000,
              signal: ctx.io.signal,
            });
          } finally {
            clearInterval(ticker);
            waiting.done();
          }
        }
        reports.push(report);
        printShortReport(out, report, { indent: '   ', errors: 3 });
        if (again)
          out.line(out.style('       (already in the lake: not uploaded again; --fresh starts over)', 'dim'));
      }

      out.line();
      out.heading('2. The catalog: one table per dataset, <department>.<dataset>');
      out.line();
      const catalog = await lake.datasets();
      out.table(
        [
          { header: 'table' },
          { header: 'title', max: 36 },
          { header: 'class.' },
          { header: 'mode' },
          { header: 'rows', right: true },
        ],
        catalog.map((d) => [`${d.department}.${d.name}`, d.title, d.classification, d.mode, d.rows ?? '-']),
        '   ',
      );

      out.line();
      out.heading("3. Analysts' questions, across departments");
      const answers = [];
      for (const [i, q] of DEMO_QUERIES.entries()) {
        out.line();
        out.line(
          `   ${out.style(`${String.fromCharCode(97 + i)}. ${q.title}`, 'bold')} ${out.style(`(${q.departments.join(' × ')})`, 'dim')}`,
        );
        for (const sqlLine of q.sql.split('\n')) out.line(out.style(`      ${sqlLine}`, 'dim'));
        out.line();
        const r = await lake.query(q.sql, silentProgress);
        printResult(out, r, 20, '      ');
        answers.push({ title: q.title, sql: q.sql, columns: r.columns, rows: r.rows });
      }

      out.line();
      out.heading('4. Sharing: a conditionally shared dataset, refused, requested, approved');
      out.line();
      const { showSharing } = await import('../access-demo.ts');
      const sharing = await showSharing(out, {
        lakeDir: ctx.lakeDir,
        contracts,
        cwd: ctx.io.cwd,
        indent: '   ',
      });

      out.line();
      out.heading('5. Open data: what the public downloads, with its DCAT-AP catalogue');
      out.line();
      const { printOpenCatalog } = await import('../../ingest/open/open-listing.ts');
      const open = await printOpenCatalog(lakePaths(ctx.lakeDir).open, (l) => out.line(`   ${l}`));

      out.document({
        lake: lake.description,
        reports,
        catalog,
        queries: answers,
        sharing,
        open,
        durationMs: Date.now() - started,
      });
      out.line();
      const rows = reports.reduce((n, r) => n + r.rows.total, 0);
      out.heading(
        `Done in ${formatDuration(Date.now() - started)}: ${formatInt(rows)} rows from ${files.length} files, ${catalog.length} datasets, ${DEMO_QUERIES.length} answers.`,
      );
      out.line('Next:');
      out.line(
        '  npx lake catalog civil_affairs/assistance_payments   # a dataset: owner, columns, personal data',
      );
      out.line('  npx lake query "SELECT * FROM transport.bus_stops LIMIT 5"');
      out.line(
        `  npx lake report ${reports.find((r) => r.status === 'partial')?.uploadId ?? '<uploadId>'}   # a report with rejected rows`,
      );
      out.line('  npx lake validate examples/health/clinics/clinics-2026-11.csv --dataset health/clinics');
      out.line('  npx lake up                                            # serve the lake to any S3 client');
      out.line();
      out.line(`The web portal over this lake: npx lake serve`);
      out.line(
        `  then open http://127.0.0.1:${DEFAULT_SERVE_PORT}/  (open data without signing in; 登录 to act as a steward, analyst or enterprise)`,
      );
      return EXIT.ok;
    } finally {
      await lake.close();
    }
  },
};

/** Empties the local lake directory (refused while a `lake up` serves it). */
function freshLake(ctx: Context): void {
  const paths = lakePaths(ctx.lakeDir);
  const served = readServerInfo(paths);
  if (served) {
    throw new CliError(`the lake in ${relative(ctx.io.cwd, paths.root)} is served by process ${served.pid}`, {
      hint: 'Stop that `lake up` first, or run the demo in another directory with --lake-dir.',
      code: 'lake_busy',
      exitCode: EXIT.config,
    });
  }
  for (const p of [paths.s3, paths.cache, paths.catalog, `${paths.catalog}.wal`, paths.tmp])
    rmSync(p, { recursive: true, force: true });
}
