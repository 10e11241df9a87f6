/**
 * A small in-process model of the transformer's SQS queue and its redrive policy: a message that the handler
 * reports as failed (or whose whole batch threw) becomes visible again, and after `maxReceiveCount` receives
 * it moves to the dead-letter queue instead, as SQS does. Nothing is retried forever.
 */
import type { SQSBatchResponse } from 'aws-lambda';

export interface QueueMessage {
  messageId: string;
  body: string;
  /** Times the message was received (delivered to the handler). */
  receiveCount: number;
}

export type BatchHandler = (event: {
  Records: { messageId: string; body: string }[];
}) => Promise<SQSBatchResponse>;

export class SqsModel {
  readonly queue: QueueMessage[] = [];
  readonly dlq: QueueMessage[] = [];
  /** Handler invocations, and messages delivered in all (redeliveries included). */
  invocations = 0;
  deliveries = 0;
  private next = 1;

  constructor(readonly options: { maxReceiveCount: number; batchSize: number }) {}

  send(body: string): string {
    const messageId = `m-${this.next++}`;
    this.queue.push({ messageId, body, receiveCount: 0 });
    return messageId;
  }

  /** What `StartMessageMoveTask` does: every DLQ message back to the source queue, its count reset. */
  redrive(): number {
    const moved = this.dlq.splice(0);
    for (const m of moved) this.queue.push({ ...m, receiveCount: 0 });
    return moved.length;
  }

  /** Delivers until the queue is empty, `concurrency` batches at a time (as concurrent Lambda instances). */
  async drain(handler: BatchHandler, concurrency = 1): Promise<void> {
    const worker = async () => {
      for (;;) {
        const batch = this.queue.splice(0, this.options.batchSize);
        if (batch.length === 0) return;
        for (const m of batch) m.receiveCount++;
        this.invocations++;
        this.deliveries += batch.length;
        let failed: Set<string>;
        try {
          const response = await handler({
            Records: batch.map((m) => ({ messageId: m.messageId, body: m.body })),
          });
          failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        } catch {
          failed = new Set(batch.map((m) => m.messageId));
        }
        for (const m of batch) {
          if (!failed.has(m.messageId)) continue;
          if (m.receiveCount >= this.options.maxReceiveCount) this.dlq.push(m);
          else this.queue.push(m);
        }
      }
    };
    // Workers stop when they find the queue empty, but a failed batch may put messages back: go round again.
    while (this.queue.length > 0) {
      await Promise.all(Array.from({ length: concurrency }, worker));
    }
  }
}
