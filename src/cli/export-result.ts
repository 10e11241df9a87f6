/**
 * `lake query --format csv|tsv|json|jsonl|xlsx|parquet [--output <file>]`: a query's result as a file an
 * analyst takes elsewhere. CSV is UTF-8 with a BOM (so a spreadsheet reads Chinese right), CRLF line ends
 * and every cell guarded against formulas (csvCell); TSV is the same without BOM, quotes or tabs inside a
 * cell (written `\t`, `\n`, `\r`, `\\`); JSON is the `--json` document, JSONL one row object a line; xlsx
 * and Parquet are typed (exportXlsx, exportParquet). Decimals keep their scale: `12.50` stays `12.50`.
 *
 * A result is written as it comes (QueryStream: a DuckDB chunk, an Athena page at a time), with the file's
 * backpressure respected, so an export of millions of rows holds one batch in memory, not the result.
 */
import { once } from 'node:events';
import { constants, createWriteStream } from 'node:fs';
import { access, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { csvCell } from '../lake/csv-cell.ts';
import type { QueryColumn, QueryOutcome, QueryStream } from './backend.ts';
import { CliError, UsageError } from './errors.ts';
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
 * A function giving a row with every decimal written out at its scale, as text (`12.5` of a DECIMAL(18,2) →
 * `"12.50"`), so no format turns money into a binary fraction; values a double cannot hold are text already.
 */
export function exactRowOf(
  columns: readonly QueryColumn[],
): (row: Record<string, unknown>) => Record<string, unknown> {
  const scaled = columns.flatMap((c) => {
    const s = decimalScale(c.type);
    return s === null ? [] : [[c.name, s] as const];
  });
  if (scaled.length === 0) return (row) => row;
  return (row) => {
    const out = { ...row };
    for (const [name, scale] of scaled) {
      const v = row[name];
      if (typeof v === 'number') out[name] = v.toFixed(scale);
    }
    return out;
  };
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

/** What to do when the --output file cannot be written. */
const OUTPUT_HINT =
  'Check that its folder exists and that you may write there, or pass another --output <file>.';

/**
 * Checks, before the query runs, that `file` can be written: its folder exists and is writable, and the
 * file itself, when it exists, is a writable file. A query is not run (nor paid for) to be lost.
 */
export async function checkOutput(file: string, given: string): Promise<void> {
  try {
    const s = await stat(file).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    if (s?.isDirectory()) throw Object.assign(new Error('it is a folder'), { code: 'EISDIR' });
    await access(s ? file : dirname(file), constants.W_OK);
  } catch (e) {
    throw cannotWrite(given, e);
  }
}

/** The --output file could not be written, in the user's terms. */
function cannotWrite(given: string, e: unknown): CliError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'its folder does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'ENOSPC'
            ? 'the disk is full'
            : ((e as Error).message ?? String(e));
  return new CliError(`cannot write ${given}: ${why}`, {
    hint: OUTPUT_HINT,
    code: 'output_unwritable',
    cause: e,
  });
}

/** A result already held (a report's rows, a quarantine query) as a stream of one batch. */
export function wholeStream(r: QueryOutcome): QueryStream {
  async function* batches(): AsyncGenerator<Record<string, unknown>[]> {
    yield r.rows;
  }
  return { columns: r.columns, batches: batches(), scannedBytes: r.scannedBytes };
}

/** Where text goes: a file, written with its backpressure respected, or stdout. */
export interface TextSink {
  write(text: string): Promise<void>;
  close(): Promise<void>;
  /** Closes the file at once, after a failure (the caller removes it). */
  abort(): void;
}

/** A file opened for writing (created or truncated), or stdout when `file` is undefined. */
export function textSink(file: string | undefined, stdout: OutStream): TextSink {
  if (!file) {
    return {
      async write(text) {
        stdout.write(text);
      },
      async close() {},
      abort() {},
    };
  }
  const stream = createWriteStream(file);
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => undefined);
  return {
    async write(text) {
      if (!stream.write(text)) await Promise.race([once(stream, 'drain'), failed]);
    },
    async close() {
      stream.end();
      await Promise.race([once(stream, 'finish'), failed]);
    },
    abort() {
      stream.destroy();
    },
  };
}

/** The text of one batch of rows in a text format (the header is headerText's). */
function batchText(
  format: 'csv' | 'tsv' | 'jsonl' | 'json',
  names: readonly string[],
  rows: readonly Record<string, unknown>[],
  first: boolean,
): string {
  if (format === 'jsonl') return rows.map((row) => `${jsonText(row)}\n`).join('');
  // The rows of the `--json` document, as JSON.stringify(doc, null, 2) lays them out.
  if (format === 'json')
    return rows
      .map((row, i) => `${first && i === 0 ? '\n' : ',\n'}    ${jsonText(row, 2).replaceAll('\n', '\n    ')}`)
      .join('');
  const [cellOf, sep, end] = format === 'csv' ? [csvCell, ',', '\r\n'] : [tsvCell, '\t', '\n'];
  return rows.map((row) => `${names.map((n) => cellOf(row[n])).join(sep)}${end}`).join('');
}

/** What a text format writes before its rows: the CSV/TSV header line, or the JSON document's start. */
function headerText(format: 'csv' | 'tsv' | 'jsonl' | 'json', columns: readonly QueryColumn[]): string {
  if (format === 'jsonl') return '';
  if (format === 'json') return `${jsonText({ columns }, 2).slice(0, -2)},\n  "rows": [`;
  const names = columns.map((c) => c.name);
  return format === 'csv'
    ? `\ufeff${names.map(csvCell).join(',')}\r\n`
    : `${names.map(tsvCell).join('\t')}\n`;
}

/**
 * Writes the result in `format` to `file`, or to `stdout` for the text formats when there is no file,
 * batch by batch as the query gives them; returns the number of rows written. A file left half-written
 * by a failure is removed.
 */
export async function exportStream(
  s: QueryStream,
  format: ExportFormat,
  file: string | undefined,
  stdout: OutStream,
): Promise<number> {
  if ((format === 'xlsx' || format === 'parquet') && !file)
    throw new UsageError(`--format ${format} needs --output <file>`);
  let sink: TextSink | undefined;
  try {
    if (format === 'xlsx') return await (await import('./export-xlsx.ts')).exportXlsx(s, file as string);
    if (format === 'parquet')
      return await (await import('./export-parquet.ts')).exportParquet(s, file as string);
    sink = textSink(file, stdout);
    const exact = exactRowOf(s.columns);
    const names = s.columns.map((c) => c.name);
    await sink.write(headerText(format, s.columns));
    let rows = 0;
    for await (const batch of s.batches) {
      if (batch.length === 0) continue;
      await sink.write(batchText(format, names, batch.map(exact), rows === 0));
      rows += batch.length;
    }
    if (format === 'json') await sink.write(rows === 0 ? ']\n}\n' : '\n  ]\n}\n');
    await sink.close();
    return rows;
  } catch (e) {
    sink?.abort();
    if (file) await rm(file, { force: true });
    // A file system error is about the file (a query's error is already a CliError).
    throw file && (e as NodeJS.ErrnoException).syscall ? cannotWrite(file, e) : e;
  }
}

/** Writes a result already held (QueryOutcome) as exportStream does. */
export async function exportResult(
  r: QueryOutcome,
  format: ExportFormat,
  file: string | undefined,
  stdout: OutStream,
): Promise<number> {
  return exportStream(wholeStream(r), format, file, stdout);
}
