import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { DESTROY_DATA_CONTEXT } from '../../lib/common/context.ts';
import {
  HASH_KEY_CHANGE_ACTIONS,
  HASH_KEY_DECRYPT_ACTIONS,
  HASH_KEY_DENY_SIDS,
  HashKeySecret,
} from '../../lib/ingestion/hash-key-secret.ts';
import { LakeIngestion } from '../../lib/ingestion/ingestion.ts';
import { LakeStorage } from '../../lib/storage/lake-storage.ts';
import { buildFixtureLake, FIXTURE_HANDLER, fastStack } from './helpers.ts';

const ADMIN = 'arn:aws-cn:iam::111122223333:role/break-glass';
/** CloudFormation's deployment role, as the default synthesizer names it (a Fn::Sub of the partition). */
const DEPLOYER = {
  'Fn::Sub': `arn:\${AWS::Partition}:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333-eu-west-1`,
};
const getAtt = (prefix: string) => ({
  'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${prefix}[0-9A-F]{8}$`)), 'Arn'],
});

/** The lake's ingestion in a stack of its own, with break-glass admins or none. */
function ingestionStack(admins?: string[], context: Record<string, unknown> = {}) {
  const stack = fastStack(context);
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

const secretPolicy = (template: Template) =>
  Object.values(template.findResources('AWS::SecretsManager::ResourcePolicy'))[0]?.Properties.ResourcePolicy
    .Statement as Record<string, unknown>[] | undefined;
const keyPolicy = (template: Template) =>
  Object.values(
    template.findResources('AWS::KMS::Key', {
      Metadata: { 'aws:cdk:path': Match.stringLikeRegexp('HashKeyKey') },
    }),
  )[0].Properties.KeyPolicy.Statement as Record<string, unknown>[];

describe('the hash key', () => {
  const { template } = ingestionStack([ADMIN]);

  it('has a KMS key of its own: the ops key no longer encrypts it, and nothing else uses the key', () => {
    const [keyId] = Object.keys(
      template.findResources('AWS::KMS::Key', {
        Metadata: { 'aws:cdk:path': Match.stringLikeRegexp('HashKeyKey') },
      }),
    );
    const users = Object.entries(template.toJSON().Resources as Record<string, { Type: string }>)
      .filter(([id, r]) => id !== keyId && JSON.stringify(r).includes(keyId))
      .map(([, r]) => r.Type);
    expect(users).toEqual(['AWS::SecretsManager::Secret']);
    const opsKey = Object.values(
      template.findResources('AWS::KMS::Key', { Metadata: { 'aws:cdk:path': 'Test/OpsKey/Resource' } }),
    )[0];
    expect(JSON.stringify(opsKey.Properties.KeyPolicy)).not.toContain('secretsmanager');
  });

  it('is kept, with its key, when the stack is deleted or the resource replaced', () => {
    for (const type of ['AWS::SecretsManager::Secret', 'AWS::KMS::Key']) {
      for (const [id, r] of Object.entries(template.findResources(type))) {
        if (!id.startsWith('IngestionHashKey')) continue;
        expect([r.DeletionPolicy, r.UpdateReplacePolicy], id).toEqual(['Retain', 'Retain']);
      }
    }
  });

  it('is deleted with the stack only under the destroy flag, with a warning', () => {
    const { stack, template: destroyed } = ingestionStack([ADMIN], { [DESTROY_DATA_CONTEXT]: 'true' });
    for (const type of ['AWS::SecretsManager::Secret', 'AWS::KMS::Key']) {
      for (const [id, r] of Object.entries(destroyed.findResources(type))) {
        if (id.startsWith('IngestionHashKey')) expect(r.DeletionPolicy, id).toBe('Delete');
      }
    }
    Annotations.fromStack(stack).hasWarning(
      '/Test/Ingestion/HashKey',
      Match.stringLikeRegexp(`${DESTROY_DATA_CONTEXT} is set: the protect: hash key secret`),
    );
  });

  it('is never rotated on a schedule', () => {
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
  });

  it('lets no one but the transformer and the admins read it, and no one but the admins and the deployment role change it', () => {
    expect(secretPolicy(template)).toEqual([
      {
        Sid: HASH_KEY_DENY_SIDS.read,
        Action: 'secretsmanager:GetSecretValue',
        Condition: {
          ArnNotLike: {
            'aws:PrincipalArn': [getAtt('IngestionTransformerRole'), getAtt('IngestionErasureRole'), ADMIN],
          },
        },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: '*',
      },
      {
        Sid: HASH_KEY_DENY_SIDS.change,
        Action: HASH_KEY_CHANGE_ACTIONS,
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [ADMIN, DEPLOYER] } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: '*',
      },
    ]);
  });

  it('lets no one but the transformer and the admins decrypt with its key; encrypting (creating a version) stays open', () => {
    const statements = keyPolicy(template);
    expect(statements.at(-1)).toEqual({
      Sid: HASH_KEY_DENY_SIDS.decrypt,
      Action: HASH_KEY_DECRYPT_ACTIONS,
      Condition: {
        ArnNotLike: {
          'aws:PrincipalArn': [getAtt('IngestionTransformerRole'), getAtt('IngestionErasureRole'), ADMIN],
        },
      },
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Resource: '*',
    });
    // The transformer decrypts only through Secrets Manager.
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Principal: { AWS: getAtt('IngestionTransformerRole') },
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      }),
    );
  });

  it('with no admins, admits only the transformer and the erasure role to read and only the deployment role to change it', () => {
    const statements = secretPolicy(ingestionStack().template) ?? [];
    expect(statements.map((s) => (s.Condition as { ArnNotLike: unknown }).ArnNotLike)).toEqual([
      { 'aws:PrincipalArn': [getAtt('IngestionTransformerRole'), getAtt('IngestionErasureRole')] },
      { 'aws:PrincipalArn': [DEPLOYER] },
    ]);
  });
});

