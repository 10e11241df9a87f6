/**
 * The deployed portal (lib/portal): CloudFront with origin access control over the web app's bucket,
 * the API under /api/* and open data under /open/*, the security headers, Cognito sign-in with a group
 * per department and persona, the API's authorizer and the API Lambda's environment and role.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLake } from '../../lib/lake-app.ts';
import { LakeStack } from '../../lib/lake-stack.ts';
import {
  NOT_THROUGH_PORTAL,
  ORIGIN_SECRET_HEADER,
  ORIGIN_SECRET_LENGTH,
} from '../../lib/portal/origin-secret.ts';
import {
  DEPARTMENTS_PER_POLICY,
  PORTAL_API_STAGE,
  PORTAL_API_THROTTLE,
  PUBLIC_ROUTES,
} from '../../lib/portal/portal-api.ts';
import { defaultDomainPrefix, PortalSignIn } from '../../lib/portal/portal-sign-in.ts';
import { deployedCsp, HSTS_MAX_AGE, PORTAL_CONFIG_FILE } from '../../lib/portal/portal-site.ts';
import { CORE_OUTPUTS } from '../../src/lake/outputs.ts';
import {
  type BuiltLake,
  buildFixtureLake,
  defaultInputs,
  FIXTURE_HANDLER,
  fastApp,
  fastStack,
  fixtureInputs,
  policyStatements,
} from './helpers.ts';

/** A built web app (what scripts/build-portal.mjs writes), so the tests never depend on a real build. */
function webDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lake-portal-web-'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><script type="module" src="/assets/app.js"></script>',
  );
  return dir;
}

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

/** The fixture lake with the portal's web app in `dir` (the stack reads LAKE_PORTAL_DIR, as the build script). */
function lakeWithWebDir(dir: string): BuiltLake {
  const before = process.env.LAKE_PORTAL_DIR;
  process.env.LAKE_PORTAL_DIR = dir;
  try {
    return buildFixtureLake();
  } finally {
    if (before === undefined) delete process.env.LAKE_PORTAL_DIR;
    else process.env.LAKE_PORTAL_DIR = before;
  }
}

let lake: BuiltLake;
let t: Template;
beforeAll(() => {
  lake = lakeWithWebDir(webDir());
  t = lake.coreTemplate;
});

/** The one resource of `type` whose logical id starts with `prefix`. */
function only(type: string, prefix: string): [string, { Properties: Record<string, unknown> }] {
  const found = Object.entries(t.findResources(type)).filter(([id]) => id.startsWith(prefix));
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0] as [string, { Properties: Record<string, unknown> }];
}

