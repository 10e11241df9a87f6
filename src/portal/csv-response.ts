/**
 * A CSV download as the CLI writes one: UTF-8 with a BOM (Excel opens Chinese text right), CRLF lines,
 * every cell guarded against spreadsheet formulas (src/lake/csv-cell.ts).
 */
import type { Context } from 'hono';
import type { QueryStream } from '../cli/backend.ts';
import { exactRowOf } from '../cli/export-result.ts';
import { csvCell } from '../lake/csv-cell.ts';

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

/** A query's result as a CSV download, sent batch by batch as the engine gives them. */
export function csvStreamResponse(c: Context, filename: string, s: QueryStream) {
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
