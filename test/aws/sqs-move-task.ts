/**
 * What SQS's message move task (StartMessageMoveTask, which moto lacks) does for `lake redrive`: every
 * message of the dead-letter queue sent back to the queue it came from, then deleted from the dead-letter
 * queue.
 */
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export async function moveMessages(sqs: SQSClient, from: string, to: string): Promise<number> {
  let moved = 0;
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: from, MaxNumberOfMessages: 10 }),
    );
    if (!Messages?.length) return moved;
    for (const m of Messages) {
      await sqs.send(new SendMessageCommand({ QueueUrl: to, MessageBody: m.Body ?? '' }));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: from, ReceiptHandle: m.ReceiptHandle }));
      moved++;
    }
  }
}
