import { type CfnElement, type Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { DESTROY_DATA_CONTEXT } from '../../lib/common/context.ts';
import { uploadRoleArn } from '../../lib/departments/upload-role-name.ts';
import { AccessLogsBucket } from '../../lib/storage/access-logs-bucket.ts';
import { DataPerimeter } from '../../lib/storage/data-perimeter.ts';
import type { DataPerimeterProps } from '../../lib/storage/data-perimeter-props.ts';
import { LakeBucket } from '../../lib/storage/lake-bucket.ts';
import { LakeStorage } from '../../lib/storage/lake-storage.ts';
import { buildFixtureLake, fastStack } from './helpers.ts';

const ref = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const ADMIN = 'arn:aws:iam::111122223333:role/break-glass';
const DEPARTMENT_ROLE = 'arn:aws:iam::111122223333:role/lake/departments/Lake-upload-health';
const ANALYST = 'arn:aws:iam::111122223333:role/health-analyst';

/** A stack with one lake bucket, one key and two roles, ready for a perimeter. */
function parts(context: Record<string, unknown> = {}) {
  const stack = fastStack(context);
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const logs = new AccessLogsBucket(stack, 'Logs');
  const bucket = new LakeBucket(stack, 'Data', { encryptionKey: key, serverAccessLogsBucket: logs });
  const role = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
  const transformer = role('Transformer');
  const reader = role('Reader');
  const roleRef = (r: iam.Role) => ref(stack.getLogicalId(r.node.defaultChild as CfnElement));
  return {
    stack,
    key,
    bucket,
    transformer,
    reader,
    transformerRef: roleRef(transformer),
    readerRef: roleRef(reader),
  };
}

function perimeter(
  stack: Stack,
  props: Partial<DataPerimeterProps> & Pick<DataPerimeterProps, 'transformer'>,
) {
  return new DataPerimeter(stack, 'Perimeter', {
    curatedReaders: [],
    departmentRoles: [DEPARTMENT_ROLE],
    analysts: [ANALYST],
    buckets: [],
    keys: [],
    ...props,
  });
}

/** The statement with `sid` in the policy of a bucket or key (by logical id), if any. */
function bucketStatement(template: Template, bucketId: string, sid: string) {
  const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
    (p) => p.Properties.Bucket.Ref === bucketId,
  );
  return policy?.Properties.PolicyDocument.Statement.find((s: { Sid?: string }) => s.Sid === sid);
}

describe('DataPerimeter', () => {
  it('adds to a bucket it is given a deny of object data actions to all but the lake roles', () => {
    const { stack, bucket, transformer, reader, transformerRef, readerRef } = parts();
    perimeter(stack, {
      transformer,
      curatedReaders: [reader],
      admins: [ADMIN],
      buckets: [{ bucket, audiences: ['curatedReaders', 'departments', 'analysts'] }],
    });
    const template = Template.fromStack(stack);
    const bucketId = stack.getLogicalId(bucket.node.defaultChild as CfnElement);
    expect(bucketStatement(template, bucketId, 'DenyOutsideLakeRoles')).toEqual({
      Action: ['s3:GetObject*', 's3:PutObject*', 's3:DeleteObject*'],
      Condition: {
        ArnNotLike: { 'aws:PrincipalArn': [transformerRef, ADMIN, readerRef, DEPARTMENT_ROLE, ANALYST] },
      },
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Resource: { 'Fn::Join': ['', [ref(bucketId), '/*']] },
      Sid: 'DenyOutsideLakeRoles',
    });
  });

  it('admits only the transformer and the admins where no audience is given', () => {
    const { stack, bucket, transformer, transformerRef } = parts();
    perimeter(stack, { transformer, buckets: [{ bucket }] });
    const template = Template.fromStack(stack);
    const bucketId = stack.getLogicalId(bucket.node.defaultChild as CfnElement);
    expect(
      bucketStatement(template, bucketId, 'DenyOutsideLakeRoles').Condition.ArnNotLike['aws:PrincipalArn'],
    ).toEqual([transformerRef]);
  });

  it('gives a key listed twice one deny, admitting the audiences of both entries', () => {
    const { stack, key, transformer, reader, transformerRef, readerRef } = parts();
    perimeter(stack, {
      transformer,
      curatedReaders: [reader],
      keys: [
        { key, audiences: ['departments'] },
        { key, audiences: ['curatedReaders'] },
      ],
    });
    const template = Template.fromStack(stack);
    const statements =
      template.findResources('AWS::KMS::Key')[stack.getLogicalId(key.node.defaultChild as CfnElement)]
        .Properties.KeyPolicy.Statement;
    expect(statements).toHaveLength(2);
    expect(statements[1]).toEqual({
      Action: ['kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
      Condition: { ArnNotLike: { 'aws:PrincipalArn': [transformerRef, DEPARTMENT_ROLE, readerRef] } },
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Resource: '*',
      Sid: 'DenyDataUseOutsideLakeRoles',
    });
  });

  it('admits the object-emptying helper to a bucket it empties (destroy flag)', () => {
    const { stack, bucket, transformer, transformerRef } = parts({ [DESTROY_DATA_CONTEXT]: 'true' });
    expect(bucket.autoDeletesObjects).toBe(true);
    perimeter(stack, { transformer, buckets: [{ bucket, autoDeletesObjects: bucket.autoDeletesObjects }] });
    const template = Template.fromStack(stack);
    const bucketId = stack.getLogicalId(bucket.node.defaultChild as CfnElement);
    expect(
      bucketStatement(template, bucketId, 'DenyOutsideLakeRoles').Condition.ArnNotLike['aws:PrincipalArn'],
    ).toEqual([transformerRef, ref('CustomS3AutoDeleteObjectsCustomResourceProviderRole3B1BD092')]);
  });

  it('names department roles and analysts exactly: a wildcard is refused, an exact ARN (tokens too) accepted', () => {
    const wildcards = {
      departmentRoles: 'arn:aws:iam::111122223333:role/lake/departments/*',
      analysts: 'arn:aws:iam::111122223333:role/analyst-?',
    } as const;
    for (const [prop, arn] of Object.entries(wildcards)) {
      const { stack, transformer } = parts();
      expect(() => perimeter(stack, { transformer, [prop]: [arn] }), prop).toThrow(
        `DataPerimeter ${prop} has "${arn}"; name each principal by its exact ARN`,
      );
    }
    const { stack, bucket, transformer } = parts();
    const exact = uploadRoleArn(stack, 'Lake', 'health');
    expect(Token.isUnresolved(exact)).toBe(true);
    perimeter(stack, {
      transformer,
      departmentRoles: [exact],
      buckets: [{ bucket, audiences: ['departments'] }],
    });
    const bucketId = stack.getLogicalId(bucket.node.defaultChild as CfnElement);
    expect(
      bucketStatement(Template.fromStack(stack), bucketId, 'DenyOutsideLakeRoles').Condition.ArnNotLike[
        'aws:PrincipalArn'
      ][1],
    ).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:role/lake/departments/Lake-upload-health'],
      ],
    });
  });

  it('rejects a bucket given twice and an emptying helper that is not there', () => {
    const twice = parts();
    expect(() =>
      perimeter(twice.stack, {
        transformer: twice.transformer,
        buckets: [{ bucket: twice.bucket }, { bucket: twice.bucket }],
      }),
    ).toThrow(/given bucket Test\/Data twice/);
    const kept = parts();
    expect(() =>
      perimeter(kept.stack, {
        transformer: kept.transformer,
        buckets: [{ bucket: kept.bucket, autoDeletesObjects: true }],
      }),
    ).toThrow(/no Custom::S3AutoDeleteObjectsCustomResourceProvider/);
  });
});

