/**
 * The resources of a deployed stack that moto's CloudFormation lacks or ignores, created from the same
 * template properties through each service's API: bucket settings, bucket and queue policies, the secret's
 * key and policy, Glue databases and tables, Athena workgroups, SNS policies and subscriptions, alarms,
 * Lake Formation, and the SDK call an AwsCustomResource makes. Each is recorded in the Coverage with the
 * call that made it.
 */
import { isDeepStrictEqual } from 'node:util';
import { AthenaClient, CreateWorkGroupCommand } from '@aws-sdk/client-athena';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import {
  DeleteBucketPolicyCommand,
  GetBucketCorsCommand,
  GetBucketPolicyCommand,
  PutBucketCorsCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  GetSecretValueCommand,
  PutResourcePolicyCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Coverage } from './coverage.ts';
import {
  type ReadSecret,
  type ResolveContext,
  referencedIds,
  resolve,
  resolveDynamicReferences,
} from './intrinsics.ts';
import {
  createLakeFormationResource,
  LAKE_FORMATION_TYPES,
  lakeFormationGap,
} from './lake-formation-calls.ts';
import { motoQuery, queryParams } from './moto-call.ts';
import { MOTO_CREDENTIALS, MOTO_REGION } from './moto-server.ts';
import {
  API_GATEWAY_AFTER_STACK,
  BEFORE_STACK_TYPES,
  CLOUDFRONT_COVERED_BY,
  CLOUDFRONT_GAP,
  CLOUDFRONT_TYPES,
  createApiGatewayPart,
  createOriginAccessControl,
  inDependencyOrder,
  STAGE_PROPERTIES_NOT_APPLIED,
} from './service-resources.ts';
import type { CfnTemplate, Json } from './synth-lake.ts';

/** The lake's resource types that moto 5.2's CloudFormation creates. */
export const MOTO_CFN_TYPES = new Set([
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::SQS::Queue',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::Events::Rule',
  'AWS::Logs::LogGroup',
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::Permission',
  'AWS::SNS::Topic',
  'AWS::CloudWatch::Dashboard',
  'AWS::DynamoDB::Table',
  'AWS::Lambda::LayerVersion',
]);

/** Resource types moto's CloudFormation lacks and the suite does not create, with what covers them. */
export const NOT_CREATED: Record<string, string> = {
  'Custom::CDKBucketDeployment':
    "moto's CloudFormation invokes no custom resource (its handler would run in Docker): the portal's files and " +
    'its config are not copied to the site bucket here → test/cdk/portal.test.ts (sources, markers, destination)',
};

/** Table properties moto's CloudFormation ignores, with what covers them. */
export const TABLE_PROPERTIES_NOT_APPLIED: Record<string, string> = {
  PointInTimeRecoverySpecification: 'test/cdk/access-requests.test.ts',
  ResourcePolicy: 'test/cdk/access-requests.test.ts (only the function writes)',
};

/** The name an alarm gets here (CloudFormation would generate one): the dashboard refers to it by ARN. */
export function alarmName(stack: string, id: string): string {
  return `${stack}-${id}`;
}

/** Bucket properties moto's CloudFormation ignores and the suite does not apply, with what covers them. */
export const BUCKET_PROPERTIES_NOT_APPLIED: Record<string, string> = {
  LifecycleConfiguration: 'test/cdk/storage.test.ts',
  LoggingConfiguration: 'test/cdk/storage.test.ts',
  ObjectLockConfiguration: 'test/cdk/storage.test.ts (raw/ is write-once)',
  ObjectLockEnabled: 'test/cdk/storage.test.ts',
};

export interface DeployClients {
  endpoint: string;
  s3: S3Client;
}

export function clientConfig(endpoint: string) {
  return { endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS };
}

