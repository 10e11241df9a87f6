/**
 * Personal data in the fields a contract does not declare as such: every value of every row is searched
 * (src/privacy/find.ts, inside DuckDB), whole values and pieces inside text alike. What happens to a find
 * is the contract's `undeclaredPii`:
 *
 * - a column that is personal data by nature (at least `threshold` of its non-empty values are each one
 *   piece of one kind) quarantines the file (`quarantine`, the default), is masked (`mask`, string
 *   fields), or has its rows quarantined (`quarantine-rows`);
 * - occasional finds are redacted in place (string fields), or their rows quarantined
 *   (`quarantine-rows`, and any typed field, whose published type could not hold a mask).
 *
 * Extra columns (not in the contract) are published nowhere: a sample of each tells the steward what the
 * file holds; those read from inside nested JSON objects are searched in every value.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { type DatasetContract, DETECTED_PII, type DetectedPiiKind } from '../contracts/schema.ts';
import { sqlKinds, sqlMayHold, sqlWholeKind } from '../privacy/find.ts';
import { DEFAULT_PII_MIN_SAMPLES, DEFAULT_PII_THRESHOLD, detectPii } from '../privacy/scan.ts';
import { type FieldMapping, looksPersonal } from './header-match.ts';
import type { PiiFlagged, PiiFound } from './report.ts';
import type { SourceInfo } from './source.ts';
import { ident } from './sql.ts';

/** Rows sampled per extra column to look for personal data. */
export const PII_SAMPLE_ROWS = 2000;
/** Source lines listed per column with finds. */
export const MAX_FOUND_LINES = 20;
/** Columns scanned per query. */
const SCAN_COLUMNS = 64;
/** Extra columns (not in the contract) sampled at most. */
const PII_SAMPLE_EXTRA_COLUMNS = 256;

/** How the publishing pass treats a field's finds: redacted in place, or the rows quarantined. */
export type FindHandling = 'redact' | 'quarantine-rows';

export interface UndeclaredScan {
  /** Columns that are personal data by nature (and sampled extra columns). */
  flagged: PiiFlagged[];
  /** Occasional finds, per column. */
  found: PiiFound[];
  /** Fields masked as a whole (by the contract's policy, or in the quarantined file), with their kind. */
  masked: Map<string, DetectedPiiKind>;
  /** Fields whose finds the publishing pass handles value by value. */
  handling: Map<string, FindHandling>;
}

export interface Candidate {
  field: string;
  /** The VARCHAR source column. */
  expr: string;
  text: boolean;
  /** Declared `protect: redact`: its finds are counted; its protection redacts them. */
  redacted: boolean;
}

/**
 * Per candidate, over every row: its non-empty values, the values holding each kind, the values that are
 * each one piece of each kind, and the values holding any. A first query counts the non-empty values and
 * those the one cheap test (sqlMayHold) lets through; only those rows, and only the columns that have
 * any, are searched by a second one. A value the test stops holds no kind, so the counts are the same
 * as searching every value.
 */
async function countFinds(
  conn: DuckDBConnection,
  batch: readonly Candidate[],
): Promise<{ nonEmpty: number; kinds: number[]; whole: number[]; values: number }[]> {
  const x = (c: Candidate) => `nullif(${c.expr}, '')`;
  const first = await conn.runAndReadAll(
    `SELECT ${batch.map((c) => `count(${x(c)}), count(*) FILTER (WHERE ${sqlMayHold(x(c))})`).join(', ')} FROM src WHERE __row_rule IS NULL`,
  );
  const firstRow = first.getRows()[0].map(Number);
  const n = DETECTED_PII.length;
  const result = batch.map((_, i) => ({
    nonEmpty: firstRow[2 * i],
    kinds: new Array<number>(n).fill(0),
    whole: new Array<number>(n).fill(0),
    values: 0,
  }));
  const searched = batch.flatMap((c, i) => (firstRow[2 * i + 1] > 0 ? [{ c, i }] : []));
  if (searched.length === 0) return result;
  const inner = searched.map(({ c }, j) => `${x(c)} AS x${j}`);
  const middle = searched.map((_, j) => `${sqlKinds(`x${j}`)} AS k${j}, ${sqlWholeKind(`x${j}`)} AS w${j}`);
  const counts = searched.flatMap((_, j) => [
    ...DETECTED_PII.map((k) => `count(*) FILTER (WHERE list_contains(k${j}, '${k}'))`),
    ...DETECTED_PII.map((k) => `count(*) FILTER (WHERE w${j} = '${k}')`),
    `count(*) FILTER (WHERE len(k${j}) > 0)`,
  ]);
  const any = searched.map(({ c }) => sqlMayHold(x(c))).join(' OR ');
  const r = await conn.runAndReadAll(
    `SELECT ${counts.join(', ')} FROM (SELECT ${middle.join(', ')} FROM (SELECT ${inner.join(', ')} FROM src WHERE __row_rule IS NULL AND (${any})))`,
  );
  const row = r.getRows()[0].map(Number);
  const width = 1 + 2 * n;
  for (const [j, { i }] of searched.entries()) {
    const at = j * width;
    result[i] = {
      nonEmpty: result[i].nonEmpty,
      kinds: row.slice(at, at + n),
      whole: row.slice(at + n, at + 2 * n),
      values: row[at + 2 * n],
    };
  }
  return result;
}

