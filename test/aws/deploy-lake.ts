/**
 * Deploys the synthesized lake on moto as `cdk deploy --all` would: bootstrap (the version parameter, the
 * assets bucket, the function's code), then each stack's template through CloudFormation for the types
 * moto's CloudFormation creates, and every other resource created from the same template properties
 * through its service's API (template-resources.ts). Each resource's fate is recorded (see Coverage): by
 * CloudFormation, or by the API call named.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListExportsCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  GetRandomPasswordCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { zipOf } from '../support/zip.ts';
import type { Coverage } from './coverage.ts';
import { type ResolveContext, referencedIds, resolve } from './intrinsics.ts';
import { motoJson, motoRest } from './moto-call.ts';
import { MOTO_ACCOUNT, MOTO_REGION } from './moto-server.ts';
import {
  BEFORE_STACK_TYPES,
  CLOUDFRONT_TYPES,
  cloudFrontStandIn,
  createBeforeStack,
  inDependencyOrder,
  type StandIn,
} from './service-resources.ts';
import type { CfnResource, CfnTemplate, Json, SynthLake } from './synth-lake.ts';
import {
  alarmName,
  applyBucketSettings,
  clientConfig,
  createRest,
  type DeployClients,
  MOTO_CFN_TYPES,
} from './template-resources.ts';

/** The bootstrap's qualifier and asset bucket (`cdk bootstrap` defaults). */
const QUALIFIER = 'hnb659fds';
export const ASSETS_BUCKET = `cdk-${QUALIFIER}-assets-${MOTO_ACCOUNT}-${MOTO_REGION}`;

export interface DeployedStack {
  name: string;
  outputs: Record<string, string>;
  physical: Map<string, string>;
}

const NO_PHYSICAL_ID = new Set(['AWS::Lambda::Permission', 'AWS::Lambda::LayerVersion']);

/** Stand-ins for references from CloudFormation-created resources to resources created by API. */
type StandIns = Map<string, StandIn>;

function substitute(value: unknown, standIns: StandIns, stack: string): unknown {
  if (Array.isArray(value)) return value.map((v) => substitute(v, standIns, stack));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [fn, arg] = entries[0] as [string, Json];
    const id = fn === 'Ref' ? arg : fn === 'Fn::GetAtt' ? (Array.isArray(arg) ? arg[0] : arg) : undefined;
    const standIn = id !== undefined ? standIns.get(id) : undefined;
    if (standIn) {
      const attribute = Array.isArray(arg) ? arg[1] : undefined;
      const literal = fn === 'Ref' ? standIn.ref : standIn.atts?.[attribute];
      if (literal === undefined) throw new Error(`${stack}: no stand-in for ${fn} ${JSON.stringify(arg)}`);
      return literal;
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, substitute(v, standIns, stack)]));
}

/** `cdk bootstrap` and asset publishing: the version parameter, the assets bucket, the function's code. */
export async function bootstrap(clients: DeployClients, lake: SynthLake): Promise<string> {
  await motoJson(clients.endpoint, 'ssm', 'AmazonSSM.PutParameter', {
    Name: `/cdk-bootstrap/${QUALIFIER}/version`,
    Value: '30',
    Type: 'String',
  });
  await clients.s3.send(
    new CreateBucketCommand({
      Bucket: ASSETS_BUCKET,
      CreateBucketConfiguration: { LocationConstraint: MOTO_REGION },
    }),
  );
  const fn = lake.stacks[0].template.Resources[lake.transformerId];
  const key = fn.Properties?.Code?.S3Key as string;
  // The code object holds the bundle and its contracts; node_modules (DuckDB) is left out: moto never runs
  // the function, the suite runs the asset directory itself with plain node.
  const files = ['index.mjs', 'contracts.json'].map(
    (f) => [f, readFileSync(join(lake.transformerAsset, f))] as [string, Buffer],
  );
  await clients.s3.send(new PutObjectCommand({ Bucket: ASSETS_BUCKET, Key: key, Body: zipOf(files) }));
  // The other functions' and layers' code, as `cdk deploy` publishes it: a zip asset as it is, a bundled
  // directory zipped (its files; moto stores the code, it runs none of it).
  for (const { template } of lake.stacks) {
    for (const r of Object.values(template.Resources)) {
      const code = r.Properties?.Code ?? r.Properties?.Content;
      const assetPath = r.Metadata?.['aws:asset:path'];
      if (!code?.S3Key || code.S3Key === key || code.S3Bucket !== ASSETS_BUCKET || !assetPath) continue;
      const path = join(lake.outdir, assetPath);
      const body = statSync(path).isDirectory()
        ? zipOf(
            readdirSync(path)
              .filter((f) => statSync(join(path, f)).isFile())
              .map((f) => [f, readFileSync(join(path, f))] as [string, Buffer]),
          )
        : readFileSync(path);
      await clients.s3.send(new PutObjectCommand({ Bucket: ASSETS_BUCKET, Key: code.S3Key, Body: body }));
    }
  }
  return key;
}

