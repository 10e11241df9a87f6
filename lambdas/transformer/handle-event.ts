/**
 * The transformer's core loop: an SQS batch of S3 "Object Created" events in, one processUpload per record,
 * an SQS partial batch response out (only the records that threw are retried). Takes every client and
 * setting as an argument, so tests inject them; handler.ts builds the real ones.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchItemFailure, SQSBatchResponse } from 'aws-lambda';
import type { VersionedHashKey } from '../../src/ingest/hash-key.ts';
import { DEPARTMENT_DIMENSION, TRANSFORMER_METRICS } from '../../src/ingest/metrics.ts';
import { processUpload } from '../../src/ingest/process-upload.ts';
import type { IngestLogger, ProcessResult, ProcessUploadDeps, UploadObject } from '../../src/ingest/types.ts';
import { decodeEventKey, s3ObjectCreatedSchema, sqsEventSchema } from './events.ts';

/** Where metrics go: Powertools' Metrics, or a test double. */
export interface MetricsSink {
  addDimension(name: string, value: string): unknown;
  addMetric(name: string, unit: typeof MetricUnit.Count, value: number): unknown;
  publishStoredMetrics(): unknown;
}

export interface HandlerDeps extends Omit<ProcessUploadDeps, 'hashKey' | 'hashKeyVersion' | 'logger'> {
  /** The `protect: hash` key (with its version, recorded in the reports), loaded when the first record needs it. */
  hashKey: () => Promise<VersionedHashKey | Buffer>;
  logger: IngestLogger;
  metrics: MetricsSink;
}

/** Parses one record body: the upload it names, or null for an S3 event of another kind (nothing to do). */
export function uploadOfRecord(body: string): UploadObject | null {
  const data: unknown = JSON.parse(body);
  const envelope = data as { source?: unknown; 'detail-type'?: unknown } | null;
  if (envelope?.source === 'aws.s3' && envelope['detail-type'] !== 'Object Created') return null;
  const event = s3ObjectCreatedSchema.parse(data);
  return {
    bucket: event.detail.bucket.name,
    key: decodeEventKey(event.detail.object.key),
    versionId: event.detail.object['version-id'],
  };
}

export async function handleEvent(event: unknown, deps: HandlerDeps): Promise<SQSBatchResponse> {
  const { logger } = deps;
  // A batch that is not an SQS batch cannot be answered record by record: throwing retries all of it.
  const batch = sqsEventSchema.parse(event);
  const batchItemFailures: SQSBatchItemFailure[] = [];
  for (const record of batch.Records) {
    const messageId = record.messageId;
    try {
      const object = uploadOfRecord(record.body);
      if (!object) {
        logger.info('not an Object Created event; skipped', { messageId });
        continue;
      }
      const loaded = await deps.hashKey();
      const { key: hashKey, version: hashKeyVersion } = Buffer.isBuffer(loaded)
        ? { key: loaded, version: undefined }
        : loaded;
      const result = await processUpload({ ...deps, hashKey, hashKeyVersion, logger }, object);
      logOutcome(logger, messageId, object, result);
      emitMetrics(deps.metrics, result);
    } catch (e) {
      logger.error('record failed; SQS will deliver it again', { messageId, error: describeError(e) });
      batchItemFailures.push({ itemIdentifier: messageId });
    }
  }
  return { batchItemFailures };
}

function logOutcome(
  logger: IngestLogger,
  messageId: string,
  object: UploadObject,
  result: ProcessResult,
): void {
  const { report } = result;
  logger.info(`upload ${result.outcome}`, {
    messageId,
    outcome: result.outcome,
    key: object.key,
    uploadId: result.uploadId,
    dataset: report?.dataset,
    status: report?.status,
    rows: report?.rows,
    reason: result.reason,
  });
}

/** Metrics count each upload once: when it is processed, not when it is delivered again. */
function emitMetrics(metrics: MetricsSink, result: ProcessResult): void {
  const { report } = result;
  if (result.outcome !== 'processed' || !report) return;
  metrics.addDimension(DEPARTMENT_DIMENSION, report.dataset.split('/')[0]);
  metrics.addMetric(TRANSFORMER_METRICS.rowsAccepted, MetricUnit.Count, report.rows.accepted);
  metrics.addMetric(TRANSFORMER_METRICS.rowsRejected, MetricUnit.Count, report.rows.rejected);
  metrics.addMetric(
    TRANSFORMER_METRICS.filesRejected,
    MetricUnit.Count,
    report.status === 'rejected' ? 1 : 0,
  );
  metrics.publishStoredMetrics();
}

function describeError(e: unknown): Record<string, unknown> {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { message: String(e) };
}