/** Creates the resources moto's CloudFormation lacks, from their template properties. */
export async function createRest(
  clients: DeployClients,
  ctx: ResolveContext,
  template: CfnTemplate,
  coverage: Coverage,
): Promise<void> {
  const { endpoint, s3 } = clients;
  const config = clientConfig(endpoint);
  const glue = new GlueClient(config);
  const athena = new AthenaClient(config);
  const sqs = new SQSClient({ ...config, useQueueUrlAsEndpoint: false });
  const sm = new SecretsManagerClient(config);
  const stack = ctx.stackName;
  const record = (id: string, type: string, how: string) => coverage.resource(stack, id, type, how);
  const readSecret: ReadSecret = async (SecretId, VersionStage, VersionId) => {
    const { SecretString } = await sm.send(new GetSecretValueCommand({ SecretId, VersionStage, VersionId }));
    if (SecretString === undefined) throw new Error(`${stack}: the secret ${SecretId} holds no SecretString`);
    return SecretString;
  };
  // Databases before their tables, tables before their tags.
  const order = (t: string) => (t === 'AWS::Glue::Database' ? 0 : t === 'AWS::Glue::Table' ? 1 : 2);
  const rest = inDependencyOrder(
    Object.entries(template.Resources)
      .filter(([, r]) => !MOTO_CFN_TYPES.has(r.Type) && !BEFORE_STACK_TYPES.has(r.Type))
      .sort(([, a], [, b]) => order(a.Type) - order(b.Type)),
    ([, r]) => referencedIds(r.Properties ?? {}),
  );
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::DynamoDB::Table') continue;
    for (const key of Object.keys(r.Properties ?? {})) {
      const coveredBy = TABLE_PROPERTIES_NOT_APPLIED[key];
      if (coveredBy) coverage.notApplied(`AWS::DynamoDB::Table ${key}`, coveredBy);
    }
  }
  try {
    for (const [id, r] of rest) {
      const p = () => resolve(r.Properties ?? {}, ctx);
      if (API_GATEWAY_AFTER_STACK.has(r.Type)) {
        const props = await resolveDynamicReferences(p(), readSecret);
        const { ref, how } = await createApiGatewayPart(endpoint, r.Type, props, `${stack}-${id}`);
        ctx.physical.set(id, ref);
        record(id, r.Type, how);
        if (r.Type === 'AWS::ApiGateway::Stage')
          for (const key of STAGE_PROPERTIES_NOT_APPLIED)
            if (props[key])
              coverage.notApplied(
                `AWS::ApiGateway::Stage ${key}`,
                'test/cdk/portal.test.ts (the portal stage’s settings; the access API stage’s are not asserted there)',
              );
        continue;
      }
      if (r.Type === 'AWS::CloudFront::OriginAccessControl') {
        ctx.physical.set(id, await createOriginAccessControl(endpoint, p()));
        record(id, r.Type, 'api: cloudfront CreateOriginAccessControl');
        continue;
      }
      if (CLOUDFRONT_TYPES.has(r.Type)) {
        coverage.notCreated(stack, id, r.Type, CLOUDFRONT_COVERED_BY);
        coverage.gap(CLOUDFRONT_GAP, CLOUDFRONT_COVERED_BY);
        continue;
      }
      switch (r.Type) {
        case 'AWS::SecretsManager::Secret': {
          const { KmsKeyId } = p();
          await sm.send(new UpdateSecretCommand({ SecretId: ctx.physical.get(id), KmsKeyId }));
          break; // recorded when created
        }
        case 'AWS::SecretsManager::ResourcePolicy': {
          const { SecretId, ResourcePolicy } = p();
          await sm.send(
            new PutResourcePolicyCommand({ SecretId, ResourcePolicy: JSON.stringify(ResourcePolicy) }),
          );
          record(id, r.Type, 'api: secretsmanager PutResourcePolicy');
          break;
        }
        case 'AWS::S3::BucketPolicy': {
          const { Bucket, PolicyDocument } = p();
          await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(PolicyDocument) }));
          const { Policy } = await s3.send(new GetBucketPolicyCommand({ Bucket }));
          if (JSON.stringify(JSON.parse(Policy ?? '{}')) !== JSON.stringify(PolicyDocument))
            throw new Error(`${stack}: the policy of ${Bucket} did not read back as put`);
          // moto applies a bucket policy's Deny statements without their conditions: TLS-only or
          // this-key-only would deny every request. Accepted and read back, then taken off.
          await s3.send(new DeleteBucketPolicyCommand({ Bucket }));
          record(id, r.Type, 'api: s3 PutBucketPolicy, GetBucketPolicy, then DeleteBucketPolicy');
          coverage.gap(
            'S3 bucket policies: moto applies their Deny statements without the conditions (every request denied); each is put, read back, then removed',
            'test/access/access-matrix.test.ts (the perimeter evaluated with its conditions) and test/cdk/data-perimeter.test.ts',
          );
          break;
        }
        case 'AWS::SQS::QueuePolicy': {
          const { Queues, PolicyDocument } = p();
          for (const QueueUrl of Queues as string[]) {
            await sqs.send(
              new SetQueueAttributesCommand({
                QueueUrl,
                Attributes: { Policy: JSON.stringify(PolicyDocument) },
              }),
            );
          }
          record(id, r.Type, 'api: sqs SetQueueAttributes Policy');
          break;
        }
        case 'AWS::SNS::TopicPolicy': {
          const { Topics, PolicyDocument } = p();
          for (const TopicArn of Topics as string[]) {
            await motoQuery(endpoint, 'sns', {
              Action: 'SetTopicAttributes',
              Version: '2010-03-31',
              TopicArn,
              AttributeName: 'Policy',
              AttributeValue: JSON.stringify(PolicyDocument),
            });
          }
          record(id, r.Type, 'api: sns SetTopicAttributes Policy');
          break;
        }
        case 'AWS::SNS::Subscription': {
          const { TopicArn, Protocol, Endpoint } = p();
          await motoQuery(endpoint, 'sns', {
            Action: 'Subscribe',
            Version: '2010-03-31',
            TopicArn,
            Protocol,
            Endpoint,
          });
          record(id, r.Type, 'api: sns Subscribe');
          break;
        }
        case 'AWS::CloudWatch::Alarm': {
          await motoQuery(endpoint, 'monitoring', {
            Action: 'PutMetricAlarm',
            Version: '2010-08-01',
            AlarmName: alarmName(stack, id),
            ...queryParams(p()),
          });
          record(id, r.Type, 'api: cloudwatch PutMetricAlarm');
          break;
        }
        case 'AWS::Glue::Database': {
          const { CatalogId, DatabaseInput } = p();
          await glue.send(new CreateDatabaseCommand({ CatalogId, DatabaseInput }));
          record(id, r.Type, 'api: glue CreateDatabase (DatabaseInput)');
          break;
        }
        case 'AWS::Glue::Table': {
          const { CatalogId, DatabaseName, TableInput } = p();
          await glue.send(new CreateTableCommand({ CatalogId, DatabaseName, TableInput }));
          record(id, r.Type, 'api: glue CreateTable (TableInput)');
          break;
        }
        case 'Custom::AWS': {
          const { service, action, parameters } = JSON.parse(p().Create);
          record(id, r.Type, `api: ${await applyAwsCall(s3, service, action, parameters)}`);
          coverage.gap(
            "Custom resources: moto's CloudFormation invokes none; an AwsCustomResource's Create call is made by API and read back",
            'test/cdk/portal-uploads.test.ts (the custom resource, its call and its policy)',
          );
          break;
        }
        case 'AWS::Athena::WorkGroup': {
          const { Name, Description, WorkGroupConfiguration, State } = p();
          await athena.send(
            new CreateWorkGroupCommand({ Name, Description, Configuration: WorkGroupConfiguration }),
          );
          if (State !== 'ENABLED') throw new Error(`${stack}: workgroup ${Name} is ${State}`);
          record(id, r.Type, 'api: athena CreateWorkGroup (WorkGroupConfiguration)');
          break;
        }
        default: {
          if (LAKE_FORMATION_TYPES.has(r.Type)) {
            record(id, r.Type, `api: ${await createLakeFormationResource(endpoint, r.Type, p())}`);
            lakeFormationGap(coverage);
            break;
          }
          const coveredBy = NOT_CREATED[r.Type];
          if (!coveredBy)
            throw new Error(
              `${stack}: ${id} is a ${r.Type}, which moto's CloudFormation lacks: create it in test/aws/deploy-lake.ts or name the test that covers it in NOT_CREATED`,
            );
          coverage.notCreated(stack, id, r.Type, coveredBy);
        }
      }
    }
  } finally {
    for (const c of [glue, athena, sqs, sm]) c.destroy();
  }
}

