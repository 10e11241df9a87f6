/**
 * The house Lambda: Node.js on x86_64, ESM bundled locally by esbuild (no Docker), source maps on,
 * structured JSON logs kept for a year in a log group the stack owns, X-Ray tracing on, and a role of its
 * own that may write to that log group only (no AWS managed policy).
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The runtime every lake function runs on. */
export const LAKE_RUNTIME = lambda.Runtime.NODEJS_24_X;
/** esbuild's target, matching LAKE_RUNTIME. */
export const LAKE_NODE_TARGET = 'node24';
/** Days a function's logs are kept. */
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/** Lets the bundled ESM code `require` the CommonJS modules it keeps external. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __lakeCreateRequire } from 'node:module'; const require = __lakeCreateRequire(import.meta.url);";

export interface LakeFunctionProps extends Omit<nodejs.NodejsFunctionProps, 'logGroup' | 'runtime'> {
  readonly entry: string;
  /**
   * How long the function's logs are kept.
   * @default - DEFAULT_LOG_RETENTION (one year)
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Key of the log group; its policy must let CloudWatch Logs use it (see allowLogsToUseKey).
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
}

/** Lets CloudWatch Logs of this account and region encrypt log groups with `key`. */
export function allowLogsToUseKey(scope: Construct, key: kms.IKey): void {
  const stack = Stack.of(scope);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogs',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
}

export class LakeFunction extends nodejs.NodejsFunction {
  /** The log group the function writes to (owned by the stack, with a retention). */
  public readonly functionLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: LakeFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? DEFAULT_LOG_RETENTION,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bundling = props.bundling ?? {};
    const role =
      props.role ??
      new iam.Role(scope, `${id}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Public data lake: the ${id} function`,
      });
    if (!props.role) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      );
    }
    super(scope, id, {
      architecture: lambda.Architecture.X86_64,
      timeout: Duration.seconds(30),
      memorySize: 512,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      ...props,
      runtime: LAKE_RUNTIME,
      role,
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: LAKE_NODE_TARGET,
        mainFields: ['module', 'main'],
        sourceMap: true,
        minify: true,
        forceDockerBundling: false,
        banner: ESM_REQUIRE_BANNER,
        ...bundling,
      },
    });
    this.functionLogGroup = logGroup;
  }
}
