/**
 * moto runs no SQL: its Athena answers each query with the next result queued through its control API
 * (/moto-api/static/athena/query-results), or with nothing. This queues one, as Athena would give it.
 */
import { MOTO_ACCOUNT, MOTO_REGION } from './moto-server.ts';

/** Queues the answer to the next query: its rows as text (a SELECT's first row the labels), its metadata. */
export async function queueAthenaResult(
  direct: string,
  rows: string[][],
  columnInfo: object[],
): Promise<void> {
  const r = await fetch(`${direct}/moto-api/static/athena/query-results`, {
    method: 'POST',
    body: JSON.stringify({
      account_id: MOTO_ACCOUNT,
      region: MOTO_REGION,
      results: [
        {
          rows: rows.map((row) => ({ Data: row.map((v) => ({ VarCharValue: v })) })),
          column_info: columnInfo,
        },
      ],
    }),
  });
  if (r.status !== 201)
    throw new Error(`moto did not queue the Athena result: HTTP ${r.status} ${await r.text()}`);
}
