/**
 * The erasure role (`lake erase`) and the withdrawal grants in the template: only the erasure role may
 * bypass raw's governance retention (its one grant of it, on raw/; the raw bucket denies it to everyone
 * else), it trusts the lake admins only (nobody without them), it reads the hash key, and the transformer
 * may move a withdrawn upload's curated files to withdrawn/.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { BYPASS_DENY_SID, NO_ERASERS_SID } from '../../lib/ingestion/erasure.ts';
import { LakeIngestion } from '../../lib/ingestion/ingestion.ts';
import { LakeStorage } from '../../lib/storage/lake-storage.ts';
import { buildFixtureLake, FIXTURE_HANDLER, fastStack, logicalIdOf, policyStatements } from './helpers.ts';

const ADMIN = 'arn:aws-cn:iam::111122223333:role/lake-admin';

function ingestionStack(admins?: string[]) {
  const stack = fastStack();
  const storage = new LakeStorage(stack, 'Storage');
  const opsKey = new kms.Key(stack, 'OpsKey', { enableKeyRotation: true });
  const ingestion = new LakeIngestion(stack, 'Ingestion', {
    storage,
    opsKey,
    entry: FIXTURE_HANDLER,
    admins,
  });
  return { stack, ingestion, template: Template.fromStack(stack) };
}

const actionsOf = (statement: Record<string, unknown>) => [statement.Action].flat() as string[];
const roleOf = (policy: Record<string, unknown>) => JSON.stringify(policy);

describe('the erasure role', () => {
  const { template } = ingestionStack([ADMIN]);
  const erasureRole = logicalIdOf(template, 'AWS::IAM::Role', 'Ingestion/Erasure/Role');
  const policies = template.findResources('AWS::IAM::Policy');

  it('is the only role granted s3:BypassGovernanceRetention, on raw/ only', () => {
    const bypass = policyStatements(template).filter(({ statement }) =>
      actionsOf(statement).some((a) => a === 's3:BypassGovernanceRetention' || a === 's3:*'),
    );
    expect(bypass).toHaveLength(1);
    const owner = policies[bypass[0].policy];
    expect(roleOf(owner.Properties.Roles)).toContain(erasureRole);
    expect(JSON.stringify(bypass[0].statement.Resource)).toMatch(/\/raw\/\*/);
    expect(JSON.stringify(bypass[0].statement.Resource)).not.toMatch(/curated|landing|quarantine/);
  });

  it('has the raw bucket deny governance bypass to every other principal', () => {
    const raw = logicalIdOf(template, 'AWS::S3::Bucket', 'Storage/Raw/');
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: raw },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: BYPASS_DENY_SID,
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:BypassGovernanceRetention',
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [erasureRole, 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it('trusts the lake admins only, and nobody when there are none', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Condition: { ArnLike: { 'aws:PrincipalArn': [ADMIN] } },
          }),
        ],
      },
      Description: Match.stringLikeRegexp('erasure'),
    });
    const none = ingestionStack().template;
    none.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Sid: NO_ERASERS_SID, Effect: 'Deny', Principal: { AWS: '*' } })],
      },
      Description: Match.stringLikeRegexp('erasure'),
    });
  });

  it('reads the hash key (the secret lets it), and deletes versions where the person may be', () => {
    const readers = JSON.stringify(
      Object.values(template.findResources('AWS::SecretsManager::ResourcePolicy'))[0].Properties,
    );
    expect(readers).toContain(erasureRole);
    const mine = policyStatements(template).filter(({ policy }) =>
      roleOf(policies[policy]?.Properties.Roles ?? []).includes(erasureRole),
    );
    const granted = mine.flatMap(({ statement }) => actionsOf(statement));
    expect(granted).toEqual(
      expect.arrayContaining([
        'secretsmanager:GetSecretValue',
        's3:DeleteObjectVersion',
        's3:ListBucketVersions',
        's3:BypassGovernanceRetention',
      ]),
    );
    expect(granted).not.toContain('s3:PutBucketPolicy');
    expect(granted).not.toContain('s3:PutObjectRetention');
  });

  it('lets the transformer move a withdrawn upload to withdrawn/, and not delete it there', () => {
    const transformer = logicalIdOf(template, 'AWS::IAM::Role', 'Ingestion/TransformerRole/');
    const statements = policyStatements(template).filter(({ policy }) =>
      roleOf(policies[policy]?.Properties.Roles ?? []).includes(transformer),
    );
    const on = (action: string) =>
      statements
        .filter(({ statement }) => actionsOf(statement).includes(action))
        .map(({ statement }) => JSON.stringify(statement.Resource))
        .join(' ');
    expect(on('s3:PutObject')).toContain('/withdrawn/*');
    expect(on('s3:DeleteObject')).not.toContain('withdrawn');
  });
});

describe('the lake stack', () => {
  it('outputs the erasure role, and admits it to the data perimeter', () => {
    const { coreTemplate } = buildFixtureLake();
    const outputs = coreTemplate.findOutputs('ErasureRoleArn');
    expect(Object.keys(outputs)).toHaveLength(1);
    const role = logicalIdOf(coreTemplate, 'AWS::IAM::Role', 'Ingestion/Erasure/Role');
    const perimeter = JSON.stringify(coreTemplate.findResources('AWS::S3::BucketPolicy'));
    expect(perimeter).toContain(role);
  });
});
