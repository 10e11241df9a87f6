/**
 * Finding a subject's records in an original (raw copy or landing file), with the engine's own reader for
 * the dataset's contract: the file becomes the engine's `src` view (one VARCHAR column per source column,
 * each record's source line in `__line`) and the subject's predicate picks the records. A record of a CSV
 * with line breaks inside quoted values spans several lines: its span counts them.
 *
 * For a person, the bytes are searched too (the ID as a whole number, in lines the reader did not return:
 * a title or footnote row, a file the reader rejects), so no line naming the person is left behind.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DatasetContract } from '../contracts/schema.ts';
import { createDuckDB } from '../engine/duckdb.ts';
import { matchHeader } from '../engine/header-match.ts';
import { createSource } from '../engine/source.ts';
import { ident } from '../engine/sql.ts';

/** Lines `line` to `last` (1-based, inclusive) of an original hold one record of the subject. */
export interface LineSpan {
  line: number;
  last: number;
}

/** What a scan looks for: a SQL predicate over the source columns, and for a person the ID's bytes. */
export interface SourceMatcher {
  /** SQL over `src` (columns s0…) given the file's header, or null when the file cannot hold the subject. */
  predicate(contract: DatasetContract, columns: readonly string[]): string | null;
  /** A whole-number search of the raw text (a person's normalized ID), or null. */
  readonly bytes: RegExp | null;
}

/** The records (and lines) of the subject in the original at `path`, in line order. */
export async function scanOriginal(
  path: string,
  contract: DatasetContract,
  matcher: SourceMatcher,
  workDir: string,
): Promise<LineSpan[]> {
  const spans = await scanRecords(path, contract, matcher, workDir).catch(() => [] as LineSpan[]);
  if (matcher.bytes) {
    const text = await textOf(path);
    if (text !== null) {
      const covered = (n: number) => spans.some((s) => n >= s.line && n <= s.last);
      text.split('\n').forEach((l, i) => {
        if ((matcher.bytes as RegExp).test(l) && !covered(i + 1)) spans.push({ line: i + 1, last: i + 1 });
      });
    }
  }
  return spans.sort((a, b) => a.line - b.line);
}

async function scanRecords(
  path: string,
  contract: DatasetContract,
  matcher: SourceMatcher,
  workDir: string,
): Promise<LineSpan[]> {
  const db = await createDuckDB(':memory:', {
    threads: '1',
    temp_directory: join(workDir, 'spill'),
    enable_external_access: 'true',
  });
  const conn = await db.connect();
  try {
    const info = await createSource(conn, { inputPath: path, contract, workDir });
    const where = matcher.predicate(contract, info.columns);
    if (!where) return [];
    const cells = info.columns.map((_, i) => `coalesce(${ident(`s${i}`)}, '')`).join(' || ');
    // Line breaks inside a record's values (CSV, TSV) make it span more lines; elsewhere a record is one line.
    const multiline = contract.format.type === 'csv' || contract.format.type === 'tsv';
    const extra = multiline && cells ? `length(${cells}) - length(replace(${cells}, chr(10), ''))` : '0';
    const r = await conn.runAndReadAll(
      `SELECT __line, __line + ${extra} FROM src WHERE coalesce(${where}, false) ORDER BY __line`,
    );
    return r.getRows().map(([line, last]) => ({ line: Number(line), last: Number(last) }));
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** The original as text for the byte search (gunzipped), or null for a format without lines of text. */
async function textOf(path: string): Promise<string | null> {
  let bytes = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return null; // a zip (xlsx): no lines
  // Digits are ASCII in UTF-8 and GB18030 alike; latin1 keeps one character per byte, so lines stay lines.
  return bytes.toString('latin1');
}

/** A person: any cell whose trimmed, upper-cased value is the normalized ID. */
export function personMatcher(residentId: string): SourceMatcher {
  return {
    predicate: (_contract, columns) =>
      columns.length === 0
        ? null
        : columns.map((_, i) => `upper(trim(${ident(`s${i}`)})) = '${residentId}'`).join(' OR '),
    bytes: new RegExp(`(?<![0-9])${residentId.replace('X', '[Xx]')}(?![0-9A-Za-z])`),
  };
}

/** One dataset's primary key: the key fields' source columns (by the engine's header match) equal the values. */
export function keyMatcher(key: Readonly<Record<string, string>>): SourceMatcher {
  return {
    predicate: (contract, columns) => {
      const { mapping } = matchHeader(contract, [...columns]);
      const terms: string[] = [];
      for (const [field, value] of Object.entries(key)) {
        const source = mapping.get(field);
        if (!source) return null;
        terms.push(`trim(${source.source}) = '${value.replaceAll("'", "''")}'`);
      }
      return terms.join(' AND ');
    },
    bytes: null,
  };
}
