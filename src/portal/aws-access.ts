/**
 * Access requests in the deployed portal. Reading them (a user's own requests, what they may read) is the
 * access API's DynamoDB table, read-only (aws-services.ts). Changing them changes Lake Formation grants,
 * which only the access API does, with the checks `lake access` meets from the CLI:
 *
 * - a steward's inbox and decisions (approve, deny, revoke) are sent to the access API, signed with SigV4
 *   (the CLI's client, src/cli/aws/access-api.ts) as the department's upload role, which the portal
 *   assumes in a session named after the user's opaque Cognito id (`lake-cli-portal-<sub>`). The API then
 *   sees the same role as for `lake access approve` run by that steward, and refuses what it refuses.
 * - an analyst's request is sent to the access API the same way, signed as the department's portal analyst
 *   role (lib/departments/portal-analyst.ts), which the access API knows as an analyst of that department.
 *   Every portal analyst of a department acts as that one role: their requests, "my requests" and grants
 *   are the role's, as the local portal's are the principal `analyst:<department>`'s. Without the role or
 *   the access API's URL (a stack deployed before them) the request answers 501 with the
 *   `lake access request` command that makes it from the CLI.
 * - an enterprise's request goes to the access API's enterprise route as the portal's enterprise role,
 *   naming the enterprise its sign-in vouches for (aws-enterprise.ts).
 */
import type { AccessRequest, RequestStatus } from '../access/model.ts';
import {
  AccessService,
  type AccessServiceOptions,
  type Actor,
  type Decision,
  type NewRequest,
} from '../access/service.ts';
import { ApiAccessClient } from '../cli/aws/access-api.ts';
import type { AwsClientFactory } from '../cli/aws/aws-backend.ts';
import { ApiError } from './api-error.ts';
import { actAs, type RoleCredentials } from './assume.ts';
import { type PortalEnterpriseConfig, requestAsEnterprise } from './aws-enterprise.ts';

export { portalSessionName, portalUser } from './assume.ts';

export interface StewardAccessOptions {
  /** The access API's base URL; null: the stack gave none, and decisions answer 501. */
  url: string | null;
  /** The region to sign for. @default - the URL's */
  region?: string;
  clients: AwsClientFactory;
  /** The user's opaque id (Cognito `sub`). */
  user: string | null;
  /** The upload role of a department, or undefined when the lake has no such department. */
  uploadRole(department: string): string | undefined;
  /**
   * The portal analyst role of a department (what the portal acts as for its analysts), or undefined
   * when the stack names none: an analyst's request then answers 501 with the CLI command.
   */
  analystRole?(department: string): string | undefined;
  /** The role the portal acts as for enterprises (aws-enterprise.ts); undefined: their requests answer 501. */
  enterprise?: PortalEnterpriseConfig;
  fetch?: typeof fetch;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** The `lake access request` command for a request the portal cannot make: no free text of the user in it. */
export function requestCommand(req: NewRequest, known: (dataset: string) => boolean): string {
  const dataset = known(req.dataset) ? req.dataset : '<department>/<dataset>';
  const until = DATE.test(req.until) ? req.until : '<YYYY-MM-DD>';
  const columns = (req.columns ?? []).filter((c) => COLUMN.test(c));
  return [
    `lake access request ${dataset}`,
    `--purpose '<what the data is for>'`,
    `--until ${until}`,
    ...(columns.length > 0 ? [`--columns ${columns.join(',')}`] : []),
  ].join(' ');
}

/** The access service of the deployed portal: reads from the table, changes through the access API. */
export class DeployedAccessService extends AccessService {
  private readonly known: (dataset: string) => boolean;

  constructor(
    opts: AccessServiceOptions,
    private readonly steward: StewardAccessOptions,
  ) {
    super(opts);
    this.known = (dataset) => opts.datasets.has(dataset);
  }

  override async request(who: Actor, req: NewRequest): Promise<AccessRequest> {
    if (who.principal.kind === 'enterprise')
      return requestAsEnterprise(who, req, { ...this.steward, config: this.steward.enterprise });
    const analyst = who.principal.kind === 'analyst' ? this.analystRole(who) : undefined;
    if (analyst) return (await this.asAnalyst(who, analyst)).request(req);
    throw new ApiError(
      501,
      'not_in_deployed_portal',
      'asking for access is not set up in this deployed portal: the stack names no portal analyst role for your department, or no access API',
      `Deploy the lake again (its department stacks create the roles the portal asks as), or run \`${requestCommand(req, this.known)}\` with your analyst role's credentials (\`--lake aws\`); the portal then shows the request.`,
    );
  }