describe('HashKeySecret.restrictAccess', () => {
  function secretStack() {
    const stack = fastStack();
    const secret = new HashKeySecret(stack, 'HashKey');
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    return { stack, secret, reader };
  }

  it('leaves the secret open to the account until it is called (no resource policy, no key deny)', () => {
    const { stack } = secretStack();
    const template = Template.fromStack(stack);
    expect(secretPolicy(template)).toBeUndefined();
    expect(JSON.stringify(keyPolicy(template))).not.toContain('"Deny"');
  });

  it('adds the denies once; a second call is refused', () => {
    const { stack, secret, reader } = secretStack();
    secret.restrictAccess({ reader });
    const template = Template.fromStack(stack);
    expect(secretPolicy(template)?.map((s) => s.Sid)).toEqual([
      HASH_KEY_DENY_SIDS.read,
      HASH_KEY_DENY_SIDS.change,
    ]);
    expect(keyPolicy(template).map((s) => s.Sid)).toContain(HASH_KEY_DENY_SIDS.decrypt);
    expect(() => secret.restrictAccess({ reader })).toThrow(
      'HashKeySecret Test/HashKey is already restricted; call restrictAccess once.',
    );
  });
});

describe('the lake stack', () => {
  it("gives the hash key the data perimeter's break-glass admins", () => {
    const { coreTemplate } = buildFixtureLake();
    const admin = 'arn:aws:iam::111122223333:role/lake-admin';
    const read = secretPolicy(coreTemplate)?.find((s) => s.Sid === HASH_KEY_DENY_SIDS.read);
    expect(read?.Condition).toEqual({
      ArnNotLike: { 'aws:PrincipalArn': [expect.anything(), expect.anything(), admin] },
    });
    const landingPolicy = Object.values(coreTemplate.findResources('AWS::S3::BucketPolicy')).find((p) =>
      JSON.stringify(p.Properties.Bucket).includes('StorageLanding'),
    );
    expect(JSON.stringify(landingPolicy?.Properties.PolicyDocument)).toContain(admin);
  });
});
