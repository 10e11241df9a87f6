/**
 * A bucket of lake data with the house defaults: encrypted with the KMS key it is given (and refusing
 * objects encrypted any other way), public access blocked, plain HTTP and TLS below 1.2 refused, objects
 * owned by the bucket owner, versioned, access logged, and retained when the stack is deleted unless the
 * destroy flag is set.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { dataRemovalPolicy, destroyDataRequested } from '../common/context.ts';

/** Days an incomplete multipart upload is kept before S3 aborts it. */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 1;

/** The lifecycle setting that aborts incomplete multipart uploads, for a bucket's rules. */
export const ABORT_INCOMPLETE_UPLOADS = {
  abortIncompleteMultipartUploadAfter: Duration.days(ABORT_INCOMPLETE_UPLOAD_DAYS),
} as const;

export interface LakeBucketProps {
  /** The key every object is encrypted with; objects under another key or none are refused. */
  readonly encryptionKey: kms.IKey;
  /**
   * The bucket receiving server access logs. Its policy admits log delivery when the app sets
   * `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy` (LakeStorage does, for its scope).
   */
  readonly serverAccessLogsBucket: s3.IBucket;
  /**
   * Prefix of this bucket's logs in the access-log bucket.
   * @default - the construct id in lower case, with a trailing slash
   */
  readonly serverAccessLogsPrefix?: string;
  /**
   * Whether S3 Bucket Keys are used. Turn them off where a key grant is limited to a prefix: the
   * per-object encryption context (the object's ARN) exists only without a bucket key.
   * @default true
   */
  readonly bucketKeyEnabled?: boolean;
  /**
   * Whether overwritten and deleted objects are kept as versions.
   * @default true
   */
  readonly versioned?: boolean;
  /**
   * Turns Object Lock on, with this governance-mode retention for each new object; zero days keeps
   * Object Lock on without a default retention. A locked bucket is never emptied by the destroy flag.
   * @default - no Object Lock
   */
  readonly objectLockRetention?: Duration;
  /**
   * The bucket's lifecycle rules.
   * @default - none
   */
  readonly lifecycleRules?: s3.LifecycleRule[];
  /**
   * Whether new objects are announced on EventBridge. Set on the bucket itself: the Bucket construct's
   * `eventBridgeEnabled` would deploy a notification-configuring Lambda.
   * @default false
   */
  readonly eventBridgeNotifications?: boolean;
}

export class LakeBucket extends s3.Bucket {
  /** True when CloudFormation empties the bucket before deleting it (destroy flag, no Object Lock). */
  public readonly autoDeletesObjects: boolean;

  constructor(scope: Construct, id: string, props: LakeBucketProps) {
    const locked = props.objectLockRetention !== undefined;
    if (locked && props.versioned === false) {
      throw new Error(
        `LakeBucket ${id} has objectLockRetention but versioned: false; Object Lock needs versioning, drop one of them.`,
      );
    }
    const autoDeletesObjects = destroyDataRequested(scope) && !locked;
    const removalPolicy = dataRemovalPolicy(scope, `the ${id} bucket`);
    super(scope, id, {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: props.bucketKeyEnabled ?? true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: props.versioned ?? true,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: props.serverAccessLogsPrefix ?? `${id.toLowerCase()}/`,
      removalPolicy,
      autoDeleteObjects: autoDeletesObjects,
      objectLockEnabled: locked ? true : undefined,
      objectLockDefaultRetention:
        locked && props.objectLockRetention.toDays() > 0
          ? s3.ObjectLockRetention.governance(props.objectLockRetention)
          : undefined,
      lifecycleRules: props.lifecycleRules,
    });
    this.autoDeletesObjects = autoDeletesObjects;
    this.denyOtherEncryption(props.encryptionKey);
    if (props.eventBridgeNotifications) {
      (this.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
        eventBridgeConfiguration: { eventBridgeEnabled: true },
      };
    }
  }

  /** Objects must be encrypted with this bucket's key: a different key would hide them from the lake. */
  private denyOtherEncryption(key: kms.IKey): void {
    const denyPut = (sid: string, condition: Record<string, string>) =>
      this.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          resources: [this.arnForObjects('*')],
          conditions: { StringNotEqualsIfExists: condition },
        }),
      );
    denyPut('DenyNonKmsEncryption', { 's3:x-amz-server-side-encryption': 'aws:kms' });
    denyPut('DenyOtherKmsKey', { 's3:x-amz-server-side-encryption-aws-kms-key-id': key.keyArn });
  }
}
