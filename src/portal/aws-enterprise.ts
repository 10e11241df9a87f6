/**
 * Enterprises in the deployed portal (conditional opening). An enterprise has no AWS role of its own: the
 * portal is its identity provider (Cognito vouches for the group `enterprise-<name>`, cognito-groups.ts)
 * and acts for it as the lake's one enterprise role (lib/portal/portal-enterprise.ts), assumed for the
 * signed-in user in a session named after their opaque Cognito id (`lake-cli-portal-<sub>`):
 *
 * - asking: `POST /enterprises/<name>/requests` on the access API, signed as that role; the API records
 *   the request as `enterprise:<name>` and the owning steward decides as on any request. An enterprise's
 *   own requests are read from the access table (aws-services.ts).
 * - reading: the role's Lake Formation ceiling is every conditionally opened table's public, non-personal
 *   columns, the same for every enterprise. Which of them THIS enterprise reads, and until when, is its
 *   approved, unexpired request: the download route checks it in the access table before every read
 *   (routes-enterprise.ts), then reads exactly the granted columns, `SELECT <columns> FROM <db>.<table>`,
 *   on Athena as the role in its own workgroup (readGrantedOnAthena).
 * - free SQL is refused (403, refuseEnterpriseSql): run as the shared role, one enterprise's query could
 *   read what another enterprise was granted.
 */
import type { AccessRequest } from '../access/model.ts';
import type { Principal } from '../access/principal.ts';
import type { Actor, NewRequest } from '../access/service.ts';
import { ApiAccessClient } from '../cli/aws/access-api.ts';
import { AthenaQueryError } from '../cli/aws/athena.ts';
import type { AwsClientFactory } from '../cli/aws/aws-clients.ts';
import type { QueryStream } from '../cli/backend.ts';
import { ApiError } from './api-error.ts';
import { actAs, type RoleCredentials } from './assume.ts';
import { queryWithin } from './athena-deadline.ts';
import { grantedSql } from './routes-enterprise.ts';

/** The portal's enterprise role and the Athena workgroup it reads granted data in (from the stack). */
export interface PortalEnterpriseConfig {
  roleArn: string;
  workGroup: string;
}

/** How long the portal waits for Athena, rows included: under API Gateway's 29 seconds. */
export const DOWNLOAD_WAIT_MS = 25_000;

export interface EnterpriseDeps {
  clients: AwsClientFactory;
  /** The role and workgroup; undefined: a stack deployed without them, and enterprises get 501. */
  config?: PortalEnterpriseConfig;
  /** The user's opaque id (Cognito `sub`): names the role session. */
  user: string | null;
  /** The access API's base URL; null: asking answers 501. */
  url?: string | null;
  /** The region to sign for. @default - the URL's */
  region?: string;
  fetch?: typeof fetch;
  /** @default DOWNLOAD_WAIT_MS */
  waitMs?: number;
  /** Between two polls of Athena. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

const REDEPLOY =
  'Ask the platform team to deploy the lake again with the portal: the core stack creates the role the portal acts as for enterprises (lib/portal/portal-enterprise.ts).';

/** The enterprise role's credentials for the signed-in user. */
async function enterpriseCredentials(deps: EnterpriseDeps, what: string): Promise<RoleCredentials> {
  if (!deps.config)
    throw new ApiError(
      501,
      'not_in_deployed_portal',
      `${what} is not set up in this deployed portal`,
      REDEPLOY,
    );
  if (!deps.user)
    throw new ApiError(
      403,
      'forbidden',
      'the portal cannot act for a sign-in without a user id',
      'Sign in again (登录).',
    );
  return actAs(deps.clients, deps.config.roleArn, deps.user, 'its enterprise role', REDEPLOY);
}

/** Enterprise `who` asks through the access API, as the portal's enterprise role. */
export async function requestAsEnterprise(
  who: Actor,
  req: NewRequest,
  deps: EnterpriseDeps,
): Promise<AccessRequest> {
  const url = deps.url;
  if (!url)
    throw new ApiError(
      501,
      'not_in_deployed_portal',
      'asking for opened data is not set up in this deployed portal',
      'Ask the platform team to deploy the lake again: the portal API learns the access API from the stack.',
    );
  const credentials = await enterpriseCredentials(deps, 'asking for opened data');
  const region = deps.region ?? /execute-api\.([a-z0-9-]+)\./.exec(url)?.[1];
  if (!region) throw new Error(`no region to sign requests to ${new URL(url).host} for`);
  const client = new ApiAccessClient({ url, region, credentials, fetch: deps.fetch });
  return client.requestForEnterprise(who.principal.id, req);
}

/** The answer to an enterprise's free SQL in the deployed portal. */
export function refuseEnterpriseSql(): never {
  throw new ApiError(
    403,
    'forbidden',
    'enterprises do not run SQL in the deployed portal: each reads only the columns its approved request grants',
    'Download what is granted to you from the dataset’s page or from 我的申请 (my requests): GET /api/datasets/<department>/<dataset>/granted.csv.',
  );
}

/** Athena's refusal for want of a Lake Formation grant, in its messages' words. */
const NO_GRANT = /Lake Formation permission|Permission denied on|not authorized to access|AccessDenied/i;

function downloadError(e: unknown, timedOut: boolean, dataset: string, waitMs: number): unknown {
  const id =
    e instanceof AthenaQueryError && e.queryExecutionId ? ` Athena query id ${e.queryExecutionId}.` : '';
  if (timedOut)
    return new ApiError(
      504,
      'query_too_long',
      `reading ${dataset} took longer than the ${Math.round(waitMs / 1000)} seconds the portal waits, and was stopped`,
      `Try again later; if it persists, ask the data's steward for a smaller extract.${id}`,
    );
  if (e instanceof AthenaQueryError && NO_GRANT.test(e.message))
    return new ApiError(
      403,
      'no_grant',
      `the portal's enterprise role has no Lake Formation grant on the columns opened of ${dataset}`,
      `Ask the platform team to deploy the lake again: the department stack grants the role the opened columns.${id}`,
    );
  return e;
}

/**
 * Reads `columns` of `dataset` on Athena as the portal's enterprise role, in its workgroup. The caller has
 * checked `who`'s approved, unexpired request gives exactly these columns.
 */
export async function readGrantedOnAthena(
  who: Principal,
  dataset: string,
  columns: readonly string[],
  deps: EnterpriseDeps & { database(department: string): string | undefined },
): Promise<QueryStream> {
  if (who.kind !== 'enterprise') throw new Error(`a granted download is an enterprise's, not ${who.kind}'s`);
  const [department, table] = dataset.split('/');
  const database = deps.database(department);
  if (!database)
    throw new ApiError(
      404,
      'unknown_dataset',
      `there is no dataset ${dataset} in this lake`,
      'The catalogue lists them.',
    );
  const credentials = await enterpriseCredentials(deps, 'downloading opened data');
  const waitMs = deps.waitMs ?? DOWNLOAD_WAIT_MS;
  return queryWithin(deps.clients.athena(credentials), {
    sql: grantedSql(database, table, columns),
    workGroup: (deps.config as PortalEnterpriseConfig).workGroup,
    waitMs,
    sleep: deps.sleep,
    explain: (e, timedOut) => downloadError(e, timedOut, dataset, waitMs),
  });
}
