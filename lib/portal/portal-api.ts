/**
 * The deployed portal's API: API Gateway (REST, regional, behind the portal's CloudFront) in front of one
 * Lambda that runs the same Hono app as `lake serve` (lambdas/portal-api).
 *
 * - Routes: the public ones (`GET /api/catalog`, `GET /api/datasets/{department}/{name}`) need no sign-in;
 *   every other route under /api needs a Cognito ID token, checked by API Gateway's user-pool authorizer
 *   before the function runs (on the public ones the function checks a token itself when one is sent).
 *   The function maps the token's groups to a principal.
 * - Only through CloudFront: every method requires an API key, whose value CloudFront alone sends
 *   (PortalOriginSecret, lib/portal/origin-secret.ts), so the execute-api URL is no way around the
 *   distribution.
 * - Stage: throttled, X-Ray traced, access logs as JSON to an encrypted log group without the caller's IP
 *   address or user (personal values); no execution logs (they would copy request bodies).
 * - The function's role (named `<stack>-portal-api`, as the upload roles' trust names it) reads the Glue
 *   catalog's metadata (the department databases and their tables), reads the access requests table, and
 *   may assume the departments' upload roles (a steward's uploads, reports and access decisions, as that
 *   department; the access API's URL comes by useAccessApi) and portal analyst roles (an analyst's SQL, in
 *   the department's workgroup, and access requests). It has no grant on any lake bucket; in Lake
 *   Formation it may only DESCRIBE (lib/portal/portal.ts).
 * - Configuration: the names known at synthesis in a file beside the handler, written at bundling; the
 *   few values resolved at deploy in the environment, which stays small whatever the number of
 *   departments (lib/portal/portal-api-config.ts).
 */
import { join } from 'node:path';
import { AssetStaging, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  DEFAULT_CONTRACTS_FILE,
  DEFAULT_PORTAL_API_CONFIG_FILE,
  PORTAL_API_ENV,
  type PortalApiFile,
} from '../../lambdas/portal-api/config.ts';
import { acknowledge, allowWildcards } from '../common/nag.ts';
import { portalApiRoleName } from '../departments/upload-role-name.ts';
import { LakeFunction } from '../ingestion/lake-function.ts';
import { DUCKDB_PACKAGES, duckdbBindingPackage } from '../ingestion/transformer-function.ts';
import { PortalOriginSecret } from './origin-secret.ts';
import {
  type PortalLake,
  portalApiConfigFile,
  portalApiEnvironment,
  roleArn,
  writePortalApiConfig,
} from './portal-api-config.ts';

export const PORTAL_API_ENTRY = join(import.meta.dirname, '..', '..', 'lambdas', 'portal-api', 'handler.ts');
/** The API's stage: CloudFront's origin path. */
export const PORTAL_API_STAGE = 'portal';
/** Requests per second the stage serves, and its burst. */
export const PORTAL_API_THROTTLE = { rate: 50, burst: 100 } as const;
/** Departments whose catalogue and upload role one managed policy of the API role names. */
export const DEPARTMENTS_PER_POLICY = 8;
/** Routes anyone may call (the open catalogue), as `METHOD path` under /api. */
export const PUBLIC_ROUTES = ['GET /api/catalog', 'GET /api/datasets/{department}/{name}'] as const;

/** Access-log fields: when, what, how it ended; never the caller's address or identity. */
const ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(
  JSON.stringify({
    requestId: apigw.AccessLogField.contextRequestId(),
    requestTime: apigw.AccessLogField.contextRequestTime(),
    httpMethod: apigw.AccessLogField.contextHttpMethod(),
    resourcePath: apigw.AccessLogField.contextResourcePath(),
    status: apigw.AccessLogField.contextStatus(),
    responseLength: apigw.AccessLogField.contextResponseLength(),
    integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
    authorizeStatus: apigw.AccessLogField.contextAuthorizeStatus(),
  }),
);

export interface PortalApiProps {
  readonly userPool: cognito.UserPool;
  /** What the function is told about the lake (bucket names, open-data URL, table, departments). */
  readonly lake: PortalLake;
  /** The access requests table (read only). */
  readonly accessTable: dynamodb.ITable;
  /** Key of the log groups (and of the access table, which the function decrypts reads of). */
  readonly key: kms.IKey;
  /** Writes the contracts bundle the function reads (beside the handler). */
  readonly writeContractsBundle?: (outFile: string) => void;
  /** @default - lambdas/portal-api/handler.ts */
  readonly entry?: string;
}

