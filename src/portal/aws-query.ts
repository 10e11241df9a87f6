/**
 * An analyst's SQL in the deployed portal. Athena runs it as the analyst's department's portal analyst role
 * (lib/departments/portal-analyst.ts), which the portal assumes for the signed-in user in a session named
 * after their opaque Cognito id (`lake-cli-portal-<sub>`), in the department analysts' workgroup. Athena
 * and Lake Formation enforce that role's grants (the department's public and internal tables, and what
 * access requests granted it): the portal decides nothing of what a query reads.
 *
 * API Gateway waits 29 seconds for the portal: a query Athena has not finished within QUERY_WAIT_MS is
 * stopped and answered 504, saying how to run it instead (narrower, or with `lake query`).
 */
import type { Principal } from '../access/principal.ts';
import { AthenaQueryError } from '../cli/aws/athena.ts';
import type { AwsClientFactory } from '../cli/aws/aws-clients.ts';
import type { QueryStream } from '../cli/backend.ts';
import { ApiError } from './api-error.ts';
import { actAs } from './assume.ts';
import { queryWithin } from './athena-deadline.ts';
import { refuseEnterpriseSql } from './aws-enterprise.ts';

/**
 * How long the portal waits for Athena, results included: under API Gateway's 29 seconds with room for
 * the role's session, the last poll's wait (up to 2 seconds) and stopping the query.
 */
export const QUERY_WAIT_MS = 22_000;

/** What the portal knows of a department to run its analysts' SQL (AwsPortalDepartment). */
export interface QueryDepartment {
  id: string;
  database: string;
  portalAnalystRoleArn?: string;
  workGroup?: string;
}

export interface PortalQueryOptions {
  clients: AwsClientFactory;
  departments: readonly QueryDepartment[];
  /** The user's opaque id (Cognito `sub`): names the role session. */
  user: string | null;
  /** @default QUERY_WAIT_MS */
  waitMs?: number;
  /** Between two polls of Athena. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

const LAKE_QUERY_HINT = 'run it with `lake query` as your analyst role, which waits as long as Athena takes';

/** The department whose portal analyst role runs `who`'s SQL, with that role and its workgroup. */
function departmentOf(who: Principal, departments: readonly QueryDepartment[]): Required<QueryDepartment> {
  // As the one enterprise role, an enterprise's SQL could read another's grant: it downloads instead.
  if (who.kind === 'enterprise') refuseEnterpriseSql();
  if (who.kind !== 'analyst')
    throw new ApiError(
      403,
      'forbidden',
      `the deployed portal runs SQL for a department’s analysts, not as ${who.kind}:${who.id}`,
      `Act as analyst:${who.id} (the identity switcher) if your sign-in is in its group, or ${LAKE_QUERY_HINT}.`,
    );
  const d = departments.find((x) => x.id === who.id);
  if (!d?.portalAnalystRoleArn || !d.workGroup)
    throw new ApiError(
      501,
      'not_in_deployed_portal',
      `SQL of the ${who.id} department’s analysts is not set up in this deployed portal`,
      `Deploy the lake again (its department stack creates the role the portal queries as and names its workgroup), or ${LAKE_QUERY_HINT}.`,
    );
  return { ...d, portalAnalystRoleArn: d.portalAnalystRoleArn, workGroup: d.workGroup };
}

/** Athena's refusal for want of a Lake Formation grant, in its messages' words. */
const NO_GRANT = /Lake Formation permission|Permission denied on|not authorized to access|AccessDenied/i;

/** A failure of Athena in the portal's terms: what happened and what to do, with Athena's query id. */
function queryError(e: unknown, timedOut: boolean, d: Required<QueryDepartment>, waitMs: number): unknown {
  const id =
    e instanceof AthenaQueryError && e.queryExecutionId ? ` Athena query id ${e.queryExecutionId}.` : '';
  if (timedOut)
    return new ApiError(
      504,
      'query_too_long',
      `the query took longer than the ${Math.round(waitMs / 1000)} seconds the portal waits, and was stopped`,
      `Narrow it (fewer columns, a WHERE on ingest_date, a LIMIT), or ${LAKE_QUERY_HINT}.${id}`,
    );
  const name = (e as Error)?.name ?? '';
  const message = (e as Error)?.message ?? '';
  if (e instanceof AthenaQueryError && NO_GRANT.test(message))
    return new ApiError(
      403,
      'no_grant',
      `the query reads a table or column the ${d.id} department’s analysts have no grant on`,
      `The SQL page lists the tables you may read; ask for the others from their catalogue page.${id}`,
    );
  if (e instanceof AthenaQueryError || name === 'InvalidRequestException')
    return new ApiError(
      400,
      'query_failed',
      `the query failed: ${message}`,
      `Fix the SQL (Athena’s dialect). Tables are <database>.<table>: the ${d.id} department’s database is ${d.database}.${id}`,
    );
  if (/AccessDenied|Unauthorized|Forbidden/.test(name))
    return new ApiError(
      403,
      'forbidden',
      `the ${d.id} department’s portal analyst role may not run queries in workgroup ${d.workGroup}`,
      'Ask the platform team to deploy the lake again: the department stack gives the role its analysts’ policy.',
    );
  return e;
}

/** Runs `sql` for the signed-in `who` as their department's portal analyst role, in its workgroup. */
export async function portalQuery(
  who: Principal,
  sql: string,
  opts: PortalQueryOptions,
): Promise<QueryStream> {
  const d = departmentOf(who, opts.departments);
  if (!opts.user)
    throw new ApiError(
      403,
      'forbidden',
      'the portal cannot act for a sign-in without a user id',
      'Sign in again (登录).',
    );
  const credentials = await actAs(
    opts.clients,
    d.portalAnalystRoleArn,
    opts.user,
    `the ${d.id} department’s portal analyst role`,
    'Ask the platform team to deploy the lake again with the portal: the department stack creates the role and trusts the portal with it.',
  );
  const waitMs = opts.waitMs ?? QUERY_WAIT_MS;
  return queryWithin(opts.clients.athena(credentials), {
    sql,
    workGroup: d.workGroup,
    waitMs,
    sleep: opts.sleep,
    explain: (e, timedOut) => queryError(e, timedOut, d, waitMs),
  });
}