describe('portal site', () => {
  it('lets only CloudFront, for this distribution, read the web app bucket', () => {
    const [bucketId] = only('AWS::S3::Bucket', 'PortalSiteBucket');
    const [distributionId] = only('AWS::CloudFront::Distribution', 'PortalSiteDistribution');
    t.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
      }),
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DenyReadOutsideCloudFront',
            Effect: 'Deny',
            Action: 's3:GetObject*',
            Condition: {
              StringNotEqualsIfExists: { 'aws:PrincipalServiceName': 'cloudfront.amazonaws.com' },
            },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: {
              StringEquals: {
                'AWS:SourceArn': {
                  'Fn::Join': Match.arrayWith([Match.arrayWith([{ Ref: distributionId }])]),
                },
              },
            },
          }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'portal/' }),
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
    });
    t.hasResource('AWS::S3::Bucket', {
      Properties: { LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'portal/' }) },
      DeletionPolicy: 'Retain',
    });
  });

  it('sends the security headers on every response, with a CSP that allows no inline script', () => {
    const [, policy] = only('AWS::CloudFront::ResponseHeadersPolicy', 'PortalSiteHeaders');
    const config = policy.Properties.ResponseHeadersPolicyConfig as Record<string, Record<string, unknown>>;
    const security = config.SecurityHeadersConfig as Record<string, Record<string, unknown>>;
    expect(security.StrictTransportSecurity).toEqual({
      AccessControlMaxAgeSec: HSTS_MAX_AGE.toSeconds(),
      IncludeSubdomains: true,
      Override: true,
    });
    expect(HSTS_MAX_AGE.toSeconds()).toBeGreaterThanOrEqual(31536000);
    expect(security.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(security.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    const csp = JSON.stringify(security.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    // The app exchanges its sign-in code at the hosted sign-in's token endpoint: that origin only.
    expect(csp).toMatch(/connect-src 'self' https:\/\/.*PortalSignInUserPoolDomain/);
    expect(deployedCsp('https://x.auth.example')).toContain("connect-src 'self' https://x.auth.example;");
  });

  it('serves the app from the bucket, the API under /api/* uncached, open data under /open/*, HTTPS only', () => {
    const [, distribution] = only('AWS::CloudFront::Distribution', 'PortalSiteDistribution');
    const config = distribution.Properties.DistributionConfig as Record<string, unknown>;
    expect(config.DefaultRootObject).toBe('index.html');
    // No distribution-wide error pages: an API error must reach the app as it is.
    expect(config.CustomErrorResponses).toBeUndefined();
    const byPath = Object.fromEntries(
      (config.CacheBehaviors as Record<string, unknown>[]).map((b) => [b.PathPattern as string, b]),
    );
    expect(Object.keys(byPath).sort()).toEqual(['/api/*', '/open/*']);
    expect(byPath['/api/*']).toMatchObject({
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST,
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: expect.arrayContaining(['POST', 'DELETE']),
    });
    const def = config.DefaultCacheBehavior as Record<string, unknown>;
    expect(def.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(def.AllowedMethods).toEqual(['GET', 'HEAD']);
    for (const b of [def, ...Object.values(byPath)] as Record<string, unknown>[])
      expect(b.ResponseHeadersPolicyId).toEqual({
        Ref: only('AWS::CloudFront::ResponseHeadersPolicy', 'PortalSiteHeaders')[0],
      });
    // The API origin is the REST API's stage.
    const origins = config.Origins as Record<string, unknown>[];
    const api = origins.find((o) => o.Id === (byPath['/api/*'] as { TargetOriginId: string }).TargetOriginId);
    expect(JSON.stringify(api?.OriginPath)).toMatch(/"Ref":"PortalApiDeploymentStage/);
    expect(JSON.stringify(api?.DomainName)).toContain('PortalApi');
  });

  it('runs viewer functions that route as promised', () => {
    type Request = { uri: string; headers: Record<string, { value: string }> };
    const run = (prefix: string, uri: string): Request => {
      const [, fn] = only('AWS::CloudFront::Function', prefix);
      const handler = new Function(`${String(fn.Properties.FunctionCode)}; return handler;`)();
      return handler({ request: { uri, headers: { host: { value: 'd1.cloudfront.net' } } } });
    };
    expect(run('PortalSiteAppRoutes', '/').uri).toBe('/index.html');
    expect(run('PortalSiteAppRoutes', '/catalogue/education/schools').uri).toBe('/index.html');
    expect(run('PortalSiteAppRoutes', '/assets/index-abc.js').uri).toBe('/assets/index-abc.js');
    expect(run('PortalSiteAppRoutes', '/portal-config.json').uri).toBe('/portal-config.json');
    expect(run('PortalSiteOpenPaths', '/open/education/schools/schools.csv').uri).toBe(
      '/education/schools/schools.csv',
    );
    const api = run('PortalSiteApiHost', '/api/catalog');
    expect(api.uri).toBe('/api/catalog');
    expect(api.headers['x-lake-viewer-host']).toEqual({ value: 'd1.cloudfront.net' });
  });

  it('falls back to index.html only for the app’s own routes, in a viewer function of the default behaviour', () => {
    const [, fn] = only('AWS::CloudFront::Function', 'PortalSiteAppRoutes');
    const code = String(fn.Properties.FunctionCode);
    expect(code).toContain("request.uri = '/index.html'");
    expect(code).toContain("indexOf('.')");
    const [, api] = only('AWS::CloudFront::Function', 'PortalSiteApiHost');
    expect(String(api.Properties.FunctionCode)).toContain("request.headers['x-lake-viewer-host']");
  });

  it('deploys the built app and the sign-in settings, and refreshes CloudFront', () => {
    t.hasResourceProperties('Custom::CDKBucketDeployment', {
      SourceObjectKeys: Match.arrayWith([
        Match.stringLikeRegexp('\\.zip$'),
        Match.stringLikeRegexp('\\.zip$'),
      ]),
      DistributionPaths: ['/index.html', `/${PORTAL_CONFIG_FILE}`],
      RetainOnDelete: true,
      SourceMarkers: Match.arrayWith([
        Match.objectLike({
          '<<marker:0xbaba:1>>': { Ref: Match.stringLikeRegexp('^PortalSignInUserPoolWebClient') },
        }),
      ]),
    });
  });

  it('deploys only the sign-in settings, with a warning, while the web app is not built', () => {
    const missing = lakeWithWebDir(join(tmpdir(), 'lake-portal-not-built'));
    Annotations.fromStack(missing.core).hasWarning(
      '/Lake/Portal/Site',
      Match.stringLikeRegexp('portal web app is not built'),
    );
    missing.coreTemplate.hasResourceProperties('Custom::CDKBucketDeployment', {
      SourceObjectKeys: Match.arrayEquals([Match.stringLikeRegexp('\\.zip$')]),
      Prune: false,
    });
  });
});

describe('portal sign-in', () => {
  it('is a staff pool: no self sign-up, MFA by app, strong passwords, threat protection, retained', () => {
    t.hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: {
          PasswordPolicy: {
            MinimumLength: 14,
            RequireLowercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
            RequireUppercase: true,
            TemporaryPasswordValidityDays: 3,
          },
        },
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
        DeletionProtection: 'ACTIVE',
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('has a steward and an analyst group for each department', () => {
    const groups = Object.values(t.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => g.Properties as { GroupName: string; Precedence: number },
    );
    const departments = lake.core.inputs.departments.map((d) => d.id);
    expect(groups.map((g) => g.GroupName).sort()).toEqual(
      departments.flatMap((d) => [`steward-${d}`, `analyst-${d}`]).sort(),
    );
    const steward = Math.max(
      ...groups.filter((g) => g.GroupName.startsWith('steward-')).map((g) => g.Precedence),
    );
    const analyst = Math.min(
      ...groups.filter((g) => g.GroupName.startsWith('analyst-')).map((g) => g.Precedence),
    );
    expect(steward).toBeLessThan(analyst);
  });

  it('gives the web app a public client: code flow with PKCE, no secret, the portal URL as callback', () => {
    const [distributionId] = only('AWS::CloudFront::Distribution', 'PortalSiteDistribution');
    const callback = {
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/']],
    };
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      CallbackURLs: [callback],
      LogoutURLs: [callback],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      SupportedIdentityProviders: ['COGNITO'],
    });
    t.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });

  it('derives a stable hosted-UI prefix and refuses a bad one', () => {
    const stack = fastStack();
    expect(defaultDomainPrefix(stack)).toBe(defaultDomainPrefix(stack));
    expect(defaultDomainPrefix(stack)).toMatch(/^test-portal-[a-f0-9]{8}$/);
    expect(
      () => new PortalSignIn(stack, 'A', { departments: ['health'], domainPrefix: 'my-aws-lake' }),
    ).toThrow(/"my-aws-lake" is not valid/);
    expect(() => new PortalSignIn(stack, 'B', { departments: ['health'], domainPrefix: 'Upper' })).toThrow(
      /lowercase/,
    );
  });
});

describe('portal API', () => {
  it('needs a Cognito token on every route but the open catalogue', () => {
    const methods = Object.values(t.findResources('AWS::ApiGateway::Method')).filter((m) =>
      JSON.stringify(m.Properties.RestApiId).includes('PortalApi'),
    );
    const [authorizerId] = only('AWS::ApiGateway::Authorizer', 'PortalApiAuthorizer');
    const open = methods.filter((m) => m.Properties.AuthorizationType === 'NONE');
    const guarded = methods.filter((m) => m.Properties.AuthorizationType === 'COGNITO_USER_POOLS');
    expect(open.map((m) => m.Properties.HttpMethod)).toEqual(PUBLIC_ROUTES.map((r) => r.split(' ')[0]));
    expect(open.length + guarded.length).toBe(methods.length);
    expect(guarded.length).toBe(2);
    for (const m of guarded) expect(m.Properties.AuthorizerId).toEqual({ Ref: authorizerId });
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
    });
  });

  it('answers only requests through CloudFront: every method needs the API key only CloudFront sends', () => {
    const [apiId] = only('AWS::ApiGateway::RestApi', 'PortalApi');
    const [stageId] = only('AWS::ApiGateway::Stage', 'PortalApiDeploymentStage');
    const [secretId, secret] = only('AWS::SecretsManager::Secret', 'PortalApiOriginSecret');
    const [keyId, key] = only('AWS::ApiGateway::ApiKey', 'PortalApiOriginSecret');
    const [planId, plan] = only('AWS::ApiGateway::UsagePlan', 'PortalApiOriginSecret');
    // Every method of the portal API, the open catalogue's too.
    const methods = Object.values(t.findResources('AWS::ApiGateway::Method')).filter(
      (m) => JSON.stringify(m.Properties.RestApiId) === JSON.stringify({ Ref: apiId }),
    );
    expect(methods.length).toBeGreaterThanOrEqual(4);
    for (const m of methods) expect(m.Properties.ApiKeyRequired, JSON.stringify(m.Properties)).toBe(true);
    expect(t.toJSON().Resources[apiId].Properties.ApiKeySourceType).toBe('HEADER');
    // The usage plan covers the portal stage, with the stage's throttling, and holds the one key.
    expect(plan.Properties).toMatchObject({
      ApiStages: [{ ApiId: { Ref: apiId }, Stage: { Ref: stageId } }],
      Throttle: { RateLimit: PORTAL_API_THROTTLE.rate, BurstLimit: PORTAL_API_THROTTLE.burst },
    });
    t.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
      KeyId: { Ref: keyId },
      KeyType: 'API_KEY',
      UsagePlanId: { Ref: planId },
    });
    // The value is generated by Secrets Manager and only referred to: the API key and CloudFront's API
    // origin header hold the same dynamic reference to the secret, resolved by CloudFormation at deploy.
    expect(secret.Properties.GenerateSecretString).toMatchObject({
      PasswordLength: ORIGIN_SECRET_LENGTH,
      ExcludePunctuation: true,
    });
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(JSON.stringify(secret.Properties.KmsKeyId)).toContain('OpsKey');
    const reference = {
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']],
    };
    expect(key.Properties).toMatchObject({ Enabled: true, Value: reference });
    const [, distribution] = only('AWS::CloudFront::Distribution', 'PortalSiteDistribution');
    const config = distribution.Properties.DistributionConfig as Record<string, unknown>;
    const behaviors = config.CacheBehaviors as { PathPattern: string; TargetOriginId: string }[];
    const apiOriginId = behaviors.find((b) => b.PathPattern === '/api/*')?.TargetOriginId;
    const origins = config.Origins as { Id: string; OriginCustomHeaders?: unknown }[];
    expect(origins.find((o) => o.Id === apiOriginId)?.OriginCustomHeaders).toEqual([
      { HeaderName: ORIGIN_SECRET_HEADER, HeaderValue: reference },
    ]);
    // No other origin gets the key (the web app's bucket, open data).
    const others = origins.filter((o) => o.Id !== apiOriginId);
    expect(JSON.stringify(others)).not.toContain(secretId);
    // Nowhere in the template is there a value for the key: every mention of the secret is its ARN (Ref)
    // or the key policy's, and no output names it.
    const json = JSON.stringify(t.toJSON());
    const referenced = json.split(`{"Ref":"${secretId}"}`).length - 1;
    expect(referenced).toBe(2);
    expect(json.match(/resolve:secretsmanager/g)).toHaveLength(2);
    expect(JSON.stringify(t.toJSON().Outputs ?? {})).not.toContain(secretId);
    // A request without the key gets the portal API's error shape, naming what to do.
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'INVALID_API_KEY',
      StatusCode: '403',
      RestApiId: { Ref: apiId },
      ResponseTemplates: { 'application/json': JSON.stringify(NOT_THROUGH_PORTAL) },
    });
    expect(NOT_THROUGH_PORTAL.error.hint).toMatch(/portal's URL/);
  });

  it('is throttled, traced, and logs no caller address or identity', () => {
    const [, stage] = only('AWS::ApiGateway::Stage', 'PortalApiDeploymentStage');
    expect(stage.Properties).toMatchObject({
      StageName: PORTAL_API_STAGE,
      TracingEnabled: true,
      MethodSettings: [
        expect.objectContaining({
          DataTraceEnabled: false,
          ThrottlingRateLimit: PORTAL_API_THROTTLE.rate,
          ThrottlingBurstLimit: PORTAL_API_THROTTLE.burst,
        }),
      ],
    });
    const format = (stage.Properties.AccessLogSetting as { Format: string }).Format;
    expect(format).toContain('$context.requestId');
    expect(format).not.toMatch(/sourceIp|identity\.user|caller|authorizer\.claims/);
  });

  it('tells the function the lake’s buckets, the open-data URL, the table and the departments', () => {
    const [, fn] = only('AWS::Lambda::Function', 'PortalApiFunction');
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    // What CloudFormation resolves, in the environment.
    for (const [key, part] of [
      ['PORTAL_LANDING_BUCKET', 'StorageLanding'],
      ['PORTAL_QUARANTINE_BUCKET', 'StorageQuarantine'],
      ['PORTAL_OPEN_DATA_URL', 'OpenDataDistribution'],
      ['PORTAL_ACCESS_TABLE', 'AccessTable'],
    ])
      expect(JSON.stringify(env[key]), key).toContain(part);
    expect(env.PORTAL_ROLE_ARN_PREFIX).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:role']],
    });
    expect(env.PORTAL_CONTRACTS_FILE).toBe('contracts.json');
    expect(env.PORTAL_CONFIG_FILE).toBe('portal-api-config.json');
    expect(JSON.stringify(env.PORTAL_ISSUER)).toMatch(/https:\/\/.*PortalSignInUserPool.*ProviderURL/);
    // A steward's decisions go to the access API (signed as the department's upload role).
    expect(JSON.stringify(env.PORTAL_ACCESS_API_URL)).toMatch(/AccessApi.*execute-api/);
    // The departments, by name, in the file written beside the handler.
    const file = lake.core.portal?.api.configFile;
    expect(file?.departmentRolePath).toBe('/lake/departments/');
    expect(file?.departments.find((d) => d.id === 'health')).toMatchObject({
      database: 'lake_health',
      uploadRole: 'Lake-upload-health',
    });
    expect(JSON.stringify(env)).not.toContain('health');
  });

  it('tells the function the access API’s URL in a core stack built alone, without buildLake', () => {
    const core = new LakeStack(fastApp(), 'Lake', {
      inputs: fixtureInputs(),
      env: { account: '111122223333', region: 'eu-west-1' },
      transformerEntry: FIXTURE_HANDLER,
    });
    const template = Template.fromStack(core);
    const [accessApiId] = Object.keys(template.findResources('AWS::ApiGateway::RestApi')).filter((id) =>
      id.startsWith('AccessApi'),
    );
    expect(accessApiId).toBeDefined();
    const fns = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) =>
      id.startsWith('PortalApiFunction'),
    );
    expect(fns).toHaveLength(1);
    const env = fns[0][1].Properties.Environment.Variables as Record<string, unknown>;
    expect(JSON.stringify(env.PORTAL_ACCESS_API_URL)).toContain(`{"Ref":"${accessApiId}"}`);
    expect(JSON.stringify(env.PORTAL_ACCESS_API_URL)).toContain('execute-api');
  });

  it('names the function’s role as the department stacks trust it (no cross-stack export)', () => {
    const [, role] = only('AWS::IAM::Role', 'PortalApiFunctionRole');
    expect(role.Properties.RoleName).toBe('Lake-portal-api');
  });

  it('gives the function no bucket, may assume only the upload roles, and reads only metadata and requests', () => {
    const [roleId] = only('AWS::IAM::Role', 'PortalApiFunctionRole');
    const inline = policyStatements(t).filter(({ policy }) => {
      const p = t.findResources('AWS::IAM::Policy')[policy];
      return JSON.stringify(p?.Properties?.Roles ?? []).includes(roleId);
    });
    const attached = JSON.stringify(t.toJSON().Resources[roleId].Properties.ManagedPolicyArns);
    const managed = Object.entries(t.findResources('AWS::IAM::ManagedPolicy'))
      .filter(([id]) => attached.includes(id))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
    expect(managed.length).toBeGreaterThan(0);
    const statements = [...inline.map((s) => s.statement), ...managed];
    const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual([]);
    expect(actions.filter((a) => /^(athena|lakeformation|secretsmanager):/.test(a))).toEqual([]);
    expect(actions).not.toContain('dynamodb:PutItem');
    const assume = managed.filter((s) => s.Sid === 'ActAsDepartmentSteward');
    expect(assume.every((s) => s.Action === 'sts:AssumeRole')).toBe(true);
    const roles = JSON.stringify(assume.map((s) => s.Resource));
    for (const d of lake.core.inputs.departments)
      expect(roles).toContain(`role/lake/departments/Lake-upload-${d.id}`);
    expect(roles).not.toMatch(/\*/);
    const glue = managed.find((s) => s.Sid === 'ReadCatalogMetadata');
    expect(glue?.Action).toEqual(['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables']);
  });

  it('splits the per-department grants into managed policies within IAM’s size', () => {
    const departments = Array.from({ length: 30 }, (_, i) => ({
      id: `dept_${i}`,
      name: `D${i}`,
      uploaders: [],
    }));
    const big = buildFixtureLake({ ...defaultInputs(), departments, datasets: [] });
    const policies = Object.entries(big.coreTemplate.findResources('AWS::IAM::ManagedPolicy'))
      .filter(([id]) => id.startsWith('PortalApiLakeReads'))
      .map(([, p]) => p);
    expect(policies).toHaveLength(Math.ceil(30 / DEPARTMENTS_PER_POLICY));
    for (const p of policies) expect(JSON.stringify(p.Properties.PolicyDocument).length).toBeLessThan(6144);
    big.coreTemplate.resourceCountIs('AWS::Cognito::UserPoolGroup', 60);
  });

  it('lets the function describe the catalogue in Lake Formation, and select nothing', () => {
    const [roleId] = only('AWS::IAM::Role', 'PortalApiFunctionRole');
    const grants = Object.values(t.findResources('AWS::LakeFormation::PrincipalPermissions')).filter((p) =>
      JSON.stringify(p.Properties.Principal).includes(roleId),
    );
    expect(grants.map((g) => g.Properties.Permissions)).toEqual([['DESCRIBE'], ['DESCRIBE']]);
    expect(grants.map((g) => g.Properties.PermissionsWithGrantOption)).toEqual([[], []]);
    const table = grants.find((g) => g.Properties.Resource.LFTagPolicy.ResourceType === 'TABLE');
    expect(table?.Properties.Resource.LFTagPolicy.Expression).toEqual(
      expect.arrayContaining([
        { TagKey: expect.any(String), TagValues: ['public', 'internal', 'restricted'] },
        { TagKey: expect.any(String), TagValues: lake.core.inputs.departments.map((d) => d.id) },
      ]),
    );
  });

  it('outputs the portal URL, the user pool, the client and the sign-in URL', () => {
    for (const key of [
      CORE_OUTPUTS.portalUrl,
      CORE_OUTPUTS.portalUserPoolId,
      CORE_OUTPUTS.portalClientId,
      CORE_OUTPUTS.portalSignInUrl,
    ])
      t.hasOutput(key, {});
    t.hasOutput(CORE_OUTPUTS.portalUrl, {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            {
              'Fn::GetAtt': [
                only('AWS::CloudFront::Distribution', 'PortalSiteDistribution')[0],
                'DomainName',
              ],
            },
            '/',
          ],
        ],
      },
    });
  });
});