export class PortalApi extends Construct {
  public readonly fn: LakeFunction;
  public readonly role: iam.Role;
  public readonly api: apigw.RestApi;
  /** The configuration file written beside the handler at bundling (portalApiConfigFile). */
  public readonly configFile: PortalApiFile;
  /** The API key CloudFront sends (originSecret.originHeaders), without which the API answers nothing. */
  public readonly originSecret: PortalOriginSecret;

  constructor(scope: Construct, id: string, props: PortalApiProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const write = props.writeContractsBundle;
    // Built (and checked for tokens) whether or not this synthesis bundles.
    this.configFile = portalApiConfigFile(props.lake);
    const configFile = this.configFile;
    this.fn = new LakeFunction(this, 'Function', {
      entry: props.entry ?? PORTAL_API_ENTRY,
      handler: 'handler',
      description: 'Public data lake: the web portal API',
      memorySize: 512,
      timeout: Duration.seconds(29),
      logEncryptionKey: props.key,
      environment: {
        ...portalApiEnvironment(this, props.lake, `https://${props.userPool.userPoolProviderUrl}`),
        POWERTOOLS_SERVICE_NAME: 'lake-portal-api',
      },
      bundling: {
        // DuckDB stays out: the shared modules the app reaches load it only when they run it
        // (src/engine/duckdb.ts), which the deployed portal never does, so the asset is a few MB, not ~80.
        externalModules: [...DUCKDB_PACKAGES, duckdbBindingPackage(lambda.Architecture.X86_64)],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_in: string, outputDir: string): string[] => {
            // Called once more to describe a Docker build that never runs (/asset-output): nothing then.
            if (outputDir === AssetStaging.BUNDLING_OUTPUT_DIR) return [];
            if (write) write(join(outputDir, DEFAULT_CONTRACTS_FILE));
            writePortalApiConfig(configFile, join(outputDir, DEFAULT_PORTAL_API_CONFIG_FILE));
            return [];
          },
        },
      },
    });
    this.role = this.fn.role as iam.Role;
    // Named as the department stacks name it in their upload roles' trust (lib/departments).
    (this.role.node.defaultChild as iam.CfnRole).roleName = portalApiRoleName(stack.stackName);
    this.grantLakeReads(props);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new apigw.RestApi(this, 'Api', {
      description: 'Public data lake: the web portal API (behind the portal CloudFront distribution)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: false,
      binaryMediaTypes: ['multipart/form-data', 'application/octet-stream'],
      // Every method, public ones too, needs the key CloudFront sends (PortalOriginSecret).
      apiKeySourceType: apigw.ApiKeySourceType.HEADER,
      defaultMethodOptions: { apiKeyRequired: true },
      deployOptions: {
        stageName: PORTAL_API_STAGE,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        tracingEnabled: true,
        dataTraceEnabled: false,
        throttlingRateLimit: PORTAL_API_THROTTLE.rate,
        throttlingBurstLimit: PORTAL_API_THROTTLE.burst,
      },
    });
    // Reached through CloudFront only by the portal's pages: no output of the execute-api URL.
    this.api.node.tryRemoveChild('Endpoint');
    this.originSecret = new PortalOriginSecret(this, 'OriginSecret', {
      api: this.api,
      key: props.key,
      throttle: PORTAL_API_THROTTLE,
    });
    const authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [props.userPool],
      identitySource: apigw.IdentitySource.header('Authorization'),
      resultsCacheTtl: Duration.minutes(5),
    });
    const integration = new apigw.LambdaIntegration(this.fn);
    const validator = this.api.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const signedIn: apigw.MethodOptions = {
      authorizer,
      authorizationType: apigw.AuthorizationType.COGNITO,
      requestValidator: validator,
    };
    const open: apigw.MethodOptions = {
      authorizationType: apigw.AuthorizationType.NONE,
      requestValidator: validator,
    };

    const api = this.api.root.addResource('api');
    api.addResource('{proxy+}').addMethod('ANY', integration, signedIn);
    api.addResource('catalog').addMethod('GET', integration, open);
    const dataset = api.addResource('datasets').addResource('{department}').addResource('{name}');
    dataset.addMethod('GET', integration, open);
    dataset.addResource('{proxy+}').addMethod('ANY', integration, signedIn);

    acknowledge(
      this.api,
      'AwsSolutions-APIG4',
      'Only the open catalogue (GET /api/catalog, GET /api/datasets/{department}/{name}) is public, as the open-data rules require; every other route has the Cognito authorizer.',
    );
    acknowledge(
      this.api,
      'AwsSolutions-COG4',
      'Every route but the open catalogue uses the Cognito user-pool authorizer; the open catalogue is public by law.',
    );
    acknowledge(
      this.api,
      'AwsSolutions-APIG3',
      'The API is reached through the portal CloudFront distribution; a WAF web ACL belongs there, and the platform team attaches the province one where it has it. The stage is throttled.',
    );
    acknowledge(
      this.api,
      'AwsSolutions-APIG6',
      'Access logs are on (JSON without addresses or identities, to an encrypted log group); execution logs would copy request bodies and need the account-wide CloudWatch role.',
    );
  }

  /**
   * Sends a steward's decisions to the access API at `url`, signed as the department's upload role (whose
   * identity policy allows its own department's routes): the portal's role needs no grant of its own.
   */
  public useAccessApi(url: string): void {
    this.fn.addEnvironment(PORTAL_API_ENV.accessApiUrl, url);
  }

  /**
   * Checks that the Athena workgroup a department stack made for its analysts (where the portal runs their
   * SQL as the department's portal analyst role) is the one the configuration file names: the file is
   * written with the core stack, which names each department's analysts' workgroup before the department
   * stacks exist (lib/departments/department-stacks.ts).
   */
  public checkWorkGroup(department: string, workGroup: string): void {
    const d = this.configFile.departments.find((x) => x.id === department);
    if (!d) throw new Error(`the portal API has no department ${department} to give workgroup ${workGroup}`);
    if (d.workGroup !== workGroup)
      throw new Error(
        `the portal API's ${DEFAULT_PORTAL_API_CONFIG_FILE} names workgroup ${d.workGroup} for department ${department}, but its stack made ${workGroup}: give the department's LakeQuery the name analystWorkGroupName (lib/departments/department-stacks.ts) gives it`,
      );
  }

  /**
   * The catalog's metadata, the access table (read), the departments' upload roles and portal analyst
   * roles (assume).
   */
  private grantLakeReads(props: PortalApiProps): void {
    const stack = Stack.of(this);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAccessRequests',
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [props.accessTable.tableArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DecryptAccessRequests',
        actions: ['kms:Decrypt'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}` } },
      }),
    );
    // Per department, by name: its database, its tables, its upload role. In managed policies of
    // DEPARTMENTS_PER_POLICY departments each, so a province of tens of departments stays within IAM's
    // policy sizes (6,144 characters a managed policy, 10,240 inline on a role); a role holds ten managed
    // policies by default, so past 80 departments the account's quota is raised (or the lake split).
    const { departments, departmentRolePath: path } = props.lake;
    for (let i = 0; i * DEPARTMENTS_PER_POLICY < departments.length; i++) {
      const group = departments.slice(i * DEPARTMENTS_PER_POLICY, (i + 1) * DEPARTMENTS_PER_POLICY);
      const glue = (resource: string, resourceName: string) =>
        stack.formatArn({ service: 'glue', resource, resourceName });
      const policy = new iam.ManagedPolicy(this, `LakeReads${i}`, {
        description: `Public data lake: the portal API reads the catalogue and acts for stewards (${group.map((d) => d.id).join(', ')})`,
        statements: [
          new iam.PolicyStatement({
            sid: 'ReadCatalogMetadata',
            actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables'],
            resources: [
              stack.formatArn({ service: 'glue', resource: 'catalog' }),
              ...group.map((d) => glue('database', d.database)),
              ...group.map((d) => glue('table', `${d.database}/*`)),
            ],
          }),
          new iam.PolicyStatement({
            sid: 'ActAsDepartmentSteward',
            actions: ['sts:AssumeRole'],
            resources: group.map((d) => roleArn(this, path, d.uploadRole)),
          }),
          ...(group.some((d) => d.portalAnalystRole)
            ? [
                new iam.PolicyStatement({
                  sid: 'ActAsDepartmentAnalysts',
                  actions: ['sts:AssumeRole'],
                  resources: group.flatMap((d) =>
                    d.portalAnalystRole ? [roleArn(this, path, d.portalAnalystRole)] : [],
                  ),
                }),
              ]
            : []),
        ],
      });
      this.role.addManagedPolicy(policy);
    }
    allowWildcards(
      this,
      {
        finding: /^Resource::arn:<AWS::Partition>:glue:[^:]+:[^:]+:table\/[a-z0-9_]+\/\*$/,
        reason:
          'The tables of each department database, by name: the catalogue lists them as they are published.',
      },
      { finding: /^Resource::\*$/, reason: 'X-Ray accepts only * (PutTraceSegments, PutTelemetryRecords).' },
    );
  }
}
