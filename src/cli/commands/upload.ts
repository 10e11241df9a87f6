/** `lake upload` and `lake ingest`: a file to the landing zone, and for ingest its report. */
import { basename } from 'node:path';
import type { Command, OptionValues } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import type { Context } from '../context.ts';
import { parseDatasetRef } from '../dataset-ref.ts';
import { EXIT, UsageError } from '../errors.ts';
import { formatBytes } from '../output.ts';
import { createProgress } from '../progress.ts';
import { printReport, totalErrors } from '../report-view.ts';
import { ERRORS_OPTION, errorLimit } from './error-option.ts';
import { inputFile, objectName } from './files.ts';

/** How long `ingest` waits for the report by default (seconds). */
export const DEFAULT_INGEST_TIMEOUT_S = 900;

async function send(ctx: Context, positionals: readonly string[], values: OptionValues, command: string) {
  const path = inputFile(ctx.io.cwd, positionals[0], command);
  const ref = parseDatasetRef(values.dataset as string | undefined);
  ctx.about = `${ref.department}/${ref.dataset}`;
  const name = objectName(path, values.name as string | undefined);
  const lake = await ctx.backend();
  if (!ctx.out.json) ctx.out.notice(ctx.out.style(`lake: ${lake.description}`, 'dim'));
  const progress = createProgress(ctx.io.stderr, {
    enabled: !ctx.out.json,
    bytes: true,
    label: `uploading ${basename(path)}`,
  });
  try {
    const object = await lake.upload(path, ref, name, progress);
    return { lake, ref, object, progress };
  } finally {
    progress.done();
  }
}

export const uploadCommand: Command = {
  name: 'upload',
  summary: "upload a file to a dataset's landing zone (as the department)",
  usage: '<file> --dataset <department>/<dataset> [--name <object name>]',
  options: {
    dataset: { type: 'string', help: '<department>/<dataset> where the file goes' },
    name: { type: 'string', help: "<name> the object's name in landing (default the file's name)" },
  },
  globals: LAKE_GLOBALS,
  details:
    "Multipart above 8 MiB, with a progress bar on a terminal. On the deployed lake it acts as the department's upload role. The transformer picks the file up from there; `lake status` shows its report.",
  async run(ctx, positionals, values) {
    const { object } = await send(ctx, positionals, values, 'upload');
    ctx.out.document(object);
    ctx.out.line(`uploaded ${formatBytes(object.bytes)} to s3://${object.bucket}/${object.key}`);
    ctx.out.line(ctx.out.style('the lake processes it now: `lake status` lists its report', 'dim'));
    return EXIT.ok;
  },
};

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'upload a file and wait for its report',
  usage: '<file> --dataset <department>/<dataset> [--timeout <seconds>]',
  options: {
    dataset: { type: 'string', help: '<department>/<dataset> where the file goes' },
    name: { type: 'string', help: "<name> the object's name in landing (default the file's name)" },
    timeout: {
      type: 'string',
      help: `<seconds> how long to wait for the report (default ${DEFAULT_INGEST_TIMEOUT_S})`,
    },
    errors: ERRORS_OPTION,
  },
  globals: LAKE_GLOBALS,
  details:
    'Exit code 0 when the file is accepted or partly accepted, and when it is a duplicate (the same bytes as an upload the dataset already holds: nothing is added, the report names that upload); 3 when it is rejected as a whole.',
  async run(ctx, positionals, values) {
    const timeout = Number(values.timeout ?? DEFAULT_INGEST_TIMEOUT_S);
    if (!Number.isFinite(timeout) || timeout <= 0)
      throw new UsageError(`--timeout must be a number of seconds, not "${values.timeout}"`);
    const limit = errorLimit(values);
    const { lake, ref, object } = await send(ctx, positionals, values, 'ingest');
    const progress = createProgress(ctx.io.stderr, { enabled: !ctx.out.json, label: 'transforming' });
    progress.phase(`transforming ${basename(object.key)}`);
    const ticker = setInterval(() => progress.update(0), 100);
    let report: Awaited<ReturnType<typeof lake.waitForReport>>;
    try {
      report = await lake.waitForReport(object, ref, { timeoutMs: timeout * 1000, signal: ctx.io.signal });
    } finally {
      clearInterval(ticker);
      progress.done();
    }
    ctx.out.document(report);
    if (
      !ctx.out.json &&
      (limit === null || limit > report.errors.length) &&
      totalErrors(report) > report.errors.length
    ) {
      const all = await lake.rejectedRows?.(report, limit);
      if (all) report = { ...report, errors: all };
    }
    printReport(ctx.out, report, { errors: limit ?? Number.POSITIVE_INFINITY });
    return report.status === 'rejected' ? EXIT.rejected : EXIT.ok;
  },
};