async function foundLines(conn: DuckDBConnection, c: Candidate): Promise<number[]> {
  const x = `nullif(${c.expr}, '')`;
  const r = await conn.runAndReadAll(
    `SELECT __line FROM src WHERE __row_rule IS NULL AND ${sqlMayHold(x)} AND len(${sqlKinds(x)}) > 0 ORDER BY __line LIMIT ${MAX_FOUND_LINES}`,
  );
  return r.getRows().map((row) => Number(row[0]));
}

/** The kind most of a column's values are, when that share reaches the threshold. */
function byNature(nonEmpty: number, whole: number[], threshold: number) {
  if (nonEmpty < DEFAULT_PII_MIN_SAMPLES) return null;
  let best: { kind: DetectedPiiKind; ratio: number } | null = null;
  DETECTED_PII.forEach((kind, k) => {
    const ratio = whole[k] / nonEmpty;
    if (ratio > 0 && ratio >= threshold && (!best || ratio > best.ratio)) best = { kind, ratio };
  });
  return best as { kind: DetectedPiiKind; ratio: number } | null;
}

/** What the extra columns hold: the sampled columns flagged, and the finds in nested JSON values. */
export interface ExtrasScan {
  flagged: PiiFlagged[];
  found: PiiFound[];
}

/**
 * Searches every value of the extra columns read from inside nested JSON objects (a record's
 * `contact.phone` no field maps): the steward cannot see them as columns of the file, so each find is
 * reported, though the values are published nowhere.
 */
async function searchNested(
  conn: DuckDBConnection,
  extraIdx: readonly number[],
  source: SourceInfo,
): Promise<PiiFound[]> {
  const nested = new Set(source.nested ?? []);
  const candidates: Candidate[] = extraIdx
    .filter((i) => nested.has(i))
    .map((i) => ({ field: source.columns[i], expr: ident(`s${i}`), text: true, redacted: false }));
  const found: PiiFound[] = [];
  for (let start = 0; start < candidates.length; start += SCAN_COLUMNS) {
    const batch = candidates.slice(start, start + SCAN_COLUMNS);
    const counts = await countFinds(conn, batch);
    for (const [i, c] of batch.entries()) {
      if (counts[i].values === 0) continue;
      const kinds: Record<string, number> = {};
      DETECTED_PII.forEach((kind, k) => {
        if (counts[i].kinds[k] > 0) kinds[kind] = counts[i].kinds[k];
      });
      found.push({
        column: looksPersonal(c.field) ? '(a nested key)' : c.field,
        kinds,
        values: counts[i].values,
        lines: await foundLines(conn, c),
        action: 'not-published',
      });
    }
  }
  return found;
}

/**
 * Samples the extra columns (not in the contract): flagged when one looks like personal data; the
 * extra columns from nested JSON objects are searched in every value.
 */
