/**
 * The deployed artifact really works: a real synth (asset bundling, CloudFormation validation and cdk-nag
 * all on), then the transformer's asset directory from cdk.out is run with plain `node`, outside this
 * repository, on an SQS message carrying an S3 event, against a local S3-compatible server. DuckDB comes
 * from the asset's own node_modules, the contracts from its contracts.json.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PORTAL_API_CONFIG_FILE } from '../../lambdas/portal-api/config.ts';
import { addNagChecks } from '../../lib/common/nag.ts';
import { loadLakeInputs } from '../../lib/config/inputs.ts';
import { buildLake } from '../../lib/lake-app.ts';
import { DEFAULT_CONTRACTS_FILE, TRANSFORMER_ENV } from '../../src/ingest/env.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalS3, startLocalS3 } from '../../src/ingest/local-s3.ts';
import { reportKey, uploadIdOf } from '../../src/lake/layout.ts';
import { CDK_CONTEXT, FIXTURES } from './helpers.ts';

const run = promisify(execFile);
const HASH_KEY_HEX = 'a3f1'.repeat(16);

/** Secrets Manager's GetSecretValue on loopback (JSON 1.1 protocol). */
function startSecrets(): Promise<{ server: Server; endpoint: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end(JSON.stringify({ ARN: 'hash-key', Name: 'hash-key', SecretString: HASH_KEY_HEX }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

let outdir: string;
let s3dir: string;
let s3: LocalS3;
let secrets: Awaited<ReturnType<typeof startSecrets>>;
let assetDir: string;
let environment: Record<string, unknown>;
/** The portal API function's asset directory, and the configuration file its construct computed. */
let portalAssetDir: string;
let portalConfigFile: unknown;

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'lake-cdk-out-'));
  s3dir = mkdtempSync(join(tmpdir(), 'lake-bundle-s3-'));
  const app = new App({
    outdir,
    context: { ...CDK_CONTEXT, 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true },
  });
  const lake = buildLake(app, loadLakeInputs({}, FIXTURES), {
    env: { account: '111122223333', region: 'eu-west-1' },
  });
  addNagChecks(app);
  const assembly = app.synth();
  const template = assembly.getStackByName(lake.core.stackName).template as {
    Resources: Record<
      string,
      {
        Type: string;
        Metadata?: Record<string, string>;
        Properties: { Environment: { Variables: Record<string, unknown> } };
      }
    >;
  };
  const fn = Object.values(template.Resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' && r.Metadata?.['aws:cdk:path']?.includes('/Ingestion/Transformer/'),
  );
  if (!fn?.Metadata?.['aws:asset:path'])
    throw new Error('no transformer function with an asset in the template');
  assetDir = join(outdir, fn.Metadata['aws:asset:path']);
  environment = fn.Properties.Environment.Variables;
  const portalFn = Object.values(template.Resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' && r.Metadata?.['aws:cdk:path']?.includes('/Portal/Api/Function/'),
  );
  if (!portalFn?.Metadata?.['aws:asset:path'])
    throw new Error('no portal API function with an asset in the template');
  portalAssetDir = join(outdir, portalFn.Metadata['aws:asset:path']);
  portalConfigFile = lake.core.portal?.api.configFile;
  s3 = await startLocalS3({ dir: s3dir });
  secrets = await startSecrets();
}, 240_000);

afterAll(async () => {
  await s3?.stop();
  secrets?.server.close();
  rmSync(outdir, { recursive: true, force: true });
  rmSync(s3dir, { recursive: true, force: true });
});