  override async list(
    who: Actor | 'everything',
    filter: { status?: RequestStatus; dataset?: string } = {},
  ): Promise<AccessRequest[]> {
    if (who === 'everything' || who.principal.kind !== 'steward' || !this.steward.url)
      return super.list(who === 'everything' ? who : this.requester(who), filter);
    return (await this.asSteward(who)).list(filter);
  }

  override async mine(who: Actor): Promise<AccessRequest[]> {
    return super.mine(this.requester(who));
  }

  override async get(who: Actor, id: string): Promise<AccessRequest> {
    return super.get(this.requester(who), id);
  }

  override async canRead(who: Actor | null, dataset: string) {
    return super.canRead(who && this.requester(who), dataset);
  }

  override async readable(who: Actor | null) {
    return super.readable(who && this.requester(who));
  }

  /** The portal analyst role acting for `who`, an analyst, when the stack names one and the access API. */
  private analystRole(who: Actor): string | undefined {
    return this.steward.url ? this.steward.analystRole?.(who.principal.id) : undefined;
  }

  /**
   * `who` as the access API records them: an analyst of a department with a portal analyst role asks as
   * that role, so their requests and grants are the role's (every portal analyst of the department's).
   */
  private requester(who: Actor): Actor {
    const role = who.principal.kind === 'analyst' ? this.steward.analystRole?.(who.principal.id) : undefined;
    return role ? { principal: who.principal, name: role } : who;
  }

  /** The access API's client, signing as the analyst's department's portal analyst role. */
  private async asAnalyst(who: Actor, role: string): Promise<ApiAccessClient> {
    const department = who.principal.id;
    const { url, user } = this.steward;
    if (!url || !user)
      throw new ApiError(
        403,
        'forbidden',
        `the portal cannot act for the ${department} department’s analysts`,
        'Sign in again; if it persists, ask the platform team to check the lake is deployed with the portal.',
      );
    const credentials = await actAs(
      this.steward.clients,
      role,
      user,
      `the ${department} department’s portal analyst role`,
      'Ask the platform team to deploy the lake again with the portal: the department stack creates the role and trusts the portal with it.',
    );
    return this.client(url, credentials);
  }

  override async approve(who: Actor, id: string, opts: { until?: string } = {}): Promise<Decision> {
    return (await this.asSteward(who)).approve(id, opts);
  }

  override async deny(who: Actor, id: string, reason: string): Promise<Decision> {
    return (await this.asSteward(who)).deny(id, reason);
  }

  override async revoke(who: Actor, id: string, reason: string): Promise<Decision> {
    return (await this.asSteward(who)).revoke(id, reason);
  }

  /** The access API's client, signing as the steward's department's upload role. */
  private async asSteward(who: Actor): Promise<ApiAccessClient> {
    const { url, user } = this.steward;
    if (!url)
      throw new ApiError(
        501,
        'not_in_deployed_portal',
        'deciding on access requests is not set up in this deployed portal',
        'Deploy the lake again (the portal API learns the access API from the stack), or run `lake access approve|deny|revoke <id>` as your department’s upload role.',
      );
    if (who.principal.kind !== 'steward')
      throw new ApiError(403, 'forbidden', 'only a department’s steward decides on its access requests');
    const department = who.principal.id;
    const role = this.steward.uploadRole(department);
    if (!role || !user)
      throw new ApiError(
        403,
        'forbidden',
        `the portal cannot act for the ${department} department’s steward`,
        'Sign in again; if it persists, ask the platform team to check the department is deployed.',
      );
    const credentials = await actAs(
      this.steward.clients,
      role,
      user,
      `the ${department} department’s upload role`,
      `Ask the platform team to check that departments.yaml names the ${department} department’s uploaders and that the lake is deployed with the portal.`,
    );
    return this.client(url, credentials);
  }

  /** The access API's client at `url`, signing with `credentials`. */
  private client(url: string, credentials: RoleCredentials): ApiAccessClient {
    const region = this.steward.region ?? /execute-api\.([a-z0-9-]+)\./.exec(url)?.[1];
    if (!region) throw new Error(`no region to sign requests to ${new URL(url).host} for`);
    return new ApiAccessClient({ url, region, credentials, fetch: this.steward.fetch });
  }
}
