/**
 * The deployed portal's one origin: a CloudFront distribution that serves the built web app from its own
 * bucket, the portal API under /api/*, and the open-data zone under /open/*, so pages, API calls and
 * downloads share one origin (no CORS, one CSP).
 *
 * - Bucket: the house defaults (LakeBucket: public access blocked, TLS only, versioned, access logs,
 *   retained) with a KMS key of its own, which CloudFront's origin access control may decrypt with (a key
 *   policy for this account's distributions; the bucket policy pins this one by AWS:SourceArn). A deny
 *   keeps every other principal from reading it. The web app holds no data, but a key of its own keeps
 *   CloudFront's decrypt grant off every other zone.
 * - Default behaviour: the bucket, HTTPS only, GET/HEAD, cached; a viewer-request function serves
 *   /index.html for any path without a file extension (the app's own routes), and only there: API
 *   errors stay API errors.
 * - /api/*: API Gateway, every method, never cached, every viewer header but Host forwarded (a function
 *   copies the viewer's Host into X-Lake-Viewer-Host, for the API's same-origin check), plus the API key
 *   only CloudFront sends (apiOriginHeaders), without which the API refuses the request.
 * - /open/*: the open-data distribution (its path without /open), cached.
 * - Every response: the security headers policy (CSP without inline scripts, HSTS, nosniff, DENY frames,
 *   no referrer), overriding the origin's.
 * - The built web app (scripts/build-portal.mjs) and `portal-config.json` (the sign-in settings the app
 *   reads) are copied to the bucket on deploy.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import { VIEWER_HOST_HEADER } from '../../lambdas/portal-api/config.ts';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../../src/portal/security.ts';
import { dataRemovalPolicy } from '../common/context.ts';
import { acknowledge, allowWildcards } from '../common/nag.ts';
import { ABORT_INCOMPLETE_UPLOADS, LakeBucket } from '../storage/lake-bucket.ts';

/** Where scripts/build-portal.mjs builds the web app (LAKE_PORTAL_DIR moves it, as there). */
export function defaultPortalWebDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return (
    env.LAKE_PORTAL_DIR || join(import.meta.dirname, '..', '..', 'node_modules', '.cache', 'lake-portal')
  );
}
/** The file the web app reads its sign-in settings from. */
export const PORTAL_CONFIG_FILE = 'portal-config.json';
/** HSTS max-age: two years. */
export const HSTS_MAX_AGE = Duration.days(730);

/**
 * The deployed CSP: the local one, plus the hosted sign-in's token endpoint the app calls (PKCE, refresh)
 * and, when given, the landing bucket's origin the upload page sends parts to (presigned URLs).
 */
export function deployedCsp(signInOrigin: string, uploadOrigin?: string): string {
  const extra = [signInOrigin, ...(uploadOrigin ? [uploadOrigin] : [])].join(' ');
  return CONTENT_SECURITY_POLICY.replace("connect-src 'self'", `connect-src 'self' ${extra}`);
}

/** Serves /index.html for the app's own routes (paths without a file extension). */
const SPA_FUNCTION = `function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/** Tells the API the Host the viewer asked for (API Gateway needs its own Host header). */
const API_FUNCTION = `function handler(event) {
  var request = event.request;
  request.headers['${VIEWER_HOST_HEADER}'] = { value: request.headers.host.value };
  return request;
}`;

/** /open/x is the open-data distribution's /x. */
const OPEN_FUNCTION = `function handler(event) {
  var request = event.request;
  request.uri = request.uri.replace(/^\\/open\\//, '/');
  return request;
}`;

export interface PortalSiteProps {
  /** The lake's access-log bucket: the site bucket's server access logs go there. */
  readonly accessLogsBucket: s3.IBucket;
  /** The portal API, served under /api/*. */
  readonly api: apigw.RestApi;
  /**
   * Headers CloudFront adds to every request to the API (the API key it alone sends:
   * PortalApi.originSecret.originHeaders); they overwrite a viewer's header of the same name.
   * @default - none
   */
  readonly apiOriginHeaders?: Record<string, string>;
  /** The open-data zone's distribution, served under /open/*. */
  readonly openData: cloudfront.IDistribution;
  /** The hosted sign-in's origin (`https://<prefix>.auth.<region>.amazoncognito.com`), allowed by the CSP. */
  readonly signInOrigin: string;
  /**
   * The landing bucket's origin (`https://<bucket>.s3.<region>.<urlSuffix>`), allowed by the CSP: the
   * upload page PUTs parts there.
   * @default - none: the CSP allows no upload origin
   */
  readonly uploadOrigin?: string;
  /**
   * The built web app.
   * @default - defaultPortalWebDir(): $LAKE_PORTAL_DIR or node_modules/.cache/lake-portal; when it holds no index.html, only
   * the sign-in settings are deployed, with a warning
   */
  readonly webDir?: string;
  /**
   * A WAF web ACL (CLOUDFRONT scope) for the distribution.
   * @default - none
   */
  readonly webAclId?: string;
}

export class PortalSite extends Construct {
  public readonly key: kms.Key;
  public readonly bucket: LakeBucket;
  public readonly distribution: cloudfront.Distribution;
  public readonly headers: cloudfront.ResponseHeadersPolicy;
  private readonly webDir: string;

