/**
 * The deployed web portal (the "deployed by the stack"): sign-in (PortalSignIn: Cognito pool,
 * department groups), the API (PortalApi: API Gateway + the Lambda running src/portal's app) and the site
 * (PortalSite: CloudFront over the web app's bucket, the API and the open-data zone), wired together:
 * the web client's callback is the site's URL, the site's CSP allows the hosted sign-in, and the web app
 * reads its sign-in settings from `portal-config.json`. With `enterprise`, the role the portal acts as for
 * signed-in enterprises (PortalEnterprise: conditional opening, gated by their approved requests).
 */

import { Annotations, type CfnResource, Stack, Token } from 'aws-cdk-lib';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LF_TAGS } from '../access/lake-formation.ts';
import { DATABASE_PERMISSIONS, PERSONA_CLASSIFICATIONS, TagGrants } from '../access/tag-grants.ts';
import { portalApiRoleArn } from '../departments/upload-role-name.ts';
import { bucketOrigin } from '../storage/browser-uploads.ts';
import { PortalApi } from './portal-api.ts';
import type { PortalLake } from './portal-api-config.ts';
import { PortalEnterprise, type PortalEnterpriseProps } from './portal-enterprise.ts';
import { PortalSignIn } from './portal-sign-in.ts';
import { PortalSite } from './portal-site.ts';

/** Regions whose partition lacks what the portal is made of (Cognito user pools, CloudFront Functions, OAC). */
const UNSUPPORTED_REGION = /^cn-/;

/**
 * Whether the portal is deployed: as lake.yaml says, else wherever its services exist. A stack whose
 * region is known to be a China region gets none by default; asked for there explicitly, it is built
 * (CloudFormation's registry may lag the region) with a warning that the deploy needs those services.
 */
export function portalWanted(scope: Construct, enabled: boolean | undefined): boolean {
  const region = Stack.of(scope).region;
  const unsupported = !Token.isUnresolved(region) && UNSUPPORTED_REGION.test(region);
  if (!unsupported) return enabled ?? true;
  const missing = `${region} has no Cognito user pools, CloudFront Functions or origin access control in CloudFormation's registry`;
  Annotations.of(scope).addWarningV2(
    'lake:portal-unsupported-region',
    enabled
      ? `The web portal is built as lake.yaml asks (portal.enabled: true), but ${missing}: the deploy fails unless they exist there.`
      : `The web portal is not deployed: ${missing}. \`lake serve\` runs it locally; set portal.enabled: false in lake.yaml to silence this.`,
  );
  return enabled ?? false;
}

export interface PortalProps {
  readonly accessLogsBucket: s3.IBucket;
  readonly openData: cloudfront.IDistribution;
  readonly accessTable: dynamodb.ITable;
  /** Key of the logs and of the access table. */
  readonly key: kms.IKey;
  /** What the API is told about the lake. */
  readonly lake: PortalLake;
  readonly writeContractsBundle?: (outFile: string) => void;
  /** @default - lambdas/portal-api/handler.ts */
  readonly apiEntry?: string;
  /** @default - PortalSite's default (the built web app) */
  readonly webDir?: string;
  /** @default - the stack's name and a hash (PortalSignIn) */
  readonly domainPrefix?: string;
  /** @default true */
  readonly threatProtection?: boolean;
  /** @default - none */
  readonly webAclId?: string;
  /** What a Lake Formation tag grant waits for (the LF-tags). */
  readonly tagDependencies?: readonly CfnResource[];
  /**
   * Conditional opening for enterprises signed in to the portal (lib/portal/portal-enterprise.ts): its role
   * and workgroup are made here (the department stacks grant the role its Lake Formation ceiling).
   * @default - none: an enterprise's requests and downloads answer 501
   */
  readonly enterprise?: Omit<PortalEnterpriseProps, 'portalApiRoleArn'>;
}

export class Portal extends Construct {
  public readonly signIn: PortalSignIn;
  public readonly api: PortalApi;
  public readonly site: PortalSite;
  public readonly client: cognito.UserPoolClient;
  /** DESCRIBE on every department database and table, for the catalogue (no SELECT). */
  public readonly catalogGrants: TagGrants;
  /** The role the portal acts as for enterprises, and its workgroup; undefined without `enterprise`. */
  public readonly enterprise?: PortalEnterprise;

  constructor(scope: Construct, id: string, props: PortalProps) {
    super(scope, id);
    this.signIn = new PortalSignIn(this, 'SignIn', {
      departments: props.lake.departments.map((d) => d.id),
      domainPrefix: props.domainPrefix,
      threatProtection: props.threatProtection,
    });
    // Trusts the portal API's role by name (as the department roles do): the API is told its ARN below.
    this.enterprise = props.enterprise
      ? new PortalEnterprise(this, 'Enterprise', {
          ...props.enterprise,
          portalApiRoleArn: portalApiRoleArn(this, Stack.of(this).stackName),
        })
      : undefined;
    this.api = new PortalApi(this, 'Api', {
      userPool: this.signIn.userPool,
      lake: this.enterprise ? { ...props.lake, enterprise: this.enterprise.portalConfig } : props.lake,
      accessTable: props.accessTable,
      key: props.key,
      writeContractsBundle: props.writeContractsBundle,
      entry: props.apiEntry,
    });
    this.enterprise?.grantAssume(this.api.role);
    // Glue lists only what Lake Formation lets the caller describe: the catalogue needs DESCRIBE on every
    // department's databases and tables (metadata, never rows: no SELECT).
    const principal = this.api.role.roleArn;
    const departments = props.lake.departments.map((d) => d.id);
    this.catalogGrants = new TagGrants(this, 'CatalogDescribe', {
      grants:
        departments.length === 0
          ? []
          : [
              {
                principal,
                resourceType: 'TABLE',
                expression: {
                  [LF_TAGS.classification]: PERSONA_CLASSIFICATIONS.restricted,
                  [LF_TAGS.department]: departments,
                },
                permissions: ['DESCRIBE'],
              },
              {
                principal,
                resourceType: 'DATABASE',
                expression: { [LF_TAGS.department]: departments },
                permissions: DATABASE_PERMISSIONS,
              },
            ],
      dependsOn: props.tagDependencies,
    });
    this.site = new PortalSite(this, 'Site', {
      accessLogsBucket: props.accessLogsBucket,
      api: this.api.api,
      apiOriginHeaders: this.api.originSecret.originHeaders,
      openData: props.openData,
      signInOrigin: this.signIn.hostedUiUrl,
      uploadOrigin: bucketOrigin(this, props.lake.landingBucket),
      webDir: props.webDir,
      webAclId: props.webAclId,
    });
    this.client = this.signIn.addWebClient(this.site.url);
    this.site.deploy({
      signIn: 'cognito',
      signInUrl: this.signIn.hostedUiUrl,
      clientId: this.client.userPoolClientId,
      redirectUri: this.site.url,
    });
  }
}
