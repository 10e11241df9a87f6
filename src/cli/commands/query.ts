/** `lake query "<sql>"`: SQL on the catalog (DuckDB locally, Athena when deployed). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { QueryOutcome } from '../backend.ts';
import type { Command } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';
import { checkOutput, EXPORT_FORMATS, exportFormat, exportStream, wholeStream } from '../export-result.ts';
import { formatBytes, formatDuration, formatInt, type Output } from '../output.ts';
import { createProgress } from '../progress.ts';
import { inputFile } from './files.ts';

/** Rows a human table shows by default (`--json` always has them all). */
export const DEFAULT_SHOWN_ROWS = 100;

/** The result as a table, at most `maxRows` rows, then a line saying how many rows and how long. */
export function printResult(out: Output, r: QueryOutcome, maxRows = DEFAULT_SHOWN_ROWS, indent = ''): void {
  const numeric =
    /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|DOUBLE|FLOAT|REAL|DECIMAL|U?BIGINT|int|integer|bigint|smallint|tinyint|double|float|real|decimal)/i;
  if (r.columns.length > 0) {
    out.table(
      r.columns.map((c) => ({ header: c.name, right: numeric.test(c.type) })),
      r.rows.slice(0, maxRows).map((row) => r.columns.map((c) => row[c.name])),
      indent,
    );
  }
  const more = r.rows.length > maxRows ? ` (${formatInt(maxRows)} shown; --json for all)` : '';
  const scanned = r.scannedBytes !== undefined ? `, ${formatBytes(r.scannedBytes)} scanned` : '';
  out.line(
    out.style(
      `${indent}${formatInt(r.rows.length)} ${r.rows.length === 1 ? 'row' : 'rows'}${more} in ${formatDuration(r.durationMs)}${scanned}`,
      'dim',
    ),
  );
}

/** What `--zone` may name: the published tables (default), or the quarantine. */
export const QUERY_ZONES = ['curated', 'quarantine'] as const;

export const queryCommand: Command = {
  name: 'query',
  summary: 'run SQL on the lake: tables are <department>.<dataset>',
  usage: '"<sql>" | --file <q.sql> [--rows <n>] [--format <format> [--output <file>]] [--zone quarantine]',
  options: {
    rows: {
      type: 'string',
      help: `<n> rows to show in the table (default ${DEFAULT_SHOWN_ROWS}; --json prints all)`,
    },
    file: { type: 'string', short: 'f', help: '<q.sql> run the SQL in this file' },
    format: {
      type: 'string',
      help: `<format> the whole result as ${EXPORT_FORMATS.join(', ')} (default: the --output file's extension)`,
    },
    output: { type: 'string', help: '<file> write the result there (with --format, or by its extension)' },
    zone: {
      type: 'string',
      help: `<zone> ${QUERY_ZONES.join(' or ')}: quarantine queries the rejected rows, quarantine.<department>_<dataset> (a steward's; local lake only)`,
    },
  },
  globals: LAKE_GLOBALS,
  details:
    'Locally DuckDB runs the SQL on a read-only catalog that can read the published data and nothing else; deployed, Athena runs it in the lake\'s workgroup and Lake Formation decides what you see. With --json: {"columns":[{"name","type"}],"rows":[{...}]}.\n\nExport: --format csv (UTF-8 with BOM, for Excel; cells that would run as formulas start with \') | tsv | json | jsonl | xlsx | parquet, to --output <file> or, for the text formats, to stdout. Decimals keep their scale. An export is written as the rows come, so a result of any size fits.',
  async run(ctx, positionals, values) {
    const sql = querySql(ctx.io.cwd, positionals, values.file as string | undefined);
    const shown = Number(values.rows ?? DEFAULT_SHOWN_ROWS);
    if (!Number.isInteger(shown) || shown < 0)
      throw new UsageError(`--rows must be a whole number, not "${values.rows}"`);
    const output = values.output as string | undefined;
    const exporting = values.format !== undefined || output !== undefined;
    const format = exporting ? exportFormat(values.format as string | undefined, output) : null;
    const zone = (values.zone as string | undefined) ?? 'curated';
    if (!(QUERY_ZONES as readonly string[]).includes(zone))
      throw new UsageError(`--zone must be ${QUERY_ZONES.join(' or ')}, not "${zone}"`);
    const file = output ? resolve(ctx.io.cwd, output) : undefined;
    if (file && output) await checkOutput(file, output);
    const lake = await ctx.backend();
    const progress = createProgress(ctx.io.stderr, { enabled: !ctx.out.json, label: 'query' });
    if (zone === 'quarantine' && !lake.queryQuarantine)
      throw new CliError('--zone quarantine is not available on a deployed lake', {
        hint: "Read an upload's rejected rows with `lake report <uploadId> --all`, or query the quarantine locally (--local).",
        code: 'zone_unavailable',
      });
    const quarantine = zone === 'quarantine' ? lake.queryQuarantine?.bind(lake) : undefined;
    if (format) {
      // An export is written as the rows come: a result of any size is never held whole.
      const stream = quarantine
        ? wholeStream(await quarantine(sql, progress))
        : await lake.queryStream(sql, progress, ctx.io.signal);
      const rows = await exportStream(stream, format, file, ctx.io.stdout);
      if (!output) return EXIT.ok;
      ctx.out.document({ output, format, columns: stream.columns, rows });
      ctx.out.line(`${formatInt(rows)} ${rows === 1 ? 'row' : 'rows'} written to ${output} (${format})`);
      return EXIT.ok;
    }
    const r = quarantine ? await quarantine(sql, progress) : await lake.query(sql, progress, ctx.io.signal);
    ctx.out.document({ columns: r.columns, rows: r.rows });
    printResult(ctx.out, r, shown);
    return EXIT.ok;
  },
};

/** The SQL: the arguments, or the file `--file` names (not both). */
function querySql(cwd: string, positionals: readonly string[], file: string | undefined): string {
  const given = positionals.join(' ').trim();
  if (file !== undefined && given) throw new UsageError('give the SQL or --file <q.sql>, not both');
  const sql =
    file !== undefined
      ? readFileSync(inputFile(cwd, file, 'query --file'), 'utf8')
          .replace(/^\ufeff/, '')
          .trim()
      : given;
  if (!sql)
    throw new UsageError(
      file !== undefined ? `${file} holds no SQL` : 'query needs SQL',
      'Usage: lake query "SELECT count(*) FROM health.clinics", or lake query --file q.sql',
    );
  return sql;
}
