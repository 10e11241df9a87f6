/**
 * Lambda's SQS event source mapping, played by the test (moto would run the function in Docker): receive up
 * to the mapping's batch size from the ingestion queue, hand the batch to the transformer asset as an SQS
 * event, and, as `ReportBatchItemFailures` asks, delete the messages that succeeded and leave the ones the
 * handler names in `batchItemFailures` on the queue. Two things differ from AWS and are said where they
 * happen: a failed message is made visible again at once (Lambda waits out the queue's visibility timeout,
 * 90 minutes here), and the S3 object key in moto's event is URL-encoded the way S3 writes it.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { AssetRuntime } from './asset-runtime.ts';
import { MOTO_REGION } from './moto-server.ts';

export interface MappingSettings {
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
}

export interface PollOutcome {
  batches: number;
  succeeded: number;
  failed: number;
}

/** S3's form of a key in its event notifications: URL-encoded, a space as `+`. */
export function s3EventKey(key: string): string {
  return encodeURIComponent(key).replaceAll('%20', '+').replaceAll('%2F', '/');
}

/** moto writes the key as stored; S3 writes it URL-encoded. */
function asS3Writes(body: string): string {
  const event = JSON.parse(body);
  const key = event?.detail?.object?.key;
  if (event?.source !== 'aws.s3' || typeof key !== 'string') return body;
  event.detail.object.key = s3EventKey(key);
  return JSON.stringify(event);
}

function lambdaRecord(m: Message, settings: MappingSettings) {
  return {
    messageId: m.MessageId,
    receiptHandle: m.ReceiptHandle,
    body: asS3Writes(m.Body ?? ''),
    attributes: m.Attributes ?? {},
    messageAttributes: m.MessageAttributes ?? {},
    md5OfBody: m.MD5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: settings.queueArn,
    awsRegion: MOTO_REGION,
  };
}

/** More batches than any test sends: a queue that never empties is a defect, not something to wait out. */
const MAX_BATCHES = 50;

/** Polls until the queue gives no message; every batch is one invocation. */
export async function drainQueue(
  sqs: SQSClient,
  runtime: AssetRuntime,
  settings: MappingSettings,
): Promise<PollOutcome> {
  const outcome: PollOutcome = { batches: 0, succeeded: 0, failed: 0 };
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: settings.queueUrl,
        MaxNumberOfMessages: settings.batchSize,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (!Messages?.length) return outcome;
    if (++outcome.batches > MAX_BATCHES)
      throw new Error(`the queue still gave messages after ${MAX_BATCHES} batches`);
    const response = (await runtime.invoke({
      Records: Messages.map((m) => lambdaRecord(m, settings)),
    })) as { batchItemFailures?: { itemIdentifier: string }[] };
    const failed = new Set(
      settings.reportBatchItemFailures
        ? (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier)
        : [],
    );
    for (const m of Messages) {
      if (failed.has(m.MessageId ?? '')) {
        outcome.failed++;
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: settings.queueUrl,
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        );
      } else {
        outcome.succeeded++;
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: settings.queueUrl, ReceiptHandle: m.ReceiptHandle }),
        );
      }
    }
  }
}
