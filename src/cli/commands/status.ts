/** `lake status`: the recent uploads and how they went; with `--overdue`, the datasets that are late. */
import type { Command } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import { parseDatasetRef } from '../dataset-ref.ts';
import { EXIT, UsageError } from '../errors.ts';
import { formatDuration, formatInt } from '../output.ts';
import { commandNow, overdueReport, printOverdue } from '../overdue.ts';
import { fileOf, statusText } from '../report-view.ts';

/** Uploads `status` lists by default. */
export const DEFAULT_STATUS_LIMIT = 20;

export const statusCommand: Command = {
  name: 'status',
  summary: 'list the most recent uploads and how they went, or the datasets overdue for an update',
  usage: '[--dataset <department>/<dataset> | --department <department>] [--limit <n> | --overdue]',
  options: {
    dataset: { type: 'string', help: '<department>/<dataset> only this dataset' },
    department: { type: 'string', help: "<department> only this department's datasets" },
    limit: { type: 'string', help: `<n> how many (default ${DEFAULT_STATUS_LIMIT})` },
    overdue: {
      type: 'boolean',
      help: 'the datasets that missed their update frequency (updateFrequency): last upload, due date, days overdue',
    },
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
    if (values.overdue) {
      if (values.limit !== undefined)
        throw new UsageError('--overdue lists every late dataset: leave out --limit');
      const now = commandNow(ctx.io.env);
      const datasets = (await lake.datasets()).filter(
        (d) => !ref || (d.department === ref.department && (!('dataset' in ref) || d.name === ref.dataset)),
      );
      const every = await lake.uploads({ ref, limit: Number.MAX_SAFE_INTEGER });
      const report = overdueReport(datasets, every, now);
      ctx.out.document(report);
      printOverdue(ctx.out, report);
      return EXIT.ok;
    }
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
        { header: 'rows total/accepted/rejected', right: true },
        { header: 'started' },
        { header: 'took', right: true },
      ],
      uploads.map((u) => [
        u.uploadId,
        u.dataset,
        fileOf(u.sourceKey),
        statusText(ctx.out, u.status, u.withdrawal),
        `${formatInt(u.rows.total)} / ${formatInt(u.rows.accepted)} / ${formatInt(u.rows.rejected)}`,
        u.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
        formatDuration(u.durationMs),
      ]),
    );
    return EXIT.ok;
  },
};
