import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { DESTROY_DATA_CONTEXT } from '../../lib/common/context.ts';
import { LAKE_DEFAULTS } from '../../lib/config/lake-config.ts';
import { ABORT_INCOMPLETE_UPLOAD_DAYS, LakeStorage } from '../../lib/storage/lake-storage.ts';
import { fastStack } from './helpers.ts';

function storageStack(props = {}, context: Record<string, unknown> = {}) {
  const stack = fastStack(context);
  const storage = new LakeStorage(stack, 'Storage', props);
  return { stack, storage };
}

const ref = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const objects = (bucketId: string, prefix: string) => ({ 'Fn::Join': ['', [ref(bucketId), `/${prefix}`]] });

/** The logical id of a bucket by its construct id inside Storage. */
function bucketId(template: Template, id: string): string {
  const found = Object.entries(template.findResources('AWS::S3::Bucket')).find(([, r]) =>
    String(r.Metadata?.['aws:cdk:path']).endsWith(`/Storage/${id}/Resource`),
  );
  if (!found) throw new Error(`no bucket ${id}`);
  return found[0];
}

function keyId(template: Template, id: string): string {
  const found = Object.entries(template.findResources('AWS::KMS::Key')).find(([, r]) =>
    String(r.Metadata?.['aws:cdk:path']).endsWith(`/Storage/${id}/Resource`),
  );
  if (!found) throw new Error(`no key ${id}`);
  return found[0];
}

function bucket(template: Template, id: string) {
  return template.findResources('AWS::S3::Bucket')[bucketId(template, id)];
}

const DATA_BUCKETS = ['Landing', 'Raw', 'Curated', 'Quarantine', 'QueryResults'];

