/**
 * The transformer's input, checked at the edge: an SQS batch whose bodies are the EventBridge events S3
 * sends for new objects ("Object Created", source aws.s3).
 */
import { z } from 'zod';

export const sqsEventSchema = z.object({
  Records: z.array(z.looseObject({ messageId: z.string().min(1), body: z.string() })),
});

export const s3ObjectCreatedSchema = z.looseObject({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.looseObject({
    bucket: z.looseObject({ name: z.string().min(1) }),
    object: z.looseObject({
      key: z.string().min(1),
      size: z.number().optional(),
      etag: z.string().optional(),
      'version-id': z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

export type S3ObjectCreatedEvent = z.output<typeof s3ObjectCreatedSchema>;

/**
 * The object key of an S3 event. S3 writes keys into its event notifications URL-encoded in the form style
 * (a space becomes `+`, `+` itself `%2B`, non-ASCII as UTF-8 percent escapes); the EventBridge events carry
 * the key the same way, so it is decoded before it is used as a key.
 */
export function decodeEventKey(key: string): string {
  return decodeURIComponent(key.replaceAll('+', ' '));
}