describe('the synthesized transformer asset', () => {
  it('holds the bundle, the contracts and DuckDB for x86_64, and nothing from the repository', () => {
    const files = readdirSync(assetDir).sort();
    expect(files).toEqual([DEFAULT_CONTRACTS_FILE, 'index.mjs', 'index.mjs.map', 'node_modules']);
    expect(existsSync(join(assetDir, 'node_modules/@duckdb/node-bindings-linux-x64/duckdb.node'))).toBe(true);
    expect(existsSync(join(assetDir, 'node_modules/@duckdb/node-api/package.json'))).toBe(true);
    expect(existsSync(join(assetDir, 'node_modules/detect-libc/package.json'))).toBe(true);
    const bundle = JSON.parse(readFileSync(join(assetDir, DEFAULT_CONTRACTS_FILE), 'utf8'));
    expect(
      bundle.datasets.map((d: { department: string; name: string }) => `${d.department}/${d.name}`),
    ).toEqual(['health/clinics', 'health/pharmacies', 'health/visits', 'statistics/population']);
    // The function points at the same file.
    expect(environment[TRANSFORMER_ENV.contractsFile]).toBe(DEFAULT_CONTRACTS_FILE);
  });

  it('runs with plain node from its directory and publishes an upload', async () => {
    // Prepare: an upload in the local landing bucket, and its S3 event as EventBridge puts it on the queue.
    const client = s3.client();
    const key = 'landing/health/clinics/clinics-2026-11.csv';
    const csv =
      'clinic_id,clinic_name,owner_id_number,opened_on,beds,rating\nGZ000001,南明区诊所,520102199001011234,2015-03-18,20,4.5\n';
    await client.send(new PutObjectCommand({ Bucket: s3.buckets.landing, Key: key, Body: csv }));
    const head = await client.send(new HeadObjectCommand({ Bucket: s3.buckets.landing, Key: key }));
    const body = JSON.stringify({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: s3.buckets.landing }, object: { key } },
    });
    const event = { Records: [{ messageId: 'm1', body }] };
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      // The function's own environment, with the local buckets and secret in place of the deployed ones.
      ...Object.fromEntries(Object.entries(environment).filter(([, v]) => typeof v === 'string')),
      [TRANSFORMER_ENV.landingBucket]: s3.buckets.landing,
      [TRANSFORMER_ENV.rawBucket]: s3.buckets.raw,
      [TRANSFORMER_ENV.curatedBucket]: s3.buckets.curated,
      [TRANSFORMER_ENV.quarantineBucket]: s3.buckets.quarantine,
      [TRANSFORMER_ENV.hashKeySecretArn]: 'hash-key',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      AWS_S3_FORCE_PATH_STYLE: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
      LAMBDA_EVENT: JSON.stringify(event),
    };
    const script =
      "const { handler } = await import('./index.mjs'); " +
      'process.stdout.write(JSON.stringify(await handler(JSON.parse(process.env.LAMBDA_EVENT))));';

    // Act
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: assetDir,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });

    // Assess
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({ batchItemFailures: [] });
    const uploadId = uploadIdOf(key, (head.ETag ?? '').replaceAll('"', ''), head.LastModified ?? new Date(0));
    const reportObject = await client.send(
      new GetObjectCommand({
        Bucket: s3.buckets.quarantine,
        Key: reportKey({ department: 'health', dataset: 'clinics' }, uploadId),
      }),
    );
    const report = JSON.parse((await reportObject.Body?.transformToString()) ?? '{}');
    expect(report.status).toBe('accepted');
    expect(report.rows).toEqual({ total: 1, accepted: 1, rejected: 0 });
    expect(report.outputs.map((o: { kind: string }) => o.kind)).toEqual(['curated']);
  });
});

describe('the synthesized portal API asset', () => {
  it('holds the configuration file its construct computed, written beside the handler at bundling', () => {
    const files = readdirSync(portalAssetDir);
    expect(files).toEqual(expect.arrayContaining(['index.mjs', DEFAULT_PORTAL_API_CONFIG_FILE]));
    const file = JSON.parse(readFileSync(join(portalAssetDir, DEFAULT_PORTAL_API_CONFIG_FILE), 'utf8'));
    expect(file).toEqual(portalConfigFile);
    expect(file.departments.map((d: { id: string }) => d.id)).toEqual([
      'health',
      'statistics',
      'civil_affairs',
    ]);
  });

  it('ships without DuckDB: the portal never runs it, and its modules load it only to run it', () => {
    expect(readdirSync(portalAssetDir).sort()).toEqual(
      [DEFAULT_CONTRACTS_FILE, DEFAULT_PORTAL_API_CONFIG_FILE, 'index.mjs', 'index.mjs.map'].sort(),
    );
    const bundle = readFileSync(join(portalAssetDir, 'index.mjs'), 'utf8');
    // One import of it, and a dynamic one (src/engine/duckdb.ts): nothing loads it at start.
    expect(bundle.match(/["']@duckdb\/node-api["']/g)).toHaveLength(1);
    expect(bundle).toMatch(/await import\(["']@duckdb\/node-api["']\)/);
    expect(bundle).not.toMatch(/^import [^;]*["']@duckdb\//m);
  });
});