describe('LakeStorage defaults', () => {
  const { stack } = storageStack();
  const template = Template.fromStack(stack);

  it('creates the five data buckets, the access-log bucket and three rotating keys', () => {
    template.resourceCountIs('AWS::S3::Bucket', 6);
    template.resourceCountIs('AWS::KMS::Key', 3);
    template.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('blocks public access, owns every object and keeps every bucket and key on stack deletion', () => {
    template.allResourcesProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    for (const r of Object.values(template.findResources('AWS::S3::Bucket'))) {
      expect(r.DeletionPolicy).toBe('Retain');
      expect(r.UpdateReplacePolicy).toBe('Retain');
    }
    for (const r of Object.values(template.findResources('AWS::KMS::Key')))
      expect(r.DeletionPolicy).toBe('Retain');
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('encrypts each data bucket with its key; bucket keys only where no per-prefix key scope is needed', () => {
    const expected: Record<string, [string, boolean]> = {
      Landing: ['DataKey', false],
      Raw: ['DataKey', true],
      Curated: ['CuratedKey', true],
      Quarantine: ['DataKey', false],
      QueryResults: ['QueryKey', true],
    };
    for (const [id, [key, bucketKey]] of Object.entries(expected)) {
      expect(bucket(template, id).Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: bucketKey,
            ServerSideEncryptionByDefault: {
              KMSMasterKeyID: ref(keyId(template, key)),
              SSEAlgorithm: 'aws:kms',
            },
          },
        ],
      });
    }
    expect(bucket(template, 'AccessLogs').Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  it('versions every bucket but the query results, and locks raw originals for a year (governance)', () => {
    for (const id of ['Landing', 'Raw', 'Curated', 'Quarantine', 'AccessLogs']) {
      expect(bucket(template, id).Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    }
    expect(bucket(template, 'QueryResults').Properties.VersioningConfiguration).toBeUndefined();
    expect(bucket(template, 'Raw').Properties.ObjectLockEnabled).toBe(true);
    expect(bucket(template, 'Raw').Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: LAKE_DEFAULTS.rawRetentionDays } },
    });
  });

  it('logs access to every data bucket into the access-log bucket, one prefix each', () => {
    const logs = bucketId(template, 'AccessLogs');
    for (const id of DATA_BUCKETS) {
      expect(bucket(template, id).Properties.LoggingConfiguration).toEqual({
        DestinationBucketName: { Ref: logs },
        LogFilePrefix: `${id.toLowerCase()}/`,
      });
    }
  });

  it('sends landing and quarantine events to EventBridge without a notification Lambda', () => {
    for (const id of ['Landing', 'Quarantine']) {
      expect(bucket(template, id).Properties.NotificationConfiguration).toEqual({
        EventBridgeConfiguration: { EventBridgeEnabled: true },
      });
    }
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  it('expires landing, quarantine, reports, results and logs, and aborts incomplete uploads everywhere', () => {
    const rules = (id: string) => bucket(template, id).Properties.LifecycleConfiguration.Rules;
    const abort = { AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS } };
    expect(rules('Landing')).toEqual([
      {
        Id: 'expire-processed-uploads',
        Status: 'Enabled',
        ExpirationInDays: LAKE_DEFAULTS.landingExpirationDays,
        NoncurrentVersionExpiration: { NoncurrentDays: LAKE_DEFAULTS.noncurrentVersionExpirationDays },
        ...abort,
      },
    ]);
    expect(rules('Raw')).toEqual([{ Id: 'abort-incomplete-uploads', Status: 'Enabled', ...abort }]);
    expect(rules('Quarantine')).toEqual([
      expect.objectContaining({
        Prefix: 'quarantine/',
        ExpirationInDays: LAKE_DEFAULTS.quarantineExpirationDays,
      }),
      expect.objectContaining({ Prefix: 'reports/', ExpirationInDays: LAKE_DEFAULTS.reportExpirationDays }),
      { Id: 'abort-incomplete-uploads', Status: 'Enabled', ...abort },
    ]);
    expect(rules('QueryResults')).toEqual([
      {
        Id: 'expire-query-results',
        Status: 'Enabled',
        ExpirationInDays: LAKE_DEFAULTS.queryResultExpirationDays,
        ...abort,
      },
    ]);
    expect(rules('AccessLogs')[0]).toMatchObject({ ExpirationInDays: LAKE_DEFAULTS.accessLogExpirationDays });
    expect(rules('Curated')[0]).toMatchObject({
      NoncurrentVersionExpiration: { NoncurrentDays: LAKE_DEFAULTS.noncurrentVersionExpirationDays },
      ...abort,
    });
  });

  it('refuses plain HTTP and TLS below 1.2 on every bucket', () => {
    const policies = template.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(6);
    for (const policy of Object.values(policies)) {
      const statements = policy.Properties.PolicyDocument.Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
        }),
      );
    }
  });

  it("denies objects encrypted any other way than with the bucket's own key", () => {
    for (const [id, key] of [
      ['Landing', 'DataKey'],
      ['Raw', 'DataKey'],
      ['Curated', 'CuratedKey'],
      ['Quarantine', 'DataKey'],
      ['QueryResults', 'QueryKey'],
    ]) {
      const bid = bucketId(template, id);
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bid },
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Sid: 'DenyNonKmsEncryption',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 's3:PutObject',
              Resource: objects(bid, '*'),
              Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
            },
            {
              Sid: 'DenyOtherKmsKey',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 's3:PutObject',
              Resource: objects(bid, '*'),
              Condition: {
                StringNotEqualsIfExists: {
                  's3:x-amz-server-side-encryption-aws-kms-key-id': ref(keyId(template, key)),
                },
              },
            },
          ]),
        },
      });
    }
  });

  it('grants no Allow to anyone in any bucket policy but the log delivery service on the log bucket', () => {
    for (const policy of Object.values(template.findResources('AWS::S3::BucketPolicy'))) {
      const allows = policy.Properties.PolicyDocument.Statement.filter(
        (s: { Effect: string }) => s.Effect === 'Allow',
      );
      for (const allow of allows) {
        expect(allow.Principal).toEqual({ Service: 'logging.s3.amazonaws.com' });
        expect(allow.Action).toBe('s3:PutObject');
      }
    }
  });

  it('leaves key policies at the account-root delegation: data access is granted in IAM only', () => {
    for (const key of Object.values(template.findResources('AWS::KMS::Key'))) {
      expect(key.Properties.KeyPolicy.Statement).toEqual([
        {
          Action: 'kms:*',
          Effect: 'Allow',
          Principal: {
            AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] },
          },
          Resource: '*',
        },
      ]);
    }
  });
});

