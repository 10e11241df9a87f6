/** When the CLI and the transformer address S3 path-style (src/ingest/endpoint-settings.ts). */
import { describe, expect, it } from 'vitest';
import { endpointSet, s3PathStyle } from '../../src/ingest/endpoint-settings.ts';

describe('s3PathStyle', () => {
  it('is off with no endpoint setting: AWS itself answers virtual-host style', () => {
    expect(s3PathStyle({})).toBe(false);
    expect(s3PathStyle({ AWS_ENDPOINT_URL_SQS: 'http://sqs.internal' })).toBe(false);
  });

  it('is on when an S3 endpoint is set, by the service variable or the general one', () => {
    expect(s3PathStyle({ AWS_ENDPOINT_URL_S3: 'https://s3.internal' })).toBe(true);
    expect(s3PathStyle({ AWS_ENDPOINT_URL: 'http://localhost:4566' })).toBe(true);
  });

  it('follows AWS_S3_FORCE_PATH_STYLE either way when it is set', () => {
    expect(s3PathStyle({ AWS_S3_FORCE_PATH_STYLE: 'true' })).toBe(true);
    expect(s3PathStyle({ AWS_S3_FORCE_PATH_STYLE: '1' })).toBe(true);
    expect(s3PathStyle({ AWS_S3_FORCE_PATH_STYLE: 'FALSE', AWS_ENDPOINT_URL_S3: 'https://s3.vpce' })).toBe(
      false,
    );
    expect(s3PathStyle({ AWS_S3_FORCE_PATH_STYLE: '0', AWS_ENDPOINT_URL: 'https://x' })).toBe(false);
  });
});

describe('endpointSet', () => {
  it('names the service variable or the general one, and an empty value is no setting', () => {
    expect(endpointSet({ AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:1' }, 'SQS')).toBe(true);
    expect(endpointSet({ AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }, 'SQS')).toBe(true);
    expect(endpointSet({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1' }, 'SQS')).toBe(false);
    expect(endpointSet({ AWS_ENDPOINT_URL_SQS: '' }, 'SQS')).toBe(false);
  });
});
