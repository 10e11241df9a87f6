/**
 * The bucket receiving the lake buckets' server access logs: S3-managed encryption (log delivery cannot
 * use a KMS key), public access blocked, plain HTTP and TLS below 1.2 refused, versioned, logs expired
 * after a while, retained when the stack is deleted unless the destroy flag is set.
 */
import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { dataRemovalPolicy } from '../common/context.ts';
import { LAKE_DEFAULTS } from '../config/lake-config.ts';
import { ABORT_INCOMPLETE_UPLOADS } from './lake-bucket.ts';

export interface AccessLogsBucketProps {
  /**
   * How long a log file is kept.
   * @default - LAKE_DEFAULTS.accessLogExpirationDays (365 days)
   */
  readonly expiration?: Duration;
}

export class AccessLogsBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, props: AccessLogsBucketProps = {}) {
    super(scope, id, {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        {
          id: 'expire-logs',
          expiration: props.expiration ?? Duration.days(LAKE_DEFAULTS.accessLogExpirationDays),
          noncurrentVersionExpiration: Duration.days(1),
          ...ABORT_INCOMPLETE_UPLOADS,
        },
      ],
      removalPolicy: dataRemovalPolicy(scope, 'the access-log bucket'),
    });
  }
}
