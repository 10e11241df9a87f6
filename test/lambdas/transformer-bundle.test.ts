/**
 * The handler as the stack ships it: bundled by esbuild into one ESM file, with the contracts bundle beside
 * it under its default name and DuckDB left as an installed module. Invoked against the local S3.
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeContractsBundle } from '../../src/ingest/contracts-bundle.ts';
import { DEFAULT_CONTRACTS_FILE, TRANSFORMER_ENV } from '../../src/ingest/env.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/ingest/local-s3.ts';
import { readReport } from '../../src/ingest/process-upload.ts';
import { uploadIdOf } from '../../src/lake/layout.ts';
import { HASH_KEY, putFile, startTestLake, type TestLake } from '../ingest/helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATASETS = fileURLToPath(new URL('../fixtures/contracts/datasets/', import.meta.url));

/** Secrets Manager's GetSecretValue, answered on loopback (JSON 1.1 protocol), counting the requests. */
function startSecretsEndpoint(
  secret: string,
): Promise<{ server: Server; endpoint: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      requests.push(`${req.headers['x-amz-target']} ${text}`);
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end(
        JSON.stringify({ ARN: 'arn:aws:secretsmanager:x', Name: 'lake-hash-key', SecretString: secret }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }),
    ),
  );
}

let lake: TestLake;
let asset: string;
let secrets: Awaited<ReturnType<typeof startSecretsEndpoint>>;
beforeAll(async () => {
  lake = await startTestLake();
  secrets = await startSecretsEndpoint(HASH_KEY.toString('hex'));
  asset = await mkdtemp(join(tmpdir(), 'lake-asset-'));
  await build({
    entryPoints: [join(ROOT, 'lambdas/transformer/handler.ts')],
    outfile: join(asset, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['@duckdb/node-api'],
    logLevel: 'silent',
  });
  writeContractsBundle(DATASETS, join(asset, DEFAULT_CONTRACTS_FILE));
  // The installed modules (DuckDB's native binding), as the asset's node_modules would hold them.
  await symlink(join(ROOT, 'node_modules'), join(asset, 'node_modules'), 'dir');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await lake?.stop();
  secrets?.server.close();
  await rm(asset, { recursive: true, force: true });
});

describe('the bundled transformer', () => {
  it('loads its contracts from beside itself and processes an upload', async () => {
    // Prepare
    for (const [name, bucket] of Object.entries(lake.s3.buckets)) {
      vi.stubEnv(TRANSFORMER_ENV[`${name}Bucket` as keyof typeof TRANSFORMER_ENV], bucket);
    }
    vi.stubEnv(TRANSFORMER_ENV.hashKeySecretArn, 'lake-hash-key');
    vi.stubEnv('AWS_ENDPOINT_URL_S3', lake.s3.endpoint);
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', secrets.endpoint);
    vi.stubEnv('AWS_REGION', LOCAL_REGION);
    vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey);
    vi.stubEnv('AWS_REQUEST_CHECKSUM_CALCULATION', 'WHEN_REQUIRED');
    vi.stubEnv('AWS_RESPONSE_CHECKSUM_VALIDATION', 'WHEN_REQUIRED');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const s3 = lake.s3.client();
    const key = 'landing/health/clinics/bundle.csv';
    const csv = 'clinic_id,诊所名称,opened_on,beds\nGZ000001,南明区诊所,2015-03-18,20\n';
    const put = await putFile(s3, lake.s3.buckets.landing, key, csv);
    const body = JSON.stringify({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: lake.s3.buckets.landing }, object: { key } },
    });

    // Act
    const { handler } = await import(pathToFileURL(join(asset, 'index.mjs')).href);
    const response = await handler({ Records: [{ messageId: 'm1', body }] });
    const again = await handler({ Records: [{ messageId: 'm2', body }] });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(again).toEqual({ batchItemFailures: [] });
    expect(secrets.requests).toEqual(['secretsmanager.GetSecretValue {"SecretId":"lake-hash-key"}']);
    const uploadId = uploadIdOf(key, put.etag.replaceAll('"', ''), put.lastModified);
    const report = await readReport(
      s3,
      lake.s3.buckets.quarantine,
      { department: 'health', dataset: 'clinics' },
      uploadId,
    );
    expect(report?.status).toBe('accepted');
    expect(report?.rows).toEqual({ total: 1, accepted: 1, rejected: 0 });
  });
});
