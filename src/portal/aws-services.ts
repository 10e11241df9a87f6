/**
 * The portal's services over the deployed lake, as its API Lambda builds them for each request:
 *
 * - lake: the CLI's AwsBackend. The catalogue comes from Glue (the portal role reads the catalog's
 *   metadata, no data); a steward's uploads, reports and withdrawals go through S3 as the department's
 *   upload role, which the portal assumes with a session named after the user's opaque Cognito id
 *   (portal-<sub>), so S3 and CloudTrail see exactly what that department may do. The dataset page reads
 *   Glue only: row counts need Athena under a reader's grants, which the portal role does not hold. An
 *   opened dataset's last upload, period and area name come from the open-data index at the public
 *   open-data URL (src/cli/aws/open-facts.ts), so freshness needs no grant on the reports either.
 * - access: the access requests and audit log, read from the access API's DynamoDB table (dynamo-store in
 *   lambdas/access-api). Making a request or a decision changes Lake Formation grants, which only the
 *   access API may do: a steward's inbox and decisions go to it as the department's upload role; an
 *   analyst's request goes to it as the department's portal analyst role (aws-access.ts); an enterprise's
 *   to its enterprise route as the portal's enterprise role (aws-enterprise.ts).
 * - queryAs: an analyst's SQL runs on Athena as the department's portal analyst role, in its analysts'
 *   workgroup, for at most the time API Gateway waits (aws-query.ts); an enterprise's is refused.
 * - readGranted: an enterprise's granted columns, once the route has checked its request, on Athena as the
 *   portal's enterprise role in its own workgroup (aws-enterprise.ts).
 * - open: the open-data zone through its public CloudFront URL (what anyone may download).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAccessStore } from '../access/dynamo-store.ts';
import type { AccessRequest } from '../access/model.ts';
import { datasetAccess } from '../access/policy.ts';
import { LAKE_ACTOR } from '../access/service.ts';
import type { AccessEffects, AccessStore } from '../access/store.ts';
import { AwsBackend, type AwsClientFactory } from '../cli/aws/aws-backend.ts';
import { departmentName, getTable, glueDatasetDetail, tableInfo } from '../cli/aws/glue-catalog.ts';
import {
  detailWithOpenFacts,
  infoWithOpenFacts,
  type OpenFacts,
  readOpenFacts,
} from '../cli/aws/open-facts.ts';
import type { DatasetDetail, DatasetDetailOptions, DatasetInfo } from '../cli/backend.ts';
import type { ContractSet } from '../cli/contracts.ts';
import { unknownDataset } from '../cli/contracts.ts';
import type { DatasetContract, Department } from '../contracts/schema.ts';
import { type OpenFileKind, openFileKey } from '../ingest/open/build-open.ts';
import { lakeNow } from '../lake/freshness.ts';
import type { DatasetRef } from '../lake/layout.ts';
import { OPEN_PREFIX } from '../lake/layout.ts';
import { CORE_OUTPUTS, type LakeOutputs } from '../lake/outputs.ts';
import { ApiError } from './api-error.ts';
import { DeployedAccessService, portalUser } from './aws-access.ts';
import { type PortalEnterpriseConfig, readGrantedOnAthena } from './aws-enterprise.ts';
import { portalQuery } from './aws-query.ts';
import { AwsDirectUploads } from './aws-uploads.ts';
import { typeOf } from './open-files.ts';
import type { OpenData, PortalServices } from './services.ts';

/**
 * The largest CSV the deployed portal answers: a Lambda answer holds 6 MB (its JSON envelope and headers
 * included), so 5 MiB of CSV leaves room for them.
 */
export const DEPLOYED_DOWNLOAD_BYTES = 5 * 1024 ** 2;

/** What the stack tells the portal's Lambda about the lake (lib/portal/portal-api.ts). */
export interface AwsPortalConfig {
  landingBucket: string;
  quarantineBucket: string;
  /** The open-data zone's CloudFront URL, ending in `/` (it stands for `open/`). */
  openDataUrl: string;
  /** The access requests table. */
  accessTable: string;
  /** Each department's Glue database and upload role. */
  departments: AwsPortalDepartment[];
  /**
   * The role the portal acts as for enterprises and its Athena workgroup (lib/portal/portal-enterprise.ts).
   * Absent: an enterprise's requests and downloads answer 501.
   */
  enterprise?: AwsPortalEnterprise;
}

/** The portal's enterprise role and the workgroup it reads granted data in (aws-enterprise.ts). */
export type AwsPortalEnterprise = PortalEnterpriseConfig;

