/** `lake withdraw <uploadId> --reason "…"`: a department's steward takes an upload back. */
import type { Command } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import { EXIT, UsageError } from '../errors.ts';
import { printShortReport } from '../report-view.ts';

export const withdrawCommand: Command = {
  name: 'withdraw',
  summary: "take an upload back: its rows leave the dataset's table (as the department's steward)",
  usage: '<uploadId> --reason "<why>"',
  options: {
    reason: { type: 'string', help: '<text> why the upload is withdrawn (kept in its report)' },
  },
  globals: LAKE_GLOBALS,
  details:
    "The upload's rows leave the table: an append dataset no longer holds them, a replace dataset falls back to its previous upload still published (or to none). The original stays in raw/, and the report records who withdrew it, when and why; `lake status` shows it as withdrawn. The same bytes uploaded again are then published anew. Running it again finishes a withdrawal that was cut short, and changes nothing once it is done.",
  async run(ctx, positionals, values) {
    const uploadId = positionals[0];
    if (!uploadId)
      throw new UsageError(
        'withdraw needs an upload id',
        'Usage: lake withdraw <uploadId> --reason "<why>"; `lake status` lists the uploads.',
      );
    const reason = typeof values.reason === 'string' ? values.reason.trim() : '';
    if (!reason)
      throw new UsageError(
        'withdraw needs --reason "<why>"',
        'The reason is kept in the report, for whoever reads it later: e.g. --reason "sent the wrong month".',
      );
    const lake = await ctx.backend();
    const report = await lake.withdraw(uploadId, { reason });
    ctx.out.document(report);
    printShortReport(ctx.out, report, { errors: 0 });
    return EXIT.ok;
  },
};
