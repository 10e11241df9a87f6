/**
 * Sharing through access requests in the deployed lake (src/access is the flow, the same as the local one):
 *
 * - a DynamoDB table of requests and audit events (KMS, point-in-time recovery, retained), which only the
 *   API's role may write (its resource policy denies every other writer);
 * - the access API: API Gateway (REST, IAM auth) in front of a Lambda. Its resource policy lets analyst
 *   personas ask and list, and each department's upload role (its steward's) decide on its department's
 *   requests only (`/departments/<id>/…`), and the web portal's enterprise role ask and list for the
 *   enterprise its sign-in vouches for (`/enterprises/<name>/requests`, lib/portal/portal-enterprise.ts);
 *   everyone else is denied, whatever their IAM policies say;
 * - on approval, the Lambda grants SELECT with Lake Formation (the granted columns) and creates a one-time
 *   EventBridge Scheduler schedule at the grant's end that invokes it to revoke; it holds grantable SELECT
 *   on the `sharing=conditional` tables only (an LF-tag grant with grant option), nothing else. An
 *   enterprise's approval grants nothing (the portal gates its reads by the request) but is scheduled to end.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssetStaging, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import {
  ACCESS_API_ENV,
  type AccessBundle,
  type AccessPrincipals,
  DEFAULT_DATASETS_FILE,
} from '../../lambdas/access-api/config.ts';
import { datasetAccess } from '../../src/access/policy.ts';
import type { DatasetContract } from '../../src/contracts/schema.ts';
import { CORE_OUTPUTS } from '../../src/lake/outputs.ts';
import { acknowledge, allowWildcards } from '../common/nag.ts';
import { LakeFunction } from '../ingestion/lake-function.ts';
import { addEnterpriseRoutes, enterpriseRoutesDeny } from './enterprise-routes.ts';
import { LF_TAGS } from './lake-formation.ts';

export const ACCESS_API_ENTRY = join(import.meta.dirname, '..', '..', 'lambdas', 'access-api', 'handler.ts');
/** The API's stage. */
export const ACCESS_API_STAGE = 'v1';

export interface AccessRequestsProps {
  /** Every contract (their sharing, opening and columns go into the function's bundle). */
  readonly datasets: readonly DatasetContract[];
  /** Who may call the API: analyst personas (role ARNs) and each department's steward (upload) role name. */
  readonly principals: AccessPrincipals;
  /** Key of the table and the logs. */
  readonly key: kms.IKey;
  readonly databasePrefix: string;
  /** What the LF-tag grant must wait for (the LF-tags). */
  readonly tagDependencies: readonly lakeformation.CfnTag[];
  readonly removalPolicy?: RemovalPolicy;
  /** The handler (tests that do not bundle pass a stand-in). @default lambdas/access-api/handler.ts */
  readonly entry?: string;
}

export class AccessRequests extends Construct {
  public readonly table: dynamodb.Table;
  public readonly fn: LakeFunction;
  public readonly api: apigw.RestApi;
  public readonly schedulerRole: iam.Role;
  public readonly scheduleGroup: scheduler.CfnScheduleGroup;
  /** What the function's bundle holds: the datasets' access facts and who may call. */
  public readonly bundle: AccessBundle;
  /** Grantable SELECT on the conditional tables, for the function to grant from. */
  public readonly grantable: lakeformation.CfnPrincipalPermissions[] = [];

