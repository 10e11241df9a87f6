/**
 * The CLI's AWS clients and the endpoint settings they honour. The SDK reads `AWS_ENDPOINT_URL` and the
 * per-service variants (`AWS_ENDPOINT_URL_S3`, `_SQS`, `_STS`, `_GLUE`, `_ATHENA`, `_CLOUDFORMATION`, or
 * `endpoint_url` in the profile) by itself, so nothing here sets an endpoint. What the SDK does not do on
 * its own, done here: S3 path-style on such an endpoint (src/ingest/endpoint-settings.ts), and SQS requests
 * sent to the configured endpoint rather than to the host inside the queue URL (the public one).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { type Env, endpointSet, s3PathStyle } from '../../ingest/endpoint-settings.ts';

export interface AwsClientSettings {
  region?: string;
  profile?: string;
  /** Where the endpoint settings are read. @default process.env */
  env?: Env;
}

/** How the backend makes its clients; tests point S3 at a local server and mock the rest. */
export interface AwsClientFactory {
  s3(credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): S3Client;
  sts(): STSClient;
  glue(): GlueClient;
  /** With credentials: as an assumed role (the portal runs an analyst's SQL as their department's role). */
  athena(credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): AthenaClient;
  sqs(): SQSClient;
}

export function defaultClients(settings: AwsClientSettings): AwsClientFactory {
  const env = settings.env ?? process.env;
  const base = { region: settings.region, ...(settings.profile ? { profile: settings.profile } : {}) };
  const forcePathStyle = s3PathStyle(env);
  return {
    s3: (credentials) =>
      new S3Client(
        credentials ? { region: settings.region, credentials, forcePathStyle } : { ...base, forcePathStyle },
      ),
    sts: () => new STSClient(base),
    glue: () => new GlueClient(base),
    athena: (credentials) => new AthenaClient(credentials ? { region: settings.region, credentials } : base),
    sqs: () => new SQSClient({ ...base, useQueueUrlAsEndpoint: !endpointSet(env, 'SQS') }),
  };
}
