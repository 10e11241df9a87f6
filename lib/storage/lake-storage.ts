/**
 * The lake's buckets and keys: landing (departments upload), raw (the originals, immutable), curated
 * (the shared Parquet), quarantine (rejected rows and the reports), Athena results and access logs, the
 * grants of the roles that use them, and the data perimeter that shuts everyone else out.
 *
 * Every data bucket is a LakeBucket (KMS, TLS only, no public access, versioned, access logged, retained
 * unless the destroy flag is set). Landing and quarantine encrypt each object with its own KMS encryption
 * context (no bucket key), so a department's use of the key can be limited to its own prefix.
 */
import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { QUERY_RESULTS_PREFIX, ZONE_PREFIX } from '../../src/lake/layout.ts';
import { dataRemovalPolicy } from '../common/context.ts';
import { LAKE_DEFAULTS } from '../config/lake-config.ts';
import { AccessLogsBucket } from './access-logs-bucket.ts';
import { DataPerimeter } from './data-perimeter.ts';
import type { LakeDataPrincipals, PerimeterAudience } from './data-perimeter-props.ts';
import { ABORT_INCOMPLETE_UPLOADS, LakeBucket } from './lake-bucket.ts';
import type { LakeStorageProps } from './lake-storage-props.ts';
import * as grants from './storage-grants.ts';

export type { LakeDataPrincipals } from './data-perimeter-props.ts';
export { ABORT_INCOMPLETE_UPLOAD_DAYS } from './lake-bucket.ts';

export class LakeStorage extends Construct implements grants.LakeStorageResources {
  public readonly dataKey: kms.IKey;
  public readonly curatedKey: kms.IKey;
  public readonly queryKey: kms.IKey;
  public readonly accessLogsBucket: s3.Bucket;
  public readonly landingBucket: LakeBucket;
  public readonly rawBucket: LakeBucket;
  public readonly curatedBucket: LakeBucket;
  public readonly quarantineBucket: LakeBucket;
  public readonly queryResultsBucket: LakeBucket;
  private perimeter?: DataPerimeter;

  constructor(scope: Construct, id: string, props: LakeStorageProps = {}) {
    super(scope, id);
    // Log delivery is allowed by the log bucket's policy (no ACL), whatever the app's feature flags.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const days = (d: Duration | undefined, fallback: number) => d ?? Duration.days(fallback);
    for (const [name, value] of Object.entries(props)) {
      if (value instanceof Duration && name !== 'rawRetention' && value.toDays({ integral: false }) < 1) {
        throw new Error(`LakeStorage ${name} is ${value.toHumanString()}; give at least one day.`);
      }
    }

    this.dataKey = props.dataKey ?? this.newKey('DataKey', 'landing, raw and quarantine');
    this.curatedKey = props.curatedKey ?? this.newKey('CuratedKey', 'curated Parquet');
    this.queryKey = props.queryKey ?? this.newKey('QueryKey', 'Athena query results');

    this.accessLogsBucket = new AccessLogsBucket(this, 'AccessLogs', {
      expiration: days(props.accessLogExpiration, LAKE_DEFAULTS.accessLogExpirationDays),
    });
    const logged = { serverAccessLogsBucket: this.accessLogsBucket };
    const noncurrent = days(props.noncurrentVersionExpiration, LAKE_DEFAULTS.noncurrentVersionExpirationDays);

    this.landingBucket = new LakeBucket(this, 'Landing', {
      ...logged,
      encryptionKey: this.dataKey,
      bucketKeyEnabled: false,
      eventBridgeNotifications: true,
      lifecycleRules: [
        {
          id: 'expire-processed-uploads',
          expiration: days(props.landingExpiration, LAKE_DEFAULTS.landingExpirationDays),
          noncurrentVersionExpiration: noncurrent,
          ...ABORT_INCOMPLETE_UPLOADS,
        },
      ],
    });

    this.rawBucket = new LakeBucket(this, 'Raw', {
      ...logged,
      encryptionKey: this.dataKey,
      objectLockRetention: days(props.rawRetention, LAKE_DEFAULTS.rawRetentionDays),
      lifecycleRules: [{ id: 'abort-incomplete-uploads', ...ABORT_INCOMPLETE_UPLOADS }],
    });

    this.curatedBucket = new LakeBucket(this, 'Curated', {
      ...logged,
      encryptionKey: this.curatedKey,
      lifecycleRules: [
        {
          id: 'expire-replaced-versions',
          noncurrentVersionExpiration: noncurrent,
          ...ABORT_INCOMPLETE_UPLOADS,
        },
      ],
    });

    this.quarantineBucket = new LakeBucket(this, 'Quarantine', {
      ...logged,
      encryptionKey: this.dataKey,
      bucketKeyEnabled: false,
      eventBridgeNotifications: true,
      lifecycleRules: [
        {
          id: 'expire-quarantine',
          prefix: ZONE_PREFIX.quarantine,
          expiration: days(props.quarantineExpiration, LAKE_DEFAULTS.quarantineExpirationDays),
          noncurrentVersionExpiration: noncurrent,
        },
        {
          id: 'expire-reports',
          prefix: ZONE_PREFIX.reports,
          expiration: days(props.reportExpiration, LAKE_DEFAULTS.reportExpirationDays),
          noncurrentVersionExpiration: noncurrent,
        },
        { id: 'abort-incomplete-uploads', ...ABORT_INCOMPLETE_UPLOADS },
      ],
    });

    this.queryResultsBucket = new LakeBucket(this, 'QueryResults', {
      ...logged,
      encryptionKey: this.queryKey,
      versioned: false,
      lifecycleRules: [
        {
          id: 'expire-query-results',
          expiration: days(props.queryResultExpiration, LAKE_DEFAULTS.queryResultExpirationDays),
          ...ABORT_INCOMPLETE_UPLOADS,
        },
      ],
    });
  }

