/** `lake query "<sql>"`: SQL on the catalog (DuckDB locally, Athena when deployed). */
import type { QueryOutcome } from '../backend.ts';
import type { Command } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import { EXIT, UsageError } from '../errors.ts';
import { formatBytes, formatDuration, formatInt, type Output } from '../output.ts';
import { createProgress } from '../progress.ts';

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

export const queryCommand: Command = {
  name: 'query',
  summary: 'run SQL on the lake: tables are <department>.<dataset>',
  usage: '"<sql>" [--rows <n>]',
  options: {
    rows: {
      type: 'string',
      help: `<n> rows to show in the table (default ${DEFAULT_SHOWN_ROWS}; --json prints all)`,
    },
  },
  globals: LAKE_GLOBALS,
  details:
    'Locally DuckDB runs the SQL on a read-only catalog that can read the published data and nothing else; deployed, Athena runs it in the lake\'s workgroup and Lake Formation decides what you see. With --json: {"columns":[{"name","type"}],"rows":[{...}]}.',
  async run(ctx, positionals, values) {
    const sql = positionals.join(' ').trim();
    if (!sql)
      throw new UsageError('query needs SQL', 'Usage: lake query "SELECT count(*) FROM health.clinics"');
    const shown = Number(values.rows ?? DEFAULT_SHOWN_ROWS);
    if (!Number.isInteger(shown) || shown < 0)
      throw new UsageError(`--rows must be a whole number, not "${values.rows}"`);
    const lake = await ctx.backend();
    const progress = createProgress(ctx.io.stderr, { enabled: !ctx.out.json, label: 'query' });
    const r = await lake.query(sql, progress, ctx.io.signal);
    ctx.out.document({ columns: r.columns, rows: r.rows });
    printResult(ctx.out, r, shown);
    return EXIT.ok;
  },
};
