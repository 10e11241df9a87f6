/**
 * The open-data zone on AWS: its own bucket, readable by nobody but one CloudFront distribution (origin
 * access control), which serves `open/` over HTTPS to anyone.
 *
 * - Bucket: the house defaults (LakeBucket): KMS, public access blocked, TLS only, versioned, access logs
 *   to the lake's access-log bucket, retained. Its own KMS key, not the data key: CloudFront must be able
 *   to decrypt it, and that grant must not reach any other zone. The key policy lets
 *   cloudfront.amazonaws.com decrypt for this account's distributions (a distribution id in the key policy
 *   would make the key, the bucket and the distribution depend on each other); the bucket policy pins the
 *   one distribution (AWS:SourceArn), so no other distribution reads the bucket. Earlier versions expire
 *   after `noncurrentVersionExpiration` (an erasure removes them at once).
 * - Distribution: origin path `/open` (the URL `https://<domain>/catalog.jsonld` is `open/catalog.jsonld`),
 *   HTTPS only (HTTP redirected), GET/HEAD only, the security-headers response policy, compression, the
 *   catalogue as the default root object.
 * - Grants: the transformer reads, writes and removes under `open/` (it publishes after uploads and
 *   withdrawals); the erasure role also removes earlier versions there. The bucket policy denies object
 *   access to every other principal but the break-glass admins (restrictAccess): the account's own
 *   administrators read open data through CloudFront, like everyone.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { DatasetContract } from '../../src/contracts/schema.ts';
import { TRANSFORMER_ENV } from '../../src/ingest/env.ts';
import { OPEN_CATALOG_KEY, OPEN_PREFIX } from '../../src/lake/layout.ts';
import { dataRemovalPolicy } from '../common/context.ts';
import { acknowledge, allowWildcards } from '../common/nag.ts';
import { ABORT_INCOMPLETE_UPLOADS, LakeBucket } from '../storage/lake-bucket.ts';

export interface OpenDataProps {
  /** The lake's access-log bucket: the open bucket's server access logs go there. */
  readonly accessLogsBucket: s3.IBucket;
  /** @default 30 days */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * The province's own domain for the zone (e.g. data.example.gov.cn) and its certificate (ACM in
   * us-east-1; in the China regions an ICP-filed domain and an IAM server certificate are required, as
   * the default *.cloudfront.cn domain does not serve content there).
   * @default - the distribution's own domain and the default certificate
   */
  readonly domain?: { readonly names: string[]; readonly certificate: acm.ICertificate };
}

export class OpenData extends Construct {
  public readonly key: kms.Key;
  public readonly bucket: LakeBucket;
  public readonly distribution: cloudfront.Distribution;
  /** The domain the zone is served at: the province's own, or the distribution's. */
  public readonly domainName: string;

