/**
 * The freshness check: a small Lambda (lambdas/freshness) run once a day by an EventBridge rule, which
 * reads each dataset's newest reports and the contracts bundle, and emits `OverdueDatasets` per
 * department (src/lake/freshness.ts says when a dataset is overdue). Its role reads reports/ and nothing
 * else (not the erasure receipts beside them, no data zone, no write); the lake's data perimeter must
 * admit it as a reports reader (LakeDataPrincipals.reportReaders).
 */
import { join } from 'node:path';
import { AssetStaging, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DEFAULT_CONTRACTS_FILE } from '../../src/ingest/env.ts';
import {
  FRESHNESS_DIMENSION,
  FRESHNESS_ENV,
  FRESHNESS_METRICS_NAMESPACE,
  FRESHNESS_SERVICE_NAME,
  OVERDUE_DATASETS_METRIC,
} from '../../src/ingest/freshness-metrics.ts';
import { ERASURES_PREFIX, ZONE_PREFIX } from '../../src/lake/layout.ts';
import { allowWildcards, objectPrefixEvidence } from '../common/nag.ts';
import { LakeFunction } from '../ingestion/lake-function.ts';
import { PROJECT_ROOT } from '../ingestion/transformer-function.ts';
import type { LakeStorage } from '../storage/lake-storage.ts';

/** The check's handler source. */
export const FRESHNESS_ENTRY = join(PROJECT_ROOT, 'lambdas', 'freshness', 'handler.ts');
/** When the check runs: every day at 01:00 UTC (09:00 in China), after the night's uploads. */
export const FRESHNESS_SCHEDULE = events.Schedule.cron({ minute: '0', hour: '1' });
/** The metric's period: one check a day. */
export const FRESHNESS_PERIOD = Duration.days(1);
/** The check lists and reads a few reports per dataset: minutes for thousands of datasets. */
export const FRESHNESS_TIMEOUT = Duration.minutes(5);
export const FRESHNESS_MEMORY_MIB = 256;

export interface FreshnessCheckProps {
  readonly storage: LakeStorage;
  /** The department ids whose reports the check reads (one metric each). */
  readonly departments: readonly string[];
  /**
   * Writes the contracts bundle to the given file; called while the asset is bundled.
   * @default - no bundle is written (the function then fails at cold start, naming the file)
   */
  readonly writeContractsBundle?: (outFile: string) => void;
  /**
   * The handler source.
   * @default - FRESHNESS_ENTRY (lambdas/freshness/handler.ts)
   */
  readonly entry?: string;
  /**
   * Key of the function's log group.
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
  /** @default - FRESHNESS_SCHEDULE (daily, 01:00 UTC) */
  readonly schedule?: events.Schedule;
}

export class FreshnessCheck extends Construct {
  public readonly function: LakeFunction;
  public readonly role: iam.IRole;
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: FreshnessCheckProps) {
    super(scope, id);
    const writeBundle = props.writeContractsBundle;
    this.function = new LakeFunction(this, 'Function', {
      entry: props.entry ?? FRESHNESS_ENTRY,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      timeout: FRESHNESS_TIMEOUT,
      memorySize: FRESHNESS_MEMORY_MIB,
      logEncryptionKey: props.logEncryptionKey,
      description: 'Public data lake: counts the datasets overdue for an update, per department (daily)',
      environment: {
        [FRESHNESS_ENV.reportsBucket]: props.storage.quarantineBucket.bucketName,
        [FRESHNESS_ENV.contractsFile]: DEFAULT_CONTRACTS_FILE,
        POWERTOOLS_SERVICE_NAME: FRESHNESS_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: FRESHNESS_METRICS_NAMESPACE,
      },
      bundling: {
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string): string[] => {
            // Called once more to describe a Docker build that never runs (/asset-output): write nothing then.
            if (outputDir !== AssetStaging.BUNDLING_OUTPUT_DIR && writeBundle)
              writeBundle(join(outputDir, DEFAULT_CONTRACTS_FILE));
            return [];
          },
        },
      },
    });
    this.role = this.function.role as iam.IRole;
    allowWildcards(this.role, {
      finding: /^Resource::\*$/,
      reason: 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) accepts no resource but *.',
    });
    this.grantReadReports(props.storage);
    this.rule = new events.Rule(this, 'Schedule', {
      schedule: props.schedule ?? FRESHNESS_SCHEDULE,
      description: 'Public data lake: daily freshness check (overdue datasets per department)',
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2 })],
    });
  }

  /**
   * Read-only: list and read reports/ and decrypt them through S3, never the erasure receipts beside them
   * (reports/_erasures/, denied). One set of statements for every department, so the role's policy stays
   * the same size however many departments the lake has.
   */
  private grantReadReports(storage: LakeStorage): void {
    const bucket = storage.quarantineBucket;
    const reports = ZONE_PREFIX.reports;
    allowWildcards(
      this.role,
      objectPrefixEvidence(reports, "Reports are named by upload id; the check reads every department's."),
    );
    const statements = [
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${reports}*`)],
      }),
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${reports}*`] } },
      }),
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [storage.dataKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': storage.s3ViaService() },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket.arnForObjects(`${reports}*`)] },
        },
      }),
      new iam.PolicyStatement({
        sid: 'NoErasureReceipts',
        effect: iam.Effect.DENY,
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${ERASURES_PREFIX}*`)],
      }),
      new iam.PolicyStatement({
        sid: 'NoErasureReceiptListing',
        effect: iam.Effect.DENY,
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${ERASURES_PREFIX}*`] } },
      }),
    ];
    for (const statement of statements) this.role.addToPrincipalPolicy(statement);
  }

  /** The department's overdue datasets, as the check last counted them (the day's maximum). */
  public metricOverdue(department: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: FRESHNESS_METRICS_NAMESPACE,
      metricName: OVERDUE_DATASETS_METRIC,
      dimensionsMap: { service: FRESHNESS_SERVICE_NAME, [FRESHNESS_DIMENSION]: department },
      period: FRESHNESS_PERIOD,
      statistic: cloudwatch.Stats.MAXIMUM,
    });
  }
}
