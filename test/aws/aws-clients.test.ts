/**
 * The CLI's clients on an endpoint set by variable (src/cli/aws/aws-clients.ts), against a recording server
 * on loopback: S3 addressed path-style on a host name, and SQS requests sent to the endpoint even though
 * the queue URL names the public one (the SDK would otherwise follow the queue URL's host).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultClients } from '../../src/cli/aws/aws-clients.ts';

const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => {
      const sqs = String(req.headers['x-amz-target'] ?? '').startsWith('AmazonSQS');
      res.setHeader('content-type', sqs ? 'application/x-amz-json-1.0' : 'application/xml');
      res.end(
        sqs ? JSON.stringify({ Attributes: { QueueArn: 'arn:aws:sqs:eu-west-1:111122223333:q' } }) : '',
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterEach(() => {
  vi.unstubAllEnvs();
  seen.length = 0;
});
afterAll(() => server.close());

const credentials = { accessKeyId: 'AKIATESTING', secretAccessKey: 'x' };

describe('defaultClients on an endpoint set by variable', () => {
  it('addresses S3 path-style on a host-name endpoint', async () => {
    const env = { AWS_ENDPOINT_URL_S3: `http://localhost:${port}` };
    vi.stubEnv('AWS_ENDPOINT_URL_S3', env.AWS_ENDPOINT_URL_S3);
    const s3 = defaultClients({ region: 'eu-west-1', env }).s3(credentials);

    await s3.send(new HeadObjectCommand({ Bucket: 'lake-landing', Key: 'landing/a b.csv' }));

    expect(seen.map((r) => [r.headers.host, r.url])).toEqual([
      [`localhost:${port}`, '/lake-landing/landing/a%20b.csv'],
    ]);
    s3.destroy();
  });

  it('sends SQS requests to the SQS endpoint, not to the host in the queue URL', async () => {
    const env = { AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${port}` };
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', env.AWS_ENDPOINT_URL_SQS);
    vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
    const sqs = defaultClients({ region: 'eu-west-1', env }).sqs();

    const r = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/q',
        AttributeNames: ['QueueArn'],
      }),
    );

    expect(r.Attributes?.QueueArn).toBe('arn:aws:sqs:eu-west-1:111122223333:q');
    expect(seen.map((s) => s.headers['x-amz-target'])).toEqual(['AmazonSQS.GetQueueAttributes']);
    sqs.destroy();
  });
});
