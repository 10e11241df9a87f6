import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  DepartmentUploader,
  NO_UPLOADERS_SID,
  PORTAL_STEWARDS_SID,
} from '../../lib/departments/department-uploader.ts';
import {
  DEPARTMENT_ROLE_PATH,
  MAX_ROLE_NAME_LENGTH,
  PORTAL_SESSION_PREFIX,
  portalApiRoleName,
  uploadRoleName,
} from '../../lib/departments/upload-role-name.ts';
import { LakeStorage } from '../../lib/storage/lake-storage.ts';
import { buildFixtureLake, fastStack, fixtureInputs } from './helpers.ts';

const lake = buildFixtureLake();
const health = lake.templates.get('Lake-health') as Template;
const statistics = lake.templates.get('Lake-statistics') as Template;

/** An import of a core-stack value, as the department stacks see it (`what` names the core resource). */
const imported = (what: string) => ({
  'Fn::ImportValue': expect.stringMatching(new RegExp(`^Lake:ExportsOutput.*${what}`)),
});
const importedObjects = (what: string, prefix: string) => ({
  'Fn::Join': ['', [imported(what), `/${prefix}`]],
});
/** The same, for the CDK assertion matchers. */
const importedMatch = Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('^Lake:ExportsOutput') });

describe('DepartmentUploader', () => {
  it('is assumable by exactly the principals departments.yaml names', () => {
    health.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::111122223333:role/health-uploader' },
          },
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::111122223333:user/health-steward' },
          },
          // The web portal's API acting for a signed-in steward, in a session named after the user only.
          {
            Sid: PORTAL_STEWARDS_SID,
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: {
              AWS: {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, `:iam::111122223333:role/${portalApiRoleName('Lake')}`],
                ],
              },
            },
            Condition: { StringLike: { 'sts:RoleSessionName': `${PORTAL_SESSION_PREFIX}*` } },
          },
        ],
      },
    });
    // Named, not imported: the portal's role is trusted without an export that would pin the core stack.
    expect(JSON.stringify(health.toJSON())).not.toMatch(/ImportValue[^}]*PortalApi/);
    expect(portalApiRoleName('Lake')).toBe('Lake-portal-api');
    expect(portalApiRoleName('L'.repeat(60))).toHaveLength(MAX_ROLE_NAME_LENGTH);
  });

  it('trusts the portal only where the portal is deployed and the department names uploaders', () => {
    const off = buildFixtureLake(fixtureInputs({ portal: { enabled: false, threatProtection: true } }));
    const trusts = [...off.templates.values()].map((t) => JSON.stringify(t.toJSON()));
    for (const t of trusts) expect(t).not.toContain(PORTAL_STEWARDS_SID);
    // With the portal on, a department without uploaders still trusts nobody (the portal included).
    expect(JSON.stringify(statistics.toJSON())).not.toContain(PORTAL_STEWARDS_SID);
    const stack = fastStack();
    const storage = new LakeStorage(stack, 'Storage');
    const uploader = new DepartmentUploader(stack, 'Uploader', {
      department: { id: 'transport', name: 'Transport', uploaders: [] },
      storage,
      portalApiRoleArn: 'arn:aws:iam::111122223333:role/Lake-portal-api',
    });
    expect(uploader.trustsNobody).toBe(true);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('Lake-portal-api');
  });

  it('trusts nobody while departments.yaml names no uploader, and synth warns with the fix', () => {
    statistics.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'Lake-upload-statistics',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Sid: NO_UPLOADERS_SID,
            Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
            Effect: 'Deny',
            Principal: { AWS: '*' },
          },
        ],
      },
    });
    expect(JSON.stringify(statistics.toJSON())).not.toContain(':root');
    const warning = Match.stringLikeRegexp(
      'department statistics names no uploaders.*add uploaders to departments.yaml',
    );
    Annotations.fromStack(lake.departmentStacks[1]).hasWarning(
      '/Lake-statistics/Dept-statistics/Uploader',
      warning,
    );
    // A department that names its uploaders gets no warning.
    Annotations.fromStack(lake.departmentStacks[0]).hasNoWarning(
      '*',
      Match.stringLikeRegexp('names no uploaders'),
    );
  });

  it("has a name the core's bucket and key policies can name before it exists, under the lake's path", () => {
    for (const [template, department] of [
      [health, 'health'],
      [statistics, 'statistics'],
    ] as const) {
      const roles = template.findResources('AWS::IAM::Role', {
        Properties: { Path: DEPARTMENT_ROLE_PATH, RoleName: `Lake-upload-${department}` },
      });
      expect(Object.keys(roles)).toEqual([expect.stringMatching(/^Dept\w+UploaderRole/)]);
    }
    expect(uploadRoleName('Lake', 'civil_affairs')).toBe('Lake-upload-civil_affairs');
    // A name over IAM's limit is cut and made unique again with a digest of the whole name.
    const long = uploadRoleName('L'.repeat(40), 'provincial_ecological_environment_bureau');
    expect(long).toHaveLength(MAX_ROLE_NAME_LENGTH);
    expect(long).toMatch(/-[0-9a-f]{8}$/);
    expect(uploadRoleName('L'.repeat(40), 'provincial_ecological_environment_bureau_2')).not.toBe(long);
  });

  it('may write only its own landing prefix and read only its own reports, key use scoped the same way', () => {
    const policies = health.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^DepthealthUploaderRole') }] },
    });
    // The steward's access-API routes (DecideOwnAccessRequests) are test/cdk/access-requests.test.ts's.
    const statements = Object.values(policies)
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: { Sid?: string }) => s.Sid !== 'DecideOwnAccessRequests');
    expect(statements).toEqual([
      {
        Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Effect: 'Allow',
        Resource: importedObjects('StorageLanding', 'landing/health/*'),
      },
      {
        Action: 's3:ListBucket',
        Condition: { StringLike: { 's3:prefix': ['landing/health/*'] } },
        Effect: 'Allow',
        Resource: imported('StorageLanding'),
      },
      {
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Condition: {
          StringEquals: { 'kms:ViaService': expect.anything() },
          StringLike: {
            'kms:EncryptionContext:aws:s3:arn': [importedObjects('StorageLanding', 'landing/health/*')],
          },
        },
        Effect: 'Allow',
        Resource: imported('StorageDataKey'),
      },
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: importedObjects('StorageQuarantine', 'reports/health/*'),
      },
      {
        Action: 's3:ListBucket',
        Condition: { StringLike: { 's3:prefix': ['reports/health/*'] } },
        Effect: 'Allow',
        Resource: imported('StorageQuarantine'),
      },
      {
        Action: 'kms:Decrypt',
        Condition: {
          StringEquals: { 'kms:ViaService': expect.anything() },
          StringLike: {
            'kms:EncryptionContext:aws:s3:arn': [importedObjects('StorageQuarantine', 'reports/health/*')],
          },
        },
        Effect: 'Allow',
        Resource: imported('StorageDataKey'),
      },
    ]);
  });

  it('builds on a LakeStorage in the same stack as well', () => {
    const stack = fastStack();
    const storage = new LakeStorage(stack, 'Storage');
    const uploader = new DepartmentUploader(stack, 'Uploader', {
      department: { id: 'transport', name: 'Transport', uploaders: [] },
      storage,
    });
    const template = Template.fromStack(stack);
    expect(uploader.role).toBeDefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:GetObject',
            Resource: Match.objectLike({ 'Fn::Join': ['', [Match.anyValue(), '/reports/transport/*']] }),
          }),
        ]),
      },
    });
  });
});

describe('DepartmentOutcomes', () => {
  it("announces each report under the department's prefix on its own encrypted topic", () => {
    health.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [importedMatch] }, object: { key: [{ prefix: 'reports/health/' }] } },
      },
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^DepthealthOutcomesTopic') } })],
    });
    health.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: importedMatch });
    // The topic accepts only TLS; the rule publishes through a role of its own, so no key policy changes.
    health.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ],
      },
    });
    const rule = Object.values(health.findResources('AWS::Events::Rule'))[0];
    const roleId = rule.Properties.Targets[0].RoleArn['Fn::GetAtt'][0];
    const policies = health.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Action: 'sns:Publish',
        Effect: 'Allow',
        Resource: { Ref: expect.stringMatching(/^DepthealthOutcomesTopic/) },
      },
      { Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Effect: 'Allow', Resource: imported('OpsKey') },
    ]);
  });
});
