/**
 * The key of `protect: hash` (HMAC-SHA256). It is stored as text (a Secrets Manager secret string, a local
 * file) written in hexadecimal: 64 hex digits for 32 random bytes, the HMAC-SHA256 block-size-safe minimum
 * we accept. Hex, not base64, because Secrets Manager can generate it directly (a 64-character password of
 * the characters 0-9 and a-f) and because no hex string is ever mistaken for another encoding.
 *
 * A key is known by a version (the secret's version id; a fingerprint for a key file), which the report of
 * each upload that hashed a column records: hashes made under two versions do not join, and the reports
 * say which is which.
 */
import { createHash } from 'node:crypto';
import { IngestConfigError } from './errors.ts';

/** Shortest key accepted, in bytes. */
export const MIN_HASH_KEY_BYTES = 32;

/** A hash key and the version it is known by. */
export interface VersionedHashKey {
  readonly key: Buffer;
  /** The secret's version id, or hashKeyFingerprint(key): never the key itself. */
  readonly version: string;
}

/** Hex digits of the key's SHA-256 that hashKeyFingerprint keeps: enough to tell keys apart, nothing to learn. */
export const FINGERPRINT_HEX_DIGITS = 12;

/** A stable id of a key that reveals nothing of it: `sha256:` and the first 12 hex digits of its SHA-256. */
export function hashKeyFingerprint(key: Buffer): string {
  return `sha256:${createHash('sha256').update(key).digest('hex').slice(0, FINGERPRINT_HEX_DIGITS)}`;
}

/** The key bytes of a hex-encoded secret string (surrounding whitespace ignored). */
export function parseHashKey(secret: string, source = 'the hash key'): Buffer {
  const text = secret.trim();
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(text)) {
    throw new IngestConfigError(
      `${source} must be hexadecimal (an even number of the characters 0-9 and a-f, ${2 * MIN_HASH_KEY_BYTES} or more); store the key in hex`,
    );
  }
  const key = Buffer.from(text, 'hex');
  if (key.length < MIN_HASH_KEY_BYTES) {
    throw new IngestConfigError(
      `${source} is ${key.length} bytes; it must be at least ${MIN_HASH_KEY_BYTES} bytes (${2 * MIN_HASH_KEY_BYTES} hex digits)`,
    );
  }
  return key;
}
