import { Duration, Size } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { LAKE_DEFAULTS } from '../../lib/config/lake-config.ts';
import { HASH_KEY_LENGTH, LakeIngestion, VISIBILITY_TIMEOUT_FACTOR } from '../../lib/ingestion/ingestion.ts';
import { LAKE_RUNTIME } from '../../lib/ingestion/lake-function.ts';
import {
  DUCKDB_PACKAGES,
  duckdbBindingPackage,
  installedPackageDir,
  TransformerFunction,
} from '../../lib/ingestion/transformer-function.ts';
import { LakeStorage } from '../../lib/storage/lake-storage.ts';
import { DEFAULT_CONTRACTS_FILE, TRANSFORMER_ENV } from '../../src/ingest/env.ts';
import { TRANSFORMER_METRICS_NAMESPACE, TRANSFORMER_SERVICE_NAME } from '../../src/ingest/metrics.ts';
import { FIXTURE_HANDLER, fastStack } from './helpers.ts';

function ingestionStack(props: Partial<ConstructorParameters<typeof LakeIngestion>[2]> = {}) {
  const stack = fastStack();
  const storage = new LakeStorage(stack, 'Storage');
  const opsKey = new kms.Key(stack, 'OpsKey', { enableKeyRotation: true });
  const ingestion = new LakeIngestion(stack, 'Ingestion', {
    storage,
    opsKey,
    entry: FIXTURE_HANDLER,
    ...props,
  });
  return { stack, storage, ingestion, template: Template.fromStack(stack) };
}

const getAtt = (prefix: string, attr = 'Arn') => ({
  'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${prefix}`)), attr],
});

describe('LakeIngestion defaults', () => {
  const { template } = ingestionStack();

  it('queues uploads with a dead-letter queue, a redrive limit and a visibility timeout six times the function', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: LAKE_DEFAULTS.transformerTimeoutSeconds * VISIBILITY_TIMEOUT_FACTOR,
      RedrivePolicy: {
        deadLetterTargetArn: Match.objectLike({
          'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionDeadLetterQueue'), 'Arn'],
        }),
        maxReceiveCount: LAKE_DEFAULTS.maxReceiveCount,
      },
      KmsMasterKeyId: Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('^OpsKey'), 'Arn'] }),
    });
    template.resourceCountIs('AWS::SQS::Queue', 3);
    template.allResourcesProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('^OpsKey'), 'Arn'] }),
    });
    for (const policy of Object.values(template.findResources('AWS::SQS::QueuePolicy'))) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('routes Object Created events under landing/ of the landing bucket to the queue, with its own DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: [{ Ref: Match.stringLikeRegexp('^StorageLanding') }] },
          object: { key: [{ prefix: 'landing/' }] },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionQueue'), 'Arn'] }),
          DeadLetterConfig: {
            Arn: Match.objectLike({
              'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionEventDeadLetterQueue'), 'Arn'],
            }),
          },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
        }),
      ],
    });
  });

  it('lets only EventBridge rules of this account send to the queue', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: Match.stringLikeRegexp('^IngestionQueue') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Resource: Match.anyValue(),
          },
        ]),
      },
    });
  });

  it('drives the transformer from the queue with partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: LAKE_DEFAULTS.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: LAKE_DEFAULTS.maxConcurrency },
      EventSourceArn: Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionQueue'), 'Arn'] }),
    });
  });

  it('runs the transformer on x86_64 (the installed DuckDB binding) with the lake environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: LAKE_RUNTIME.name,
      Architectures: ['x86_64'],
      Handler: 'index.handler',
      MemorySize: LAKE_DEFAULTS.transformerMemoryMiB,
      Timeout: LAKE_DEFAULTS.transformerTimeoutSeconds,
      EphemeralStorage: { Size: LAKE_DEFAULTS.transformerEphemeralStorageMiB },
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      Environment: {
        Variables: {
          [TRANSFORMER_ENV.landingBucket]: { Ref: Match.stringLikeRegexp('^StorageLanding') },
          [TRANSFORMER_ENV.rawBucket]: { Ref: Match.stringLikeRegexp('^StorageRaw') },
          [TRANSFORMER_ENV.curatedBucket]: { Ref: Match.stringLikeRegexp('^StorageCurated') },
          [TRANSFORMER_ENV.quarantineBucket]: { Ref: Match.stringLikeRegexp('^StorageQuarantine') },
          [TRANSFORMER_ENV.hashKeySecretArn]: { Ref: Match.stringLikeRegexp('^IngestionHashKey') },
          [TRANSFORMER_ENV.contractsFile]: DEFAULT_CONTRACTS_FILE,
          [TRANSFORMER_ENV.maxObjectBytes]: String(
            (LAKE_DEFAULTS.transformerEphemeralStorageMiB * 1024 * 1024) / 4,
          ),
          // The working copy's limit from /tmp, the strings' memory budget from the function's memory.
          [TRANSFORMER_ENV.maxDecompressedBytes]: String(
            (LAKE_DEFAULTS.transformerEphemeralStorageMiB * 1024 * 1024 * 3) / 8,
          ),
          [TRANSFORMER_ENV.stringsMemoryBytes]: String(64 * 1024 * 1024),
          POWERTOOLS_SERVICE_NAME: TRANSFORMER_SERVICE_NAME,
          POWERTOOLS_METRICS_NAMESPACE: TRANSFORMER_METRICS_NAMESPACE,
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365,
      KmsKeyId: Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('^OpsKey'), 'Arn'] }),
    });
  });

  it('generates the hash key at deploy time: 64 hex digits, under its own KMS key, never in the template', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionHashKeyKey'), 'Arn'] }),
      GenerateSecretString: {
        PasswordLength: HASH_KEY_LENGTH,
        ExcludePunctuation: true,
        ExcludeUppercase: true,
        IncludeSpace: false,
        RequireEachIncludedType: false,
        ExcludeCharacters: 'ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ',
      },
    });
    const secret = Object.values(template.findResources('AWS::SecretsManager::Secret'))[0];
    expect(secret.Properties.SecretString).toBeUndefined();
  });

  it("gives the transformer's role exactly: its logs, X-Ray, the queue, the lake zones and the secret", () => {
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
        },
      },
    });
    expect(Object.keys(roles)).toHaveLength(1);
    const [roleId, role] = Object.entries(roles)[0];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const landing = getAtt('StorageLanding');
    const objects = (bucket: string, prefix: string) => ({
      'Fn::Join': ['', [getAtt(bucket), `/${prefix}`]],
    });
    const viaS3 = { StringEquals: { 'kms:ViaService': expect.anything() } };
    expect(statements).toEqual([
      {
        Sid: 'WriteOwnLogs',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: getAtt('IngestionTransformerLogs'),
      },
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
      {
        Action: [
          'sqs:ReceiveMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueUrl',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
        ],
        Effect: 'Allow',
        Resource: getAtt('IngestionQueue'),
      },
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: getAtt('OpsKey') },
      {
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [landing, '/landing/*']] },
      },
      {
        Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
        Effect: 'Allow',
        Resource: [
          objects('StorageRaw', 'raw/*'),
          objects('StorageCurated', 'curated/*'),
          objects('StorageCurated', 'withdrawn/*'),
          objects('StorageQuarantine', 'quarantine/*'),
          objects('StorageQuarantine', 'reports/*'),
        ],
      },
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: [
          objects('StorageCurated', 'curated/*'),
          objects('StorageCurated', 'withdrawn/*'),
          objects('StorageQuarantine', 'quarantine/*'),
          objects('StorageQuarantine', 'reports/*'),
        ],
      },
      {
        Action: 's3:DeleteObject',
        Effect: 'Allow',
        Resource: [objects('StorageCurated', 'curated/*'), objects('StorageQuarantine', 'quarantine/*')],
      },
      {
        Action: 's3:ListBucket',
        Effect: 'Allow',
        Resource: [getAtt('StorageLanding'), getAtt('StorageCurated'), getAtt('StorageQuarantine')],
      },
      {
        Action: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
        Condition: viaS3,
        Effect: 'Allow',
        Resource: getAtt('StorageDataKey'),
      },
      {
        Action: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
        Condition: viaS3,
        Effect: 'Allow',
        Resource: getAtt('StorageCuratedKey'),
      },
      {
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Effect: 'Allow',
        Resource: { Ref: expect.stringMatching(/^IngestionHashKey/) },
      },
    ]);
  });

  it('lets the transformer decrypt the secret only through Secrets Manager (key policy)', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'kms:Decrypt',
            Condition: { StringEquals: { 'kms:ViaService': Match.anyValue() } },
            Principal: {
              AWS: Match.objectLike({
                'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionTransformerRole'), 'Arn'],
              }),
            },
          }),
        ]),
      },
    });
  });
});

