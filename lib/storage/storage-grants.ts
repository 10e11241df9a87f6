/**
 * What each of the lake's roles may do in its buckets and keys, as IAM grants on the role: a department's
 * uploads and reports, the transformer, the curated readers and the Athena users. Object access is
 * limited to the zone prefixes of src/lake/layout.ts, key use to S3 (and, for departments, to their own
 * objects). LakeStorage's grant* methods call these.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import {
  ERASURES_PREFIX,
  landingPrefix,
  QUERY_RESULTS_PREFIX,
  reportsPrefix,
  WITHDRAWN_PREFIX,
  ZONE_PREFIX,
} from '../../src/lake/layout.ts';
import { allowWildcards, objectPrefixEvidence } from '../common/nag.ts';

/** The buckets and keys the grants name (a LakeStorage). */
export interface LakeStorageResources extends IConstruct {
  readonly dataKey: kms.IKey;
  readonly curatedKey: kms.IKey;
  readonly queryKey: kms.IKey;
  readonly landingBucket: s3.IBucket;
  readonly rawBucket: s3.IBucket;
  readonly curatedBucket: s3.IBucket;
  readonly quarantineBucket: s3.IBucket;
  readonly queryResultsBucket: s3.IBucket;
}

/** Registers evidence for the object-prefix wildcards a grant gives (see lib/nag.ts). */
function evidence(grantee: iam.IGrantable, reason: string, ...prefixes: string[]): void {
  const principal = grantee.grantPrincipal as unknown as Partial<IConstruct>;
  if (!principal.node) return;
  allowWildcards(principal as IConstruct, ...prefixes.map((p) => objectPrefixEvidence(p, reason)));
}

/** The S3 service endpoint name that KMS sees in `kms:ViaService` (partition-aware). */
export function s3ViaService(scope: IConstruct): string {
  const stack = Stack.of(scope);
  return `s3.${stack.region}.${stack.urlSuffix}`;
}

/** Key use through S3 only. */
function grantKeyViaS3(
  storage: LakeStorageResources,
  grantee: iam.IGrantable,
  key: kms.IKey,
  actions: string[],
): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions,
    resourceArns: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': s3ViaService(storage) } },
  });
}

/** Key use limited to objects under `prefix` of `bucket` (S3's per-object encryption context). */
function grantKeyForObjects(
  storage: LakeStorageResources,
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
      StringEquals: { 'kms:ViaService': s3ViaService(storage) },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket.arnForObjects(`${prefix}*`)] },
    },
  });
}

/** Listing of `bucket`, limited to keys under `prefix`. */
function listUnder(grantee: iam.IGrantable, bucket: s3.IBucket, prefix: string): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:ListBucket'],
    resourceArns: [bucket.bucketArn],
    conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
  });
}

/**
 * A department's uploader: put files under `landing/<department>/` (multipart included) and list them,
 * with the data key usable only for objects under that prefix.
 */
export function grantDepartmentUpload(
  storage: LakeStorageResources,
  grantee: iam.IGrantable,
  department: string,
): iam.Grant {
  const prefix = landingPrefix(department);
  evidence(
    grantee,
    `An upload may have any file name, but only under ${prefix} (the department's own landing prefix).`,
    prefix,
  );
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
    resourceArns: [storage.landingBucket.arnForObjects(`${prefix}*`)],
  })
    .combine(listUnder(grantee, storage.landingBucket, prefix))
    .combine(
      grantKeyForObjects(storage, grantee, storage.dataKey, storage.landingBucket, prefix, [
        'kms:GenerateDataKey',
        'kms:Decrypt',
      ]),
    );
}

/** A department's reports: read (and list) `reports/<department>/`, nothing else. */
export function grantDepartmentReports(
  storage: LakeStorageResources,
  grantee: iam.IGrantable,
  department: string,
): iam.Grant {
  const prefix = reportsPrefix(department);
  evidence(
    grantee,
    `Reports are named by upload id, and only those under ${prefix} (the department's own) are readable.`,
    prefix,
  );
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:GetObject'],
    resourceArns: [storage.quarantineBucket.arnForObjects(`${prefix}*`)],
  })
    .combine(listUnder(grantee, storage.quarantineBucket, prefix))
    .combine(
      grantKeyForObjects(storage, grantee, storage.dataKey, storage.quarantineBucket, prefix, [
        'kms:Decrypt',
      ]),
    );
}

/**
 * The transformer: read landing (any version), copy it to raw, write curated, quarantine and reports;
 * read back its own outputs and delete an output an earlier attempt left behind; list those buckets, so
 * that a missing object is a 404 rather than a 403. Nothing under another prefix, nothing in the results
 * bucket.
 */