/**
 * The SDK call an AwsCustomResource (`Custom::AWS`) makes when created, made through the service's API and
 * read back; the calls made. Only the calls the lake's custom resources make are known here.
 */
async function applyAwsCall(
  s3: S3Client,
  service: string,
  action: string,
  parameters: Json,
): Promise<string> {
  const call = `${service.toLowerCase()}.${action[0].toLowerCase()}${action.slice(1)}`;
  switch (call) {
    case 's3.putBucketCors': {
      await s3.send(new PutBucketCorsCommand(parameters));
      const { CORSRules } = await s3.send(new GetBucketCorsCommand({ Bucket: parameters.Bucket }));
      const put = parameters.CORSConfiguration.CORSRules;
      if (!isDeepStrictEqual(CORSRules, put))
        throw new Error(
          `the CORS rules of ${parameters.Bucket} read back as ${JSON.stringify(CORSRules)}, not ${JSON.stringify(put)}`,
        );
      return "s3 PutBucketCors (the custom resource's Create call), GetBucketCors";
    }
    default:
      throw new Error(
        `an AwsCustomResource calls ${service} ${action}, which test/aws/template-resources.ts (applyAwsCall) does not make: add it, or name the test that covers it in NOT_CREATED`,
      );
  }
}

/** Bucket settings moto's CloudFormation ignores, applied from the template's properties. */
export async function applyBucketSettings(
  clients: DeployClients,
  ctx: ResolveContext,
  template: CfnTemplate,
  coverage: Coverage,
): Promise<void> {
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::S3::Bucket') continue;
    const Bucket = ctx.physical.get(id);
    const p = resolve(r.Properties ?? {}, ctx);
    const applied: string[] = [];
    if (p.VersioningConfiguration) {
      await clients.s3.send(
        new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: p.VersioningConfiguration }),
      );
      applied.push('PutBucketVersioning');
    }
    if (p.NotificationConfiguration?.EventBridgeConfiguration?.EventBridgeEnabled) {
      await clients.s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket,
          NotificationConfiguration: { EventBridgeConfiguration: {} },
        }),
      );
      applied.push('PutBucketNotificationConfiguration (EventBridge)');
    }
    if (p.PublicAccessBlockConfiguration) {
      await clients.s3.send(
        new PutPublicAccessBlockCommand({
          Bucket,
          PublicAccessBlockConfiguration: p.PublicAccessBlockConfiguration,
        }),
      );
      applied.push('PutPublicAccessBlock');
    }
    if (p.OwnershipControls) {
      await clients.s3.send(
        new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: p.OwnershipControls }),
      );
      applied.push('PutBucketOwnershipControls');
    }
    coverage.bucketSettings(ctx.stackName, id, applied);
    for (const key of Object.keys(p)) {
      const coveredBy = BUCKET_PROPERTIES_NOT_APPLIED[key];
      if (coveredBy) coverage.notApplied(`AWS::S3::Bucket ${key}`, coveredBy);
    }
  }
}
