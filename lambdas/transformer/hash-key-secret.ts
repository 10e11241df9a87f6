/**
 * The `protect: hash` key, from Secrets Manager: fetched on first use, then kept for the life of the
 * execution environment (one GetSecretValue per cold start). A failed fetch is not cached, so the next
 * invocation tries again. The secret string is the key in hex (see src/ingest/hash-key.ts).
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { IngestConfigError } from '../../src/ingest/errors.ts';
import { parseHashKey } from '../../src/ingest/hash-key.ts';

export function secretHashKey(client: SecretsManagerClient, secretId: string): () => Promise<Buffer> {
  let cached: Promise<Buffer> | undefined;
  const fetchKey = async (): Promise<Buffer> => {
    const r = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (r.SecretString === undefined) {
      throw new IngestConfigError(
        `secret ${secretId} has no string value; store the hash key as a hex string (SecretString), not as binary`,
      );
    }
    return parseHashKey(r.SecretString, `secret ${secretId}`);
  };
  return () => {
    cached ??= fetchKey().catch((e: unknown) => {
      cached = undefined;
      throw e;
    });
    return cached;
  };
}
