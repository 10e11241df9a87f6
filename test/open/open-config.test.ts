/** The transformer's environment names the open-data zone: its bucket, URL and publishers, checked at cold start. */
import { describe, expect, it } from 'vitest';
import { TRANSFORMER_ENV } from '../../src/ingest/env.ts';
import { readTransformerConfig } from '../../src/ingest/transformer-config.ts';

const BASE = {
  [TRANSFORMER_ENV.landingBucket]: 'landing',
  [TRANSFORMER_ENV.rawBucket]: 'raw',
  [TRANSFORMER_ENV.curatedBucket]: 'curated',
  [TRANSFORMER_ENV.quarantineBucket]: 'quarantine',
  [TRANSFORMER_ENV.hashKeySecretArn]: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:k',
};

describe('the open-data zone in the transformer configuration', () => {
  it('is absent when the stack sets no open bucket: nothing is opened', () => {
    expect(readTransformerConfig(BASE).buckets.open).toBeUndefined();
  });

  it('reads the bucket, the CloudFront URL and the department names', () => {
    const config = readTransformerConfig({
      ...BASE,
      [TRANSFORMER_ENV.openBucket]: 'open-bucket',
      [TRANSFORMER_ENV.openBaseUrl]: 'https://d111.cloudfront.net/',
      [TRANSFORMER_ENV.openPublishers]: JSON.stringify({ transport: '贵州省交通运输厅' }),
    });
    expect(config.buckets.open).toEqual({ bucket: 'open-bucket', baseUrl: 'https://d111.cloudfront.net/' });
    expect(config.publishers?.get('transport')).toBe('贵州省交通运输厅');
  });

  it('fails at cold start, naming the variable, when the publishers are not a JSON object of names', () => {
    expect(() => readTransformerConfig({ ...BASE, [TRANSFORMER_ENV.openPublishers]: '[1, 2]' })).toThrow(
      /LAKE_OPEN_PUBLISHERS must be a JSON object of department names/,
    );
  });
});
