/**
 * The synthesized fixture lake as an IAM model: its principals (with their identity policies), its
 * buckets, keys, the hash-key secret, the upload roles' trust, Glue tables and Athena workgroups (with
 * their resource policies), all resolved to concrete ARNs in account 111122223333, region cn-north-1, so
 * `@cloud-copilot/iam-simulate` can evaluate a request offline. The fixture's own ARNs (uploaders,
 * personas, admins) are moved to the same partition.
 */
import { anonymousPrincipal, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { LakeInputs } from '../../lib/config/inputs.ts';
import { type BuiltLake, buildFixtureLake, fixtureInputs } from '../cdk/helpers.ts';
import type { AccessExpectation, PrincipalName } from './access-matrix.ts';
import { ACCOUNT, type CfnTemplateJson, PARTITION, REGION, TemplateResolver, URL_SUFFIX } from './resolve.ts';

type PolicyDocument = { Version?: string; Statement: Record<string, unknown>[] };

export interface ModelPrincipal {
  /** An ARN, a service principal (`cloudfront.amazonaws.com`), or `anonymous` (an unsigned request). */
  readonly arn: string;
  /** What the request context always holds for this principal (a service's aws:SourceArn). */
  readonly context?: Record<string, string>;
  readonly policies: readonly { name: string; policy: PolicyDocument }[];
}

export interface LakeModel {
  readonly lake: BuiltLake;
  /** Resolved templates by stack name. */
  readonly templates: ReadonlyMap<string, CfnTemplateJson>;
  readonly principals: ReadonlyMap<PrincipalName, ModelPrincipal>;
  /** Bucket ARN, default KMS key ARN and bucket policy by the matrix's bucket name. */
  readonly buckets: ReadonlyMap<string, { arn: string; keyArn?: string; policy?: PolicyDocument }>;
  /** Key ARN and key policy by the matrix's key name. */
  readonly keys: ReadonlyMap<string, { arn: string; policy: PolicyDocument }>;
  /** Secret ARN, its KMS key ARN and its resource policy by the matrix's secret name. */
  readonly secrets: ReadonlyMap<string, { arn: string; keyArn: string; policy?: PolicyDocument }>;
  /** ARN and trust policy of the roles the stacks create, by principal name. */
  readonly roles: ReadonlyMap<string, { arn: string; trust: PolicyDocument }>;
  /** Athena workgroup names by the matrix's workgroup name. */
  readonly workgroups: ReadonlyMap<string, string>;
  /** The access requests table: its ARN and resource policy. */
  readonly accessTable?: { arn: string; policy?: PolicyDocument };
  /** The access API: the ARN prefix of its routes (`…:<api id>/`) and its resource policy, made concrete. */
  readonly accessApi?: { arnPrefix: string; policy?: PolicyDocument };
}

const BUCKETS: Record<string, string> = {
  landing: 'StorageLanding',
  raw: 'StorageRaw',
  curated: 'StorageCurated',
  quarantine: 'StorageQuarantine',
  'query-results': 'StorageQueryResults',
  'access-logs': 'StorageAccessLogs',
  open: 'OpenDataBucket',
  'portal-site': 'PortalSiteBucket',
};
const KEYS: Record<string, string> = {
  data: 'StorageDataKey',
  curated: 'StorageCuratedKey',
  query: 'StorageQueryKey',
  ops: 'OpsKey',
  hash: 'IngestionHashKeyKey',
  open: 'OpenDataKey',
  'portal-site': 'PortalSiteKey',
};
/** Secrets: the matrix's name → logical-id prefix in the core stack. */
const SECRETS: Record<string, string> = { 'hash-key': 'IngestionHashKey' };
/** Workgroup name in the matrix → stack and logical-id prefix. */
const WORKGROUPS: Record<string, [string, string]> = {
  public: ['Lake', 'QueryWorkGroup'],
  health: ['Lake-health', 'DepthealthQueryWorkGroup'],
  'health-restricted': ['Lake-health', 'DepthealthRestrictedQueryWorkGroup'],
  statistics: ['Lake-statistics', 'DeptstatisticsQueryWorkGroup'],
  'portal-enterprise': ['Lake', 'PortalEnterpriseQueryWorkGroup'],
};
/** Analyst personas: the managed policy (stack, logical-id prefix) attached to a notional role. */
const ANALYSTS: Partial<Record<PrincipalName, [string, string]>> = {
  'public-analyst': ['Lake', 'QueryAnalystPolicy'],
  'health-analyst': ['Lake-health', 'DepthealthQueryAnalystPolicy'],
  'health-investigator': ['Lake-health', 'DepthealthRestrictedQueryAnalystPolicy'],
  'statistics-analyst': ['Lake-statistics', 'DeptstatisticsQueryAnalystPolicy'],
};
/** Roles the stacks create: stack and logical-id prefix. */
const ROLES: Partial<Record<PrincipalName, [string, string]>> = {
  'health-uploader': ['Lake-health', 'DepthealthUploaderRole'],
  'statistics-uploader': ['Lake-statistics', 'DeptstatisticsUploaderRole'],
  transformer: ['Lake', 'IngestionTransformerRole'],
  eraser: ['Lake', 'IngestionErasureRole'],
  'freshness-check': ['Lake', 'FreshnessFunctionRole'],
  'access-api': ['Lake', 'AccessFunctionRole'],
  'portal-api': ['Lake', 'PortalApiFunctionRole'],
  'health-portal-analyst': ['Lake-health', 'DepthealthPortalAnalystRole'],
  'portal-enterprise': ['Lake', 'PortalEnterpriseRole'],
};

function logicalId(template: CfnTemplateJson, type: string, prefix: string): string {
  const ids = Object.keys(template.Resources).filter(
    (id) => template.Resources[id].Type === type && new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id),
  );
  if (ids.length !== 1) throw new Error(`${ids.length} ${type} resources named ${prefix}…`);
  return ids[0];
}

