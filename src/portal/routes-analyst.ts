/**
 * The analyst's (and an enterprise's) API: the government catalogue (for an enterprise: what is opened
 * to it) with each dataset's classification, sharing and opening, and what the principal reads of it (or
 * whether a request can give access); access requests and "my requests"; SQL over the tables it may read,
 * as a table (the first rows) or as a CSV download of all of them. The query engine enforces the grants:
 * the portal never decides what a query may read.
 */
import type { Hono } from 'hono';
import { ApiError } from './api-error.ts';
import { catalogueItems } from './catalogue-view.ts';
import { csvStreamResponse } from './csv-response.ts';
import { type PortalEnv, signedIn } from './env.ts';
import { actorOf, textField } from './routes-decisions.ts';
import { mayView } from './routes-public.ts';
import type { PortalServices } from './services.ts';

/** Rows the SQL page shows; the CSV download has them all. */
export const QUERY_PAGE_ROWS = 500;
/** The longest statement the SQL page takes. */
const MAX_SQL_LENGTH = 20_000;

function sqlOf(body: unknown): string {
  const sql = textField(body, 'sql')?.trim() ?? '';
  if (!sql)
    throw new ApiError(400, 'bad_request', 'the query is empty', 'Write a SELECT over the tables listed.');
  if (sql.length > MAX_SQL_LENGTH)
    throw new ApiError(
      400,
      'bad_request',
      `the query is longer than ${MAX_SQL_LENGTH} characters`,
      'Shorten it.',
    );
  return sql;
}

export function analystRoutes(app: Hono<PortalEnv>, s: PortalServices): void {
  app.get('/api/gov/catalog', async (c) => {
    const who = signedIn(c.get('who'), ['analyst', 'steward', 'enterprise']);
    // An enterprise sees what is opened to it (open data, and what it may request), not the government's list.
    const items = await catalogueItems(s, (contract) => mayView(who, contract));
    const access = await s.access.readable(actorOf(who));
    return c.json({
      datasets: items.map((i) => ({ ...i, access: access.get(i.dataset) ?? null })),
    });
  });

  app.post('/api/requests', async (c) => {
    const who = actorOf(signedIn(c.get('who'), ['analyst', 'enterprise']));
    const body = await c.req.json().catch(() => null);
    const columns = (body as { columns?: unknown } | null)?.columns;
    const request = await s.access.request(who, {
      dataset: textField(body, 'dataset') ?? '',
      purpose: textField(body, 'purpose') ?? '',
      until: textField(body, 'until') ?? '',
      columns: Array.isArray(columns) && columns.length > 0 ? columns.map(String) : null,
    });
    return c.json({ request }, 201);
  });

  app.get('/api/requests/mine', async (c) => {
    const who = actorOf(signedIn(c.get('who')));
    return c.json({ requests: await s.access.mine(who) });
  });

  app.post('/api/query', async (c) => {
    const who = signedIn(c.get('who'), ['analyst', 'steward', 'enterprise']);
    const stream = await s.queryAs(who, sqlOf(await c.req.json().catch(() => null)));
    const rows: Record<string, unknown>[] = [];
    let truncated = false;
    for await (const batch of stream.batches) {
      rows.push(...batch.slice(0, QUERY_PAGE_ROWS - rows.length));
      if (rows.length >= QUERY_PAGE_ROWS) {
        truncated = true;
        break;
      }
    }
    return c.json({ columns: stream.columns, rows, truncated, limit: QUERY_PAGE_ROWS });
  });

  app.post('/api/query.csv', async (c) => {
    const who = signedIn(c.get('who'), ['analyst', 'steward', 'enterprise']);
    const stream = await s.queryAs(who, sqlOf(await c.req.json().catch(() => null)));
    return csvStreamResponse(
      c,
      'query.csv',
      stream,
      s.maxDownloadBytes
        ? {
            bytes: s.maxDownloadBytes,
            hint: 'Narrow the query (fewer columns, a WHERE, a LIMIT), or run it with `lake query "<sql>" --output <file>.csv` as your analyst role: the CLI writes a result of any size.',
          }
        : undefined,
    );
  });
}