  constructor(scope: Construct, id: string, props: OpenDataProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Public data lake: the open-data zone (readable through CloudFront only)',
      enableKeyRotation: true,
      removalPolicy: dataRemovalPolicy(this, 'the KMS key of the open-data bucket'),
      pendingWindow: Duration.days(30),
    });
    this.bucket = new LakeBucket(this, 'Bucket', {
      encryptionKey: this.key,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'open/',
      lifecycleRules: [
        {
          id: 'expire-earlier-versions',
          noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(30),
          ...ABORT_INCOMPLETE_UPLOADS,
        },
      ],
    });
    const originPath = `/${OPEN_PREFIX.replace(/\/$/, '')}`;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Public data lake: open data (DCAT-AP catalogue, CSV, Parquet)',
      defaultRootObject: OPEN_CATALOG_KEY.slice(OPEN_PREFIX.length),
      ...(props.domain ? { domainNames: props.domain.names, certificate: props.domain.certificate } : {}),
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, { originPath }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        compress: true,
      },
    });
    this.domainName = props.domain?.names[0] ?? this.distribution.distributionDomainName;
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'Open data is published to anyone, anywhere, by the province regulation on open government data: no geo restriction.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      'The distribution serves static public files (GET/HEAD only, no origin logic); a WAF web ACL can be attached by the platform team where rate limiting is wanted.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR3',
      'CloudFront standard logs need ACLs on the log bucket, which the lake disables (bucket owner enforced); the server access logs of the origin bucket record every read that reaches it (cache misses) in the access-log bucket.',
    );
    if (!props.domain)
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR4',
        'The default *.cloudfront.net certificate is used until the province attaches its own domain and ACM certificate; viewers are redirected to HTTPS.',
      );
  }

  /** The URL the zone is served at (it stands for `open/`). */
  public get baseUrl(): string {
    return `https://${this.domainName}/`;
  }

  /** Reading, writing and removing under `open/` (the transformer: publication after uploads and withdrawals). */
  public grantPublish(grantee: iam.IGrantable): void {
    const principal = grantee.grantPrincipal;
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects(`${OPEN_PREFIX}*`)],
      }),
    );
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${OPEN_PREFIX}*`] } },
      }),
    );
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.key.keyArn],
      }),
    );
    allowWildcards(principal as unknown as Construct, {
      finding: /^Resource::<[A-Za-z0-9]*OpenDataBucket[A-Za-z0-9]*\.Arn>\/open\/\*$/,
      reason: 'The open-data zone is the open/ prefix of its own bucket: the grant covers that prefix only.',
    });
  }

  /**
   * Nobody but CloudFront reads the bucket, nobody but the publishers writes it: a deny for every other
   * principal (the account's administrators included, but the lake's break-glass admins). Call once, after
   * the roles exist; each is named by its exact ARN.
   */
  public restrictAccess(principals: { publishers: readonly iam.IRole[]; admins?: readonly string[] }): void {
    const allowed = [...principals.publishers.map((r) => r.roleArn), ...(principals.admins ?? [])];
    if (this.bucket.autoDeletesObjects) {
      // The destroy flag: CloudFormation's object-emptying helper must reach the bucket to empty it.
      const provider = Stack.of(this).node.tryFindChild(
        'Custom::S3AutoDeleteObjectsCustomResourceProvider',
      ) as { roleArn?: string } | undefined;
      if (provider?.roleArn) allowed.push(provider.roleArn);
    }
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOutsideCloudFrontAndPublishers',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject*', 's3:PutObject*', 's3:DeleteObject*', 's3:RestoreObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: {
          ArnNotLike: { 'aws:PrincipalArn': allowed },
          StringNotEqualsIfExists: { 'aws:PrincipalServiceName': 'cloudfront.amazonaws.com' },
        },
      }),
    );
  }

  /** Publishing, and removing the earlier versions of open files (the erasure role). */
  public grantErase(grantee: iam.IGrantable): void {
    this.grantPublish(grantee);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucketVersions'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${OPEN_PREFIX}*`] } },
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:DeleteObjectVersion'],
        resources: [this.bucket.arnForObjects(`${OPEN_PREFIX}*`)],
      }),
    );
  }
}

/**
 * Lets the transformer publish to the zone (its environment names the bucket, the URL and the departments'
 * names) and the erasure role reach it.
 */
export function openDataForTransformer(
  open: OpenData,
  ingestion: { transformer: lambda.Function; erasure: { role: iam.IRole } },
  inputs: {
    departments: readonly { id: string; name: string }[];
    datasets: readonly DatasetContract[];
    /** The lake's break-glass admins (exact ARNs). */
    admins?: readonly string[];
  },
): void {
  open.grantPublish(ingestion.transformer);
  open.grantErase(ingestion.erasure.role);
  const transformerRole = ingestion.transformer.role;
  if (transformerRole) {
    open.restrictAccess({ publishers: [transformerRole, ingestion.erasure.role], admins: inputs.admins });
  }
  // Only the departments that open something: the environment's size is limited.
  const opening = new Set(
    inputs.datasets.filter((d) => d.opening?.type === 'unconditional').map((d) => d.department),
  );
  const publishers = Object.fromEntries(
    inputs.departments.filter((d) => opening.has(d.id)).map((d) => [d.id, d.name]),
  );
  ingestion.transformer.addEnvironment(TRANSFORMER_ENV.openBucket, open.bucket.bucketName);
  ingestion.transformer.addEnvironment(TRANSFORMER_ENV.openBaseUrl, open.baseUrl);
  ingestion.transformer.addEnvironment(TRANSFORMER_ENV.openPublishers, JSON.stringify(publishers));
}
