/**
 * The freshness check Lambda, run once a day by a schedule: counts each department's overdue datasets
 * (count-overdue.ts) and emits `OverdueDatasets` per department in CloudWatch embedded metric format
 * (Powertools Metrics), which the department's alarm watches. Logs dataset names and counts only.
 *
 * Set up once per cold start: the configuration (fail-fast), the contracts bundle, the S3 client.
 * Export: `handler`.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { readContractsBundle } from '../../src/ingest/contracts-bundle.ts';
import { s3PathStyle } from '../../src/ingest/endpoint-settings.ts';
import { DEFAULT_CONTRACTS_FILE } from '../../src/ingest/env.ts';
import {
  FRESHNESS_DIMENSION,
  FRESHNESS_ENV,
  FRESHNESS_METRICS_NAMESPACE,
  FRESHNESS_SERVICE_NAME,
  OVERDUE_DATASETS_METRIC,
} from '../../src/ingest/freshness-metrics.ts';
import { lakeNow } from '../../src/lake/freshness.ts';
import { datasetsFreshness, type OverdueCount, overdueCounts } from './count-overdue.ts';

const bucket = process.env[FRESHNESS_ENV.reportsBucket];
if (!bucket)
  throw new Error(`${FRESHNESS_ENV.reportsBucket} is not set: the stack sets it to the reports bucket`);
const contractsFile = process.env[FRESHNESS_ENV.contractsFile] ?? DEFAULT_CONTRACTS_FILE;
const here = import.meta.url
  ? dirname(fileURLToPath(import.meta.url))
  : (process.env.LAMBDA_TASK_ROOT ?? process.cwd());
const contracts = readContractsBundle(
  isAbsolute(contractsFile) ? contractsFile : resolve(here, contractsFile),
);
const logger = new Logger({ serviceName: FRESHNESS_SERVICE_NAME });
// Endpoints come from AWS_ENDPOINT_URL(_S3) as the SDK reads them; path-style on such an endpoint.
const s3 = new S3Client({ forcePathStyle: s3PathStyle(process.env) });

export async function handler(): Promise<OverdueCount[]> {
  const datasets = await datasetsFreshness(s3, bucket as string, contracts, lakeNow());
  const counts = overdueCounts(datasets);
  for (const { department, overdue } of counts) {
    // One metric set per department: the dimension is the set's, so each is published on its own.
    const metrics = new Metrics({
      namespace: FRESHNESS_METRICS_NAMESPACE,
      serviceName: FRESHNESS_SERVICE_NAME,
    });
    metrics.addDimension(FRESHNESS_DIMENSION, department);
    metrics.addMetric(OVERDUE_DATASETS_METRIC, MetricUnit.Count, overdue);
    metrics.publishStoredMetrics();
  }
  const late = datasets.filter((d) => d.freshness.state === 'overdue');
  logger.info('freshness checked', {
    datasets: datasets.length,
    overdue: late.map((d) => ({ dataset: d.dataset, daysOverdue: d.freshness.daysOverdue })),
  });
  return counts;
}
