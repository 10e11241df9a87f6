/**
 * Access requests in the deployed portal. Reading them (a user's own requests, what they may read) is the
 * access API's DynamoDB table, read-only (aws-services.ts). Changing them changes Lake Formation grants,
 * which only the access API does, with the checks `lake access` meets from the CLI:
 *
 * - a steward's inbox and decisions (approve, deny, revoke) are sent to the access API, signed with SigV4
 *   (the CLI's client, src/cli/aws/access-api.ts) as the department's upload role, which the portal
 *   assumes in a session named after the user's opaque Cognito id (`lake-cli-portal-<sub>`). The API then
 *   sees the same role as for `lake access approve` run by that steward, and refuses what it refuses.
 * - an analyst's request answers 501 with the `lake access request` command that makes it: the access API
 *   knows an analyst by their own AWS role (a lake.yaml persona), which the portal cannot act as. A route
 *   letting the portal's role ask in an analyst's name would let it ask for anyone.
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { AccessRequest, RequestStatus } from '../access/model.ts';
import {
  AccessService,
  type AccessServiceOptions,
  type Actor,
  type Decision,
  type NewRequest,
} from '../access/service.ts';
import { ApiAccessClient } from '../cli/aws/access-api.ts';
import { type AwsClientFactory, SESSION_NAME_PREFIX } from '../cli/aws/aws-backend.ts';
import { ApiError } from './api-error.ts';

/** The name the portal's sessions give their user (`portal-<sub>`): the CLI prefixes `lake-cli-`. */
export function portalUser(sub: string | null): string {
  return `portal-${sub ?? 'public'}`;
}

/** The role session name of the portal acting for the user `sub` (what the upload roles trust). */
export function portalSessionName(sub: string): string {
  return `${SESSION_NAME_PREFIX}-${portalUser(sub)}`.slice(0, 64);
}

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

  override async request(_who: Actor, req: NewRequest): Promise<AccessRequest> {
    throw new ApiError(
      501,
      'not_in_deployed_portal',
      'asking for access is not done by the deployed portal: the access API knows an analyst by their own AWS role, which the portal cannot act as',
      `Run \`${requestCommand(req, this.known)}\` with your analyst role's credentials (\`--lake aws\`); the portal then shows the request.`,
    );
  }

  override async list(
    who: Actor | 'everything',
    filter: { status?: RequestStatus; dataset?: string } = {},
  ): Promise<AccessRequest[]> {
    if (who === 'everything' || who.principal.kind !== 'steward' || !this.steward.url)
      return super.list(who, filter);
    return (await this.asSteward(who)).list(filter);
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
    const sts = this.steward.clients.sts();
    let credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    try {
      const r = await sts.send(
        new AssumeRoleCommand({
          RoleArn: role,
          RoleSessionName: portalSessionName(user),
          DurationSeconds: 900,
        }),
      );
      const c = r.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS returned no credentials');
      credentials = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
      };
    } catch {
      throw new ApiError(
        403,
        'forbidden',
        `the portal cannot act as the ${department} department’s upload role`,
        `Ask the platform team to check that departments.yaml names the ${department} department’s uploaders and that the lake is deployed with the portal.`,
      );
    } finally {
      sts.destroy();
    }
    const region = this.steward.region ?? /execute-api\.([a-z0-9-]+)\./.exec(url)?.[1];
    if (!region) throw new Error(`no region to sign requests to ${new URL(url).host} for`);
    return new ApiAccessClient({ url, region, credentials, fetch: this.steward.fetch });
  }
}