/** Secrets are created before their stack: the function's environment names the secret's ARN. */
async function createSecrets(
  clients: DeployClients,
  stack: string,
  template: CfnTemplate,
  standIns: StandIns,
  coverage: Coverage,
): Promise<void> {
  const sm = new SecretsManagerClient(clientConfig(clients.endpoint));
  try {
    for (const [id, r] of Object.entries(template.Resources)) {
      if (r.Type !== 'AWS::SecretsManager::Secret') continue;
      const g = r.Properties?.GenerateSecretString ?? {};
      const { RandomPassword } = await sm.send(
        new GetRandomPasswordCommand({
          PasswordLength: g.PasswordLength,
          ExcludeCharacters: g.ExcludeCharacters,
          ExcludePunctuation: g.ExcludePunctuation,
          ExcludeUppercase: g.ExcludeUppercase,
          IncludeSpace: g.IncludeSpace,
          RequireEachIncludedType: g.RequireEachIncludedType,
        }),
      );
      const created = await sm.send(
        new CreateSecretCommand({
          Name: `${stack}-${id}`,
          Description: r.Properties?.Description,
          SecretString: RandomPassword,
        }),
      );
      standIns.set(id, { ref: created.ARN, atts: { Arn: created.ARN ?? '', Id: created.ARN ?? '' } });
      coverage.resource(stack, id, r.Type, 'api: CreateSecret (GenerateSecretString via GetRandomPassword)');
    }
  } finally {
    sm.destroy();
  }
}

/**
 * What the stack's CloudFormation-created resources refer to outside moto's CloudFormation, made first
 * through the service's API (REST APIs, the schedule group, the user pool and its parts), with the
 * API Gateway stages' names (made after the stack, under that name) and CloudFront's stand-ins.
 */
async function createBeforeItsStack(
  clients: DeployClients,
  stack: string,
  template: CfnTemplate,
  standIns: StandIns,
  coverage: Coverage,
): Promise<void> {
  const config = clientConfig(clients.endpoint);
  for (const [id, r] of Object.entries(template.Resources)) {
    if (CLOUDFRONT_TYPES.has(r.Type))
      standIns.set(id, cloudFrontStandIn(stack, id, r.Type, r.Properties ?? {}));
    if (r.Type === 'AWS::ApiGateway::Stage') standIns.set(id, { ref: r.Properties?.StageName });
  }
  const first = inDependencyOrder(
    Object.entries(template.Resources).filter(([, r]) => BEFORE_STACK_TYPES.has(r.Type)),
    ([, r]) => referencedIds(r.Properties ?? {}),
  );
  for (const [id, r] of first) {
    // Resolved against what exists so far: a reference to something the stack creates cannot resolve.
    const ctx: ResolveContext = {
      stackName: stack,
      resources: template.Resources,
      physical: new Map([...standIns].flatMap(([k, v]) => (v.ref ? [[k, v.ref]] : []))),
      exports: new Map(),
      attributes: new Map([...standIns].flatMap(([k, v]) => (v.atts ? [[k, v.atts]] : []))),
    };
    const { how, ...made } = await createBeforeStack(
      clients.endpoint,
      config,
      stack,
      id,
      r.Type,
      resolve(r.Properties ?? {}, ctx),
    );
    standIns.set(id, made);
    coverage.resource(stack, id, r.Type, how);
  }
}

/** The template moto's CloudFormation is given: its types only, references to the rest as literals. */
function forMoto(stack: string, template: CfnTemplate, standIns: StandIns): CfnTemplate {
  const Resources: Record<string, CfnResource> = {};
  for (const [id, r] of Object.entries(template.Resources)) {
    if (!MOTO_CFN_TYPES.has(r.Type)) continue;
    const dependsOn = [r.DependsOn ?? []]
      .flat()
      .filter((d) => MOTO_CFN_TYPES.has(template.Resources[d]?.Type));
    Resources[id] = { ...(substitute(r, standIns, stack) as CfnResource), DependsOn: dependsOn };
    for (const ref of referencedIds(Resources[id])) {
      const target = template.Resources[ref];
      if (target && !MOTO_CFN_TYPES.has(target.Type))
        throw new Error(`${stack}: ${id} refers to ${ref} (${target.Type}), which has no stand-in`);
    }
  }
  return {
    ...template,
    Resources,
    Outputs: substitute(template.Outputs ?? {}, standIns, stack) as CfnTemplate['Outputs'],
  };
}

