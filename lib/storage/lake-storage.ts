/**
 * The lake's buckets and keys: landing (departments upload), raw (the originals, immutable), curated
 * (the shared Parquet), quarantine (rejected rows and the reports), Athena results and access logs.
 *
 * Every bucket blocks public access, refuses plain HTTP and TLS below 1.2, logs access and is retained
 * when the stack is deleted (unless the destroy flag is set). Landing and quarantine encrypt each
 * object with its own KMS encryption context (no bucket key), so a department's use of the key can be
 * limited to its own prefix.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct, type IConstruct } from 'constructs';
import { landingPrefix, reportsPrefix } from '../../src/lake/layout.ts';
import { LAKE_DEFAULTS } from '../config/lake-config.ts';
import { dataRemovalPolicy, destroyDataRequested } from '../context.ts';
import { allowWildcards, objectPrefixEvidence } from '../nag.ts';
import type { LakeStorageProps } from './lake-storage-props.ts';

/** Registers evidence for the object-prefix wildcards a grant gives (see lib/nag.ts). */
function evidence(grantee: iam.IGrantable, reason: string, ...prefixes: string[]): void {
  const principal = grantee.grantPrincipal as unknown as Partial<IConstruct>;
  if (!principal.node) return;
  allowWildcards(principal as IConstruct, ...prefixes.map((p) => objectPrefixEvidence(p, reason)));
}

/** Days an incomplete multipart upload is kept before S3 aborts it. */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 1;
/** Zone prefixes, as in src/lake/layout.ts. */
export const RAW_PREFIX = 'raw/';
export const CURATED_PREFIX = 'curated/';
export const QUARANTINE_PREFIX = 'quarantine/';
export const REPORTS_PREFIX = 'reports/';
export const LANDING_PREFIX = 'landing/';
/** Where Athena writes query results in the results bucket. */
export const QUERY_RESULTS_PREFIX = 'athena/';
/**
 * IAM path of the department upload roles. They live in department stacks, which depend on the core
 * stack, so the core's bucket and key policies name them by this path rather than by ARN.
 */
export const DEPARTMENT_ROLE_PATH = '/lake/departments/';

/** Who may use the lake's data buckets and keys; everyone else is denied by their resource policies. */
export interface LakeDataPrincipals {
  /** The transformer's role: landing, raw, curated, quarantine and both keys. */
  readonly transformer: iam.IRole;
  /** Roles that read curated (Lake Formation's data access role): curated and its key. */
  readonly curatedReaders: readonly iam.IRole[];
  /**
   * Break-glass administrators (role ARNs, wildcards allowed): every data bucket and key.
   * @default - none
   */
  readonly admins?: readonly string[];
}

