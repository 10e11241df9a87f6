/** `lake status` (recent uploads) and `lake report <uploadId>` (one upload's report). */
import type { Command } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import { parseDatasetRef } from '../contracts.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';
import { formatDuration } from '../output.ts';
import { fileOf, printReport, statusText } from '../report-view.ts';

/** Uploads `status` lists by default. */
export const DEFAULT_STATUS_LIMIT = 20;

export const statusCommand: Command = {
  name: 'status',
  summary: 'list the most recent uploads and how they went',
  usage: '[--dataset <department>/<dataset> | --department <department>] [--limit <n>]',
  options: {
    dataset: { type: 'string', help: '<department>/<dataset> only this dataset' },
    department: { type: 'string', help: "<department> only this department's datasets" },
    limit: { type: 'string', help: `<n> how many (default ${DEFAULT_STATUS_LIMIT})` },
  },
  globals: LAKE_GLOBALS,
  async run(ctx, _positionals, values) {
    const limit = Number(values.limit ?? DEFAULT_STATUS_LIMIT);
    if (!Number.isInteger(limit) || limit < 1)
      throw new UsageError(`--limit must be a positive whole number, not "${values.limit}"`);
    const ref = values.dataset
      ? parseDatasetRef(values.dataset as string)
      : values.department
        ? { department: String(values.department) }
        : undefined;
    const lake = await ctx.backend();
    const uploads = await lake.uploads({ ref, limit });
    ctx.out.document({ uploads });
    if (uploads.length === 0) {
      ctx.out.line('no uploads yet: `lake ingest <file> --dataset <department>/<dataset>` adds one');
      return EXIT.ok;
    }
    ctx.out.table(
      [
        { header: 'upload' },
        { header: 'dataset' },
        { header: 'file', max: 36 },
        { header: 'status' },
        { header: 'rows', right: true },
        { header: 'rejected', right: true },
        { header: 'started' },
        { header: 'took', right: true },
      ],
      uploads.map((u) => [
        u.uploadId,
        u.dataset,
        fileOf(u.sourceKey),
        statusText(ctx.out, u.status),
        u.rows.accepted,
        u.rows.rejected,
        u.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
        formatDuration(u.durationMs),
      ]),
    );
    return EXIT.ok;
  },
};

export const reportCommand: Command = {
  name: 'report',
  summary: "show an upload's report: rows accepted, rows rejected with line, column and reason",
  usage: '<uploadId> [--errors <n>]',
  options: { errors: { type: 'string', help: '<n> errors to list (default 20)' } },
  globals: LAKE_GLOBALS,
  async run(ctx, positionals, values) {
    const uploadId = positionals[0];
    if (!uploadId)
      throw new UsageError(
        'report needs an upload id',
        'Usage: lake report <uploadId>; `lake status` lists them.',
      );
    const lake = await ctx.backend();
    const report = await lake.report(uploadId);
    if (!report) {
      throw new CliError(`no report for upload "${uploadId}"`, {
        hint: 'Check the id with `lake status`; an upload still being processed has no report yet.',
        code: 'unknown_upload',
      });
    }
    ctx.out.document(report);
    printReport(ctx.out, report, { errors: Number(values.errors ?? 20) });
    return EXIT.ok;
  },
};