  /** The buckets holding lake data (not the access logs). */
  public get dataBuckets(): s3.Bucket[] {
    return [
      this.landingBucket,
      this.rawBucket,
      this.curatedBucket,
      this.quarantineBucket,
      this.queryResultsBucket,
    ];
  }

  /**
   * Lets a department's uploader put files under `landing/<department>/` (multipart included) and list
   * them, with the data key usable only for objects under that prefix.
   */
  public grantDepartmentUpload(grantee: iam.IGrantable, department: string): iam.Grant {
    return grants.grantDepartmentUpload(this, grantee, department);
  }

  /** Lets a department read (and list) its own reports under `reports/<department>/`, nothing else. */
  public grantDepartmentReports(grantee: iam.IGrantable, department: string): iam.Grant {
    return grants.grantDepartmentReports(this, grantee, department);
  }

  /**
   * What the transformer needs: read landing (any version), copy it to raw, write curated, quarantine and
   * reports; read back its own outputs (the report says whether an upload is done, the manifest which
   * upload is current) and delete an output an earlier attempt left behind; list those buckets, so that a
   * missing object is a 404 rather than a 403. Nothing under another prefix, nothing in the results bucket.
   */
  public grantTransformer(grantee: iam.IGrantable): iam.Grant {
    return grants.grantTransformer(this, grantee);
  }

  /** What the erasure role needs (`lake erase`): see storage-grants.ts grantErasure. */
  public grantErasure(grantee: iam.IGrantable): iam.Grant {
    return grants.grantErasure(this, grantee);
  }

  /** Read access to curated (Lake Formation's data access role): get and list, decrypt. */
  public grantCuratedRead(grantee: iam.IGrantable): iam.Grant {
    return grants.grantCuratedRead(this, grantee);
  }

  /**
   * What an Athena user needs on the results bucket: write and read results under `prefix`. Once the
   * perimeter is in place, the user must also be one of its analysts (see restrictDataAccess).
   */
  public queryResultsStatements(prefix: string = QUERY_RESULTS_PREFIX): iam.PolicyStatement[] {
    return grants.queryResultsStatements(this, prefix);
  }

  /** Grants queryResultsStatements(prefix) to a principal. */
  public grantQueryResults(grantee: iam.IGrantable, prefix: string = QUERY_RESULTS_PREFIX): iam.Grant {
    return grants.grantQueryResults(this, grantee, prefix);
  }

  /**
   * Puts every data bucket and its key inside the lake's data perimeter (see DataPerimeter): only the
   * transformer, the department upload roles (landing, quarantine and the data key), the curated readers
   * (curated and its key), the analysts (the query results and their key; within it, each reaches its own
   * prefix by IAM), CloudFormation's object-emptying helper (destroy flag only, not raw) and the break-glass
   * admins reach their data, each named by its exact ARN. Call once, with every principal, after the roles
   * exist.
   */
  public restrictDataAccess(principals: LakeDataPrincipals): DataPerimeter {
    if (this.perimeter) {
      throw new Error(
        `LakeStorage ${this.node.path} already has its data perimeter; call restrictDataAccess once, with every lake role.`,
      );
    }
    const bucket = (b: LakeBucket, audiences: PerimeterAudience[]) => ({
      bucket: b,
      audiences,
      autoDeletesObjects: b.autoDeletesObjects,
    });
    this.perimeter = new DataPerimeter(this, 'DataPerimeter', {
      ...principals,
      buckets: [
        bucket(this.landingBucket, ['departments']),
        bucket(this.rawBucket, []),
        bucket(this.curatedBucket, ['curatedReaders']),
        bucket(this.quarantineBucket, ['departments', 'reportReaders']),
        bucket(this.queryResultsBucket, ['analysts']),
      ],
      keys: [
        { key: this.dataKey, audiences: ['departments', 'reportReaders'] },
        { key: this.curatedKey, audiences: ['curatedReaders'] },
        { key: this.queryKey, audiences: ['analysts'] },
      ],
    });
    return this.perimeter;
  }

  /** The S3 service endpoint name that KMS sees in `kms:ViaService` (partition-aware). */
  public s3ViaService(): string {
    return grants.s3ViaService(this);
  }

  private newKey(id: string, what: string): kms.Key {
    return new kms.Key(this, id, {
      description: `Public data lake: ${what}`,
      enableKeyRotation: true,
      removalPolicy: dataRemovalPolicy(this, `the KMS key for ${what}`),
      pendingWindow: Duration.days(30),
    });
  }
}