/** Object actions the data buckets refuse to principals outside the lake's roles. */
const OBJECT_DATA_ACTIONS = ['s3:GetObject*', 's3:PutObject*', 's3:DeleteObject*'];
/** Key actions that expose or produce data, refused outside the lake's roles (administration stays). */
const KEY_DATA_ACTIONS = ['kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

export class LakeStorage extends Construct {
  public readonly dataKey: kms.IKey;
  public readonly curatedKey: kms.IKey;
  public readonly queryKey: kms.IKey;
  public readonly accessLogsBucket: s3.Bucket;
  public readonly landingBucket: s3.Bucket;
  public readonly rawBucket: s3.Bucket;
  public readonly curatedBucket: s3.Bucket;
  public readonly quarantineBucket: s3.Bucket;
  public readonly queryResultsBucket: s3.Bucket;

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

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        {
          id: 'expire-logs',
          expiration: days(props.accessLogExpiration, LAKE_DEFAULTS.accessLogExpirationDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(ABORT_INCOMPLETE_UPLOAD_DAYS),
        },
      ],
      ...this.removal('the access-log bucket'),
    });

    const noncurrent = days(props.noncurrentVersionExpiration, LAKE_DEFAULTS.noncurrentVersionExpirationDays);
    const abort = { abortIncompleteMultipartUploadAfter: Duration.days(ABORT_INCOMPLETE_UPLOAD_DAYS) };

    this.landingBucket = this.dataBucket('Landing', this.dataKey, {
      bucketKeyEnabled: false,
      lifecycleRules: [
        {
          id: 'expire-processed-uploads',
          expiration: days(props.landingExpiration, LAKE_DEFAULTS.landingExpirationDays),
          noncurrentVersionExpiration: noncurrent,
          ...abort,
        },
      ],
    });

    const rawRetention = days(props.rawRetention, LAKE_DEFAULTS.rawRetentionDays);
    this.rawBucket = this.dataBucket('Raw', this.dataKey, {
      bucketKeyEnabled: true,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        rawRetention.toDays() > 0 ? s3.ObjectLockRetention.governance(rawRetention) : undefined,
      lifecycleRules: [{ id: 'abort-incomplete-uploads', ...abort }],
    });

    this.curatedBucket = this.dataBucket('Curated', this.curatedKey, {
      bucketKeyEnabled: true,
      lifecycleRules: [{ id: 'expire-replaced-versions', noncurrentVersionExpiration: noncurrent, ...abort }],
    });

    this.quarantineBucket = this.dataBucket('Quarantine', this.dataKey, {
      bucketKeyEnabled: false,
      lifecycleRules: [
        {
          id: 'expire-quarantine',
          prefix: QUARANTINE_PREFIX,
          expiration: days(props.quarantineExpiration, LAKE_DEFAULTS.quarantineExpirationDays),
          noncurrentVersionExpiration: noncurrent,
        },
        {
          id: 'expire-reports',
          prefix: REPORTS_PREFIX,
          expiration: days(props.reportExpiration, LAKE_DEFAULTS.reportExpirationDays),
          noncurrentVersionExpiration: noncurrent,
        },
        { id: 'abort-incomplete-uploads', ...abort },
      ],
    });

    // Landing (uploads) and quarantine (reports) announce new objects on EventBridge. Set on the bucket
    // itself: the construct's eventBridgeEnabled would deploy a notification-configuring Lambda.
    for (const bucket of [this.landingBucket, this.quarantineBucket]) {
      (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
        eventBridgeConfiguration: { eventBridgeEnabled: true },
      };
    }

    this.queryResultsBucket = this.dataBucket('QueryResults', this.queryKey, {
      bucketKeyEnabled: true,
      versioned: false,
      lifecycleRules: [
        {
          id: 'expire-query-results',
          expiration: days(props.queryResultExpiration, LAKE_DEFAULTS.queryResultExpirationDays),
          ...abort,
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
    const prefix = landingPrefix(department);
    evidence(
      grantee,
      `An upload may have any file name, but only under ${prefix} (the department's own landing prefix).`,
      prefix,
    );
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resourceArns: [this.landingBucket.arnForObjects(`${prefix}*`)],
    })
      .combine(
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['s3:ListBucket'],
          resourceArns: [this.landingBucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
        }),
      )
      .combine(
        this.grantKeyForObjects(grantee, this.dataKey, this.landingBucket, prefix, [
          'kms:GenerateDataKey',
          'kms:Decrypt',
        ]),
      );
  }

  /** Lets a department read (and list) its own reports under `reports/<department>/`, nothing else. */
  public grantDepartmentReports(grantee: iam.IGrantable, department: string): iam.Grant {
    const prefix = reportsPrefix(department);
    evidence(
      grantee,
      `Reports are named by upload id, and only those under ${prefix} (the department's own) are readable.`,
      prefix,
    );
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [this.quarantineBucket.arnForObjects(`${prefix}*`)],
    })
      .combine(
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['s3:ListBucket'],
          resourceArns: [this.quarantineBucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
        }),
      )
      .combine(
        this.grantKeyForObjects(grantee, this.dataKey, this.quarantineBucket, prefix, ['kms:Decrypt']),
      );
  }

  /**
   * What the transformer needs: read landing (any version), copy it to raw, write curated, quarantine and
   * reports; read back its own outputs (the report says whether an upload is done, the manifest which
   * upload is current) and delete an output an earlier attempt left behind; list those buckets, so that a
   * missing object is a 404 rather than a 403. Nothing under another prefix, nothing in the results bucket.
   */
  public grantTransformer(grantee: iam.IGrantable): iam.Grant {
    evidence(
      grantee,
      'The transformer reads any upload under landing/ and writes outputs named by department, dataset and upload id under its zones.',
      LANDING_PREFIX,
      RAW_PREFIX,
      CURATED_PREFIX,
      QUARANTINE_PREFIX,
      REPORTS_PREFIX,
    );
    const curated = this.curatedBucket.arnForObjects(`${CURATED_PREFIX}*`);
    const quarantine = this.quarantineBucket.arnForObjects(`${QUARANTINE_PREFIX}*`);
    const reports = this.quarantineBucket.arnForObjects(`${REPORTS_PREFIX}*`);
    const statements: [string[], string[]][] = [
      [['s3:GetObject', 's3:GetObjectVersion'], [this.landingBucket.arnForObjects(`${LANDING_PREFIX}*`)]],
      [
        ['s3:PutObject', 's3:AbortMultipartUpload'],
        [this.rawBucket.arnForObjects(`${RAW_PREFIX}*`), curated, quarantine, reports],
      ],
      [['s3:GetObject'], [curated, quarantine, reports]],
      [['s3:DeleteObject'], [curated, quarantine]],
      [
        ['s3:ListBucket'],
        [this.landingBucket.bucketArn, this.curatedBucket.bucketArn, this.quarantineBucket.bucketArn],
      ],
    ];
    let grant = statements
      .map(([actions, resourceArns]) => iam.Grant.addToPrincipal({ grantee, actions, resourceArns }))
      .reduce((a, b) => a.combine(b));
    const write = ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'];
    grant = grant.combine(this.grantKeyViaS3(grantee, this.dataKey, write));
    if (this.curatedKey !== this.dataKey)
      grant = grant.combine(this.grantKeyViaS3(grantee, this.curatedKey, write));
    return grant;
  }

  /** Read access to curated (Lake Formation's data access role): get and list, decrypt. */
  public grantCuratedRead(grantee: iam.IGrantable): iam.Grant {
    evidence(
      grantee,
      'Lake Formation reads every curated table it governs, all under curated/.',
      CURATED_PREFIX,
    );
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [this.curatedBucket.arnForObjects(`${CURATED_PREFIX}*`)],
    })
      .combine(
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['s3:ListBucket', 's3:GetBucketLocation'],
          resourceArns: [this.curatedBucket.bucketArn],
        }),
      )
      .combine(this.grantKeyViaS3(grantee, this.curatedKey, ['kms:Decrypt']));
  }

  /** What an Athena user needs on the results bucket: write and read results under `prefix`. */
  public queryResultsStatements(prefix: string = QUERY_RESULTS_PREFIX): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'QueryResultObjects',
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [this.queryResultsBucket.arnForObjects(`${prefix}*`)],
      }),
      new iam.PolicyStatement({
        sid: 'QueryResultBucket',
        actions: ['s3:GetBucketLocation'],
        resources: [this.queryResultsBucket.bucketArn],
      }),
      // Listing is limited to the audience's own prefix: result names reveal other audiences' queries.
      new iam.PolicyStatement({
        sid: 'QueryResultList',
        actions: ['s3:ListBucket'],
        resources: [this.queryResultsBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      }),
      new iam.PolicyStatement({
        sid: 'QueryResultKey',
        actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
        resources: [this.queryKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': this.s3ViaService() } },
      }),
    ];
  }

  /** Grants queryResultsStatements(prefix) to a principal. */
  public grantQueryResults(grantee: iam.IGrantable, prefix: string = QUERY_RESULTS_PREFIX): iam.Grant {
    evidence(grantee, `Athena names each result file by query id, under ${prefix}.`, prefix);
    return this.queryResultsStatements(prefix)
      .map((statement) =>
        iam.Grant.addToPrincipal({
          grantee,
          actions: statement.actions,
          resourceArns: statement.resources,
          conditions: statement.conditions,
        }),
      )
      .reduce((a, b) => a.combine(b));
  }

  /**
   * Denies object reads, writes and deletes in landing, raw, curated and quarantine, and the data
   * actions of the data and curated keys, to every principal but the lake's roles that use them: the
   * transformer, the department upload roles (by DEPARTMENT_ROLE_PATH; landing, reports and the data
   * key), the curated readers, CloudFormation's object-emptying helper (destroy flag only, not raw) and the
   * break-glass admins. Identity policies of the same account (even s3:* and kms:* on *) then reach
   * no lake data; the keys' administration stays with the account.
   */
  public restrictDataAccess(principals: LakeDataPrincipals): void {
    const stack = Stack.of(this);
    const departments = stack.formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName: `${DEPARTMENT_ROLE_PATH.replace(/^\/|\/$/g, '')}/*`,
    });
    const common = [principals.transformer.roleArn, ...(principals.admins ?? [])];
    // Present only when the destroy flag asks buckets (all but raw, under Object Lock) to be emptied.
    const autoDelete = stack.node.tryFindChild('Custom::S3AutoDeleteObjectsCustomResourceProvider') as
      | { roleArn?: string }
      | undefined;
    const emptying = autoDelete?.roleArn ? [autoDelete.roleArn] : [];
    const curatedReaders = principals.curatedReaders.map((r) => r.roleArn);
    const byBucket: [s3.Bucket, string[]][] = [
      [this.landingBucket, [...common, departments, ...emptying]],
      [this.rawBucket, common],
      [this.curatedBucket, [...common, ...curatedReaders, ...emptying]],
      [this.quarantineBucket, [...common, departments, ...emptying]],
    ];
    for (const [bucket, allowed] of byBucket) {
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyOutsideLakeRoles',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: OBJECT_DATA_ACTIONS,
          resources: [bucket.arnForObjects('*')],
          conditions: { ArnNotLike: { 'aws:PrincipalArn': allowed } },
        }),
      );
    }
    const byKey: [kms.IKey, string[]][] =
      this.curatedKey === this.dataKey
        ? [[this.dataKey, [...common, departments, ...curatedReaders]]]
        : [
            [this.dataKey, [...common, departments]],
            [this.curatedKey, [...common, ...curatedReaders]],
          ];
    for (const [key, allowed] of byKey) {
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyDataUseOutsideLakeRoles',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: KEY_DATA_ACTIONS,
          resources: ['*'],
          conditions: { ArnNotLike: { 'aws:PrincipalArn': allowed } },
        }),
      );
    }
  }

  /** The S3 service endpoint name that KMS sees in `kms:ViaService` (partition-aware). */
  public s3ViaService(): string {
    const stack = Stack.of(this);
    return `s3.${stack.region}.${stack.urlSuffix}`;
  }

  private grantKeyViaS3(grantee: iam.IGrantable, key: kms.IKey, actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': this.s3ViaService() } },
    });
  }

  /** Key use limited to objects under `prefix` of `bucket` (S3's per-object encryption context). */
  private grantKeyForObjects(
    grantee: iam.IGrantable,
    key: kms.IKey,
    bucket: s3.IBucket,
    prefix: string,
    actions: string[],
  ): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': this.s3ViaService() },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket.arnForObjects(`${prefix}*`)] },
      },
    });
  }

  private newKey(id: string, what: string): kms.Key {
    return new kms.Key(this, id, {
      description: `Public data lake: ${what}`,
      enableKeyRotation: true,
      ...this.removal(`the KMS key for ${what}`),
      pendingWindow: Duration.days(30),
    });
  }

  private removal(what: string) {
    const removalPolicy = dataRemovalPolicy(this, what);
    return { removalPolicy };
  }

  private dataBucket(id: string, key: kms.IKey, props: Partial<s3.BucketProps>): s3.Bucket {
    const destroy = destroyDataRequested(this);
    const bucket = new s3.Bucket(this, id, {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: `${id.toLowerCase()}/`,
      ...this.removal(`the ${id} bucket`),
      autoDeleteObjects: destroy && !props.objectLockEnabled,
      ...props,
    });
    // Objects must be encrypted with this bucket's key: a different key would hide them from the lake.
    const denyPut = (sid: string, condition: Record<string, string>) =>
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          resources: [bucket.arnForObjects('*')],
          conditions: { StringNotEqualsIfExists: condition },
        }),
      );
    denyPut('DenyNonKmsEncryption', { 's3:x-amz-server-side-encryption': 'aws:kms' });
    denyPut('DenyOtherKmsKey', { 's3:x-amz-server-side-encryption-aws-kms-key-id': key.keyArn });
    return bucket;
  }
}
