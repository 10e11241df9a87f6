/**
 * The portal API as the stack ships it: bundled by esbuild into one ESM file, without DuckDB and with no
 * node_modules beside it (lib/portal/portal-api.ts ships none: what could run DuckDB loads it only then), the contracts bundle and the configuration file beside it
 * (written by the same functions as the stack's bundling hook), the rest of its configuration from its
 * environment. Loaded and invoked with an API Gateway event; no AWS call is needed for the session.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_CONTRACTS_FILE,
  DEFAULT_PORTAL_API_CONFIG_FILE,
  PORTAL_API_ENV,
} from '../../lambdas/portal-api/config.ts';
import { DUCKDB_PACKAGES } from '../../lib/ingestion/transformer-function.ts';
import { portalApiConfigFile, writePortalApiConfig } from '../../lib/portal/portal-api-config.ts';
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
  writePortalApiConfig(
    portalApiConfigFile({
      landingBucket: 'lake-landing',
      quarantineBucket: 'lake-quarantine',
      openDataUrl: 'https://open.example.cn/',
      accessTable: 'lake-access',
      departmentRolePath: '/lake/departments/',
      departments: [
        { id: 'education', name: '教育厅', database: 'education', uploadRole: 'Lake-upload-education' },
      ],
    }),
    join(asset, DEFAULT_PORTAL_API_CONFIG_FILE),
  );
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(asset, { recursive: true, force: true });
});

/** The function's environment as the stack sets it (resolved), beside its configuration file. */
function stubEnvironment(): void {
  vi.stubEnv(PORTAL_API_ENV.configFile, DEFAULT_PORTAL_API_CONFIG_FILE);
  vi.stubEnv(PORTAL_API_ENV.landingBucket, 'lake-landing');
  vi.stubEnv(PORTAL_API_ENV.quarantineBucket, 'lake-quarantine');
  vi.stubEnv(PORTAL_API_ENV.openDataUrl, 'https://open.example.cn/');
  vi.stubEnv(PORTAL_API_ENV.accessTable, 'lake-access');
  vi.stubEnv(PORTAL_API_ENV.roleArnPrefix, 'arn:aws-cn:iam::111122223333:role');
}

describe('the bundled portal API', () => {
  it('loads its configuration and contracts and answers a signed-in session', async () => {
    // Prepare
    stubEnvironment();
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

  it('fails to load, naming the file, when its configuration file is not beside it', async () => {
    // Prepare
    stubEnvironment();
    vi.stubEnv(PORTAL_API_ENV.configFile, 'missing-config.json');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');

    // Act: a second instance of the module (another URL), loaded with this environment.
    const loading = import(`${pathToFileURL(join(asset, 'index.mjs')).href}?missing`);

    // Assess
    await expect(loading).rejects.toThrow(
      `the portal API's configuration file ${join(asset, 'missing-config.json')} cannot be read (ENOENT)`,
    );
  });
});
