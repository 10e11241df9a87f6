/**
 * The key of `protect: hash` (HMAC-SHA256): a Secrets Manager secret that Secrets Manager generates at
 * deploy time (64 hex digits, never in the template or the code), under a KMS key that encrypts nothing
 * else, both kept when the stack is deleted unless the destroy flag is set, like the data they join.
 *
 * With the key, a hashed resident ID is reversed by dictionary (the ID space is small), so the key is
 * guarded like the data: restrictAccess() makes the secret's resource policy deny reading the value to
 * everyone but its reader (the transformer) and the break-glass admins, and changing or deleting it to
 * everyone but the admins and CloudFormation's deployment role; the KMS key's policy denies decrypting to
 * everyone but the reader and the admins. Nothing rotates the key on a schedule: a new key changes every
 * hashed value, so rotation is a deliberate step (an admin puts a new version), and each report records
 * the version it was hashed with (`hashKeyVersion`).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { dataRemovalPolicy } from '../common/context.ts';
import { deploymentRoleArn } from '../common/deployment-role.ts';
import { acknowledge } from '../common/nag.ts';

/** Hex characters only: the hash key is 64 hex digits (32 bytes), see src/ingest/hash-key.ts. */
export const HASH_KEY_LENGTH = 64;
const NOT_HEX = 'ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ';

/** Reading the key's value. */
export const HASH_KEY_READ_ACTIONS = ['secretsmanager:GetSecretValue'];
/** Changing which value is current, or deleting the secret (either breaks joins with older hashes). */
export const HASH_KEY_CHANGE_ACTIONS = [
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecret',
  'secretsmanager:UpdateSecretVersionStage',
  'secretsmanager:RotateSecret',
  'secretsmanager:DeleteSecret',
];
/**
 * KMS actions that turn the secret's ciphertext into something a caller can read. Encrypting reveals
 * nothing, and is what creating the secret and putting a new version need.
 */
export const HASH_KEY_DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom'];

/** Sids of the deny statements. */
export const HASH_KEY_DENY_SIDS = {
  read: 'DenyHashKeyReadOutsideReaders',
  change: 'DenyHashKeyChangeOutsideAdmins',
  decrypt: 'DenyHashKeyDecryptOutsideReaders',
} as const;

/** Who may use the hash key. */
export interface HashKeyAccess {
  /** The role that reads the key to hash values: the transformer's. */
  readonly reader: iam.IRole;
  /** Other roles that read the key: the erasure role (it hashes the ID it looks for). @default - none */
  readonly otherReaders?: readonly iam.IRole[];
  /**
   * Break-glass administrators (role ARNs, wildcards allowed): they may read the key and put a new version.
   * @default - none
   */
  readonly admins?: readonly string[];
}

export class HashKeySecret extends secrets.Secret {
  /** The KMS key of this secret, and of nothing else. */
  public readonly secretKey: kms.Key;
  private restricted = false;

  constructor(scope: Construct, id: string) {
    const secretKey = new kms.Key(scope, `${id}Key`, {
      description: 'Public data lake: the key of protect: hash (this secret only)',
      enableKeyRotation: true,
      removalPolicy: dataRemovalPolicy(scope, 'the KMS key of the protect: hash key'),
      pendingWindow: Duration.days(30),
    });
    super(scope, id, {
      description: 'Public data lake: key of protect: hash (HMAC-SHA256), 64 hex digits',
      encryptionKey: secretKey,
      generateSecretString: {
        passwordLength: HASH_KEY_LENGTH,
        excludePunctuation: true,
        includeSpace: false,
        excludeUppercase: true,
        excludeCharacters: NOT_HEX,
        requireEachIncludedType: false,
      },
    });
    this.secretKey = secretKey;
    this.applyRemovalPolicy(dataRemovalPolicy(this, 'the protect: hash key secret'));
    acknowledge(
      this,
      'AwsSolutions-SMG4',
      'Rotating the protect: hash key on a schedule would change every hashed value and break joins across uploads; it is rotated on purpose, and each report records the key version it used.',
    );
  }

  /**
   * Denies reading the key (the secret's value, and decrypting with its KMS key) to everyone but the reader
   * and the admins, and changing or deleting the secret to everyone but the admins and the deployment
   * role. The reader still needs its own grant (grantRead). Call once.
   */
  public restrictAccess(access: HashKeyAccess): void {
    if (this.restricted) {
      throw new Error(`HashKeySecret ${this.node.path} is already restricted; call restrictAccess once.`);
    }
    this.restricted = true;
    const admins = access.admins ?? [];
    const readers = [access.reader.roleArn, ...(access.otherReaders ?? []).map((r) => r.roleArn), ...admins];
    const deployer = deploymentRoleArn(Stack.of(this));
    const changers = [...admins, ...(deployer ? [deployer] : [])];
    this.addToResourcePolicy(denyOutside(HASH_KEY_DENY_SIDS.read, HASH_KEY_READ_ACTIONS, readers));
    this.addToResourcePolicy(denyOutside(HASH_KEY_DENY_SIDS.change, HASH_KEY_CHANGE_ACTIONS, changers));
    this.secretKey.addToResourcePolicy(
      denyOutside(HASH_KEY_DENY_SIDS.decrypt, HASH_KEY_DECRYPT_ACTIONS, readers),
    );
  }
}

/** Denies `actions` to every principal whose ARN is not one of `principals` (to every principal if none). */
function denyOutside(sid: string, actions: string[], principals: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions,
    resources: ['*'],
    conditions: principals.length > 0 ? { ArnNotLike: { 'aws:PrincipalArn': [...principals] } } : undefined,
  });
}