function stackTemplate(templates: ReadonlyMap<string, CfnTemplateJson>, stack: string): CfnTemplateJson {
  const template = templates.get(stack);
  if (!template) throw new Error(`no stack ${stack}`);
  return template;
}

/** The fixture's inputs with every ARN in the model's partition (the fixture writes arn:aws:). */
function inputsInPartition(): LakeInputs {
  const inputs = fixtureInputs();
  const moved = (value: unknown) =>
    JSON.parse(JSON.stringify(value).replaceAll('arn:aws:', `arn:${PARTITION}:`));
  // The portal is off by default in the China regions (no Cognito user pools): asked for, to check its IAM.
  const config = { ...moved(inputs.config), portal: { ...inputs.config.portal, enabled: true } };
  return { ...inputs, departments: moved(inputs.departments), config };
}

/** A principal in the account with broad identity policies (every action of `services` on everything). */
function broad(arn: string, services: string[]): ModelPrincipal {
  return {
    arn,
    policies: [
      {
        name: 'BroadAccess',
        policy: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: services.map((s) => `${s}:*`), Resource: '*' }],
        },
      },
    ],
  };
}

/** Synthesizes the fixture lake (after `mutate`, if given) and resolves it into a model. */
export function buildLakeModel(mutate?: (lake: BuiltLake) => void): LakeModel {
  const built = buildFixtureLake(inputsInPartition(), { env: { account: ACCOUNT, region: REGION } });
  mutate?.(built);
  // A fresh synthesis: `mutate` may have changed the app after buildFixtureLake synthesized it.
  const assembly = built.app.synth({ force: true });
  const raw = new Map<string, CfnTemplateJson>();
  for (const stack of [built.core, ...built.departmentStacks]) {
    raw.set(stack.stackName, assembly.getStackByName(stack.stackName).template as CfnTemplateJson);
  }
  const resolver = new TemplateResolver(raw);
  const templates = new Map([...raw.keys()].map((s) => [s, resolver.template(s)]));
  const core = stackTemplate(templates, 'Lake');

  const keys = new Map<string, { arn: string; policy: PolicyDocument }>();
  const keyArnOf = (id: string) => resolver.getAtt('Lake', id, 'Arn');
  for (const [name, prefix] of Object.entries(KEYS)) {
    const id = logicalId(core, 'AWS::KMS::Key', prefix);
    keys.set(name, { arn: keyArnOf(id), policy: core.Resources[id].Properties?.KeyPolicy as PolicyDocument });
  }

  const buckets = new Map<string, { arn: string; keyArn?: string; policy?: PolicyDocument }>();
  for (const [name, prefix] of Object.entries(BUCKETS)) {
    const id = logicalId(core, 'AWS::S3::Bucket', prefix);
    const bucketArn = resolver.getAtt('Lake', id, 'Arn');
    const encryption = core.Resources[id].Properties?.BucketEncryption as
      | {
          ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: { KMSMasterKeyID?: string } }[];
        }
      | undefined;
    const keyArn =
      encryption?.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID;
    const policy = Object.values(core.Resources).find(
      (r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties?.Bucket === resolver.ref('Lake', id),
    )?.Properties?.PolicyDocument as PolicyDocument | undefined;
    buckets.set(name, { arn: bucketArn, keyArn, policy });
  }

  const workgroups = new Map<string, string>();
  for (const [name, [stack, prefix]] of Object.entries(WORKGROUPS)) {
    const template = stackTemplate(templates, stack);
    const id = logicalId(template, 'AWS::Athena::WorkGroup', prefix);
    workgroups.set(name, String(template.Resources[id].Properties?.Name));
  }

  const secrets = new Map<string, { arn: string; keyArn: string; policy?: PolicyDocument }>();
  for (const [name, prefix] of Object.entries(SECRETS)) {
    const id = logicalId(core, 'AWS::SecretsManager::Secret', prefix);
    const arn = resolver.ref('Lake', id);
    const policy = Object.values(core.Resources).find(
      (r) => r.Type === 'AWS::SecretsManager::ResourcePolicy' && r.Properties?.SecretId === arn,
    )?.Properties?.ResourcePolicy as PolicyDocument | undefined;
    secrets.set(name, { arn, keyArn: String(core.Resources[id].Properties?.KmsKeyId), policy });
  }

  const principals = new Map<PrincipalName, ModelPrincipal>();
  const roles = new Map<string, { arn: string; trust: PolicyDocument }>();
  for (const [name, [stack, prefix]] of Object.entries(ROLES) as [PrincipalName, [string, string]][]) {
    const template = stackTemplate(templates, stack);
    const id = logicalId(template, 'AWS::IAM::Role', prefix);
    roles.set(name, {
      arn: resolver.getAtt(stack, id, 'Arn'),
      trust: template.Resources[id].Properties?.AssumeRolePolicyDocument as PolicyDocument,
    });
    const roleName = resolver.ref(stack, id);
    const policies = Object.entries(template.Resources)
      .filter(
        ([, r]) =>
          r.Type === 'AWS::IAM::Policy' && ((r.Properties?.Roles ?? []) as string[]).includes(roleName),
      )
      .map(([policyId, r]) => ({ name: policyId, policy: r.Properties?.PolicyDocument as PolicyDocument }));
    const managed = (template.Resources[id].Properties?.ManagedPolicyArns ?? []) as string[];
    for (const policyArn of managed) {
      const found = [...templates.values()]
        .flatMap((t) => Object.entries(t.Resources))
        // A policy without a fixed name resolves to `<stack>-<logical id>`.
        .find(
          ([pid, r]) =>
            r.Type === 'AWS::IAM::ManagedPolicy' &&
            (policyArn.endsWith(`/${pid}`) || policyArn.endsWith(`-${pid}`)),
        );
      if (!found) throw new Error(`${name}: managed policy ${policyArn} is not in the lake's stacks`);
      policies.push({ name: found[0], policy: found[1].Properties?.PolicyDocument as PolicyDocument });
    }
    principals.set(name, { arn: resolver.getAtt(stack, id, 'Arn'), policies });
  }
  for (const [name, [stack, prefix]] of Object.entries(ANALYSTS) as [PrincipalName, [string, string]][]) {
    const template = stackTemplate(templates, stack);
    const id = logicalId(template, 'AWS::IAM::ManagedPolicy', prefix);
    principals.set(name, {
      arn: `arn:${PARTITION}:iam::${ACCOUNT}:role/${name}`,
      policies: [{ name: id, policy: template.Resources[id].Properties?.PolicyDocument as PolicyDocument }],
    });
  }
  const iamArn = (resource: string) => `arn:${PARTITION}:iam::${ACCOUNT}:${resource}`;
  const everything = ['s3', 'kms', 'glue', 'athena', 'secretsmanager', 'sts'];
  principals.set('unrelated-role', { arn: iamArn('role/unrelated'), policies: [] });
  principals.set('account-admin', broad(iamArn('role/account-admin'), everything));
  // Whoever may create roles under the department role path may give them any policy.
  principals.set('path-lookalike', broad(iamArn('role/lake/departments/Lake-upload-health-2'), everything));
  // lake.yaml's break-glass admin and a steward health's uploaders name (departments.yaml).
  principals.set('lake-admin', broad(iamArn('role/lake-admin'), everything));
  principals.set('health-steward', broad(iamArn('user/health-steward'), ['sts']));
  // An administrator of the services behind sharing (the requests table, the API, Lake Formation).
  principals.set(
    'service-admin',
    broad(iamArn('role/service-admin'), ['dynamodb', 'execute-api', 'lakeformation', 'scheduler']),
  );
  const tableId = logicalId(core, 'AWS::DynamoDB::Table', 'AccessTable');
  const accessTable = {
    arn: resolver.getAtt('Lake', tableId, 'Arn'),
    policy: (
      core.Resources[tableId].Properties?.ResourcePolicy as { PolicyDocument?: PolicyDocument } | undefined
    )?.PolicyDocument,
  };
  const apiId = logicalId(core, 'AWS::ApiGateway::RestApi', 'AccessApi');
  // API Gateway reads `execute-api:/<stage>/<method>/<path>` in its resource policy as the API's own ARN.
  const arnPrefix = `arn:${PARTITION}:execute-api:${REGION}:${ACCOUNT}:${resolver.ref('Lake', apiId)}/`;
  const apiPolicy = core.Resources[apiId].Properties?.Policy as PolicyDocument | undefined;
  const accessApi = {
    arnPrefix,
    policy: apiPolicy
      ? (JSON.parse(JSON.stringify(apiPolicy).replaceAll('execute-api:/', arnPrefix)) as PolicyDocument)
      : undefined,
  };
  // CloudFront on behalf of the open-data distribution, or of another distribution of the account; the public.
  const distribution = logicalId(core, 'AWS::CloudFront::Distribution', 'OpenDataDistribution');
  const cdn = (id: string) => ({
    arn: 'cloudfront.amazonaws.com',
    policies: [],
    context: {
      'aws:SourceArn': `arn:${PARTITION}:cloudfront::${ACCOUNT}:distribution/${id}`,
      'aws:SourceAccount': ACCOUNT,
      'aws:PrincipalServiceName': 'cloudfront.amazonaws.com',
    },
  });
  principals.set('open-data-cdn', cdn(String(resolver.ref('Lake', distribution))));
  principals.set('other-cdn', cdn('EOTHERDISTRIBUTION'));
  const portal = logicalId(core, 'AWS::CloudFront::Distribution', 'PortalSiteDistribution');
  principals.set('portal-cdn', cdn(String(resolver.ref('Lake', portal))));
  principals.set('anonymous', { arn: 'anonymous', policies: [] });
  return {
    lake: built,
    templates,
    principals,
    buckets,
    keys,
    secrets,
    roles,
    workgroups,
    accessTable,
    accessApi,
  };
}

