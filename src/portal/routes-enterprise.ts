/**
 * An enterprise's granted download: `GET /api/datasets/<department>/<dataset>/granted.csv` gives a
 * signed-in enterprise the columns its approved, unexpired request grants of a conditionally opened
 * dataset, as CSV, and nothing without one (403, saying how to ask). The request is checked here, in the
 * access records, before every read, the same way locally and deployed; the read itself is the granted
 * columns only: locally the query engine as the enterprise (which enforces the grant again), deployed
 * Athena as the portal's enterprise role (aws-enterprise.ts), whose Lake Formation ceiling is every
 * enterprise's most.
 */
import type { Hono } from 'hono';
import { ident } from '../engine/sql.ts';
import { ApiError } from './api-error.ts';
import { csvStreamResponse } from './csv-response.ts';
import { type PortalEnv, signedIn } from './env.ts';
import { actorOf } from './routes-decisions.ts';
import { mayView } from './routes-public.ts';
import type { PortalServices } from './services.ts';

/** The one statement a granted download runs: the granted columns of the table, nothing else. */
export function grantedSql(schema: string, table: string, columns: readonly string[]): string {
  if (columns.length === 0) throw new Error('a granted download needs at least one column');
  return `SELECT ${columns.map(ident).join(', ')} FROM ${ident(schema)}.${ident(table)}`;
}

/** The download's path of a dataset, as the web app links it. */
export function grantedDownloadPath(dataset: string): string {
  return `/api/datasets/${dataset}/granted.csv`;
}

export function enterpriseRoutes(app: Hono<PortalEnv>, s: PortalServices): void {
  app.get('/api/datasets/:department/:name/granted.csv', async (c) => {
    const who = signedIn(c.get('who'), ['enterprise']);
    const key = `${c.req.param('department')}/${c.req.param('name')}`;
    const contract = s.contracts.datasets.get(key);
    if (!contract || !mayView(who, contract))
      throw new ApiError(
        404,
        'unknown_dataset',
        // Named only when it is a dataset id: the path is whatever the caller sent.
        `there is no dataset ${/^[a-z][a-z0-9_]*\/[a-z][a-z0-9_]*$/.test(key) ? key : '(at that path)'} opened to requests`,
        'The catalogue lists what is opened to you.',
      );
    if (contract.opening?.type !== 'conditional')
      throw new ApiError(
        403,
        'no_grant',
        `${key} is open data: it is downloaded from its page, without a request`,
        `Open /open/${key}/ from the dataset's page (下载).`,
      );
    const access = await s.access.canRead(actorOf(who), key);
    if (access.basis !== 'grant' || access.columns.length === 0)
      throw new ApiError(
        403,
        'no_grant',
        `you have no approved, unexpired request for ${key}`,
        `Ask for it on the dataset's page (申请访问); its steward decides. A request that was denied, revoked or has expired gives nothing: ask again.`,
      );
    const stream = await s.readGranted(who, key, access.columns);
    return csvStreamResponse(
      c,
      `${c.req.param('name')}-granted.csv`,
      stream,
      s.maxDownloadBytes
        ? {
            bytes: s.maxDownloadBytes,
            hint: 'Ask the data’s steward for an extract (a request for fewer columns gives a smaller download).',
          }
        : undefined,
    );
  });
}
