/**
 * The portal API Lambda (lambdas/portal-api): the real portal app from src/portal, driven with API Gateway
 * REST events as the Cognito authorizer passes them. Glue, DynamoDB and STS are mocked (aws-sdk-client-mock,
 * exact requests); the open-data zone is a real HTTP server standing for its CloudFront URL; the contracts
 * are the repository's, bundled as the stack bundles them.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetDatabaseCommand, GetTableCommand, GetTablesCommand, GlueClient } from '@aws-sdk/client-glue';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { portalHandler } from '../../lambdas/portal-api/portal-handler.ts';
import { DepartmentCatalog } from '../../lib/catalog/department-catalog.ts';
import { PORTAL_SESSION_PREFIX } from '../../lib/departments/upload-role-name.ts';
import type { AwsClientFactory } from '../../src/cli/aws/aws-clients.ts';
import { readContractsBundle, writeContractsBundle } from '../../src/ingest/contracts-bundle.ts';
import { OPEN_INDEX_VERSION, type OpenDatasetEntry } from '../../src/ingest/open/open-index.ts';
import type { AwsPortalConfig } from '../../src/portal/aws-services.ts';
import { fastStack, ROOT } from '../cdk/helpers.ts';

const glue = mockClient(GlueClient);
const db = mockClient(DynamoDBClient);
const sts = mockClient(STSClient);

const dir = mkdtempSync(join(tmpdir(), 'lake-portal-api-'));
const bundle = join(dir, 'contracts.json');
writeContractsBundle(join(ROOT, 'datasets'), bundle);
const contracts = readContractsBundle(bundle);
const DEPARTMENTS = ['health', 'education', 'transport', 'civil_affairs', 'statistics'];
const uploadRole = (d: string) => `arn:aws-cn:iam::111122223333:role/lake/departments/Lake-upload-${d}`;

/** The open-data zone: one CSV of education/schools, and the zone's index naming it. */
const OPEN_CSV = '\ufeffschool_id,name\r\nS1,一中\r\n';
/** The newest upload the open copy holds: it reached the landing zone on 1 March 2026. */
const OPENED_UPLOAD = '20260301T083005Z-0123456789ab';
const OPEN_INDEX = JSON.stringify({
  version: OPEN_INDEX_VERSION,
  baseUrl: 'set at start',
  updated: '2026-03-01T08:31:00.000Z',
  datasets: {
    'education/schools': {
      id: 'education/schools',
      department: 'education',
      dataset: 'schools',
      mode: 'replace',
      temporalField: null,
      title: '学校',
      description: null,
      publisher: { id: 'education', name: 'education' },
      keywords: [],
      theme: [],
      spatial: { code: '520000', name: '贵州省' },
      temporal: null,
      updateFrequency: 'yearly',
      license: null,
      contactPoint: null,
      modified: '2026-03-01T08:31:00.000Z',
      latestUpload: OPENED_UPLOAD,
      rows: 1,
      files: [],
    } satisfies OpenDatasetEntry,
  },
});
let open: Server;
let openUrl: string;
beforeAll(async () => {
  open = createServer((req, res) => {
    if (req.url === '/catalog.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : OPEN_INDEX);
      return;
    }
    if (req.url === '/education/schools/schools.csv') {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': Buffer.byteLength(OPEN_CSV) });
      res.end(req.method === 'HEAD' ? undefined : OPEN_CSV);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => open.listen(0, '127.0.0.1', resolve));
  openUrl = `http://127.0.0.1:${(open.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => open.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  glue.reset();
  db.reset();
  sts.reset();
});

const clients = {
  glue: () => new GlueClient({ region: 'cn-north-1' }),
  sts: () => new STSClient({ region: 'cn-north-1' }),
  s3: () => {
    throw new Error('the portal reads S3 only as an assumed upload role');
  },
  athena: () => {
    throw new Error('the portal runs no Athena query');
  },
  sqs: () => {
    throw new Error('the portal sends no SQS message');
  },
} as unknown as AwsClientFactory;

function handler(opts: { accessApiUrl?: string } = {}) {
  const config: AwsPortalConfig = {
    landingBucket: 'lake-landing',
    quarantineBucket: 'lake-quarantine',
    openDataUrl: openUrl,
    accessTable: 'lake-access',
    departments: DEPARTMENTS.map((id) => ({ id, name: id, database: id, uploadRoleArn: uploadRole(id) })),
  };
  return portalHandler({
    config,
    contracts,
    clients,
    db: new DynamoDBClient({ region: 'cn-north-1' }),
    now: () => NOW,
    accessApiUrl: opts.accessApiUrl,
    region: 'cn-north-1',
    signIn: { issuer: ISSUER, keys: async () => [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1' }] },
  });
}

const PORTAL_HOST = 'd111111abcdef8.cloudfront.net';
const NOW = new Date('2026-06-01T00:00:00Z');
const ISSUER = 'https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_pool';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** An ID token of the pool for a user in `groups`. */
function idToken(groups: string[]): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const claims = {
    sub: 'u-2',
    iss: ISSUER,
    token_use: 'id',
    exp: NOW.getTime() / 1000 + 600,
    'cognito:groups': groups,
  };
  const head = `${enc({ alg: 'RS256', kid: 'k1' })}.${enc(claims)}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), privateKey).toString('base64url')}`;
}

/** A REST API proxy event as API Gateway sends it behind the portal's CloudFront. */
function event(
  method: string,
  path: string,
  opts: { groups?: string; headers?: Record<string, string>; body?: unknown } = {},
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {
    host: 'abc123.execute-api.cn-north-1.amazonaws.com.cn',
    'x-lake-viewer-host': PORTAL_HOST,
    accept: 'application/json',
    ...(opts.body ? { 'content-type': 'application/json' } : {}),
    ...opts.headers,
  };
  return {
    resource: '/api/{proxy+}',
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: opts.body === undefined ? null : JSON.stringify(opts.body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '111122223333',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.cn-north-1.amazonaws.com.cn',
      httpMethod: method,
      path: `/portal${path}`,
      stage: 'portal',
      requestId: 'r-1',
      requestTimeEpoch: 0,
      resourceId: 'x',
      resourcePath: '/api/{proxy+}',
      protocol: 'HTTP/1.1',
      identity: {} as APIGatewayProxyEvent['requestContext']['identity'],
      authorizer:
        opts.groups === undefined
          ? null
          : {
              claims: {
                sub: '0a1b2c3d-1111-2222-3333-444455556666',
                'cognito:groups': opts.groups,
                email: 'someone@example.cn',
              },
            },
    },
  } as APIGatewayProxyEvent;
}

async function call(e: APIGatewayProxyEvent, opts: { accessApiUrl?: string } = {}) {
  const r = await handler(opts)(e, {} as Context);
  // A REST event with multi-value headers gets its response headers the same way.
  const multi = (r.multiValueHeaders ?? {}) as Record<string, (string | number | boolean)[]>;
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(multi).map(([k, v]) => [k.toLowerCase(), String(v[0])])),
    ...Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
  };
  return { status: r.statusCode, headers, body: r.body ? JSON.parse(r.body) : null };
}

/** A department's database and one table as the stack synthesizes them from the shipped contract. */
function catalogOf(department: string, name: string) {
  const stack = fastStack();
  const contract = contracts.get(`${department}/${name}`);
  if (!contract) throw new Error(`datasets/${department}/${name}.yaml is missing`);
  new DepartmentCatalog(stack, 'Catalog', {
    department: { id: department, name: department, uploaders: [] },
    datasets: [contract],
    curatedBucket: s3.Bucket.fromBucketName(stack, 'Curated', 'lake-curated'),
    tag: false,
  });
  const template = Template.fromStack(stack);
  const [database] = Object.values(template.findResources('AWS::Glue::Database'));
  const [table] = Object.values(template.findResources('AWS::Glue::Table'));
  return {
    database: database.Properties.DatabaseInput,
    table: { ...table.Properties.TableInput, Name: name },
  };
}

describe('portal API Lambda', () => {
  it('answers the open catalogue to anyone, from Glue, with the security headers', async () => {
    const { database, table } = catalogOf('education', 'schools');
    glue.on(GetTablesCommand).resolves({ TableList: [] });
    glue.on(GetTablesCommand, { DatabaseName: 'education' }).resolves({ TableList: [table] });
    glue.on(GetDatabaseCommand, { Name: 'education' }).resolves({ Database: database });
    const r = await call(event('GET', '/api/catalog'));
    expect(r.status).toBe(200);
    expect(r.body.datasets.map((d: { dataset: string }) => d.dataset)).toEqual(['education/schools']);
    // Its last upload and freshness from the open-data index (no report, no row read).
    expect(r.body.datasets[0]).toMatchObject({
      lastIngested: '2026-03-01T08:30:05.000Z',
      freshness: { state: 'current', dueAt: '2027-03-01T08:30:05.000Z' },
      spatial: { code: '520000', name: '贵州省' },
    });
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('shows an open dataset’s page with its downloads from the open-data zone, without Athena', async () => {
    const { database, table } = catalogOf('education', 'schools');
    glue.on(GetTableCommand, { DatabaseName: 'education', Name: 'schools' }).resolves({ Table: table });
    glue.on(GetDatabaseCommand, { Name: 'education' }).resolves({ Database: database });
    const r = await call(event('GET', '/api/datasets/education/schools'));
    expect(r.status).toBe(200);
    expect(r.body.open).toBe(true);
    // Freshness and the area's name from the open-data index, as `lake catalog` shows them locally.
    expect(r.body).toMatchObject({
      lastIngested: '2026-03-01T08:30:05.000Z',
      freshness: { state: 'current', lastUpload: '2026-03-01T08:30:05.000Z' },
      spatial: { code: '520000', name: '贵州省' },
      catalogue: { spatial: { code: '520000', name: '贵州省' } },
    });
    expect(r.body.downloads).toEqual([
      {
        format: 'csv',
        file: 'schools.csv',
        bytes: Buffer.byteLength(OPEN_CSV),
        url: '/open/education/schools/schools.csv',
      },
    ]);
  });

  it('sees a signed-in government user on a public route by their verified token, and the public without', async () => {
    const { database, table } = catalogOf('civil_affairs', 'assistance_payments');
    glue
      .on(GetTableCommand, { DatabaseName: 'civil_affairs', Name: 'assistance_payments' })
      .resolves({ Table: table });
    glue.on(GetDatabaseCommand, { Name: 'civil_affairs' }).resolves({ Database: database });
    db.on(QueryCommand).resolves({ Items: [] });
    const path = '/api/datasets/civil_affairs/assistance_payments';
    const anonymous = await call(event('GET', path));
    expect(anonymous.status).toBe(404);
    const signedIn = await call(
      event('GET', path, { headers: { authorization: idToken(['analyst-education']) } }),
    );
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.open).toBe(false);
    expect(signedIn.body.access).not.toBeNull();
    // Not opened, so no open index tells when it was last updated: unknown here, not "never uploaded".
    expect(signedIn.body.freshness).toMatchObject({ state: 'unknown', lastUpload: null });
    const forged = idToken(['analyst-education']).replace(/\.[^.]+$/, '.AAAA');
    expect((await call(event('GET', path, { headers: { authorization: forged } }))).status).toBe(404);
  });

  it('tells a signed-in user who they act as, and as whom else their groups let them', async () => {
    const r = await call(
      event('GET', '/api/session', { groups: 'analyst-education,steward-education,admins' }),
    );
    expect(r.body).toEqual({
      who: 'steward:education',
      identities: ['steward:education', 'analyst:education'],
      signIn: 'cognito',
    });
    const as = await call(
      event('GET', '/api/session', {
        groups: 'analyst-education,steward-education',
        headers: { 'x-lake-as': 'analyst:education' },
      }),
    );
    expect(as.body.who).toBe('analyst:education');
  });

  it('refuses a health steward who asks to act as steward:education', async () => {
    const r = await call(
      event('GET', '/api/inbox', { groups: 'steward-health', headers: { 'x-lake-as': 'steward:education' } }),
    );
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('not_your_group');
    expect(db.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('lists a steward’s inbox from the access requests table, naming no personal value', async () => {
    db.on(QueryCommand).resolves({ Items: [] });
    const r = await call(event('GET', '/api/inbox', { groups: 'steward-civil_affairs' }));
    expect(r.status).toBe(200);
    expect(db.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({ TableName: 'lake-access' });
    expect(JSON.stringify(r)).not.toContain('someone@example.cn');
  });

  it('answers 501 with the CLI command for a new access request, and writes nothing', async () => {
    db.on(QueryCommand).resolves({ Items: [] });
    const r = await call(
      event('POST', '/api/requests', {
        groups: 'analyst-education',
        headers: { origin: `https://${PORTAL_HOST}`, 'sec-fetch-site': 'same-origin' },
        body: { dataset: 'civil_affairs/assistance_payments', purpose: '教育救助核对', until: '2026-09-30' },
      }),
    );
    expect(r.status).toBe(501);
    expect(r.body.error.code).toBe('not_in_deployed_portal');
    expect(r.body.error.hint).toContain('lake access request');
    expect(db.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('refuses a state-changing request from another site', async () => {
    const r = await call(
      event('POST', '/api/requests', {
        groups: 'analyst-education',
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        body: { dataset: 'civil_affairs/assistance_payments', purpose: 'x', until: '2026-09-30' },
      }),
    );
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('cross_origin');
  });

  it('does not run SQL: 501 with what to use instead', async () => {
    const r = await call(
      event('POST', '/api/query', {
        groups: 'analyst-education',
        headers: { origin: `https://${PORTAL_HOST}` },
        body: { sql: 'SELECT 1' },
      }),
    );
    expect(r.status).toBe(501);
    expect(r.body.error.hint).toContain('lake query');
  });

  it('acts for a steward as the department’s upload role, in a session named by the user’s opaque id', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejects(
        Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' }),
      );
    const r = await call(event('GET', '/api/uploads', { groups: 'steward-education' }));
    const calls = sts.commandCalls(AssumeRoleCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toMatchObject({
      RoleArn: uploadRole('education'),
      RoleSessionName: 'lake-cli-portal-0a1b2c3d-1111-2222-3333-444455556666',
    });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.body.error.message).toContain('upload role');
    expect(JSON.stringify(r)).not.toContain('someone@example.cn');
  });

  it('answers 401 to a signed-in route without claims (API Gateway lets none through, but the app checks too)', async () => {
    const r = await call(event('GET', '/api/inbox'));
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('not_signed_in');
  });
});

