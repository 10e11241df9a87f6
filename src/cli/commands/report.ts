/**
 * `lake report <uploadId>`: one upload's report; with `--errors all` (or `--all`) every rejected row,
 * read from the quarantine Parquet (the report itself keeps the first 100), and with `--format csv
 * --output errors.csv` the errors as a file for the department's data steward.
 */
import { resolve } from 'node:path';
import type { IngestReport } from '../../engine/report.ts';
import type { QueryOutcome } from '../backend.ts';
import type { Command } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';
import { EXPORT_FORMATS, exportFormat, exportResult } from '../export-result.ts';
import { formatInt } from '../output.ts';
import { printReport, totalErrors } from '../report-view.ts';
import { ERRORS_OPTION, errorLimit } from './error-option.ts';

/** The errors as a table for export: line, column, rule, message. */
function errorTable(r: IngestReport): QueryOutcome {
  return {
    columns: [
      { name: 'line', type: 'BIGINT' },
      { name: 'column', type: 'VARCHAR' },
      { name: 'rule', type: 'VARCHAR' },
      { name: 'message', type: 'VARCHAR' },
    ],
    rows: r.errors.map((e) => ({ line: e.line, column: e.column, rule: e.rule, message: e.message })),
    durationMs: 0,
  };
}

export const reportCommand: Command = {
  name: 'report',
  summary: "show an upload's report: rows accepted, rows rejected with line, column and reason",
  usage: '<uploadId> [--errors <n|all> | --all] [--format <format> --output <file>]',
  options: {
    errors: ERRORS_OPTION,
    all: { type: 'boolean', help: 'every rejected row, read from quarantine (= --errors all)' },
    format: {
      type: 'string',
      help: `<format> the errors (line, column, rule, message) as ${EXPORT_FORMATS.join(', ')}`,
    },
    output: { type: 'string', help: '<file> write the errors there' },
  },
  globals: LAKE_GLOBALS,
  details:
    'The report keeps the first 100 errors; --errors all (or a number above that) reads every rejected row from the quarantine Parquet, where the lake allows it (the local lake). With --json: the report, its `errors` as listed.',
  async run(ctx, positionals, values) {
    const uploadId = positionals[0];
    if (!uploadId)
      throw new UsageError(
        'report needs an upload id',
        'Usage: lake report <uploadId>; `lake status` lists them.',
      );
    const limit = errorLimit(values);
    const output = values.output as string | undefined;
    const format =
      values.format !== undefined || output !== undefined
        ? exportFormat(values.format as string | undefined, output)
        : null;
    const lake = await ctx.backend();
    let report = await lake.report(uploadId);
    if (!report) {
      throw new CliError(`no report for upload "${uploadId}"`, {
        hint: 'Check the id with `lake status`; an upload still being processed has no report yet.',
        code: 'unknown_upload',
      });
    }
    const kept = report.errors.length;
    if ((limit === null || limit > kept) && totalErrors(report) > kept) {
      if (lake.rejectedRows) report = { ...report, errors: await lake.rejectedRows(report, limit) };
      else
        ctx.out.warning({
          code: 'errors_in_report_only',
          message: `this lake lists the ${formatInt(kept)} errors the report keeps, of ${formatInt(totalErrors(report))}`,
          hint: 'Every rejected row is in the quarantine zone, with its errors in the _errors column.',
        });
    }
    const listed = { ...report, errors: limit === null ? report.errors : report.errors.slice(0, limit) };
    if (format) {
      const table = errorTable(listed);
      await exportResult(table, format, output ? resolve(ctx.io.cwd, output) : undefined, ctx.io.stdout);
      if (!output) return EXIT.ok;
      ctx.out.document({ output, format, rows: table.rows.length });
      ctx.out.line(`${formatInt(table.rows.length)} errors written to ${output} (${format})`);
      return EXIT.ok;
    }
    // Without --errors, --json gives the report as stored.
    ctx.out.document(values.errors !== undefined || values.all ? listed : report);
    printReport(ctx.out, listed, { errors: Number.POSITIVE_INFINITY });
    return EXIT.ok;
  },
};