/** A department as the portal's Lambda knows it. */
export interface AwsPortalDepartment {
  id: string;
  name: string;
  database: string;
  uploadRoleArn: string;
  /**
   * The role the portal acts as for the department's analysts (lib/departments/portal-analyst.ts), and the
   * Athena workgroup of the department's analysts where it runs their SQL. Absent (a stack deployed before
   * them): the analysts' SQL and access requests answer 501.
   */
  portalAnalystRoleArn?: string;
  workGroup?: string;
}

export interface AwsPortalDeps {
  clients: AwsClientFactory;
  db: DynamoDBClient;
  contracts: ReadonlyMap<string, DatasetContract>;
  /** The user's opaque id (Cognito `sub`), naming the role sessions and the withdrawals they ask for. */
  user: string | null;
  fetch?: typeof fetch;
  now?: () => Date;
  /** The access API's base URL; absent: a steward's decisions answer 501. */
  accessApiUrl?: string | null;
  /** The region requests to the access API are signed for. @default - the URL's */
  region?: string;
}

const ACCESS_CLI_HINT =
  'Use `lake access request` (analysts) or `lake access approve|deny|revoke` (stewards) against the deployed lake; the portal shows the result.';

/** Refused here: it changes grants, which only the access API does. */
function notHere(what: string): ApiError {
  return new ApiError(
    501,
    'not_in_deployed_portal',
    `${what} is not available in the deployed portal yet`,
    ACCESS_CLI_HINT,
  );
}

/** The access API's table, read-only: writes answer 501 (they go through the access API). */
class ReadOnlyAccessStore implements AccessStore {
  constructor(private readonly store: DynamoAccessStore) {}
  requests() {
    return this.store.requests();
  }
  get(id: string) {
    return this.store.get(id);
  }
  events() {
    return this.store.events();
  }
  async create(): Promise<boolean> {
    throw notHere('asking for access');
  }
  /** An expiry the sweep notices is the access API's to record (its schedule does): left as stored here. */
  async update(request: AccessRequest): Promise<boolean> {
    if (request.status === 'expired' && request.decidedBy === LAKE_ACTOR) return false;
    throw notHere('deciding a request');
  }
  async append(): Promise<void> {
    throw notHere('recording a decision');
  }
}

const NO_GRANTS: AccessEffects = {
  grant: async () => {
    throw notHere('granting access');
  },
  revoke: async () => {
    throw notHere('revoking access');
  },
};

/** The deployed lake's outputs as the CLI's backend reads them, from the portal's configuration. */
export function portalOutputs(cfg: AwsPortalConfig): LakeOutputs {
  const core = Object.fromEntries(Object.keys(CORE_OUTPUTS).map((k) => [k, ''])) as LakeOutputs['core'];
  core.landingBucket = cfg.landingBucket;
  core.quarantineBucket = cfg.quarantineBucket;
  core.openDataUrl = cfg.openDataUrl;
  const departments: LakeOutputs['departments'] = {};
  for (const d of cfg.departments) {
    departments[d.id] = {
      id: d.id,
      database: d.database,
      uploadRoleArn: d.uploadRoleArn,
      reportsTopicArn: '',
      workGroup: '',
      analystPolicyArn: '',
      restrictedWorkGroup: '',
      restrictedAnalystPolicyArn: '',
    };
  }
  return { core, departments };
}

/** The CLI's backend, but a dataset's page from Glue alone (the portal role runs no Athena query). */
export class PortalAwsBackend extends AwsBackend {
  private readonly portalClients: AwsClientFactory;
  private readonly fetchFn: typeof fetch;
  private facts?: Promise<Map<string, OpenFacts>>;

  constructor(
    outputs: LakeOutputs,
    clients: AwsClientFactory,
    contracts: ContractSet,
    user: string | null,
    fetchFn: typeof fetch = fetch,
  ) {
    super({ outputs, source: 'the portal’s configuration' }, clients, contracts, {
      user: portalUser(user),
    });
    this.portalClients = clients;
    this.fetchFn = fetchFn;
  }

  /** What the open-data index says of the opened datasets (open-facts.ts), read once per request. */
  private openFacts(): Promise<Map<string, OpenFacts>> {
    this.facts ??= readOpenFacts(this.outputs.core.openDataUrl, this.fetchFn);
    return this.facts;
  }

  /** The catalogue from Glue, with the last upload and area name the open-data index gives. */
  override async datasets(): Promise<DatasetInfo[]> {
    const [infos, facts] = await Promise.all([super.datasets(), this.openFacts()]);
    return infos.map((i) => infoWithOpenFacts(i, facts.get(i.dataset)));
  }

  /** The upload steps as the department's upload role: parts straight to landing (aws-uploads.ts). */
  directUploads(now: () => Date): AwsDirectUploads {
    return new AwsDirectUploads({
      landingBucket: this.outputs.core.landingBucket,
      s3: (department) => this.asDepartment(department),
      findReport: (ref, digest) => this.findReport(ref, digest),
      now,
    });
  }

