/** The report's `errors` and `errorCounts`, from the file's verdicts and the quarantined rows' `_errors`. */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FileVerdict } from './header-match.ts';
import type { IngestReport, RowError } from './report.ts';
import { lit } from './sql.ts';

/**
 * The file-level verdicts first (else the verdict that rejected the whole file), then the first
 * `maxErrors` rows' errors in source order; every error is counted by rule and column.
 */
export async function reportErrors(
  conn: DuckDBConnection,
  o: {
    verdicts: FileVerdict[];
    fileVerdict: FileVerdict | null;
    /** Rows written to the quarantine file: its errors are read only when there are some. */
    rejected: number;
    quarantinePath: string;
    maxErrors: number;
  },
): Promise<Pick<IngestReport, 'errors' | 'errorCounts'>> {
  const { verdicts, fileVerdict } = o;
  const errors: RowError[] = verdicts.length
    ? verdicts.map((v) => ({ line: null, column: v.column, rule: v.rule, message: v.message }))
    : fileVerdict
      ? [{ line: null, column: null, rule: fileVerdict.rule, message: fileVerdict.message }]
      : [];
  const counts: Record<string, Record<string, number>> = {};
  for (const e of errors) {
    counts[e.rule] ??= {};
    counts[e.rule][e.column ?? '_file'] = (counts[e.rule][e.column ?? '_file'] ?? 0) + 1;
  }
  if (o.rejected > 0) {
    const fileRules = new Set(errors.map((e) => e.rule));
    const exclude = fileRules.size ? `WHERE e.rule NOT IN (${[...fileRules].map(lit).join(', ')})` : '';
    const q = `(SELECT _source_line AS line, unnest(_errors) AS e FROM read_parquet(${lit(o.quarantinePath)}))`;
    const first = await conn.runAndReadAll(
      `SELECT line, e.column, e.rule, e.message FROM ${q} ${exclude} ORDER BY line LIMIT ${o.maxErrors}`,
    );
    for (const [line, column, rule, message] of first.getRows()) {
      errors.push({
        line: line === null ? null : Number(line),
        column: column as string | null,
        rule: String(rule),
        message: String(message),
      });
    }
    const byRule = await conn.runAndReadAll(
      `SELECT e.rule, coalesce(e.column, '_row'), count(*) FROM ${q} ${exclude} GROUP BY ALL ORDER BY ALL`,
    );
    for (const [rule, column, n] of byRule.getRows()) {
      counts[String(rule)] ??= {};
      counts[String(rule)][String(column)] = Number(n);
    }
  }
  return { errors, errorCounts: counts };
}
