/**
 * Running one SQL statement on Athena: start it in the lake's workgroup, poll until it ends (reporting
 * progress), then page through the results, a page at a time (an export writes each page as it comes).
 * Values are typed from the result metadata; integers and decimals a double cannot hold exactly stay text.
 */
import {
  type AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecution,
  type Row,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { QueryColumn, QueryStream } from '../backend.ts';
import { CliError } from '../errors.ts';
import type { ProgressReporter } from '../progress.ts';

/** First wait between two polls; it doubles up to POLL_MAX_MS. */
export const POLL_START_MS = 200;
export const POLL_MAX_MS = 2000;
/** Rows per GetQueryResults page (Athena's maximum). */
export const RESULTS_PAGE_SIZE = 1000;

export class AthenaQueryError extends Error {
  constructor(
    message: string,
    readonly queryExecutionId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AthenaQueryError';
  }
}

export interface AthenaQueryOptions {
  sql: string;
  workGroup: string;
  /** Called after each poll with the state and the bytes scanned so far. */
  onPoll?: (state: string, scannedBytes: number) => void;
  signal?: AbortSignal;
  /** For tests. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

export interface AthenaResult {
  queryExecutionId: string;
  columns: QueryColumn[];
  rows: Record<string, unknown>[];
  scannedBytes: number;
}

/** A query that has run: its columns, and its rows a results page at a time (read once). */
export interface AthenaPages {
  queryExecutionId: string;
  columns: QueryColumn[];
  pages: AsyncGenerator<Record<string, unknown>[]>;
  scannedBytes: number;
}

const INTEGER = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint']);
const FLOAT = new Set(['double', 'float', 'real']);
const DECIMAL = /^decimal(?:\(\s*\d+\s*,\s*(\d+)\s*\))?$/;

/** A cell's text as a JSON value of its column's type: a number only where a double holds it exactly. */
export function athenaValue(text: string | undefined, type: string): unknown {
  if (text === undefined) return null;
  if (INTEGER.has(type)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  if (FLOAT.has(type)) {
    const n = Number(text);
    return Number.isNaN(n) && text !== 'NaN' ? text : n;
  }
  const decimal = DECIMAL.exec(type);
  if (decimal) {
    const n = Number(text);
    if (!Number.isFinite(n)) return text;
    // Written back at the column's scale, the number must give the same digits: 12.50 → 12.5, while
    // 12345678901234567.89 stays text.
    return decimal[1] !== undefined
      ? n.toFixed(Number(decimal[1])) === text
        ? n
        : text
      : String(n) === text
        ? n
        : text;
  }
  if (type === 'boolean') return text === 'true';
  return text;
}

/** A result column's type, with a decimal's precision and scale (`decimal(38,2)`) as the metadata gives them. */
function columnType(c: ColumnInfo): string {
  const type = c.Type ?? 'varchar';
  return type === 'decimal' && c.Precision !== undefined && c.Scale !== undefined
    ? `decimal(${c.Precision},${c.Scale})`
    : type;
}

/**
 * Columns of a result that came without metadata: a SELECT's first row holds the labels; other statements
 * get Athena's own names for unnamed columns (`_col0`, `_col1`...). Every column is typed varchar.
 */
export function columnsWithoutMetadata(head: (string | undefined)[], dml: boolean): QueryColumn[] {
  return head.map((label, i) => ({
    name: dml && label ? label : `_col${i}`,
    type: 'varchar',
  }));
}

/** Runs the statement, then collects every page of its result. */
export async function runAthenaQuery(athena: AthenaClient, opts: AthenaQueryOptions): Promise<AthenaResult> {
  const r = await startAthenaQuery(athena, opts);
  const rows: Record<string, unknown>[] = [];
  for await (const page of r.pages) rows.push(...page);
  return { queryExecutionId: r.queryExecutionId, columns: r.columns, rows, scannedBytes: r.scannedBytes };
}

/** Starts the statement, polls until it ends, and reads the first results page (for the columns). */
export async function startAthenaQuery(athena: AthenaClient, opts: AthenaQueryOptions): Promise<AthenaPages> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = await athena.send(
    new StartQueryExecutionCommand({ QueryString: opts.sql, WorkGroup: opts.workGroup }),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new AthenaQueryError('Athena did not return a query execution id');

  let execution: QueryExecution | undefined;
  for (let wait = POLL_START_MS; ; wait = Math.min(wait * 2, POLL_MAX_MS)) {
    if (opts.signal?.aborted) {
      await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
      throw new AthenaQueryError('the query was cancelled', id);
    }
    const r = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    execution = r.QueryExecution;
    const state = execution?.Status?.State ?? 'QUEUED';
    opts.onPoll?.(state, execution?.Statistics?.DataScannedInBytes ?? 0);
    if (state === 'SUCCEEDED') break;
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason = execution?.Status?.StateChangeReason ?? execution?.Status?.AthenaError?.ErrorMessage;
      throw new AthenaQueryError(reason ?? `the query ended ${state}`, id);
    }
    await sleep(wait);
  }

  const getPage = (NextToken: string | undefined) =>
    athena.send(
      new GetQueryResultsCommand({ QueryExecutionId: id, NextToken, MaxResults: RESULTS_PAGE_SIZE }),
    );
  const first = await getPage(undefined);
  const info = first.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
  let columns: QueryColumn[] = info.map((c) => ({ name: c.Label ?? c.Name ?? '', type: columnType(c) }));
  let firstRows = first.ResultSet?.Rows ?? [];
  const head = firstRows[0]?.Data?.map((d) => d.VarCharValue);
  const dml = execution?.StatementType === 'DML';
  // A result without column metadata: the columns are named from its rows, every value as text.
  const bare = columns.length === 0 && head !== undefined;
  if (bare) columns = columnsWithoutMetadata(head, dml);
  // The first row of a SELECT's results repeats the column labels.
  if (dml && (bare || head?.every((h, i) => h === columns[i]?.name))) firstRows = firstRows.slice(1);

  const toObjects = (rows: Row[]) =>
    rows.map((row) => {
      const obj: Record<string, unknown> = {};
      columns.forEach((c, i) => {
        obj[c.name] = athenaValue(row.Data?.[i]?.VarCharValue, c.type);
      });
      return obj;
    });
  async function* pages(): AsyncGenerator<Record<string, unknown>[]> {
    yield toObjects(firstRows);
    let NextToken = first.NextToken;
    while (NextToken) {
      if (opts.signal?.aborted) throw new AthenaQueryError('the query was cancelled', id);
      const page = await getPage(NextToken);
      yield toObjects(page.ResultSet?.Rows ?? []);
      NextToken = page.NextToken;
    }
  }
  return {
    queryExecutionId: id,
    columns,
    pages: pages(),
    scannedBytes: execution?.Statistics?.DataScannedInBytes ?? 0,
  };
}

/** An Athena failure in the CLI's terms: what Athena said, how to fix it, and the query id to look it up. */
function queryFailed(e: unknown): unknown {
  if (!(e instanceof AthenaQueryError)) return e;
  return new CliError(`the query failed: ${e.message}`, {
    hint: `Fix the SQL (Athena's dialect). Tables are <database>.<dataset>: \`lake catalog\` lists them.${e.queryExecutionId ? ` Query id ${e.queryExecutionId}.` : ''}`,
    code: 'query_failed',
    cause: e,
  });
}

/**
 * An analyst's query on Athena for `lake query`: runs it in the workgroup with its progress on `progress`
 * (state, bytes scanned), and returns its columns and its rows a results page at a time.
 */
export async function athenaQueryStream(
  athena: AthenaClient,
  opts: { sql: string; workGroup: string; progress: ProgressReporter; signal?: AbortSignal },
): Promise<QueryStream> {
  const { progress } = opts;
  progress.phase('query queued');
  let r: AthenaPages;
  try {
    r = await startAthenaQuery(athena, {
      sql: opts.sql,
      workGroup: opts.workGroup,
      signal: opts.signal,
      onPoll: (state, scanned) => {
        progress.phase(`query ${state.toLowerCase()}`);
        progress.update(scanned, undefined, scanned > 0 ? `${scanned} bytes scanned` : undefined);
      },
    });
  } catch (e) {
    throw queryFailed(e);
  } finally {
    progress.done();
  }
  const pages = r.pages;
  async function* batches(): AsyncGenerator<Record<string, unknown>[]> {
    try {
      yield* pages;
    } catch (e) {
      throw queryFailed(e);
    }
  }
  return { columns: r.columns, batches: batches(), scannedBytes: r.scannedBytes };
}