describe('LakeStorage overrides', () => {
  it('takes retention periods from props', () => {
    const { stack } = storageStack({
      landingExpiration: Duration.days(7),
      quarantineExpiration: Duration.days(10),
      reportExpiration: Duration.days(20),
      rawRetention: Duration.days(0),
      accessLogExpiration: Duration.days(90),
      noncurrentVersionExpiration: Duration.days(3),
      queryResultExpiration: Duration.days(2),
    });
    const template = Template.fromStack(stack);
    const rules = (id: string) => bucket(template, id).Properties.LifecycleConfiguration.Rules;
    expect(rules('Landing')[0]).toMatchObject({
      ExpirationInDays: 7,
      NoncurrentVersionExpiration: { NoncurrentDays: 3 },
    });
    expect(rules('Quarantine')[0]).toMatchObject({ ExpirationInDays: 10 });
    expect(rules('Quarantine')[1]).toMatchObject({ ExpirationInDays: 20 });
    expect(rules('QueryResults')[0]).toMatchObject({ ExpirationInDays: 2 });
    expect(rules('AccessLogs')[0]).toMatchObject({ ExpirationInDays: 90 });
    // Zero retention keeps Object Lock on, without a default retention.
    expect(bucket(template, 'Raw').Properties.ObjectLockEnabled).toBe(true);
    expect(bucket(template, 'Raw').Properties.ObjectLockConfiguration).toBeUndefined();
  });

  it('uses the keys it is given instead of creating them', () => {
    const stack = fastStack();
    const key = new kms.Key(stack, 'Mine', { enableKeyRotation: true });
    new LakeStorage(stack, 'Storage', { dataKey: key, curatedKey: key, queryKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(
      bucket(template, 'Curated').Properties.BucketEncryption.ServerSideEncryptionConfiguration[0],
    ).toMatchObject({
      ServerSideEncryptionByDefault: {
        KMSMasterKeyID: ref(Object.keys(template.findResources('AWS::KMS::Key'))[0]),
      },
    });
  });

  it('deletes buckets and keys with the stack only when the destroy flag is set, and warns', () => {
    const { stack } = storageStack({}, { [DESTROY_DATA_CONTEXT]: 'true' });
    const template = Template.fromStack(stack);
    for (const [id, r] of Object.entries(template.findResources('AWS::S3::Bucket'))) {
      expect(r.DeletionPolicy, id).toBe('Delete');
    }
    for (const r of Object.values(template.findResources('AWS::KMS::Key')))
      expect(r.DeletionPolicy).toBe('Delete');
    // Objects are emptied on deletion, except the raw originals under Object Lock.
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 4);
    Annotations.fromStack(stack).hasWarning(
      '/Test/Storage',
      Match.stringLikeRegexp(`${DESTROY_DATA_CONTEXT} is set`),
    );
  });

  it('rejects a retention shorter than a day, naming the prop', () => {
    expect(() => storageStack({ landingExpiration: Duration.hours(2) })).toThrow(
      /landingExpiration is 2 hours/,
    );
  });
});

describe('LakeStorage.restrictDataAccess', () => {
  function restricted(context: Record<string, unknown> = {}) {
    const { stack, storage } = storageStack({}, context);
    const role = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
    const transformer = role('Transformer');
    const reader = role('Reader');
    storage.restrictDataAccess({
      transformer,
      curatedReaders: [reader],
      departmentRoles: [department],
      analysts: [analyst],
      admins: ['arn:aws-cn:iam::111122223333:role/break-glass'],
    });
    const template = Template.fromStack(stack);
    const roleId = (r: iam.Role) => stack.getLogicalId(r.node.defaultChild as iam.CfnRole);
    return { template, transformer: ref(roleId(transformer)), reader: ref(roleId(reader)) };
  }
  const department = 'arn:aws-cn:iam::111122223333:role/lake/departments/Lake-upload-health';
  const analyst = 'arn:aws-cn:iam::111122223333:role/public-analyst';
  const admin = 'arn:aws-cn:iam::111122223333:role/break-glass';

  function denyOf(template: Template, id: string) {
    const bucketRef = { Ref: bucketId(template, id) };
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify(bucketRef),
    );
    return policy?.Properties.PolicyDocument.Statement.find(
      (s: { Sid?: string }) => s.Sid === 'DenyOutsideLakeRoles',
    );
  }

  it("denies object reads, writes and deletes to everyone but each bucket's own lake roles", () => {
    const { template, transformer, reader } = restricted();
    const allowed: Record<string, unknown[]> = {
      Landing: [transformer, admin, department],
      Raw: [transformer, admin],
      Curated: [transformer, admin, reader],
      Quarantine: [transformer, admin, department],
      QueryResults: [transformer, admin, analyst],
    };
    for (const [id, principals] of Object.entries(allowed)) {
      expect(denyOf(template, id), id).toEqual({
        Action: ['s3:GetObject*', 's3:PutObject*', 's3:DeleteObject*'],
        Condition: { ArnNotLike: { 'aws:PrincipalArn': principals } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: objects(bucketId(template, id), '*'),
        Sid: 'DenyOutsideLakeRoles',
      });
    }
  });

  it("denies the data keys' cryptographic use outside the lake roles, keeping the root's administration", () => {
    const { template, transformer, reader } = restricted();
    const keys = template.findResources('AWS::KMS::Key');
    const allowed: Record<string, unknown[]> = {
      DataKey: [transformer, admin, department],
      CuratedKey: [transformer, admin, reader],
      QueryKey: [transformer, admin, analyst],
    };
    for (const [id, principals] of Object.entries(allowed)) {
      const statements = keys[keyId(template, id)].Properties.KeyPolicy.Statement;
      expect(statements[0]).toMatchObject({ Action: 'kms:*', Effect: 'Allow' });
      expect(statements[1], id).toEqual({
        Action: ['kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
        Condition: { ArnNotLike: { 'aws:PrincipalArn': principals } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: '*',
        Sid: 'DenyDataUseOutsideLakeRoles',
      });
    }
  });

  it('lets the object-emptying helper of the destroy flag through, except into raw', () => {
    const { template } = restricted({ [DESTROY_DATA_CONTEXT]: 'true' });
    const helper = ref('CustomS3AutoDeleteObjectsCustomResourceProviderRole3B1BD092');
    expect(template.findResources('AWS::IAM::Role')).toHaveProperty(helper['Fn::GetAtt'][0]);
    for (const id of ['Landing', 'Curated', 'Quarantine', 'QueryResults']) {
      expect(denyOf(template, id).Condition.ArnNotLike['aws:PrincipalArn'], id).toContainEqual(helper);
    }
    // Raw is never emptied (Object Lock): the helper stays out.
    expect(denyOf(template, 'Raw').Condition.ArnNotLike['aws:PrincipalArn']).not.toContainEqual(helper);
  });
});

describe('LakeStorage grants', () => {
  function granted(grant: (storage: LakeStorage, role: iam.Role) => void) {
    const { stack, storage } = storageStack();
    const role = new iam.Role(stack, 'Grantee', { assumedBy: new iam.AccountRootPrincipal() });
    grant(storage, role);
    const template = Template.fromStack(stack);
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))[0];
    return { template, statements: policy.Properties.PolicyDocument.Statement as unknown[] };
  }
  const viaS3 = { 'kms:ViaService': { 'Fn::Join': ['', ['s3.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } };

  it('grantDepartmentUpload: put and list under landing/<department>/ only, key scoped to those objects', () => {
    const { template, statements } = granted((s, r) => s.grantDepartmentUpload(r, 'health'));
    const landing = bucketId(template, 'Landing');
    expect(statements).toEqual([
      {
        Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Effect: 'Allow',
        Resource: objects(landing, 'landing/health/*'),
      },
      {
        Action: 's3:ListBucket',
        Condition: { StringLike: { 's3:prefix': ['landing/health/*'] } },
        Effect: 'Allow',
        Resource: ref(landing),
      },
      {
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Condition: {
          StringEquals: viaS3,
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [objects(landing, 'landing/health/*')] },
        },
        Effect: 'Allow',
        Resource: ref(keyId(template, 'DataKey')),
      },
    ]);
  });

  it('grantDepartmentReports: read and list reports/<department>/ only, decrypt only those', () => {
    const { template, statements } = granted((s, r) => s.grantDepartmentReports(r, 'health'));
    const quarantine = bucketId(template, 'Quarantine');
    expect(statements).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: objects(quarantine, 'reports/health/*') },
      {
        Action: 's3:ListBucket',
        Condition: { StringLike: { 's3:prefix': ['reports/health/*'] } },
        Effect: 'Allow',
        Resource: ref(quarantine),
      },
      {
        Action: 'kms:Decrypt',
        Condition: {
          StringEquals: viaS3,
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [objects(quarantine, 'reports/health/*')] },
        },
        Effect: 'Allow',
        Resource: ref(keyId(template, 'DataKey')),
      },
    ]);
  });

  it('grantTransformer: reads landing, writes raw, curated, quarantine and reports, reads and cleans its outputs', () => {
    const { template, statements } = granted((s, r) => s.grantTransformer(r));
    const b = (id: string) => bucketId(template, id);
    expect(statements).toEqual([
      {
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Effect: 'Allow',
        Resource: objects(b('Landing'), 'landing/*'),
      },
      {
        Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
        Effect: 'Allow',
        Resource: [
          objects(b('Raw'), 'raw/*'),
          objects(b('Curated'), 'curated/*'),
          objects(b('Curated'), 'withdrawn/*'),
          objects(b('Quarantine'), 'quarantine/*'),
          objects(b('Quarantine'), 'reports/*'),
        ],
      },
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: [
          objects(b('Curated'), 'curated/*'),
          objects(b('Curated'), 'withdrawn/*'),
          objects(b('Quarantine'), 'quarantine/*'),
          objects(b('Quarantine'), 'reports/*'),
        ],
      },
      {
        Action: 's3:DeleteObject',
        Effect: 'Allow',
        Resource: [objects(b('Curated'), 'curated/*'), objects(b('Quarantine'), 'quarantine/*')],
      },
      {
        Action: 's3:ListBucket',
        Effect: 'Allow',
        Resource: [ref(b('Landing')), ref(b('Curated')), ref(b('Quarantine'))],
      },
      {
        Action: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
        Condition: { StringEquals: viaS3 },
        Effect: 'Allow',
        Resource: ref(keyId(template, 'DataKey')),
      },
      {
        Action: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
        Condition: { StringEquals: viaS3 },
        Effect: 'Allow',
        Resource: ref(keyId(template, 'CuratedKey')),
      },
    ]);
  });

  it('grantCuratedRead: get and list curated, decrypt its key; nothing else', () => {
    const { template, statements } = granted((s, r) => s.grantCuratedRead(r));
    const curated = bucketId(template, 'Curated');
    expect(statements).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: objects(curated, 'curated/*') },
      { Action: ['s3:ListBucket', 's3:GetBucketLocation'], Effect: 'Allow', Resource: ref(curated) },
      {
        Action: 'kms:Decrypt',
        Condition: { StringEquals: viaS3 },
        Effect: 'Allow',
        Resource: ref(keyId(template, 'CuratedKey')),
      },
    ]);
  });

  it('grantQueryResults: results under athena/ and the query key', () => {
    const { template, statements } = granted((s, r) => s.grantQueryResults(r));
    const results = bucketId(template, 'QueryResults');
    expect(statements).toEqual([
      {
        Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Effect: 'Allow',
        Resource: objects(results, 'athena/*'),
      },
      { Action: 's3:GetBucketLocation', Effect: 'Allow', Resource: ref(results) },
      {
        Action: 's3:ListBucket',
        Condition: { StringLike: { 's3:prefix': ['athena/*'] } },
        Effect: 'Allow',
        Resource: ref(results),
      },
      {
        Action: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
        Condition: { StringEquals: viaS3 },
        Effect: 'Allow',
        Resource: ref(keyId(template, 'QueryKey')),
      },
    ]);
  });
});