describe('LakeIngestion overrides', () => {
  it('takes sizing, batching and redrive from props', () => {
    const { template } = ingestionStack({
      memorySize: 1024,
      timeout: Duration.minutes(5),
      ephemeralStorageSize: Size.mebibytes(2048),
      batchSize: 4,
      maxConcurrency: 3,
      maxReceiveCount: 7,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 300,
      EphemeralStorage: { Size: 2048 },
      Environment: {
        Variables: Match.objectLike({
          [TRANSFORMER_ENV.maxObjectBytes]: String(512 * 1024 * 1024),
          [TRANSFORMER_ENV.maxDecompressedBytes]: String(768 * 1024 * 1024),
          [TRANSFORMER_ENV.stringsMemoryBytes]: String(32 * 1024 * 1024),
        }),
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 300 * VISIBILITY_TIMEOUT_FACTOR,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 7 }),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 4,
      ScalingConfig: { MaximumConcurrency: 3 },
    });
  });

  it('rejects a concurrency SQS cannot drive', () => {
    expect(() => ingestionStack({ maxConcurrency: 1 })).toThrow(/maxConcurrency is 1; SQS needs at least 2/);
  });

  it('rejects an architecture whose DuckDB binding is not installed, naming the package', () => {
    const missing = installedPackageDir(duckdbBindingPackage(lambda.Architecture.ARM_64)) === undefined;
    if (missing) {
      expect(() => ingestionStack({ architecture: lambda.Architecture.ARM_64 })).toThrow(
        /@duckdb\/node-bindings-linux-arm64 installed/,
      );
    } else {
      expect(ingestionStack({ architecture: lambda.Architecture.ARM_64 }).template).toBeDefined();
    }
  });
});

describe('TransformerFunction packaging', () => {
  it('keeps DuckDB out of the bundle and finds every package it copies into the asset', () => {
    const packages = [...DUCKDB_PACKAGES, duckdbBindingPackage(lambda.Architecture.X86_64)];
    for (const name of packages) expect(installedPackageDir(name), name).toBeDefined();
    expect(TransformerFunction).toBeDefined();
  });
});