  override async dataset(ref: DatasetRef, opts: DatasetDetailOptions = {}): Promise<DatasetDetail> {
    const key = `${ref.department}/${ref.dataset}`;
    const d = this.outputs.departments[ref.department];
    const glue = this.portalClients.glue();
    try {
      const table = d ? await getTable(glue, d.database, ref.dataset) : null;
      if (!d || !table) throw unknownDataset(key, [], 'Add its contract under datasets/ and deploy.');
      const info = tableInfo(
        table,
        ref.department,
        (await departmentName(glue, d.database)) ?? ref.department,
      );
      const facts = (await this.openFacts()).get(key);
      return detailWithOpenFacts(
        glueDatasetDetail(table, info, d.database, ref.dataset),
        facts,
        opts.now ?? lakeNow(),
      );
    } finally {
      glue.destroy();
    }
  }
}

/** The download formats the open zone holds, in the order a dataset page lists them. */
const OPEN_KINDS: OpenFileKind[] = ['csv', 'parquet', 'dictionary-csv', 'dictionary-json'];

/** The open-data zone through its public URL. */
export function cloudFrontOpenData(baseUrl: string, fetchFn: typeof fetch = fetch): OpenData {
  const urlOf = (path: string) =>
    `${baseUrl.replace(/\/?$/, '/')}${path.split('/').map(encodeURIComponent).join('/')}`;
  return {
    async files(dataset) {
      const [department, name] = dataset.split('/');
      const out: { format: string; file: string; bytes: number | null }[] = [];
      for (const kind of OPEN_KINDS) {
        const path = openFileKey({ department, dataset: name }, kind).slice(OPEN_PREFIX.length);
        const r = await fetchFn(urlOf(path), { method: 'HEAD' });
        if (!r.ok) continue;
        const length = Number(r.headers.get('content-length'));
        out.push({
          format: kind,
          file: path.split('/').pop() as string,
          bytes: Number.isFinite(length) && r.headers.has('content-length') ? length : null,
        });
      }
      return out;
    },
    async file(path) {
      const contentType = typeOf(path);
      if (!contentType || path.split('/').some((p) => p === '' || p === '.' || p === '..')) return null;
      const r = await fetchFn(urlOf(path));
      if (!r.ok || !r.body) return null;
      return { body: r.body, contentType, filename: path.split('/').pop() as string };
    },
  };
}

/** The portal's services over the deployed lake, for one request's user. */
export function awsPortalServices(cfg: AwsPortalConfig, deps: AwsPortalDeps): PortalServices {
  const now = deps.now ?? (() => new Date());
  const contracts: ContractSet = {
    datasets: deps.contracts,
    departments: cfg.departments.map((d): Department => ({ id: d.id, name: d.name, uploaders: [] })),
    datasetsDir: '',
    departmentsFile: '',
    broken: new Map(),
  };
  const access = new DeployedAccessService(
    {
      store: new ReadOnlyAccessStore(new DynamoAccessStore(deps.db, cfg.accessTable)),
      datasets: new Map(
        [...deps.contracts.values()].map((c) => {
          const a = datasetAccess(c);
          return [a.dataset, a];
        }),
      ),
      effects: NO_GRANTS,
      now,
    },
    {
      url: deps.accessApiUrl ?? null,
      region: deps.region,
      clients: deps.clients,
      user: deps.user,
      uploadRole: (id) => cfg.departments.find((d) => d.id === id)?.uploadRoleArn,
      analystRole: (id) => cfg.departments.find((d) => d.id === id)?.portalAnalystRoleArn,
      enterprise: cfg.enterprise,
      fetch: deps.fetch,
    },
  );
  const lake = new PortalAwsBackend(portalOutputs(cfg), deps.clients, contracts, deps.user, deps.fetch);
  return {
    lake,
    uploads: lake.directUploads(now),
    contracts,
    access,
    queryAs: (who, sql) =>
      portalQuery(who, sql, { clients: deps.clients, departments: cfg.departments, user: deps.user }),
    // The route has checked the enterprise's request: its granted columns, as the enterprise role.
    readGranted: (who, dataset, columns) =>
      readGrantedOnAthena(who, dataset, columns, {
        clients: deps.clients,
        config: cfg.enterprise,
        user: deps.user,
        database: (id) => cfg.departments.find((d) => d.id === id)?.database,
      }),
    open: cloudFrontOpenData(cfg.openDataUrl, deps.fetch),
    now,
    maxDownloadBytes: DEPLOYED_DOWNLOAD_BYTES,
  };
}