describe('LakeStorage.restrictDataAccess', () => {
  it('builds the perimeter once: a second call is refused', () => {
    const stack = fastStack();
    const storage = new LakeStorage(stack, 'Storage');
    const transformer = new iam.Role(stack, 'Transformer', { assumedBy: new iam.AccountRootPrincipal() });
    expect(storage.restrictDataAccess({ transformer, curatedReaders: [] })).toBeInstanceOf(DataPerimeter);
    expect(() => storage.restrictDataAccess({ transformer, curatedReaders: [] })).toThrow(
      /already has its data perimeter/,
    );
  });
});

describe('the lake stack', () => {
  it('puts every data bucket, the query results included, and their three keys inside the perimeter', () => {
    const { core, coreTemplate } = buildFixtureLake();
    const id = (c: { node: { defaultChild?: unknown } }) =>
      core.getLogicalId(c.node.defaultChild as CfnElement);
    const { storage } = core;
    for (const bucket of storage.dataBuckets) {
      expect(
        bucketStatement(coreTemplate, id(bucket), 'DenyOutsideLakeRoles'),
        bucket.node.path,
      ).toBeDefined();
    }
    const keys = coreTemplate.findResources('AWS::KMS::Key');
    for (const key of [storage.dataKey, storage.curatedKey, storage.queryKey]) {
      expect(keys[id(key)].Properties.KeyPolicy.Statement).toContainEqual(
        expect.objectContaining({ Sid: 'DenyDataUseOutsideLakeRoles', Effect: 'Deny' }),
      );
    }
  });

  it("names each department's upload role and each analyst of lake.yaml, and no IAM path", () => {
    const { core, coreTemplate } = buildFixtureLake();
    const denyOf = (bucket: { node: { defaultChild?: unknown } }) =>
      bucketStatement(
        coreTemplate,
        core.getLogicalId(bucket.node.defaultChild as CfnElement),
        'DenyOutsideLakeRoles',
      ).Condition.ArnNotLike['aws:PrincipalArn'];
    const roleArn = (name: string) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, `:iam::111122223333:role/lake/departments/${name}`],
      ],
    });
    const uploaders = ['health', 'statistics', 'civil_affairs'].map((d) => roleArn(`Lake-upload-${d}`));
    for (const bucket of [core.storage.landingBucket, core.storage.quarantineBucket]) {
      const admitted = denyOf(bucket);
      expect(admitted).toEqual(expect.arrayContaining(uploaders));
      expect(JSON.stringify(admitted)).not.toContain('*');
    }
    expect(denyOf(core.storage.queryResultsBucket)).toEqual([
      expect.anything(), // the transformer
      expect.anything(), // the erasure role (its own grants reach no query result)
      'arn:aws:iam::111122223333:role/lake-admin',
      'arn:aws:iam::111122223333:role/public-analyst',
      'arn:aws:iam::111122223333:role/health-analyst',
      'arn:aws:iam::111122223333:role/health-investigator',
      // The web portal's roles: each department's portal analyst role, and the enterprise role.
      ...['health', 'statistics', 'civil_affairs'].map((d) => roleArn(`Lake-portal-analyst-${d}`)),
      {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:role/Lake-portal-enterprise'],
        ],
      },
    ]);
  });
});