/** A concrete request: what iam-simulate needs, plus the resource policy that applies. */
export interface ModelRequest {
  readonly principal: ModelPrincipal;
  readonly action: string;
  readonly resourceArn: string;
  readonly resourcePolicy?: PolicyDocument;
  readonly context: Record<string, string | string[]>;
}

const S3_TRANSPORT = { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3' };
const VIA_S3 = `s3.${REGION}.${URL_SUFFIX}`;
/** Secrets Manager as KMS sees it: the name the stacks' key policies use (aws-cdk-lib's). */
const VIA_SECRETS_MANAGER = `secretsmanager.${REGION}.amazonaws.com`;

/**
 * Turns a row of the matrix into a request. Resources are written `<bucket>:<key>` (an object; for
 * s3:ListBucket(Versions), the bucket listed with that prefix; for kms actions, the object's key used through
 * S3 with its encryption context), `key:<name>` (a KMS key called directly), `secret:<name>` (the
 * secret; for kms actions, its key used through Secrets Manager), `role:<principal>` (assuming a role
 * the stacks create, against its trust policy), `glue:<db>[/<table>]` and `workgroup:<name>`.
 */
export function toRequest(model: LakeModel, row: AccessExpectation): ModelRequest {
  const principal = model.principals.get(row.principal);
  if (!principal) throw new Error(`no principal ${row.principal}`);
  const [kind, ...restParts] = row.resource.split(':');
  const rest = restParts.join(':');
  if (kind === 'key') {
    const key = model.keys.get(rest);
    if (!key) throw new Error(`no key ${rest}`);
    return { principal, action: row.action, resourceArn: key.arn, resourcePolicy: key.policy, context: {} };
  }
  if (kind === 'glue') {
    const [db, table] = rest.split('/');
    const resourceArn = table
      ? `arn:${PARTITION}:glue:${REGION}:${ACCOUNT}:table/${db}/${table}`
      : `arn:${PARTITION}:glue:${REGION}:${ACCOUNT}:database/${db}`;
    return { principal, action: row.action, resourceArn, context: {} };
  }
  if (kind === 'role') {
    // `role:<name>[ session=<role session name>]`: the session name the caller asks for, if any.
    const [name, session] = rest.split(' session=');
    const role = model.roles.get(name);
    if (!role) throw new Error(`no role ${name}`);
    return {
      principal,
      action: row.action,
      resourceArn: role.arn,
      resourcePolicy: role.trust,
      context: session ? { 'sts:RoleSessionName': session } : {},
    };
  }
  if (kind === 'secret') {
    const secret = model.secrets.get(rest);
    if (!secret) throw new Error(`no secret ${rest}`);
    if (!row.action.startsWith('kms:')) {
      return {
        principal,
        action: row.action,
        resourceArn: secret.arn,
        resourcePolicy: secret.policy,
        context: {},
      };
    }
    const key = [...model.keys.values()].find((k) => k.arn === secret.keyArn);
    if (!key) throw new Error(`secret ${rest} has no KMS key in the model`);
    return {
      principal,
      action: row.action,
      resourceArn: key.arn,
      resourcePolicy: key.policy,
      context: { 'kms:ViaService': VIA_SECRETS_MANAGER, 'kms:EncryptionContext:SecretARN': secret.arn },
    };
  }
  if (kind === 'table' && rest === 'access-requests') {
    if (!model.accessTable) throw new Error('no access requests table');
    const t = model.accessTable;
    return { principal, action: row.action, resourceArn: t.arn, resourcePolicy: t.policy, context: {} };
  }
  if (kind === 'api') {
    // `api:<METHOD> <path>`, e.g. `api:POST departments/health/requests/r-1/approve`.
    if (!model.accessApi) throw new Error('no access API');
    const [method, path] = rest.split(' ');
    const resourceArn = `${model.accessApi.arnPrefix}v1/${method}/${path}`;
    return {
      principal,
      action: row.action,
      resourceArn,
      resourcePolicy: model.accessApi.policy,
      context: {},
    };
  }
  if (kind === 'lakeformation') {
    // Lake Formation's grant actions take no resource ARN: only identity policies decide.
    return { principal, action: row.action, resourceArn: '*', context: {} };
  }
  if (kind === 'workgroup') {
    const name = model.workgroups.get(rest);
    if (!name) throw new Error(`no workgroup ${rest}`);
    const resourceArn = `arn:${PARTITION}:athena:${REGION}:${ACCOUNT}:workgroup/${name}`;
    return { principal, action: row.action, resourceArn, context: {} };
  }
  const bucket = model.buckets.get(kind);
  if (!bucket) throw new Error(`no bucket ${kind}`);
  const objectArn = `${bucket.arn}/${rest}`;
  if (row.action.startsWith('kms:')) {
    const key = [...model.keys.values()].find((k) => k.arn === bucket.keyArn);
    if (!key) throw new Error(`bucket ${kind} has no KMS key`);
    return {
      principal,
      action: row.action,
      resourceArn: key.arn,
      resourcePolicy: key.policy,
      context: { 'kms:ViaService': VIA_S3, 'kms:EncryptionContext:aws:s3:arn': objectArn },
    };
  }
  if (row.action === 's3:ListBucket' || row.action === 's3:ListBucketVersions') {
    return {
      principal,
      action: row.action,
      resourceArn: bucket.arn,
      resourcePolicy: bucket.policy,
      context: { ...S3_TRANSPORT, 's3:prefix': rest },
    };
  }
  const context: Record<string, string> = { ...S3_TRANSPORT };
  if (row.action === 's3:PutObject' && bucket.keyArn) {
    context['s3:x-amz-server-side-encryption'] = 'aws:kms';
    context['s3:x-amz-server-side-encryption-aws-kms-key-id'] = bucket.keyArn;
  }
  return { principal, action: row.action, resourceArn: objectArn, resourcePolicy: bucket.policy, context };
}

/** Whether the request is allowed, by iam-simulate. Throws on a simulation error. */
export async function isAllowed(original: ModelRequest): Promise<boolean> {
  const request = shimEncryptionContext(original);
  const simulation: Simulation = {
    request: {
      principal: request.principal.arn === 'anonymous' ? anonymousPrincipal : request.principal.arn,
      action: request.action,
      resource: { resource: request.resourceArn, accountId: ACCOUNT },
      // AWS puts the caller's ARN (a role's, for its sessions) in every request's context; a service's
      // request carries its source instead, an unsigned one nothing.
      contextVariables: {
        ...(request.principal.arn.startsWith('arn:') ? { 'aws:PrincipalArn': request.principal.arn } : {}),
        ...request.principal.context,
        ...request.context,
      },
    },
    identityPolicies: request.principal.policies.map((p) => ({ name: p.name, policy: p.policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy,
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    throw new Error(
      `simulation of ${request.action} on ${request.resourceArn}: ${JSON.stringify(result.errors)}`,
    );
  }
  const ignored = result.resultType === 'single' ? (result.result.ignoredContextKeys ?? []) : [];
  if (ignored.length > 0) {
    throw new Error(
      `${request.action} on ${request.resourceArn}: context keys ${ignored.join(', ')} do not apply`,
    );
  }
  return result.overallResult === 'Allowed';
}

/**
 * iam-simulate recognises variable context keys written `prefix/name` only, so it drops the
 * `kms:EncryptionContext:<key>` keys that KMS declares. The same condition (operator and values
 * unchanged) is evaluated under a stand-in key that it keeps, renamed in the request and in every
 * policy alike.
 */
const ENCRYPTION_CONTEXT = /kms:EncryptionContext:([A-Za-z0-9:_-]+)/gi;
function shimEncryptionContext(request: ModelRequest): ModelRequest {
  const rename = (key: string) =>
    key.replace(ENCRYPTION_CONTEXT, (_, k: string) => `aws:RequestTag/kms-ec-${k.replace(/:/g, '-')}`);
  const renameIn = <T>(doc: T): T => JSON.parse(rename(JSON.stringify(doc)));
  return {
    principal: {
      arn: request.principal.arn,
      context: request.principal.context,
      policies: request.principal.policies.map((p) => renameIn(p)),
    },
    action: request.action,
    resourceArn: request.resourceArn,
    resourcePolicy: request.resourcePolicy && renameIn(request.resourcePolicy),
    context: Object.fromEntries(Object.entries(request.context).map(([k, v]) => [rename(k), v])),
  };
}
