/**
 * Decoded text: scanned while it is decoded (records, header, line drift), and the record-to-line
 * mapping DuckDB joins back so every record keeps its source line.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type DecodeResult, decodeToUtf8 } from './decode.ts';
import { detectDelimiter, LineScanner, type ScanResult } from './line-scanner.ts';
import type { SourceOptions } from './source.ts';
import { lit } from './sql.ts';

/** A value no real file holds, so that empty fields read as '' and only padded fields as NULL. */
export const NO_NULL = '\u0001\u0002\u0003';

/** The drift entries (`record,line`: where line numbers stop following record numbers), as a CSV file. */
export class DriftFile {
  private fd: number;
  private buf: string[] = [];
  count = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }
  add = (record: number, line: number): void => {
    this.buf.push(`${record},${line}\n`);
    this.count++;
    if (this.buf.length >= 4096) this.flush();
  };
  reset(): void {
    this.buf = [];
    this.count = 0;
    closeSync(this.fd);
    this.fd = openSync(this.path, 'w');
  }
  flush(): void {
    if (this.buf.length) writeSync(this.fd, this.buf.join(''));
    this.buf = [];
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Decode the upload to UTF-8 text, framing its records (and finding its header) as it streams. */
export async function scanText(
  opts: SourceOptions,
  mode: 'csv' | 'lines',
  delimiter: string | undefined,
  drift: DriftFile,
): Promise<{ decoded: DecodeResult; scan: ScanResult }> {
  let scanner = new LineScanner({ mode, delimiter, onDrift: drift.add });
  let fixed = delimiter !== undefined;
  const decoded = await decodeToUtf8({
    path: opts.inputPath,
    workPath: join(opts.workDir, 'decoded.txt'),
    declared: opts.contract.format.encoding,
    gzip: opts.contract.format.gzip,
    maxDecompressedBytes: opts.maxDecompressedBytes,
    consume: (chunk) => {
      scanner.write(chunk);
      if (!fixed && scanner.headerComplete) {
        fixed = true;
        // The header is known: from here on only the real delimiter opens a quoted field.
        const text = scanner.headerString();
        scanner.setDelimiter(detectDelimiter(text));
      }
    },
    restart: () => {
      drift.reset();
      scanner = new LineScanner({ mode, delimiter, onDrift: drift.add });
      fixed = delimiter !== undefined;
    },
    linesConsumed: () => scanner.currentLine,
  });
  drift.close();
  return { decoded, scan: scanner.end() };
}

/**
 * The source line of record `__rn`: an expression when no line drifted, else null after loading the
 * drift entries into `__drift` for an ASOF join.
 */
export async function createLineView(
  conn: DuckDBConnection,
  driftPath: string,
  driftCount: number,
  base: number,
) {
  if (driftCount === 0) return `(__rn + ${base})`;
  await conn.run(
    `CREATE TEMP TABLE __drift AS SELECT * FROM read_csv(${lit(driftPath)}, header = false, columns = {'rn': 'BIGINT', 'line': 'BIGINT'}, auto_detect = false)`,
  );
  return null;
}
