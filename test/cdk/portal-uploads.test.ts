/**
 * The deployed upload's wiring (lib/storage/browser-uploads.ts, lib/portal): the landing bucket's CORS
 * lets the portal's origin alone PUT parts and read their ETag, set by a custom resource that may change
 * that bucket's CORS and nothing else; the site's CSP lets the page connect to the landing bucket's
 * regional endpoint; the landing bucket's policy asks no encryption header of a presigned part; the web
 * client renews tokens with its refresh token and has no other API sign-in. (The CSP names the bucket and
 * the CORS rule the distribution: on the bucket itself, the rule would make a dependency cycle, which
 * Template.fromStack refuses, so every test here would fail.)
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PORTAL_TOKEN_VALIDITY, WEB_CLIENT_AUTH_FLOW } from '../../lib/portal/portal-sign-in.ts';
import { deployedCsp } from '../../lib/portal/portal-site.ts';
import { CORS_MAX_AGE_SECONDS } from '../../lib/storage/browser-uploads.ts';
import { buildFixtureLake, fixtureInputs } from './helpers.ts';

let t: Template;
beforeAll(() => {
  t = buildFixtureLake().coreTemplate;
});

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
function only(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** The statements of a policy resource (IAM or bucket policy). */
function statementsOf(resource: unknown): Record<string, unknown>[] {
  const doc = (resource as { Properties: { PolicyDocument: { Statement?: Record<string, unknown>[] } } })
    .Properties.PolicyDocument;
  return doc.Statement ?? [];
}

/** The custom resources that set a bucket's CORS. */
function corsResources(template: Template): Record<string, { Properties: Record<string, unknown> }> {
  const all = template.findResources('Custom::AWS') as Record<
    string,
    { Properties: Record<string, unknown> }
  >;
  return Object.fromEntries(
    Object.entries(all).filter(([, r]) => JSON.stringify(r.Properties.Create).includes('PutBucketCors')),
  );
}

describe('the landing bucket’s CORS for the portal', () => {
  it('lets the portal’s origin alone PUT parts and read their ETag', () => {
    const landing = only(t, 'AWS::S3::Bucket', 'StorageLanding');
    const distribution = only(t, 'AWS::CloudFront::Distribution', 'PortalSiteDistribution');
    const found = Object.values(corsResources(t));
    expect(found).toHaveLength(1);
    const create = JSON.stringify(found[0].Properties.Create);
    // The SDK call is rendered as a JSON string joined with the tokens: read it back.
    expect(create).toContain('\\"service\\":\\"S3\\",\\"action\\":\\"PutBucketCors\\"');
    expect(create).toContain(`{"Ref":"${landing}"}`);
    expect(create).toContain(
      `\\"AllowedOrigins\\":[\\"https://",{"Fn::GetAtt":["${distribution}","DomainName"]},"\\"]`,
    );
    expect(create).toContain('\\"AllowedMethods\\":[\\"PUT\\"]');
    expect(create).toContain('\\"AllowedHeaders\\":[\\"content-type\\"]');
    expect(create).toContain('\\"ExposeHeaders\\":[\\"ETag\\"]');
    expect(create).toContain(`\\"MaxAgeSeconds\\":${CORS_MAX_AGE_SECONDS}`);
    expect(create).not.toMatch(/AllowedOrigins[^\]]*\*/);
    expect(JSON.stringify(found[0].Properties.Delete)).toContain('DeleteBucketCors');
  });

  it('lets its function change the landing bucket’s CORS and nothing else', () => {
    const landing = only(t, 'AWS::S3::Bucket', 'StorageLanding');
    const policies = Object.entries(t.findResources('AWS::IAM::Policy')).filter(([id]) =>
      id.startsWith('PortalUploadsCors'),
    );
    expect(policies).toHaveLength(1);
    const statements = statementsOf(policies[0][1]);
    expect(statements).toEqual([
      { Action: 's3:PutBucketCORS', Effect: 'Allow', Resource: { 'Fn::GetAtt': [landing, 'Arn'] } },
    ]);
  });

  it('is there only with the portal', () => {
    const off = buildFixtureLake(fixtureInputs({ portal: { enabled: false, threatProtection: true } }));
    expect(Object.keys(corsResources(off.coreTemplate))).toEqual([]);
  });

  it('asks no encryption header of a part: the bucket’s deny is on other encryption only', () => {
    const landing = only(t, 'AWS::S3::Bucket', 'StorageLanding');
    const policy = Object.values(t.findResources('AWS::S3::BucketPolicy')).find(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: landing }),
    );
    const statements = statementsOf(policy);
    const encryption = statements.filter((s) => /Kms/.test(String(s.Sid)));
    expect(encryption.map((s) => s.Sid).sort()).toEqual(['DenyNonKmsEncryption', 'DenyOtherKmsKey']);
    for (const s of encryption)
      expect(Object.keys(s.Condition as object)).toEqual(['StringNotEqualsIfExists']);
  });
});

describe('the portal’s CSP and sign-in for uploads', () => {
  it('lets the page connect to the landing bucket’s regional endpoint', () => {
    const landing = only(t, 'AWS::S3::Bucket', 'StorageLanding');
    const policy = Object.values(t.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0];
    const csp = JSON.stringify(policy.Properties.ResponseHeadersPolicyConfig);
    expect(csp).toContain(
      `https://",{"Ref":"${landing}"},".s3.eu-west-1.",{"Ref":"AWS::URLSuffix"},"; font-src`,
    );
    expect(deployedCsp('https://x.auth.example', 'https://b.s3.r.amazonaws.com')).toContain(
      "connect-src 'self' https://x.auth.example https://b.s3.r.amazonaws.com;",
    );
  });

  it('renews tokens with the refresh token for the validity set, and allows no other API sign-in', () => {
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: [WEB_CLIENT_AUTH_FLOW],
      RefreshTokenValidity: PORTAL_TOKEN_VALIDITY.refreshToken.toMinutes(),
      IdTokenValidity: PORTAL_TOKEN_VALIDITY.idToken.toMinutes(),
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
    });
    expect(WEB_CLIENT_AUTH_FLOW).toBe('ALLOW_REFRESH_TOKEN_AUTH');
    expect(PORTAL_TOKEN_VALIDITY.refreshToken.toHours()).toBeGreaterThan(
      PORTAL_TOKEN_VALIDITY.idToken.toHours(),
    );
  });
});
