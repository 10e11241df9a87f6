/**
 * Running one SQL statement on Athena: start it in the lake's workgroup, poll until it ends (reporting
 * progress), then page through the results. Values are typed from the result metadata.
 */
import {
  type AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { QueryColumn } from '../backend.ts';

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

const INTEGER = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint']);
const FLOAT = new Set(['double', 'float', 'real', 'decimal']);

/** A cell's text as a JSON value of its column's type. */
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
  if (type === 'boolean') return text === 'true';
  return text;
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

export async function runAthenaQuery(athena: AthenaClient, opts: AthenaQueryOptions): Promise<AthenaResult> {
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

  let columns: QueryColumn[] = [];
  let info: ColumnInfo[] = [];
  const rows: Record<string, unknown>[] = [];
  let NextToken: string | undefined;
  let first = true;
  do {
    const page = await athena.send(
      new GetQueryResultsCommand({ QueryExecutionId: id, NextToken, MaxResults: RESULTS_PAGE_SIZE }),
    );
    let data = page.ResultSet?.Rows ?? [];
    if (first) {
      info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      columns = info.map((c) => ({ name: c.Label ?? c.Name ?? '', type: c.Type ?? 'varchar' }));
      const head = data[0]?.Data?.map((d) => d.VarCharValue);
      const dml = execution?.StatementType === 'DML';
      // A result without column metadata: the columns are named from its rows, every value as text.
      const bare = columns.length === 0 && head !== undefined;
      if (bare) columns = columnsWithoutMetadata(head, dml);
      // The first row of a SELECT's results repeats the column labels.
      if (dml && (bare || head?.every((h, i) => h === columns[i]?.name))) data = data.slice(1);
    }
    for (const row of data) {
      const obj: Record<string, unknown> = {};
      columns.forEach((c, i) => {
        obj[c.name] = athenaValue(row.Data?.[i]?.VarCharValue, c.type);
      });
      rows.push(obj);
    }
    first = false;
    NextToken = page.NextToken;
  } while (NextToken);

  return {
    queryExecutionId: id,
    columns,
    rows,
    scannedBytes: execution?.Statistics?.DataScannedInBytes ?? 0,
  };
}
