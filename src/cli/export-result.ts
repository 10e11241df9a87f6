/**
 * `lake query --format csv|tsv|json|jsonl|xlsx|parquet [--output <file>]`: a query's result as a file an
 * analyst takes elsewhere. CSV is UTF-8 with a BOM (so a spreadsheet reads Chinese right), CRLF line ends
 * and every cell guarded against formulas (csvCell); TSV is the same without BOM, quotes or tabs inside a
 * cell (written `\t`, `\n`, `\r`, `\\`); JSON is the `--json` document, JSONL one row object a line; xlsx
 * and Parquet are typed (exportXlsx, exportParquet). Decimals keep their scale: `12.50` stays `12.50`.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { QueryOutcome } from './backend.ts';
import { csvCell } from './csv-cell.ts';
import { UsageError } from './errors.ts';
import type { OutStream } from './output.ts';
import { jsonText } from './output.ts';

export const EXPORT_FORMATS = ['csv', 'tsv', 'json', 'jsonl', 'xlsx', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** Formats that are not text: they need `--output`. */
const BINARY: readonly ExportFormat[] = ['xlsx', 'parquet'];

/** The `--format` value (or the `--output` file's extension), checked. */
export function exportFormat(format: string | undefined, output: string | undefined): ExportFormat {
  const chosen = format ?? /\.([a-z]+)$/i.exec(output ?? '')?.[1]?.toLowerCase() ?? 'csv';
  if (!(EXPORT_FORMATS as readonly string[]).includes(chosen)) {
    throw new UsageError(
      format
        ? `--format must be one of ${EXPORT_FORMATS.join(', ')}, not "${format}"`
        : `cannot tell the format of ${output}`,
      `Pass --format ${EXPORT_FORMATS.join('|')}.`,
    );
  }
  const f = chosen as ExportFormat;
  if (BINARY.includes(f) && !output)
    throw new UsageError(`--format ${f} needs --output <file>`, `e.g. --format ${f} --output result.${f}`);
  return f;
}

/** `DECIMAL(18,2)` → 2; null for other types. */
export function decimalScale(type: string): number | null {
  const m = /^decimal\(\s*\d+\s*,\s*(\d+)\s*\)$/i.exec(type.trim());
  return m ? Number(m[1]) : null;
}

/**
 * The rows with every decimal written out at its scale, as text (`12.5` of a DECIMAL(18,2) → `"12.50"`),
 * so no format turns money into a binary fraction; values beyond 2^53 are already text.
 */
export function exactRows(r: QueryOutcome): Record<string, unknown>[] {
  const scaled = r.columns.flatMap((c) => {
    const s = decimalScale(c.type);
    return s === null ? [] : [[c.name, s] as const];
  });
  if (scaled.length === 0) return r.rows;
  return r.rows.map((row) => {
    const out = { ...row };
    for (const [name, scale] of scaled) {
      const v = row[name];
      if (typeof v === 'number') out[name] = v.toFixed(scale);
    }
    return out;
  });
}

/** A TSV field: formula-guarded as in CSV, with tabs, line breaks and backslashes written as escapes. */
export function tsvCell(value: unknown): string {
  const guarded = csvCell(value);
  const text = guarded.startsWith('"') ? guarded.slice(1, -1).replaceAll('""', '"') : guarded;
  return text.replace(
    /[\\\t\n\r]/g,
    (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c,
  );
}

/** The lines of a text format, one at a time (a large result is not built as one string). */
export function* textLines(format: 'csv' | 'tsv' | 'jsonl', r: QueryOutcome): Generator<string> {
  const rows = exactRows(r);
  if (format === 'jsonl') {
    for (const row of rows) yield `${jsonText(row)}\n`;
    return;
  }
  const [cellOf, sep, end] = format === 'csv' ? [csvCell, ',', '\r\n'] : [tsvCell, '\t', '\n'];
  const names = r.columns.map((c) => c.name);
  yield `${format === 'csv' ? '\ufeff' : ''}${names.map(cellOf).join(sep)}${end}`;
  for (const row of rows) yield `${names.map((n) => cellOf(row[n])).join(sep)}${end}`;
}

/** Writes the result in `format` to `file`, or to `stdout` for the text formats when there is no file. */
export async function exportResult(
  r: QueryOutcome,
  format: ExportFormat,
  file: string | undefined,
  stdout: OutStream,
): Promise<void> {
  if (format === 'xlsx' || format === 'parquet') {
    if (!file) throw new UsageError(`--format ${format} needs --output <file>`);
    if (format === 'xlsx') return (await import('./export-xlsx.ts')).exportXlsx(r, file);
    return (await import('./export-parquet.ts')).exportParquet(r, file);
  }
  const lines =
    format === 'json'
      ? [`${jsonText({ columns: r.columns, rows: exactRows(r) }, 2)}\n`]
      : textLines(format, r);
  if (!file) {
    for (const line of lines) stdout.write(line);
    return;
  }
  const stream = createWriteStream(file);
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  for (const line of lines) {
    if (!stream.write(line)) await once(stream, 'drain');
  }
  stream.end();
  await done;
}
