/**
 * The open-data zone in the synthesized core stack: a KMS-encrypted, versioned, logged bucket that only its
 * CloudFront distribution reads (origin access control, AWS:SourceArn), HTTPS only with security headers,
 * and the transformer's grant and environment.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DESTROY_DATA_CONTEXT } from '../../lib/common/context.ts';
import { TRANSFORMER_ENV } from '../../src/ingest/env.ts';
import { CORE_OUTPUTS } from '../../src/lake/outputs.ts';
import { type BuiltLake, buildFixtureLake, logicalIdOf, policyStatements } from './helpers.ts';

let lake: BuiltLake;
let bucketId: string;
let distributionId: string;

beforeAll(() => {
  lake = buildFixtureLake();
  bucketId = logicalIdOf(lake.coreTemplate, 'AWS::S3::Bucket', '/OpenData/Bucket/');
  distributionId = logicalIdOf(lake.coreTemplate, 'AWS::CloudFront::Distribution', '/OpenData/');
});

describe('the open-data bucket', () => {
  it('has the house defaults: its own KMS key, no public access, versioned, logged, retained', () => {
    const bucket = lake.coreTemplate.findResources('AWS::S3::Bucket')[bucketId];
    const p = bucket.Properties;
    expect(
      p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
    ).toMatchObject({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringContaining('OpenDataKey'), 'Arn'] },
    });
    expect(p.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(p.LoggingConfiguration.LogFilePrefix).toBe('open/');
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('is read by one principal only: CloudFront, for this distribution', () => {
    const policies = lake.coreTemplate.findResources('AWS::S3::BucketPolicy');
    const policy = Object.values(policies).find((r) => r.Properties.Bucket.Ref === bucketId);
    const statements = (policy?.Properties.PolicyDocument.Statement ?? []) as Record<string, unknown>[];
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
    });
    const sourceArn = (allows[0].Condition as { StringEquals: Record<string, unknown> }).StringEquals[
      'AWS:SourceArn'
    ];
    expect(JSON.stringify(sourceArn)).toContain(`":distribution/",{"Ref":"${distributionId}"}`);
    // TLS only.
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies.some((s) => JSON.stringify(s).includes('aws:SecureTransport'))).toBe(true);
  });
});

describe('the bucket policy', () => {
  const denyOf = (built: BuiltLake, id: string) => {
    const policies = built.coreTemplate.findResources('AWS::S3::BucketPolicy');
    const policy = Object.values(policies).find((r) => r.Properties.Bucket.Ref === id);
    return ((policy?.Properties.PolicyDocument.Statement ?? []) as Record<string, unknown>[]).find(
      (s) => s.Sid === 'DenyOutsideCloudFrontAndPublishers',
    ) as { Condition: { ArnNotLike: { 'aws:PrincipalArn': unknown[] } } } | undefined;
  };

  it('denies object access to everyone but CloudFront, the publishers and the break-glass admins', () => {
    const deny = denyOf(lake, bucketId);
    expect(deny).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Condition: { StringNotEqualsIfExists: { 'aws:PrincipalServiceName': 'cloudfront.amazonaws.com' } },
    });
    const allowed = JSON.stringify(deny?.Condition.ArnNotLike['aws:PrincipalArn']);
    expect(allowed).toContain('IngestionTransformerRole');
    expect(allowed).toContain('IngestionErasureRole');
  });

  it('lets the object-emptying helper in when the destroy flag is set', () => {
    const destroyed = buildFixtureLake(undefined, {}, { [DESTROY_DATA_CONTEXT]: true });
    const id = logicalIdOf(destroyed.coreTemplate, 'AWS::S3::Bucket', '/OpenData/Bucket/');
    const allowed = JSON.stringify(denyOf(destroyed, id)?.Condition.ArnNotLike['aws:PrincipalArn']);
    expect(allowed).toContain('CustomS3AutoDeleteObjectsCustomResourceProviderRole');
  });
});

describe('the distribution', () => {
  it('serves open/ over HTTPS only, GET and HEAD, with security headers, through origin access control', () => {
    const d = lake.coreTemplate.findResources('AWS::CloudFront::Distribution')[distributionId].Properties
      .DistributionConfig;
    expect(d.DefaultRootObject).toBe('catalog.jsonld');
    expect(d.Origins).toHaveLength(1);
    expect(d.Origins[0].OriginPath).toBe('/open');
    expect(d.Origins[0].OriginAccessControlId).toBeDefined();
    expect(d.Origins[0].S3OriginConfig.OriginAccessIdentity).toBe('');
    expect(d.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(d.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    // The managed SecurityHeadersPolicy.
    expect(d.DefaultCacheBehavior.ResponseHeadersPolicyId).toBe('67f7725c-6f97-4210-82d7-5512b31e9d03');
    lake.coreTemplate.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
  });

  it('is named in the outputs the CLI reads', () => {
    const outputs = lake.coreTemplate.findOutputs(CORE_OUTPUTS.openDataUrl);
    expect(Object.keys(outputs)).toHaveLength(1);
    expect(JSON.stringify(outputs)).toContain(distributionId);
  });
});

describe('the transformer', () => {
  it('knows the bucket, the URL and the publishers of opened datasets', () => {
    const fns = lake.coreTemplate.findResources('AWS::Lambda::Function');
    const transformer = Object.values(fns).find((f) =>
      String(f.Metadata?.['aws:cdk:path'] ?? '').includes('/Transformer/'),
    );
    const env = transformer?.Properties.Environment.Variables;
    expect(env[TRANSFORMER_ENV.openBucket]).toEqual({ Ref: bucketId });
    expect(JSON.stringify(env[TRANSFORMER_ENV.openBaseUrl])).toContain(distributionId);
    expect(() => JSON.parse(env[TRANSFORMER_ENV.openPublishers])).not.toThrow();
  });

  it('writes under open/ only', () => {
    const writes = policyStatements(lake.coreTemplate).filter(
      ({ statement }) =>
        JSON.stringify(statement.Resource ?? '').includes(bucketId) &&
        JSON.stringify(statement.Action).includes('s3:PutObject'),
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const { statement } of writes) {
      for (const r of [statement.Resource].flat()) {
        if (JSON.stringify(r).includes(bucketId) && JSON.stringify(r).includes('/')) {
          expect(JSON.stringify(r)).toContain('/open/*');
        }
      }
    }
  });
});