  constructor(scope: Construct, id: string, props: AccessRequestsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });

    this.scheduleGroup = new scheduler.CfnScheduleGroup(this, 'ScheduleGroup', {
      name: `${stack.stackName}-access-expiry`.slice(0, 64),
    });

    // The datasets and principals go beside the handler (a Lambda's environment holds 4 KB in all).
    this.bundle = { datasets: props.datasets.map(datasetAccess), principals: props.principals };
    const bundle = this.bundle;
    this.fn = new LakeFunction(this, 'Function', {
      entry: props.entry ?? ACCESS_API_ENTRY,
      handler: 'handler',
      description: 'Public data lake: access requests, decisions, Lake Formation grants and their expiry',
      memorySize: 256,
      timeout: Duration.seconds(30),
      logEncryptionKey: props.key,
      environment: {
        [ACCESS_API_ENV.table]: this.table.tableName,
        [ACCESS_API_ENV.datasetsFile]: DEFAULT_DATASETS_FILE,
        [ACCESS_API_ENV.databasePrefix]: props.databasePrefix,
        [ACCESS_API_ENV.scheduleGroup]: this.scheduleGroup.ref,
        POWERTOOLS_SERVICE_NAME: 'lake-access-api',
      },
      bundling: {
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_in: string, outputDir: string): string[] => {
            if (outputDir === AssetStaging.BUNDLING_OUTPUT_DIR) return [];
            writeFileSync(join(outputDir, DEFAULT_DATASETS_FILE), `${JSON.stringify(bundle)}\n`);
            return [];
          },
        },
      },
    });
    const role = this.fn.role as iam.Role;

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Public data lake: EventBridge Scheduler invokes the access API to end a grant',
    });
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EndGrants',
        actions: ['lambda:InvokeFunction'],
        resources: [this.fn.functionArn],
      }),
    );
    this.fn.addEnvironment(ACCESS_API_ENV.schedulerRoleArn, this.schedulerRole.roleArn);

    // The table: the function reads and writes it; its resource policy denies every other writer.
    this.table.grantReadWriteData(role);
    const writes = [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ];
    this.table.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheAccessApiWrites',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: writes,
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } },
      }),
    );

    // Lake Formation: grant and revoke (grantable SELECT comes from the LF-tag grant below); the schedule.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'GrantConditionalTables',
        actions: [
          'lakeformation:GrantPermissions',
          'lakeformation:RevokePermissions',
          'lakeformation:GetDataAccess',
        ],
        resources: ['*'],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTheCatalog',
        actions: ['glue:GetTable', 'glue:GetDatabase'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({
            service: 'glue',
            resource: 'database',
            resourceName: `${props.databasePrefix}*`,
          }),
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${props.databasePrefix}*/*` }),
        ],
      }),
    );
    const schedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.scheduleGroup.ref}/*`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ExpirySchedules',
        actions: [
          'scheduler:CreateSchedule',
          'scheduler:UpdateSchedule',
          'scheduler:DeleteSchedule',
          'scheduler:GetSchedule',
        ],
        resources: [schedules],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PassTheSchedulerRole',
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    allowWildcards(this, {
      finding: /^Resource::\*$/,
      reason:
        'Lake Formation GrantPermissions/RevokePermissions take no resource ARN (Lake Formation decides, by the grantable permissions it holds), and X-Ray accepts only *.',
    });
    allowWildcards(this, {
      finding: /^Resource::.*(schedule\/.*\/\*|:database\/.*\*|:table\/.*\/\*)>?$/,
      reason:
        "The expiry schedules are one per request, in the lake's schedule group; the catalog's databases share the lake prefix.",
    });
    allowWildcards(this, {
      finding: /^Action::kms:(ReEncrypt|GenerateDataKey)\*$|^Resource::<.*Table.*\.Arn>\/index\/\*$/,
      reason:
        "The table's key (DynamoDB encrypts with data keys) and its indexes, as grantReadWriteData gives them.",
    });

    // Grantable SELECT (and DESCRIBE) on the conditional tables: what the function grants from.
    const catalogId = stack.account;
    for (const [rid, resourceType, permissions] of [
      ['ConditionalTables', 'TABLE', ['SELECT', 'DESCRIBE']],
      ['Databases', 'DATABASE', ['DESCRIBE']],
    ] as const) {
      const p = new lakeformation.CfnPrincipalPermissions(this, `Grantable${rid}`, {
        catalog: catalogId,
        principal: { dataLakePrincipalIdentifier: role.roleArn },
        resource: {
          lfTagPolicy: {
            catalogId,
            resourceType,
            expression:
              resourceType === 'TABLE'
                ? [{ tagKey: LF_TAGS.sharing, tagValues: ['conditional'] }]
                : [{ tagKey: LF_TAGS.department, tagValues: Object.keys(props.principals.stewards) }],
          },
        },
        permissions: [...permissions],
        permissionsWithGrantOption: resourceType === 'TABLE' ? ['SELECT'] : [],
      });
      for (const d of props.tagDependencies) p.addResourceDependency(d);
      this.grantable.push(p);
    }

    // The API: IAM auth on every method; the resource policy says who may call which route.
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const analysts = [...new Set(props.principals.analysts.map((a) => a.arn))];
    const route = (method: string, path: string) => `execute-api:/${ACCESS_API_STAGE}/${method}/${path}`;
    // The steward roles (the departments' upload roles) share their path and the lake's name prefix; so do
    // the portal analyst roles (the web portal acting for a department's analysts).
    const rolesLike = (names: string[]) => {
      const prefix = names.reduce((p, n) => {
        let i = 0;
        while (i < p.length && p[i] === n[i]) i++;
        return p.slice(0, i);
      }, names[0] ?? '');
      return stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: `${props.principals.stewardPath.slice(1)}${prefix}*`,
      });
    };
    const stewardPattern = rolesLike(Object.values(props.principals.stewards));
    const portalAnalysts = Object.values(props.principals.portalAnalysts ?? {});
    // A policy that does not grow with the departments (API Gateway keeps 8,192 characters): analysts are
    // allowed here; each steward role is allowed its own department's routes by its identity policy
    // (grantStewardRoutes, in the department stacks), each portal analyst role the analysts' routes by its
    // own (lib/departments/portal-analyst.ts); and everyone else is denied, whatever its policies.
    const statements: iam.PolicyStatement[] = [];
    if (analysts.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'AnalystsAskListAndLog',
          principals: analysts.map((a) => new iam.ArnPrincipal(a)),
          actions: ['execute-api:Invoke'],
          resources: [route('POST', 'requests'), route('GET', 'requests'), route('GET', 'log')],
        }),
      );
    }
    statements.push(
      new iam.PolicyStatement({
        sid: 'OnlyAnalystsAsk',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: [route('POST', 'requests')],
        // Denied when no condition admits the caller: every condition must hold for the deny to apply.
        conditions: {
          ...(analysts.length > 0 ? { ArnNotEquals: { 'aws:PrincipalArn': analysts } } : {}),
          ...(portalAnalysts.length > 0
            ? { ArnNotLike: { 'aws:PrincipalArn': rolesLike(portalAnalysts) } }
            : {}),
        },
      }),
      new iam.PolicyStatement({
        sid: 'OnlyStewardsDecide',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: [route('POST', 'departments/*')],
        conditions: { ArnNotLike: { 'aws:PrincipalArn': stewardPattern } },
      }),
      // The enterprise routes are the portal's enterprise role's alone; without a portal, nobody's.
      enterpriseRoutesDeny(stack, ACCESS_API_STAGE, props.principals.enterprise),
    );
    this.api = new apigw.RestApi(this, 'Api', {
      description: 'Public data lake: access requests (IAM auth)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      policy: new iam.PolicyDocument({ statements }),
      cloudWatchRole: false,
      deployOptions: {
        stageName: ACCESS_API_STAGE,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        tracingEnabled: true,
        throttlingRateLimit: 20,
        throttlingBurstLimit: 40,
      },
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
    });
    // The URL is the stack's AccessApiUrl output (the CLI reads it); not a second, generated one.
    this.api.node.tryRemoveChild('Endpoint');
    const integration = new apigw.LambdaIntegration(this.fn);
    const validator = this.api.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const opts = { requestValidator: validator };
    const requests = this.api.root.addResource('requests');
    requests.addMethod('POST', integration, opts);
    requests.addMethod('GET', integration, opts);
    this.api.root.addResource('log').addMethod('GET', integration, opts);
    const decision = this.api.root
      .addResource('departments')
      .addResource('{department}')
      .addResource('requests')
      .addResource('{id}')
      .addResource('{decision}');
    decision.addMethod('POST', integration, opts);
    addEnterpriseRoutes(this.api, integration, opts);
    acknowledge(
      this.api,
      'AwsSolutions-APIG3',
      "IAM auth and a resource policy admit only the lake's personas and stewards; a WAF adds nothing for SigV4-signed calls.",
    );
    acknowledge(
      this.api,
      'AwsSolutions-COG4',
      "The API uses IAM auth (SigV4, the callers' roles), not Cognito.",
    );
    acknowledge(
      this.api,
      'AwsSolutions-APIG6',
      'Access logs are on (JSON, to an encrypted log group); execution logs would need the account-wide CloudWatch role.',
    );

    new CfnOutput(stack, CORE_OUTPUTS.accessApiUrl, {
      value: this.api.url,
      description: 'The access API (lake access …)',
    });
  }
}

/**
 * Lets a department's steward role (its upload role) call the access API for its own department: list,
 * read the log, and decide on `/departments/<department>/requests/*`, no other department's.
 */
export function grantStewardRoutes(api: apigw.RestApi, role: iam.IRole, department: string): void {
  const arn = (method: string, path: string) => api.arnForExecuteApi(method, path, ACCESS_API_STAGE);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'DecideOwnAccessRequests',
      actions: ['execute-api:Invoke'],
      resources: [
        arn('GET', '/requests'),
        arn('GET', '/log'),
        arn('POST', `/departments/${department}/requests/*`),
      ],
    }),
  );
  allowWildcards(role, {
    finding: new RegExp(`^Resource::.*/POST/departments/${department}/requests/\\*>?$`),
    reason:
      "A steward decides on every request for its department's datasets: the request id is the last segment.",
  });
}
