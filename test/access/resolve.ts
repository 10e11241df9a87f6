/**
 * Resolves the intrinsics of synthesized CloudFormation templates (Ref, Fn::GetAtt, Fn::Join, Fn::Sub,
 * Fn::ImportValue across the lake's stacks) to concrete values, for an offline IAM evaluation.
 *
 * Every resource gets a fixed physical name derived from its stack and logical id, so the ARNs the
 * evaluation builds and the ARNs in the policies are the same strings.
 */

export const ACCOUNT = '111122223333';
export const REGION = 'cn-north-1';
export const PARTITION = 'aws-cn';
export const URL_SUFFIX = 'amazonaws.com.cn';

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DependsOn?: unknown;
}
export interface CfnTemplateJson {
  Resources: Record<string, CfnResourceJson>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  Parameters?: Record<string, { Default?: unknown }>;
}

/** The fixed physical name of a resource: `<stack>-<logical id>`, lower case where AWS requires it. */
export function physicalName(stack: string, logicalId: string, type: string): string {
  const name = `${stack}-${logicalId}`;
  return type === 'AWS::S3::Bucket' ? name.toLowerCase() : name;
}

function explicitName(resource: CfnResourceJson): unknown {
  const p = resource.Properties ?? {};
  switch (resource.Type) {
    case 'AWS::S3::Bucket':
      return p.BucketName;
    case 'AWS::IAM::Role':
      return p.RoleName;
    case 'AWS::IAM::ManagedPolicy':
      return p.ManagedPolicyName;
    case 'AWS::Athena::WorkGroup':
      return p.Name;
    case 'AWS::Glue::Database':
      return (p.DatabaseInput as { Name?: unknown } | undefined)?.Name;
    default:
      return undefined;
  }
}

const arn = (service: string, region: string, account: string, rest: string) =>
  `arn:${PARTITION}:${service}:${region}:${account}:${rest}`;

/** Resolves every template of an app; `templates` maps stack name to template. */
export class TemplateResolver {
  private readonly exports = new Map<string, unknown>();

  constructor(private readonly templates: ReadonlyMap<string, CfnTemplateJson>) {
    for (const [stack, template] of templates) {
      for (const output of Object.values(template.Outputs ?? {})) {
        if (output.Export) {
          this.exports.set(String(this.resolve(stack, output.Export.Name)), { stack, value: output.Value });
        }
      }
    }
  }

  /** The whole template of `stack`, resolved. */
  template(stack: string): CfnTemplateJson {
    const template = this.templates.get(stack);
    if (!template) throw new Error(`no stack ${stack}`);
    return {
      Resources: this.resolve(stack, template.Resources) as CfnTemplateJson['Resources'],
      Outputs: this.resolve(stack, template.Outputs ?? {}) as CfnTemplateJson['Outputs'],
    };
  }

  private name(stack: string, logicalId: string): string {
    const resource = this.resource(stack, logicalId);
    const explicit = explicitName(resource);
    if (explicit !== undefined) return String(this.resolve(stack, explicit));
    return physicalName(stack, logicalId, resource.Type);
  }

  private resource(stack: string, logicalId: string): CfnResourceJson {
    const resource = this.templates.get(stack)?.Resources[logicalId];
    if (!resource) throw new Error(`${stack}: no resource ${logicalId}`);
    return resource;
  }

  ref(stack: string, logicalId: string): string {
    switch (logicalId) {
      case 'AWS::Partition':
        return PARTITION;
      case 'AWS::Region':
        return REGION;
      case 'AWS::AccountId':
        return ACCOUNT;
      case 'AWS::URLSuffix':
        return URL_SUFFIX;
      case 'AWS::StackName':
        return stack;
    }
    const parameter = this.templates.get(stack)?.Parameters?.[logicalId];
    if (parameter) return String(parameter.Default ?? logicalId);
    const resource = this.resource(stack, logicalId);
    const name = this.name(stack, logicalId);
    switch (resource.Type) {
      case 'AWS::IAM::ManagedPolicy':
        return `arn:${PARTITION}:iam::${ACCOUNT}:policy/${name}`;
      case 'AWS::SNS::Topic':
        return arn('sns', REGION, ACCOUNT, name);
      case 'AWS::SecretsManager::Secret':
        return arn('secretsmanager', REGION, ACCOUNT, `secret:${name}`);
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.${URL_SUFFIX}/${ACCOUNT}/${name}`;
      case 'AWS::KMS::Key':
        return logicalId;
      default:
        return name;
    }
  }

  getAtt(stack: string, logicalId: string, attribute: string): string {
    const resource = this.resource(stack, logicalId);
    const name = this.name(stack, logicalId);
    if (attribute === 'Arn') {
      switch (resource.Type) {
        case 'AWS::S3::Bucket':
          return `arn:${PARTITION}:s3:::${name}`;
        case 'AWS::KMS::Key':
          return arn('kms', REGION, ACCOUNT, `key/${logicalId}`);
        case 'AWS::IAM::Role': {
          // A role's ARN carries its IAM path (default `/`).
          const path = String(this.resolve(stack, resource.Properties?.Path ?? '/'));
          return `arn:${PARTITION}:iam::${ACCOUNT}:role${path}${name}`;
        }
        case 'AWS::SQS::Queue':
          return arn('sqs', REGION, ACCOUNT, name);
        case 'AWS::Logs::LogGroup':
          return arn('logs', REGION, ACCOUNT, `log-group:${name}:*`);
        case 'AWS::Lambda::Function':
          return arn('lambda', REGION, ACCOUNT, `function:${name}`);
        case 'AWS::SNS::Topic':
          return arn('sns', REGION, ACCOUNT, name);
        case 'AWS::DynamoDB::Table':
          return arn('dynamodb', REGION, ACCOUNT, `table/${name}`);
        default:
          return arn(resource.Type.split('::')[1].toLowerCase(), REGION, ACCOUNT, name);
      }
    }
    if (attribute === 'QueueName' || attribute === 'TopicName') return name;
    if (attribute === 'RoleId') return `AROA${logicalId.toUpperCase()}`.slice(0, 21);
    return `${name}.${attribute}`;
  }

  resolve(stack: string, value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(stack, v));
    if (value === null || typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      const [key] = keys;
      const arg = obj[key];
      switch (key) {
        case 'Ref':
          return this.ref(stack, String(arg));
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.');
          return this.getAtt(stack, String(id), String(attr));
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown[]];
          return (this.resolve(stack, parts) as unknown[]).map(String).join(sep);
        }
        case 'Fn::Sub':
          return this.sub(stack, arg);
        case 'Fn::ImportValue': {
          const name = String(this.resolve(stack, arg));
          const found = this.exports.get(name) as { stack: string; value: unknown } | undefined;
          if (!found) throw new Error(`${stack}: no export ${name}`);
          return this.resolve(found.stack, found.value);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [number, unknown];
          return (this.resolve(stack, list) as unknown[])[Number(index)];
        }
        case 'Fn::Split': {
          const [sep, text] = arg as [string, unknown];
          return String(this.resolve(stack, text)).split(sep);
        }
        case 'Fn::GetAZs':
          return [`${REGION}a`, `${REGION}b`];
      }
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, this.resolve(stack, v)]));
  }

  private sub(stack: string, arg: unknown): string {
    const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      if (name in vars) return String(this.resolve(stack, vars[name]));
      if (name.includes('.')) {
        const [id, attr] = name.split('.');
        return this.getAtt(stack, id, attr);
      }
      return this.ref(stack, name);
    });
  }
}