async function resolveContext(
  cfn: CloudFormationClient,
  stack: string,
  template: CfnTemplate,
  standIns: StandIns,
): Promise<ResolveContext> {
  const physical = new Map<string, string>();
  const { StackResources } = await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }));
  for (const r of StackResources ?? []) physical.set(r.LogicalResourceId ?? '', r.PhysicalResourceId ?? '');
  const attributes = new Map<string, Record<string, string>>();
  for (const [id, s] of standIns) {
    if (s.ref) physical.set(id, s.ref);
    if (s.atts) attributes.set(id, s.atts);
  }
  const exports = new Map<string, string>();
  const { Exports } = await cfn.send(new ListExportsCommand({}));
  for (const e of Exports ?? []) exports.set(e.Name ?? '', e.Value ?? '');
  return { stackName: stack, resources: template.Resources, physical, exports, attributes };
}

/**
 * Lambda's event source mapping is deployed, then disabled: moto would run the function in Docker on each
 * message. The suite polls the queue itself with the mapping's settings (see transformer-poller.ts).
 */
async function disableEventSourceMappings(endpoint: string, functionName: string): Promise<unknown[]> {
  const list = await motoRest(
    endpoint,
    'lambda',
    'GET',
    `/2015-03-31/event-source-mappings/?FunctionName=${encodeURIComponent(functionName)}`,
  );
  const mappings = list.EventSourceMappings ?? [];
  for (const m of mappings) {
    await motoRest(endpoint, 'lambda', 'PUT', `/2015-03-31/event-source-mappings/${m.UUID}`, {
      Enabled: false,
    });
  }
  return mappings;
}

export interface LakeDeployment {
  stacks: DeployedStack[];
  /** The event source mappings of the transformer as deployed (batch size, response types). */
  eventSourceMappings: { BatchSize?: number; FunctionResponseTypes?: string[]; EventSourceArn?: string }[];
  /** The transformer's configuration as deployed (its environment). */
  transformer: { FunctionName: string; Environment?: { Variables?: Record<string, string> } };
}

export async function deployLake(
  clients: DeployClients,
  lake: SynthLake,
  coverage: Coverage,
): Promise<LakeDeployment> {
  const cfn = new CloudFormationClient(clientConfig(clients.endpoint));
  const deploy = async ({ name, template }: SynthLake['stacks'][number]): Promise<DeployedStack> => {
    const standIns: StandIns = new Map();
    await createSecrets(clients, name, template, standIns, coverage);
    await createBeforeItsStack(clients, name, template, standIns, coverage);
    for (const [id, r] of Object.entries(template.Resources)) {
      if (r.Type === 'AWS::CloudWatch::Alarm')
        standIns.set(id, {
          atts: { Arn: `arn:aws:cloudwatch:${MOTO_REGION}:${MOTO_ACCOUNT}:alarm:${alarmName(name, id)}` },
        });
    }
    const body = forMoto(name, template, standIns);
    await cfn.send(
      new CreateStackCommand({
        StackName: name,
        TemplateBody: JSON.stringify(body),
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      }),
    );
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    const status = Stacks?.[0]?.StackStatus;
    if (status !== 'CREATE_COMPLETE')
      throw new Error(`${name}: ${status} ${Stacks?.[0]?.StackStatusReason ?? ''}`);
    const ctx = await resolveContext(cfn, name, template, standIns);
    for (const [id, r] of Object.entries(body.Resources)) {
      // moto lists a Lambda permission or layer version with no physical id (CloudFormation's would be
      // the statement id, the layer version's ARN).
      const made = NO_PHYSICAL_ID.has(r.Type) ? ctx.physical.has(id) : ctx.physical.get(id);
      if (!made) throw new Error(`${name}: CloudFormation on moto did not create ${id} (${r.Type})`);
      coverage.resource(name, id, r.Type, 'cloudformation');
    }
    await applyBucketSettings(clients, ctx, template, coverage);
    await createRest(clients, ctx, template, coverage);
    const outputs = Object.fromEntries(
      (Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
    );
    return { name, outputs, physical: ctx.physical };
  };
  try {
    await bootstrap(clients, lake);
    // The core first (the department stacks import its outputs), then the departments side by side.
    const [coreSynth, ...departments] = lake.stacks;
    const core = await deploy(coreSynth);
    const stacks = [core, ...(await Promise.all(departments.map(deploy)))];
    const transformerName = core.physical.get(lake.transformerId) ?? '';
    const eventSourceMappings = (await disableEventSourceMappings(
      clients.endpoint,
      transformerName,
    )) as LakeDeployment['eventSourceMappings'];
    const transformer = await motoRest(
      clients.endpoint,
      'lambda',
      'GET',
      `/2015-03-31/functions/${encodeURIComponent(transformerName)}`,
    );
    return { stacks, eventSourceMappings, transformer: transformer.Configuration };
  } finally {
    cfn.destroy();
  }
}
