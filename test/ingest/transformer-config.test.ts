import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTRACTS_FILE, TRANSFORMER_ENV } from '../../src/ingest/env.ts';
import { IngestConfigError } from '../../src/ingest/errors.ts';
import { MIN_HASH_KEY_BYTES, parseHashKey } from '../../src/ingest/hash-key.ts';
import { engineMemoryLimit, readTransformerConfig } from '../../src/ingest/transformer-config.ts';

const COMPLETE = {
  [TRANSFORMER_ENV.landingBucket]: 'landing-b',
  [TRANSFORMER_ENV.rawBucket]: 'raw-b',
  [TRANSFORMER_ENV.curatedBucket]: 'curated-b',
  [TRANSFORMER_ENV.quarantineBucket]: 'quarantine-b',
  [TRANSFORMER_ENV.hashKeySecretArn]: 'arn:aws-cn:secretsmanager:cn-north-1:1:secret:k',
};

describe('readTransformerConfig', () => {
  it('reads the buckets and secret, with the default contracts file and no limits', () => {
    expect(readTransformerConfig(COMPLETE)).toEqual({
      buckets: { landing: 'landing-b', raw: 'raw-b', curated: 'curated-b', quarantine: 'quarantine-b' },
      hashKeySecretArn: 'arn:aws-cn:secretsmanager:cn-north-1:1:secret:k',
      contractsFile: DEFAULT_CONTRACTS_FILE,
      maxDecompressedBytes: undefined,
      maxObjectBytes: undefined,
    });
  });

  it('reads the optional settings', () => {
    const config = readTransformerConfig({
      ...COMPLETE,
      [TRANSFORMER_ENV.contractsFile]: 'bundle/c.json',
      [TRANSFORMER_ENV.maxDecompressedBytes]: '1000',
      [TRANSFORMER_ENV.maxObjectBytes]: '2000',
    });
    expect(config).toMatchObject({
      contractsFile: 'bundle/c.json',
      maxDecompressedBytes: 1000,
      maxObjectBytes: 2000,
    });
  });

  it('names every missing or malformed variable at once', () => {
    const env = { ...COMPLETE, [TRANSFORMER_ENV.rawBucket]: ' ', [TRANSFORMER_ENV.maxObjectBytes]: '10GB' };
    delete (env as Record<string, string>)[TRANSFORMER_ENV.hashKeySecretArn];
    expect(() => readTransformerConfig(env)).toThrow(IngestConfigError);
    expect(() => readTransformerConfig(env)).toThrow(
      'LAKE_RAW_BUCKET is not set; LAKE_HASH_KEY_SECRET_ARN is not set; LAKE_MAX_OBJECT_BYTES must be a positive whole number of bytes; got "10GB"',
    );
  });
});

describe('engineMemoryLimit', () => {
  it.each([
    [3008, '1504MB'],
    [128, '128MB'],
    [undefined, undefined],
    [Number.NaN, undefined],
  ])('%s MB -> %s', (memory, limit) => {
    expect(engineMemoryLimit(memory)).toBe(limit);
  });
});

describe('parseHashKey', () => {
  it('decodes a hex key of at least 32 bytes, ignoring surrounding whitespace', () => {
    const hex = 'ab'.repeat(MIN_HASH_KEY_BYTES);
    expect(parseHashKey(` ${hex}\n`)).toEqual(Buffer.alloc(MIN_HASH_KEY_BYTES, 0xab));
    expect(parseHashKey(hex.toUpperCase())).toEqual(Buffer.alloc(MIN_HASH_KEY_BYTES, 0xab));
  });

  it.each([
    ['base64', Buffer.alloc(32, 1).toString('base64'), /hexadecimal/],
    ['an odd number of digits', 'a'.repeat(65), /hexadecimal/],
    ['too short', 'ab'.repeat(31), /31 bytes; it must be at least 32 bytes/],
    ['empty', '', /hexadecimal/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseHashKey(text, 'secret s')).toThrow(message);
  });
});