  constructor(scope: Construct, id: string, props: PortalSiteProps) {
    super(scope, id);
    this.webDir = props.webDir ?? defaultPortalWebDir();
    this.key = new kms.Key(this, 'Key', {
      description: 'Public data lake: the portal web app (readable through CloudFront only)',
      enableKeyRotation: true,
      removalPolicy: dataRemovalPolicy(this, 'the KMS key of the portal web app bucket'),
      pendingWindow: Duration.days(30),
    });
    this.bucket = new LakeBucket(this, 'Bucket', {
      encryptionKey: this.key,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'portal/',
      lifecycleRules: [
        {
          id: 'expire-earlier-versions',
          noncurrentVersionExpiration: Duration.days(30),
          ...ABORT_INCOMPLETE_UPLOADS,
        },
      ],
    });
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyReadOutsideCloudFront',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject*'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { StringNotEqualsIfExists: { 'aws:PrincipalServiceName': 'cloudfront.amazonaws.com' } },
      }),
    );

    const custom = Object.entries(SECURITY_HEADERS).filter(
      ([k]) =>
        !['Content-Security-Policy', 'X-Content-Type-Options', 'X-Frame-Options', 'Referrer-Policy'].includes(
          k,
        ),
    );
    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Public data lake portal: security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: deployedCsp(props.signInOrigin, props.uploadOrigin),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: HSTS_MAX_AGE,
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: custom.map(([header, value]) => ({ header, value, override: true })),
      },
    });
    const fn = (name: string, code: string) =>
      new cloudfront.Function(this, name, {
        code: cloudfront.FunctionCode.fromInline(code),
        runtime: cloudfront.FunctionRuntime.JS_2_0,
        comment: `Public data lake portal: ${name}`,
      });
    const viewerRequest = (f: cloudfront.Function) => [
      { function: f, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
    ];

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Public data lake: web portal (app, API, open data)',
      defaultRootObject: 'index.html',
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      webAclId: props.webAclId,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
        functionAssociations: viewerRequest(fn('AppRoutes', SPA_FUNCTION)),
      },
      additionalBehaviors: {
        '/api/*': {
          origin: new origins.RestApiOrigin(props.api, { customHeaders: props.apiOriginHeaders }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headers,
          functionAssociations: viewerRequest(fn('ApiHost', API_FUNCTION)),
        },
        '/open/*': {
          origin: new origins.HttpOrigin(props.openData.distributionDomainName, {
            protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
          }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: this.headers,
          compress: true,
          functionAssociations: viewerRequest(fn('OpenPaths', OPEN_FUNCTION)),
        },
      },
    });
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'The portal serves the open catalogue to anyone, anywhere (open-data rules); sign-in guards the rest: no geo restriction.',
    );
    if (!props.webAclId)
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR2',
        'No WAF web ACL is given (webAclId): the API stage is throttled and every non-public route needs a Cognito token; the platform team passes the province web ACL where it has one.',
      );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR3',
      'CloudFront standard logs need ACLs on the log bucket, which the lake disables (bucket owner enforced); the site bucket and the API stage log every request.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate is used until the province attaches its own domain and ACM certificate; viewers get HTTPS only (TLS 1.2 minimum for its own certificate).',
    );
  }

  /** The portal's origin (`https://<distribution domain>`, no path): what the landing bucket's CORS allows. */
  public get origin(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  /** The portal's URL. */
  public get url(): string {
    return `https://${this.distribution.distributionDomainName}/`;
  }

  /** Copies the built web app and its sign-in settings to the bucket, and refreshes CloudFront's copies. */
  public deploy(settings: Record<string, string>): s3deploy.BucketDeployment {
    const built = existsSync(join(this.webDir, 'index.html'));
    if (!built)
      Annotations.of(this).addWarningV2(
        'lake:portal-not-built',
        `The portal web app is not built (${this.webDir} has no index.html): only its sign-in settings are deployed. Run \`node scripts/build-portal.mjs\` and deploy again.`,
      );
    const deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [
        ...(built ? [s3deploy.Source.asset(this.webDir, { exclude: ['build.json'] })] : []),
        s3deploy.Source.jsonData(PORTAL_CONFIG_FILE, settings),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/index.html', `/${PORTAL_CONFIG_FILE}`],
      prune: built,
      retainOnDelete: true,
      memoryLimit: 512,
    });
    for (const c of Stack.of(this).node.children) {
      if (c.node.id.startsWith('Custom::CDKBucketDeployment')) acknowledgeDeploymentHandler(c);
    }
    return deployment;
  }
}

function acknowledgeDeploymentHandler(handler: IConstruct): void {
  acknowledge(
    handler,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'The deployment handler of aws-s3-deployment (CDK) runs with AWSLambdaBasicExecutionRole for its logs; it runs only during deploys.',
  );
  acknowledge(
    handler,
    'AwsSolutions-L1',
    'The aws-s3-deployment handler runtime is chosen by CDK (the AWS CLI layer it needs); it follows CDK upgrades.',
  );
  allowWildcards(
    handler,
    {
      finding:
        /^Action::(s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*|kms:(ReEncrypt|GenerateDataKey)\*)$/,
      reason:
        'aws-s3-deployment (CDK) reads the CDK asset and syncs it into the site bucket (read, list, write, prune), encrypting with the site key.',
    },
    {
      finding:
        /^Resource::(arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-[^/]+\/\*|<PortalSite[A-Za-z0-9]*Bucket[A-Za-z0-9]*\.Arn>\/\*)$/,
      reason:
        'The CDK asset objects it copies from, and every key of the portal web app bucket it copies to (the bucket holds the web app only).',
    },
    {
      finding: /^Resource::\*$/,
      reason: 'CloudFront invalidations (after a deploy, so viewers get the new app) take no resource ARN.',
    },
  );
}