export function grantTransformer(storage: LakeStorageResources, grantee: iam.IGrantable): iam.Grant {
  const { landing, raw, curated, quarantine, reports } = ZONE_PREFIX;
  evidence(
    grantee,
    'The transformer reads any upload under landing/ and writes outputs named by department, dataset and upload id under its zones.',
    landing,
    raw,
    curated,
    quarantine,
    reports,
    WITHDRAWN_PREFIX,
  );
  const { landingBucket, rawBucket, curatedBucket, quarantineBucket } = storage;
  const curatedObjects = curatedBucket.arnForObjects(`${curated}*`);
  // A withdrawal (a steward's request under landing/<department>/_requests/) moves curated files here.
  const withdrawnObjects = curatedBucket.arnForObjects(`${WITHDRAWN_PREFIX}*`);
  const quarantineObjects = quarantineBucket.arnForObjects(`${quarantine}*`);
  const reportObjects = quarantineBucket.arnForObjects(`${reports}*`);
  const statements: [string[], string[]][] = [
    [['s3:GetObject', 's3:GetObjectVersion'], [landingBucket.arnForObjects(`${landing}*`)]],
    [
      ['s3:PutObject', 's3:AbortMultipartUpload'],
      [
        rawBucket.arnForObjects(`${raw}*`),
        curatedObjects,
        withdrawnObjects,
        quarantineObjects,
        reportObjects,
      ],
    ],
    [['s3:GetObject'], [curatedObjects, withdrawnObjects, quarantineObjects, reportObjects]],
    [['s3:DeleteObject'], [curatedObjects, quarantineObjects]],
    [['s3:ListBucket'], [landingBucket.bucketArn, curatedBucket.bucketArn, quarantineBucket.bucketArn]],
  ];
  let grant = statements
    .map(([actions, resourceArns]) => iam.Grant.addToPrincipal({ grantee, actions, resourceArns }))
    .reduce((a, b) => a.combine(b));
  const write = ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'];
  grant = grant.combine(grantKeyViaS3(storage, grantee, storage.dataKey, write));
  if (storage.curatedKey !== storage.dataKey)
    grant = grant.combine(grantKeyViaS3(storage, grantee, storage.curatedKey, write));
  return grant;
}

/** Read access to curated (Lake Formation's data access role): get and list, decrypt. */
export function grantCuratedRead(storage: LakeStorageResources, grantee: iam.IGrantable): iam.Grant {
  const curated = ZONE_PREFIX.curated;
  evidence(grantee, `Lake Formation reads every curated table it governs, all under ${curated}.`, curated);
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:GetObject'],
    resourceArns: [storage.curatedBucket.arnForObjects(`${curated}*`)],
  })
    .combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resourceArns: [storage.curatedBucket.bucketArn],
      }),
    )
    .combine(grantKeyViaS3(storage, grantee, storage.curatedKey, ['kms:Decrypt']));
}

/** What an Athena user needs on the results bucket: write and read results under `prefix`. */
export function queryResultsStatements(
  storage: LakeStorageResources,
  prefix: string = QUERY_RESULTS_PREFIX,
): iam.PolicyStatement[] {
  const bucket = storage.queryResultsBucket;
  return [
    new iam.PolicyStatement({
      sid: 'QueryResultObjects',
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: [bucket.arnForObjects(`${prefix}*`)],
    }),
    new iam.PolicyStatement({
      sid: 'QueryResultBucket',
      actions: ['s3:GetBucketLocation'],
      resources: [bucket.bucketArn],
    }),
    // Listing is limited to the audience's own prefix: result names reveal other audiences' queries.
    new iam.PolicyStatement({
      sid: 'QueryResultList',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
    }),
    new iam.PolicyStatement({
      sid: 'QueryResultKey',
      actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
      resources: [storage.queryKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': s3ViaService(storage) } },
    }),
  ];
}

/** Grants queryResultsStatements(prefix) to a principal. */
export function grantQueryResults(
  storage: LakeStorageResources,
  grantee: iam.IGrantable,
  prefix: string = QUERY_RESULTS_PREFIX,
): iam.Grant {
  evidence(grantee, `Athena names each result file by query id, under ${prefix}.`, prefix);
  return queryResultsStatements(storage, prefix)
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
 * The erasure role (`lake erase`): read, rewrite and delete objects (every version) in landing, raw,
 * curated (with withdrawn/) and quarantine, list their versions, and write receipts under
 * reports/_erasures/. Raw's earlier versions are under governance retention: only this role may pass
 * s3:BypassGovernanceRetention, and only on raw/ (the raw bucket's policy denies it to everyone else).
 */
export function grantErasure(storage: LakeStorageResources, grantee: iam.IGrantable): iam.Grant {
  const { landing, raw, curated, quarantine } = ZONE_PREFIX;
  evidence(
    grantee,
    "An erasure rewrites or deletes any object holding a person's rows, wherever the lake keeps one.",
    landing,
    raw,
    curated,
    quarantine,
    WITHDRAWN_PREFIX,
    ERASURES_PREFIX,
  );
  const { landingBucket, rawBucket, curatedBucket, quarantineBucket } = storage;
  const rewrite = [
    's3:GetObject',
    's3:GetObjectVersion',
    's3:PutObject',
    's3:DeleteObject',
    's3:DeleteObjectVersion',
  ];
  const statements: [string[], string[]][] = [
    [
      ['s3:GetObject', 's3:GetObjectVersion', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      [landingBucket.arnForObjects(`${landing}*`)],
    ],
    [[...rewrite, 's3:BypassGovernanceRetention'], [rawBucket.arnForObjects(`${raw}*`)]],
    [
      rewrite,
      [curatedBucket.arnForObjects(`${curated}*`), curatedBucket.arnForObjects(`${WITHDRAWN_PREFIX}*`)],
    ],
    [rewrite, [quarantineBucket.arnForObjects(`${quarantine}*`)]],
    [['s3:GetObject', 's3:PutObject'], [quarantineBucket.arnForObjects(`${ERASURES_PREFIX}*`)]],
    [
      ['s3:ListBucket', 's3:ListBucketVersions'],
      [landingBucket.bucketArn, rawBucket.bucketArn, curatedBucket.bucketArn, quarantineBucket.bucketArn],
    ],
  ];
  let grant = statements
    .map(([actions, resourceArns]) => iam.Grant.addToPrincipal({ grantee, actions, resourceArns }))
    .reduce((a, b) => a.combine(b));
  const write = ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'];
  grant = grant.combine(grantKeyViaS3(storage, grantee, storage.dataKey, write));
  if (storage.curatedKey !== storage.dataKey)
    grant = grant.combine(grantKeyViaS3(storage, grantee, storage.curatedKey, write));
  return grant;
}
