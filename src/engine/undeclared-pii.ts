/** Undeclared personal data: sampling the columns the contract does not declare as PII. */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetContract } from '../contracts/schema.ts';
import { DEFAULT_PII_MIN_SAMPLES, DEFAULT_PII_THRESHOLD, detectPii } from '../privacy/scan.ts';
import { type FieldMapping, looksPersonal } from './header-match.ts';
import type { PiiFlagged } from './report.ts';
import type { SourceInfo } from './source.ts';
import { ident } from './sql.ts';

/** Rows sampled per column to look for undeclared personal data. */
export const PII_SAMPLE_ROWS = 2000;
/** Columns sampled per query. */
const PII_SAMPLE_COLUMNS = 256;
/** Extra columns (not in the contract) sampled at most. */
const PII_SAMPLE_EXTRA_COLUMNS = 256;

/** Sample the first rows of every column not declared as PII and run the detectors over them. */
export async function scanUndeclared(
  conn: DuckDBConnection,
  contract: DatasetContract,
  mapping: FieldMapping,
  extraIdx: number[],
  source: SourceInfo,
  threshold?: number,
): Promise<PiiFlagged[]> {
  const candidates: { column: string; expr: string; extra: boolean; maskable?: boolean }[] = [];
  for (const f of contract.fields) {
    const m = mapping.get(f.name);
    if (m && f.pii === undefined) {
      candidates.push({ column: f.name, expr: m.source, extra: false, maskable: f.type === 'string' });
    }
  }
  // Extra columns are published nowhere: the first ones are sampled, to tell the steward what the file holds.
  for (const i of extraIdx.slice(0, PII_SAMPLE_EXTRA_COLUMNS)) {
    const h = source.columns[i];
    candidates.push({
      column: h && !looksPersonal(h) ? h : `(column ${i + 1})`,
      expr: ident(`s${i}`),
      extra: true,
    });
  }
  if (candidates.length === 0) return [];
  const flagged: PiiFlagged[] = [];
  // A few columns per query, so a file with thousands of columns is sampled within the memory limit.
  for (let start = 0; start < candidates.length; start += PII_SAMPLE_COLUMNS) {
    const batch = candidates.slice(start, start + PII_SAMPLE_COLUMNS);
    const r = await conn.runAndReadAll(
      `SELECT ${batch.map((c) => c.expr).join(', ')} FROM src WHERE __row_rule IS NULL LIMIT ${PII_SAMPLE_ROWS}`,
    );
    const rows = r.getRows();
    batch.forEach((c, col) => {
      const values = rows.map((row) => row[col]).filter((x): x is string => typeof x === 'string');
      const hit = detectPii(values, {
        threshold: threshold ?? DEFAULT_PII_THRESHOLD,
        minSamples: DEFAULT_PII_MIN_SAMPLES,
      });
      if (!hit) return;
      flagged.push({
        column: c.column,
        detector: hit.kind,
        ratio: Math.round(hit.ratio * 1000) / 1000,
        sampled: hit.sampled,
        // A masked value is text: only a string field can be masked without changing its published type.
        action: c.extra
          ? 'not-published'
          : contract.undeclaredPii === 'mask' && c.maskable
            ? 'mask'
            : 'quarantine',
      });
    });
  }
  return flagged;
}