describe('portal settings (lake.yaml portal:)', () => {
  it('deploys no portal when switched off', () => {
    const off = buildFixtureLake(fixtureInputs({ portal: { enabled: false, threatProtection: true } }));
    expect(off.core.portal).toBeUndefined();
    off.coreTemplate.resourceCountIs('AWS::Cognito::UserPool', 0);
    off.coreTemplate.resourceCountIs('AWS::CloudFront::Distribution', 1);
    expect(Object.keys(off.coreTemplate.findOutputs('*'))).not.toContain(CORE_OUTPUTS.portalUrl);
  });

  it('is off by default in the China regions, which lack its services, with a warning', () => {
    const app = fastApp();
    const china = buildLake(app, fixtureInputs(), {
      env: { account: '111122223333', region: 'cn-northwest-1' },
      transformerEntry: FIXTURE_HANDLER,
    });
    expect(china.core.portal).toBeUndefined();
    Annotations.fromStack(china.core).hasWarning('/Lake', Match.stringLikeRegexp('no Cognito user pools'));
    const asked = buildLake(fastApp(), fixtureInputs({ portal: { enabled: true, threatProtection: true } }), {
      env: { account: '111122223333', region: 'cn-northwest-1' },
      transformerEntry: FIXTURE_HANDLER,
    });
    expect(asked.core.portal).toBeDefined();
    Annotations.fromStack(asked.core).hasWarning('/Lake', Match.stringLikeRegexp('the deploy fails unless'));
  });

  it('takes the sign-in prefix, threat protection and web ACL from lake.yaml', () => {
    const webAclId = 'arn:aws-cn:wafv2:us-east-1:111122223333:global/webacl/province/abc';
    const custom = buildFixtureLake(
      fixtureInputs({
        portal: { enabled: true, threatProtection: false, domainPrefix: 'gz-lake', webAclId },
      }),
    );
    custom.coreTemplate.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'gz-lake' });
    custom.coreTemplate.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'ESSENTIALS' });
    custom.coreTemplate.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: webAclId }),
    });
  });
});
