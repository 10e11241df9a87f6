/**
 * Resolves a template's intrinsic functions (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::ImportValue, the pseudo
 * parameters) against a deployed stack, so the resources moto's CloudFormation cannot create are created
 * from the very properties the template gives them.
 */
import { MOTO_ACCOUNT, MOTO_REGION } from './moto-server.ts';
import type { CfnResource, Json } from './synth-lake.ts';

export class UnresolvableError extends Error {
  constructor(what: string) {
    super(`cannot resolve ${what}: the test's resolver (test/aws/intrinsics.ts) does not know it`);
    this.name = 'UnresolvableError';
  }
}

export interface ResolveContext {
  stackName: string;
  resources: Record<string, CfnResource>;
  /** Physical ids (what Ref answers) by logical id. */
  physical: Map<string, string>;
  /** Exported values by export name (Fn::ImportValue). */
  exports: Map<string, string>;
  /** Fn::GetAtt answers of the resources created by API or given a stand-in, by logical id. */
  attributes?: Map<string, Record<string, string>>;
}

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': MOTO_ACCOUNT,
  'AWS::Region': MOTO_REGION,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

function ref(name: string, ctx: ResolveContext): string {
  if (name === 'AWS::StackName') return ctx.stackName;
  const pseudo = PSEUDO[name];
  if (pseudo) return pseudo;
  const id = ctx.physical.get(name);
  if (id === undefined) throw new UnresolvableError(`Ref ${name}`);
  return id;
}

function getAtt(logicalId: string, attribute: string, ctx: ResolveContext): string {
  const type = ctx.resources[logicalId]?.Type;
  const known = ctx.attributes?.get(logicalId)?.[attribute];
  if (known !== undefined) return known;
  const id = ref(logicalId, ctx);
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${MOTO_REGION}:${MOTO_ACCOUNT}:${resource}`;
  const name = `${type} ${attribute}`;
  if (name === 'AWS::S3::Bucket Arn') return `arn:aws:s3:::${id}`;
  if (name === 'AWS::KMS::Key Arn') return arn('kms', `key/${id}`);
  if (name === 'AWS::IAM::Role Arn') return `arn:aws:iam::${MOTO_ACCOUNT}:role/${id}`;
  if (name === 'AWS::Events::Rule Arn') return arn('events', `rule/${id}`);
  if (name === 'AWS::Logs::LogGroup Arn') return arn('logs', `log-group:${id}:*`);
  if (name === 'AWS::Lambda::Function Arn') return arn('lambda', `function:${id}`);
  if (name === 'AWS::SQS::Queue QueueName') return id.split('/').pop() ?? id;
  if (name === 'AWS::SQS::Queue Arn') return arn('sqs', id.split('/').pop() ?? id);
  throw new UnresolvableError(`Fn::GetAtt ${logicalId}.${attribute} (${type})`);
}

/** The value with every intrinsic function replaced by what it stands for in the deployed stack. */
export function resolve(value: unknown, ctx: ResolveContext): Json {
  if (Array.isArray(value)) return value.map((v) => resolve(v, ctx));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [fn, arg] = entries[0] as [string, Json];
    if (fn === 'Ref') return ref(arg, ctx);
    if (fn === 'Fn::GetAtt') {
      const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
      return getAtt(id, attribute, ctx);
    }
    if (fn === 'Fn::Join') return (resolve(arg[1], ctx) as string[]).join(arg[0]);
    if (fn === 'Fn::ImportValue') {
      const name = resolve(arg, ctx) as string;
      const exported = ctx.exports.get(name);
      if (exported === undefined) throw new UnresolvableError(`Fn::ImportValue ${name}`);
      return exported;
    }
    if (fn === 'Fn::Sub') {
      const [text, vars] = typeof arg === 'string' ? [arg, {}] : [arg[0], resolve(arg[1], ctx)];
      return (text as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (name in vars) return vars[name];
        const [id, attribute] = name.split('.');
        return attribute ? getAtt(id, attribute, ctx) : ref(id, ctx);
      });
    }
    if (fn.startsWith('Fn::')) throw new UnresolvableError(fn);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v, ctx)]));
}

/** The logical ids a value refers to (Ref and Fn::GetAtt). */
export function referencedIds(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) referencedIds(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') out.add(v);
      else if (k === 'Fn::GetAtt') out.add(Array.isArray(v) ? v[0] : String(v).split('.')[0]);
      else referencedIds(v, out);
    }
  }
  return out;
}

/** What a secret holds: its SecretString at a version stage or id (Secrets Manager's GetSecretValue). */
export type ReadSecret = (secretId: string, versionStage?: string, versionId?: string) => Promise<string>;

const DYNAMIC_REFERENCE = /\{\{resolve:([a-z-]+):(.*?)\}\}/g;

/**
 * The value with CloudFormation's dynamic references to Secrets Manager
 * (`{{resolve:secretsmanager:<id or ARN>:SecretString:<json key>:<version stage>:<version id>}}`) replaced
 * by what the secret holds, as CloudFormation resolves them when it creates the resource; any other dynamic
 * reference is an UnresolvableError.
 */
export async function resolveDynamicReferences(value: Json, readSecret: ReadSecret): Promise<Json> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveDynamicReferences(v, readSecret)));
  if (value !== null && typeof value === 'object') {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await resolveDynamicReferences(v, readSecret)]),
    );
    return Object.fromEntries(entries);
  }
  if (typeof value !== 'string' || !value.includes('{{resolve:')) return value;
  const references = [...value.matchAll(DYNAMIC_REFERENCE)];
  if (references.length === 0) throw new UnresolvableError(`the dynamic reference in ${value}`);
  let out = '';
  let last = 0;
  for (const m of references) {
    const [whole, service, reference] = m;
    if (service !== 'secretsmanager') throw new UnresolvableError(`the dynamic reference ${whole}`);
    const parts = reference.split(':');
    // The secret is named by its ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) or its name.
    const idParts = parts[0] === 'arn' ? 7 : 1;
    const secretId = parts.slice(0, idParts).join(':');
    const [field = 'SecretString', jsonKey, versionStage, versionId] = parts.slice(idParts);
    if (field !== 'SecretString') throw new UnresolvableError(`the dynamic reference ${whole}`);
    const text = await readSecret(secretId, versionStage || undefined, versionId || undefined);
    const resolved = jsonKey ? JSON.parse(text)[jsonKey] : text;
    if (typeof resolved !== 'string') throw new UnresolvableError(`the dynamic reference ${whole}`);
    out += value.slice(last, m.index) + resolved;
    last = (m.index ?? 0) + whole.length;
  }
  return out + value.slice(last);
}
