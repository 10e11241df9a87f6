/**
 * A CSV download as the CLI writes one: UTF-8 with a BOM (Excel opens Chinese text right), CRLF lines,
 * every cell guarded against spreadsheet formulas (src/lake/csv-cell.ts).
 */
import type { Context } from 'hono';
import type { QueryStream } from '../cli/backend.ts';
import { exactRowOf } from '../cli/export-result.ts';
import { csvCell } from '../lake/csv-cell.ts';
import { ApiError } from './api-error.ts';

const BOM = '\ufeff';

function line(cells: readonly unknown[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function headers(filename: string) {
  return {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`,
  };
}

/** Rows held in memory (a report's errors) as a CSV download. */
export function csvResponse(
  c: Context,
  filename: string,
  names: readonly string[],
  rows: Record<string, unknown>[],
) {
  const text = BOM + line(names) + rows.map((r) => line(names.map((n) => r[n]))).join('');
  return c.body(text, 200, headers(filename));
}

/**
 * A bound on a download's size, where the portal sends whole answers only (the deployed one: a Lambda
 * answer holds at most 6 MB), and what to do past it.
 */
export interface DownloadLimit {
  bytes: number;
  /** The hint of the refusal: how to get the data another way. */
  hint: string;
}

/**
 * A query's result as a CSV download, sent batch by batch as the engine gives them; with a `limit`, made
 * whole first, and refused with 413 `result_too_large` (the rows read so far dropped, the query's reading
 * stopped) when it would pass it.
 */
export async function csvStreamResponse(c: Context, filename: string, s: QueryStream, limit?: DownloadLimit) {
  if (limit) return c.body(await boundedCsv(filename, s, limit), 200, headers(filename));
  const names = s.columns.map((col) => col.name);
  const exact = exactRowOf(s.columns);
  const encoder = new TextEncoder();
  const iterator = s.batches[Symbol.asyncIterator]();
  let first = true;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (first) {
        first = false;
        controller.enqueue(encoder.encode(BOM + line(names)));
        return;
      }
      const next = await iterator.next();
      if (next.done) {
        controller.close();
        return;
      }
      const text = next.value
        .map((r) => {
          const row = exact(r);
          return line(names.map((n) => row[n]));
        })
        .join('');
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return c.body(body, 200, headers(filename));
}

/** The whole CSV of `s`, or the 413 refusal once it passes `limit.bytes` (in UTF-8). */
async function boundedCsv(filename: string, s: QueryStream, limit: DownloadLimit): Promise<string> {
  const names = s.columns.map((col) => col.name);
  const exact = exactRowOf(s.columns);
  const parts: string[] = [BOM + line(names)];
  let bytes = Buffer.byteLength(parts[0]);
  const iterator = s.batches[Symbol.asyncIterator]();
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    const part = next.value
      .map((r) => {
        const row = exact(r);
        return line(names.map((n) => row[n]));
      })
      .join('');
    bytes += Buffer.byteLength(part);
    if (bytes > limit.bytes) {
      await iterator.return?.();
      throw new ApiError(
        413,
        'result_too_large',
        `${filename} would be larger than the ${Math.floor(limit.bytes / 1024 ** 2)} MB the portal can send at once`,
        limit.hint,
      );
    }
    parts.push(part);
  }
  return parts.join('');
}
