/**
 * The `protect: hash` key, from Secrets Manager: fetched on first use, then kept for the life of the
 * execution environment (one GetSecretValue per cold start). A failed fetch is not cached, so the next
 * invocation tries again. The secret string is the key in hex (see src/ingest/hash-key.ts); the version
 * id of the value read goes with the key into each report that used it, so after a deliberate rotation an
 * environment that started before it still hashes with the version it read, and its reports say which.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { IngestConfigError } from '../../src/ingest/errors.ts';
import { hashKeyFingerprint, parseHashKey, type VersionedHashKey } from '../../src/ingest/hash-key.ts';

export function secretHashKey(
  client: SecretsManagerClient,
  secretId: string,
): () => Promise<VersionedHashKey> {
  let cached: Promise<VersionedHashKey> | undefined;
  const fetchKey = async (): Promise<VersionedHashKey> => {
    const r = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (r.SecretString === undefined) {
      throw new IngestConfigError(
        `secret ${secretId} has no string value; store the hash key as a hex string (SecretString), not as binary`,
      );
    }
    const key = parseHashKey(r.SecretString, `secret ${secretId}`);
    // Secrets Manager always names the version; an endpoint that does not gets the key's fingerprint.
    return { key, version: r.VersionId ?? hashKeyFingerprint(key) };
  };
  return () => {
    cached ??= fetchKey().catch((e: unknown) => {
      cached = undefined;
      throw e;
    });
    return cached;
  };
}