export async function sampleExtras(
  conn: DuckDBConnection,
  extraIdx: readonly number[],
  source: SourceInfo,
  threshold: number,
): Promise<ExtrasScan> {
  const found = await searchNested(conn, extraIdx, source);
  const columns = extraIdx.slice(0, PII_SAMPLE_EXTRA_COLUMNS);
  const flagged: PiiFlagged[] = [];
  for (let start = 0; start < columns.length; start += SCAN_COLUMNS * 4) {
    const batch = columns.slice(start, start + SCAN_COLUMNS * 4);
    const r = await conn.runAndReadAll(
      `SELECT ${batch.map((i) => ident(`s${i}`)).join(', ')} FROM src WHERE __row_rule IS NULL LIMIT ${PII_SAMPLE_ROWS}`,
    );
    const rows = r.getRows();
    batch.forEach((i, col) => {
      const values = rows.map((row) => row[col]).filter((x): x is string => typeof x === 'string');
      const hit = detectPii(values, { threshold, minSamples: DEFAULT_PII_MIN_SAMPLES });
      if (!hit) return;
      const h = source.columns[i];
      flagged.push({
        column: h && !looksPersonal(h) ? h : `(column ${i + 1})`,
        detector: hit.kind,
        ratio: Math.round(hit.ratio * 1000) / 1000,
        sampled: hit.sampled,
        action: 'not-published',
      });
    });
  }
  return { flagged, found };
}

/** The fields whose values are searched: in the file, and not declared as personal data (or redacted). */
export function undeclaredCandidates(contract: DatasetContract, mapping: FieldMapping): Candidate[] {
  const candidates: Candidate[] = [];
  for (const f of contract.fields) {
    const m = mapping.get(f.name);
    // `pii: none` opts a field out; a field declaring a kind is protected by its own action.
    if (m && (f.protect === 'redact' || f.pii === undefined)) {
      candidates.push({
        field: f.name,
        expr: m.source,
        text: f.type === 'string',
        redacted: f.protect === 'redact',
      });
    }
  }
  return candidates;
}

/**
 * What the scan finds when no value of any candidate passes the cheap test (sqlMayHold): nothing, so
 * only the extra columns' sample counts.
 */
export function emptyScan(extras: ExtrasScan): UndeclaredScan {
  return { flagged: [...extras.flagged], found: [...extras.found], masked: new Map(), handling: new Map() };
}

/**
 * Searches every value of the fields not declared as personal data, and decides what each find gets.
 * `extras` is the extra columns' sample when already taken.
 */
export async function scanUndeclared(
  conn: DuckDBConnection,
  contract: DatasetContract,
  mapping: FieldMapping,
  extraIdx: number[],
  source: SourceInfo,
  threshold = DEFAULT_PII_THRESHOLD,
  extras?: ExtrasScan,
): Promise<UndeclaredScan> {
  const scan: UndeclaredScan = { flagged: [], found: [], masked: new Map(), handling: new Map() };
  const candidates = undeclaredCandidates(contract, mapping);
  const policy = contract.undeclaredPii;
  for (let start = 0; start < candidates.length; start += SCAN_COLUMNS) {
    const batch = candidates.slice(start, start + SCAN_COLUMNS);
    const counts = await countFinds(conn, batch);
    for (const [i, c] of batch.entries()) {
      const { nonEmpty, kinds: byKind, whole, values } = counts[i];
      if (values === 0) continue;
      const nature = c.redacted ? null : byNature(nonEmpty, whole, threshold);
      if (nature) {
        // A masked value is text: only a string field can be masked without changing its published type.
        const action = policy === 'mask' ? (c.text ? 'mask' : 'quarantine') : policy;
        scan.flagged.push({
          column: c.field,
          detector: nature.kind,
          ratio: Math.round(nature.ratio * 1000) / 1000,
          sampled: nonEmpty,
          action,
        });
        // Masked wherever it is written: in curated, or in the quarantine that takes the whole file.
        if (action === 'mask' || action === 'quarantine') scan.masked.set(c.field, nature.kind);
        if (action === 'quarantine-rows') scan.handling.set(c.field, 'quarantine-rows');
        continue;
      }
      const handling: FindHandling =
        !c.redacted && (policy === 'quarantine-rows' || !c.text) ? 'quarantine-rows' : 'redact';
      if (!c.redacted) scan.handling.set(c.field, handling);
      const kinds: Record<string, number> = {};
      DETECTED_PII.forEach((kind, k) => {
        if (byKind[k] > 0) kinds[kind] = byKind[k];
      });
      scan.found.push({
        column: c.field,
        kinds,
        values,
        lines: await foundLines(conn, c),
        action: handling === 'redact' ? 'redacted' : 'quarantined',
      });
    }
  }
  const extra = extras ?? (await sampleExtras(conn, extraIdx, source, threshold));
  scan.flagged.push(...extra.flagged);
  scan.found.push(...extra.found);
  return scan;
}
