/**
 * A query on Athena that the portal answers within API Gateway's 29 seconds: polled until `waitMs`, then
 * stopped (StopQueryExecution, by the poll that sees the deadline passed) and failed. The rows stream as
 * Athena pages them, under the same deadline; a failure at start or while paging becomes what `explain`
 * makes of it, told whether the deadline passed. Used for an analyst's SQL (aws-query.ts) and an
 * enterprise's granted download (aws-enterprise.ts).
 */
import type { AthenaClient } from '@aws-sdk/client-athena';
import { type AthenaPages, startAthenaQuery } from '../cli/aws/athena.ts';
import type { QueryStream } from '../cli/backend.ts';

export interface DeadlineQuery {
  sql: string;
  workGroup: string;
  /** How long the query may take, rows included. */
  waitMs: number;
  /** Between two polls of Athena. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** The error to answer for a failure; `timedOut` when the deadline had passed. */
  explain(e: unknown, timedOut: boolean): unknown;
}

/** Runs `q` on `athena` (which it destroys when the rows are read or the query fails). */
export async function queryWithin(athena: AthenaClient, q: DeadlineQuery): Promise<QueryStream> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), q.waitMs);
  timer.unref?.();
  const done = () => {
    clearTimeout(timer);
    athena.destroy();
  };
  let r: AthenaPages;
  try {
    // Past the deadline, the next poll stops the query (StopQueryExecution) and throws.
    r = await startAthenaQuery(athena, {
      sql: q.sql,
      workGroup: q.workGroup,
      signal: deadline.signal,
      sleep: q.sleep,
    });
  } catch (e) {
    done();
    throw q.explain(e, deadline.signal.aborted);
  }
  const pages = r.pages;
  async function* batches(): AsyncGenerator<Record<string, unknown>[]> {
    try {
      yield* pages;
    } catch (e) {
      throw q.explain(e, deadline.signal.aborted);
    } finally {
      done();
    }
  }
  return { columns: r.columns, batches: batches(), scannedBytes: r.scannedBytes };
}
