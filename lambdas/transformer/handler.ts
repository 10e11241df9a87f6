/**
 * The transformer Lambda: SQS (fed by EventBridge with S3 "Object Created" events) -> processUpload.
 *
 * Everything that does not change between invocations is set up once per cold start, here at module scope:
 * the configuration (fail-fast: a missing variable fails the first invocation with its name), the contracts
 * bundle, the SDK clients, the logger and the metrics. The hash key is fetched from Secrets Manager on the
 * first invocation that needs it and kept.
 *
 * Export: `handler` (the function's handler is `<bundle>.handler`).
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { readContractsBundle } from '../../src/ingest/contracts-bundle.ts';
import { s3PathStyle } from '../../src/ingest/endpoint-settings.ts';
import { TRANSFORMER_METRICS_NAMESPACE, TRANSFORMER_SERVICE_NAME } from '../../src/ingest/metrics.ts';
import { engineMemoryLimit, readTransformerConfig } from '../../src/ingest/transformer-config.ts';
import { type HandlerDeps, handleEvent } from './handle-event.ts';
import { secretHashKey } from './hash-key-secret.ts';

const config = readTransformerConfig(process.env);
// The bundle's directory: from the module's URL (an ESM bundle), else the function's task root.
const here = import.meta.url
  ? dirname(fileURLToPath(import.meta.url))
  : (process.env.LAMBDA_TASK_ROOT ?? process.cwd());
const contracts = readContractsBundle(
  isAbsolute(config.contractsFile) ? config.contractsFile : resolve(here, config.contractsFile),
);
// The stack sets both through the environment; the same values are the defaults when run elsewhere.
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ? undefined : TRANSFORMER_SERVICE_NAME;
const logger = new Logger({ serviceName });
const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ? undefined : TRANSFORMER_METRICS_NAMESPACE,
});

const deps: HandlerDeps = {
  // Endpoints come from AWS_ENDPOINT_URL(_S3) as the SDK reads them; path-style on such an endpoint.
  s3: new S3Client({ forcePathStyle: s3PathStyle(process.env) }),
  buckets: config.buckets,
  contracts,
  hashKey: secretHashKey(new SecretsManagerClient({}), config.hashKeySecretArn),
  logger,
  metrics,
  maxObjectBytes: config.maxObjectBytes,
  publishers: config.publishers,
  engine: {
    maxDecompressedBytes: config.maxDecompressedBytes,
    memoryLimit: engineMemoryLimit(Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) || undefined),
  },
};
logger.info('transformer ready', { datasets: contracts.size });

export async function handler(event: unknown, context?: Context): Promise<SQSBatchResponse> {
  if (context) logger.addContext(context);
  return handleEvent(event, deps);
}
