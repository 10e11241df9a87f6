/**
 * The portal API as the stack ships it: bundled by esbuild into one ESM file (DuckDB left as an installed
 * module, as lib/portal/portal-api.ts ships it), the contracts bundle beside it, configured from its
 * environment. Loaded and invoked with an API Gateway event; no AWS call is needed for the session.
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONTRACTS_FILE, PORTAL_API_ENV } from '../../lambdas/portal-api/config.ts';
import { DUCKDB_PACKAGES } from '../../lib/ingestion/transformer-function.ts';
import { writeContractsBundle } from '../../src/ingest/contracts-bundle.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let asset: string;
beforeAll(async () => {
  asset = await mkdtemp(join(tmpdir(), 'lake-portal-asset-'));
  await build({
    entryPoints: [join(ROOT, 'lambdas/portal-api/handler.ts')],
    outfile: join(asset, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: [...DUCKDB_PACKAGES],
    banner: {
      js: "import { createRequire as __lakeCreateRequire } from 'node:module'; const require = __lakeCreateRequire(import.meta.url);",
    },
    logLevel: 'silent',
  });
  writeContractsBundle(join(ROOT, 'datasets'), join(asset, DEFAULT_CONTRACTS_FILE));
  await symlink(join(ROOT, 'node_modules'), join(asset, 'node_modules'), 'dir');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(asset, { recursive: true, force: true });
});

describe('the bundled portal API', () => {
  it('loads its configuration and contracts and answers a signed-in session', async () => {
    // Prepare
    vi.stubEnv(
      PORTAL_API_ENV.config,
      JSON.stringify({
        landingBucket: 'lake-landing',
        quarantineBucket: 'lake-quarantine',
        openDataUrl: 'https://open.example.cn/',
        accessTable: 'lake-access',
        departments: [
          {
            id: 'education',
            name: '教育厅',
            database: 'education',
            uploadRoleArn: 'arn:aws-cn:iam::111122223333:role/x',
          },
        ],
      }),
    );
    vi.stubEnv('AWS_REGION', 'cn-north-1');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    const event = {
      resource: '/api/{proxy+}',
      path: '/api/session',
      httpMethod: 'GET',
      headers: { host: 'abc.execute-api.cn-north-1.amazonaws.com.cn' },
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      body: null,
      isBase64Encoded: false,
      requestContext: {
        domainName: 'abc.execute-api.cn-north-1.amazonaws.com.cn',
        authorizer: { claims: { sub: 'u-1', 'cognito:groups': 'analyst-education' } },
      },
    };

    // Act
    const { handler } = await import(pathToFileURL(join(asset, 'index.mjs')).href);
    const response = await handler(event, {});

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      who: 'analyst:education',
      identities: ['analyst:education'],
      signIn: 'cognito',
    });
  });
});