/** A pending request of civil_affairs' dataset, as the access API lists it. */
const PENDING = {
  id: 'r-7k2m9q',
  dataset: 'civil_affairs/assistance_payments',
  department: 'civil_affairs',
  kind: 'cross-department',
  requester: 'arn:aws-cn:iam::111122223333:role/education-analyst',
  purpose: '教育救助核对',
  columns: null,
  requestedUntil: '2026-09-30',
  until: null,
  status: 'pending',
  createdAt: '2026-05-30T00:00:00.000Z',
  decidedAt: null,
  decidedBy: null,
  reason: null,
};

interface Seen {
  method: string;
  path: string;
  authorization: string;
  token: string;
  body: string;
}

/** The access API as API Gateway stands in front of it: answers only SigV4-signed calls of the stage. */
async function fakeAccessApi(): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const authorization = String(req.headers.authorization ?? '');
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization,
        token: String(req.headers['x-amz-security-token'] ?? ''),
        body,
      });
      const json = (status: number, doc: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(doc));
      };
      if (
        !/^AWS4-HMAC-SHA256 Credential=ASIAPORTAL\/\d{8}\/cn-north-1\/execute-api\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/.test(
          authorization,
        )
      )
        return json(403, { message: 'Missing Authentication Token' });
      if (req.method === 'GET' && req.url?.startsWith('/v1/requests'))
        return json(200, { requests: [PENDING] });
      if (req.method === 'POST' && req.url === `/v1/departments/civil_affairs/requests/${PENDING.id}/deny`)
        return json(200, {
          request: {
            ...PENDING,
            status: 'denied',
            reason: JSON.parse(body).reason,
            decidedAt: NOW.toISOString(),
          },
          changed: true,
        });
      return json(404, { error: { code: 'not_found', message: 'no such route' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('portal API Lambda: access decisions through the access API', () => {
  const credentials = {
    AccessKeyId: 'ASIAPORTAL',
    SecretAccessKey: 'secret',
    SessionToken: 'session-token-1',
    Expiration: new Date('2026-06-01T01:00:00Z'),
  };
  const sameSite = { origin: `https://${PORTAL_HOST}`, 'sec-fetch-site': 'same-origin' };

  it('denies as the department’s upload role, signed with SigV4, in the user’s portal session', async () => {
    const api = await fakeAccessApi();
    try {
      sts.on(AssumeRoleCommand).resolves({ Credentials: credentials });
      const r = await call(
        event('POST', `/api/requests/${PENDING.id}/deny`, {
          groups: 'steward-civil_affairs',
          headers: sameSite,
          body: { reason: 'the purpose does not need names' },
        }),
        { accessApiUrl: api.url },
      );
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ changed: true, request: { id: PENDING.id, status: 'denied' } });
      const assumed = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
      expect(assumed).toHaveLength(1);
      expect(assumed[0]).toMatchObject({ RoleArn: uploadRole('civil_affairs') });
      expect(assumed[0].RoleSessionName).toBe(`${PORTAL_SESSION_PREFIX}0a1b2c3d-1111-2222-3333-444455556666`);
      // As `lake access deny` does: find the request's department, then decide on its route.
      expect(api.seen.map((s) => `${s.method} ${s.path}`)).toEqual([
        'GET /v1/requests',
        `POST /v1/departments/civil_affairs/requests/${PENDING.id}/deny`,
      ]);
      for (const s of api.seen) expect(s.token).toBe('session-token-1');
      expect(JSON.parse(api.seen[1].body)).toEqual({ reason: 'the purpose does not need names' });
      expect(db.commandCalls(PutItemCommand)).toHaveLength(0);
    } finally {
      await api.close();
    }
  });

  it('lists a steward’s inbox through the access API when the stack names it', async () => {
    const api = await fakeAccessApi();
    try {
      sts.on(AssumeRoleCommand).resolves({ Credentials: credentials });
      const r = await call(event('GET', '/api/inbox', { groups: 'steward-civil_affairs' }), {
        accessApiUrl: api.url,
      });
      expect(r.status).toBe(200);
      expect(JSON.stringify(r.body)).toContain(PENDING.id);
      expect(api.seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /v1/requests']);
      expect(db.commandCalls(QueryCommand)).toHaveLength(0);
    } finally {
      await api.close();
    }
  });

  it('says what to do when the portal may not act as the upload role, and calls no API', async () => {
    const api = await fakeAccessApi();
    try {
      sts
        .on(AssumeRoleCommand)
        .rejects(
          Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' }),
        );
      const r = await call(
        event('POST', `/api/requests/${PENDING.id}/approve`, {
          groups: 'steward-civil_affairs',
          headers: sameSite,
          body: {},
        }),
        { accessApiUrl: api.url },
      );
      expect(r.status).toBe(403);
      expect(r.body.error.hint).toContain('departments.yaml');
      expect(api.seen).toHaveLength(0);
    } finally {
      await api.close();
    }
  });

  it('answers 404 for a request the access API does not show the steward (another department’s), deciding nothing', async () => {
    const api = await fakeAccessApi();
    try {
      sts.on(AssumeRoleCommand).resolves({ Credentials: credentials });
      const r = await call(
        event('POST', '/api/requests/r-unknown/approve', {
          groups: 'steward-education',
          headers: sameSite,
          body: {},
        }),
        { accessApiUrl: api.url },
      );
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('not_found');
      expect(api.seen.map((s) => s.method)).toEqual(['GET']);
    } finally {
      await api.close();
    }
  });

  it('answers 501 to an analyst’s request with the exact command, quoting none of their free text', async () => {
    const r = await call(
      event('POST', '/api/requests', {
        groups: 'analyst-education',
        headers: sameSite,
        body: {
          dataset: 'civil_affairs/assistance_payments',
          purpose: '核对 张三 的救助',
          until: '2026-09-30',
          columns: ['household_id', 'amount; rm -rf'],
        },
      }),
    );
    expect(r.status).toBe(501);
    expect(r.body.error.hint).toContain(
      "lake access request civil_affairs/assistance_payments --purpose '<what the data is for>' --until 2026-09-30 --columns household_id",
    );
    expect(JSON.stringify(r.body)).not.toContain('张三');
    expect(JSON.stringify(r.body)).not.toContain('rm -rf');
  });
});
