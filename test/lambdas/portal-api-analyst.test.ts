/**
 * The deployed portal for a department's analysts (src/portal/aws-query.ts, aws-access.ts): their SQL runs
 * on Athena as the department's portal analyst role, assumed in the user's `lake-cli-portal-<sub>` session,
 * in the department analysts' workgroup, and a query Athena has not finished in time is stopped; their
 * access requests go to the access API signed as that role, and "my requests" are that role's. STS, Athena
 * and DynamoDB are mocked (aws-sdk-client-mock, exact requests); the access API is a local HTTP server that
 * answers only SigV4-signed calls, as API Gateway does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { portalHandler } from '../../lambdas/portal-api/portal-handler.ts';
import type { AccessRequest } from '../../src/access/model.ts';
import type { AwsClientFactory } from '../../src/cli/aws/aws-clients.ts';
import { readContractsBundle, writeContractsBundle } from '../../src/ingest/contracts-bundle.ts';
import { ApiError } from '../../src/portal/api-error.ts';
import { portalQuery } from '../../src/portal/aws-query.ts';
import {
  type AwsPortalConfig,
  awsPortalServices,
  DEPLOYED_DOWNLOAD_BYTES,
} from '../../src/portal/aws-services.ts';
import { ROOT } from '../cdk/helpers.ts';

const sts = mockClient(STSClient);
const athena = mockClient(AthenaClient);
const db = mockClient(DynamoDBClient);
afterEach(() => {
  sts.reset();
  athena.reset();
  db.reset();
});

const SUB = '0a1b2c3d-1111-2222-3333-444455556666';
const SESSION = `lake-cli-portal-${SUB}`;
const NOW = new Date('2026-06-01T00:00:00Z');
const DEPARTMENTS = ['health', 'education', 'civil_affairs'];
const arn = (name: string) => `arn:aws-cn:iam::111122223333:role/lake/departments/${name}`;
const analystRole = (d: string) => arn(`Lake-portal-analyst-${d}`);
const workGroup = (d: string) => `lake-${d}-query-0123abcd`;
const CREDENTIALS = {
  AccessKeyId: 'ASIAPORTAL',
  SecretAccessKey: 'secret',
  SessionToken: 'session-token-1',
  Expiration: new Date('2026-06-01T01:00:00Z'),
};
const dir = mkdtempSync(join(tmpdir(), 'lake-portal-analyst-'));
writeContractsBundle(join(ROOT, 'datasets'), join(dir, 'contracts.json'));
const contracts = readContractsBundle(join(dir, 'contracts.json'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (portal = true): AwsPortalConfig => ({
  landingBucket: 'lake-landing',
  quarantineBucket: 'lake-quarantine',
  openDataUrl: 'http://127.0.0.1:9/',
  accessTable: 'lake-access',
  departments: DEPARTMENTS.map((id) => ({
    id,
    name: id,
    database: id,
    uploadRoleArn: arn(`Lake-upload-${id}`),
    ...(portal ? { portalAnalystRoleArn: analystRole(id), workGroup: workGroup(id) } : {}),
  })),
});

/** The clients the handler gets; the credentials each Athena client was made with. */
function clientsSeeing(athenaCredentials: unknown[]): AwsClientFactory {
  return {
    sts: () => new STSClient({ region: 'cn-north-1' }),
    athena: (credentials?: unknown) => {
      athenaCredentials.push(credentials);
      return new AthenaClient({ region: 'cn-north-1', credentials: credentials as never });
    },
    glue: () => {
      throw new Error('no Glue call is expected here');
    },
    s3: () => {
      throw new Error('no S3 call is expected here');
    },
    sqs: () => {
      throw new Error('no SQS call is expected here');
    },
  } as unknown as AwsClientFactory;
}

const PORTAL_HOST = 'd111111abcdef8.cloudfront.net';

/** A REST API proxy event from a signed-in user in `groups`, as the Cognito authorizer passes it. */
function event(method: string, path: string, groups: string, body?: unknown): APIGatewayProxyEvent {
  const headers: Record<string, string> = {
    host: 'abc123.execute-api.cn-north-1.amazonaws.com.cn',
    'x-lake-viewer-host': PORTAL_HOST,
    accept: 'application/json',
    origin: `https://${PORTAL_HOST}`,
    'sec-fetch-site': 'same-origin',
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
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
    body: body === undefined ? null : JSON.stringify(body),
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
      authorizer: { claims: { sub: SUB, 'cognito:groups': groups, email: 'someone@example.cn' } },
    },
  } as APIGatewayProxyEvent;
}

async function call(
  e: APIGatewayProxyEvent,
  opts: { accessApiUrl?: string; athenaCredentials?: unknown[]; portal?: boolean } = {},
) {
  const handler = portalHandler({
    config: config(opts.portal ?? true),
    contracts,
    clients: clientsSeeing(opts.athenaCredentials ?? []),
    db: new DynamoDBClient({ region: 'cn-north-1' }),
    now: () => NOW,
    accessApiUrl: opts.accessApiUrl,
    region: 'cn-north-1',
  });
  const r = await handler(e, {} as Context);
  const type = String(
    r.headers?.['content-type'] ?? (r.multiValueHeaders?.['content-type'] as string[] | undefined)?.[0] ?? '',
  );
  return {
    status: r.statusCode,
    type,
    text: r.body,
    body: type.includes('json') && r.body ? JSON.parse(r.body) : null,
  };
}

/** Athena's result page: the header row, then `rows`, typed by the column metadata. */
function page(rows: string[][], next?: string) {
  return {
    NextToken: next,
    ResultSet: {
      ResultSetMetadata: {
        ColumnInfo: [
          { Name: 'county_code', Label: 'county_code', Type: 'varchar' },
          { Name: 'n', Label: 'n', Type: 'bigint' },
        ],
      },
      Rows: rows.map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) })),
    },
  };
}

function athenaSucceeds() {
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
  athena.on(GetQueryExecutionCommand).resolves({
    QueryExecution: {
      Status: { State: 'SUCCEEDED' },
      StatementType: 'DML',
      Statistics: { DataScannedInBytes: 2048 },
    },
  });
}

const SQL = 'SELECT county_code, count(*) AS n FROM education.schools GROUP BY 1';

describe('the deployed portal runs an analyst’s SQL', () => {
  it('on Athena as the department’s portal analyst role, in the user’s session, in its analysts’ workgroup', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: CREDENTIALS });
    athenaSucceeds();
    athena.on(GetQueryResultsCommand).resolves(
      page([
        ['county_code', 'n'],
        ['410102', '12'],
        ['410103', '7'],
      ]),
    );
    const athenaCredentials: unknown[] = [];
    const r = await call(event('POST', '/api/query', 'analyst-education', { sql: SQL }), {
      athenaCredentials,
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      columns: [
        { name: 'county_code', type: 'varchar' },
        { name: 'n', type: 'bigint' },
      ],
      rows: [
        { county_code: '410102', n: 12 },
        { county_code: '410103', n: 7 },
      ],
      truncated: false,
      limit: 500,
    });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: analystRole('education'), RoleSessionName: SESSION, DurationSeconds: 900 },
    ]);
    expect(athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { QueryString: SQL, WorkGroup: workGroup('education') },
    ]);
    expect(athenaCredentials).toEqual([
      { accessKeyId: 'ASIAPORTAL', secretAccessKey: 'secret', sessionToken: 'session-token-1' },
    ]);
    expect(JSON.stringify(r)).not.toContain('someone@example.cn');
  });

  it('as a CSV download of every results page', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: CREDENTIALS });
    athenaSucceeds();
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce(
        page(
          [
            ['county_code', 'n'],
            ['410102', '12'],
          ],
          'page-2',
        ),
      )
      .resolvesOnce(page([['=cmd()', '7']]));
    const r = await call(event('POST', '/api/query.csv', 'analyst-health', { sql: SQL }));
    expect(r.status).toBe(200);
    expect(r.type).toContain('text/csv');
    const text = Buffer.from(r.text, r.text.includes(',') ? 'utf8' : 'base64').toString('utf8');
    expect(text.replace(/^\ufeff/, '').split('\r\n')).toEqual([
      'county_code,n',
      '410102,12',
      "'=cmd(),7",
      '',
    ]);
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      'page-2',
    ]);
    expect(athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input.WorkGroup).toBe(
      workGroup('health'),
    );
  });

  it('refuses a CSV larger than a Lambda answer holds, saying how to get it, and stops reading the pages', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: CREDENTIALS });
    athenaSucceeds();
    // Pages of 1,000 rows of about 1 KiB each: past DEPLOYED_DOWNLOAD_BYTES on the sixth, of ten offered.
    const wide = 'x'.repeat(1024);
    const rows = Array.from({ length: 1000 }, (_, i) => [wide, String(i)]);
    const results = athena.on(GetQueryResultsCommand);
    for (let p = 0; p < 10; p++)
      results.resolvesOnce(page(p === 0 ? [['county_code', 'n'], ...rows] : rows, `page-${p + 2}`));
    const r = await call(event('POST', '/api/query.csv', 'analyst-health', { sql: SQL }));
    expect(r.status).toBe(413);
    expect(r.body.error).toMatchObject({ code: 'result_too_large' });
    expect(r.body.error.message).toContain('larger than the 5 MB');
    expect(r.body.error.hint).toContain('lake query');
    const pagesRead = athena.commandCalls(GetQueryResultsCommand).length;
    expect(pagesRead).toBeGreaterThanOrEqual(Math.ceil(DEPLOYED_DOWNLOAD_BYTES / (1000 * 1030)));
    expect(pagesRead).toBeLessThan(10);
    // The query page (the first rows as a table) is not bounded by it.
    expect((await call(event('POST', '/api/query', 'analyst-health', { sql: SQL }))).status).toBe(200);
  });

  it('says what to do, and runs nothing, when the portal may not act as the role', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejects(
        Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' }),
      );
    const r = await call(event('POST', '/api/query', 'analyst-education', { sql: SQL }));
    expect(r.status).toBe(403);
    expect(r.body.error.message).toContain('education department’s portal analyst role');
    expect(r.body.error.hint).toContain('deploy the lake again');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });

  it('answers a missing grant 403 and bad SQL 400, with Athena’s query id', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: CREDENTIALS });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-9' });
    athena.on(GetQueryExecutionCommand).resolvesOnce({
      QueryExecution: {
        Status: {
          State: 'FAILED',
          StateChangeReason: 'Insufficient Lake Formation permission(s) on assistance_payments',
        },
      },
    });
    const denied = await call(event('POST', '/api/query', 'analyst-education', { sql: SQL }));
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 'no_grant' });
    expect(denied.body.error.hint).toContain('q-9');
    athena.reset();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-10' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: { State: 'FAILED', StateChangeReason: "line 1:8: mismatched input 'FORM'" },
      },
    });
    const bad = await call(event('POST', '/api/query', 'analyst-education', { sql: 'SELECT * FORM x' }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('query_failed');
    expect(bad.body.error.message).toContain('mismatched input');
    expect(bad.body.error.hint).toContain('database is education');
  });

  it('runs no SQL for a steward or an enterprise, nor where the stack names no portal analyst role', async () => {
    const steward = await call(event('POST', '/api/query', 'steward-education', { sql: SQL }));
    expect(steward.status).toBe(403);
    expect(steward.body.error.hint).toContain('analyst:education');
    const before = await call(event('POST', '/api/query', 'analyst-education', { sql: SQL }), {
      portal: false,
    });
    expect(before.status).toBe(501);
    expect(before.body.error.hint).toContain('lake query');
    const enterprise = portalQuery({ kind: 'enterprise', id: 'acme' }, SQL, {
      clients: clientsSeeing([]),
      departments: config().departments,
      user: SUB,
    });
    await expect(enterprise).rejects.toBeInstanceOf(ApiError);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });

  it('stops a query Athena has not finished in the time API Gateway waits, and says what to do', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: CREDENTIALS });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-long' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const started = Date.now();
    const error = await portalQuery({ kind: 'analyst', id: 'health' }, SQL, {
      clients: clientsSeeing([]),
      departments: config().departments,
      user: SUB,
      waitMs: 60,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 10))),
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 504, code: 'query_too_long' });
    expect((error as ApiError).hint).toContain('lake query');
    expect((error as ApiError).hint).toContain('q-long');
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: 'q-long' },
    ]);
    expect(athena.commandCalls(GetQueryExecutionCommand).length).toBeGreaterThan(1);
  });
});

/** An access request as the access API records it. */
function recorded(id: string, requester: string, extra: Partial<AccessRequest> = {}): AccessRequest {
  return {
    id,
    dataset: 'civil_affairs/assistance_payments',
    department: 'civil_affairs',
    kind: 'sharing',
    requester,
    purpose: '教育救助核对',
    columns: null,
    requestedUntil: '2026-09-30',
    until: null,
    status: 'pending',
    createdAt: '2026-05-30T00:00:00.000Z',
    decidedAt: null,
    decidedBy: null,
    reason: null,
    ...extra,
  };
}

/** The access API: answers only calls SigV4-signed with the portal analyst role's credentials. */
async function fakeAccessApi() {
  const seen: { method: string; path: string; token: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        token: String(req.headers['x-amz-security-token'] ?? ''),
        body,
      });
      const json = (status: number, doc: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(doc));
      };
      const auth = String(req.headers.authorization ?? '');
      if (
        !/^AWS4-HMAC-SHA256 Credential=ASIAPORTAL\/\d{8}\/cn-north-1\/execute-api\/aws4_request, /.test(auth)
      )
        return json(403, { message: 'Missing Authentication Token' });
      if (req.method === 'POST' && req.url === '/v1/requests') {
        const b = JSON.parse(body);
        return json(201, {
          request: recorded('r-new123', analystRole('education'), {
            dataset: b.dataset,
            purpose: b.purpose,
            requestedUntil: b.until,
          }),
        });
      }
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

describe('the deployed portal’s analyst access requests', () => {
  it('asks the access API as the department’s portal analyst role, signed with SigV4 in the user’s session', async () => {
    const api = await fakeAccessApi();
    try {
      sts.on(AssumeRoleCommand).resolves({ Credentials: CREDENTIALS });
      const ask = {
        dataset: 'civil_affairs/assistance_payments',
        purpose: '教育救助核对',
        until: '2026-09-30',
        columns: ['county_code', 'amount'],
      };
      const r = await call(event('POST', '/api/requests', 'analyst-education', ask), {
        accessApiUrl: api.url,
      });
      expect(r.status).toBe(201);
      expect(r.body.request).toMatchObject({ id: 'r-new123', requester: analystRole('education') });
      expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
        { RoleArn: analystRole('education'), RoleSessionName: SESSION, DurationSeconds: 900 },
      ]);
      expect(api.seen.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /v1/requests']);
      expect(api.seen[0].token).toBe('session-token-1');
      expect(JSON.parse(api.seen[0].body)).toEqual(ask);
      expect(db.commandCalls(PutItemCommand)).toHaveLength(0);
    } finally {
      await api.close();
    }
  });

  it('still answers 501 with the CLI command where the stack names no portal analyst role', async () => {
    const api = await fakeAccessApi();
    try {
      const r = await call(
        event('POST', '/api/requests', 'analyst-education', {
          dataset: 'civil_affairs/assistance_payments',
          purpose: 'p',
          until: '2026-09-30',
        }),
        { accessApiUrl: api.url, portal: false },
      );
      expect(r.status).toBe(501);
      expect(r.body.error.hint).toContain('lake access request civil_affairs/assistance_payments');
      expect(api.seen).toHaveLength(0);
    } finally {
      await api.close();
    }
  });

  it('shows as "my requests" those of the department’s portal analyst role, and no one else’s', async () => {
    const mine = recorded('r-mine01', analystRole('education'));
    const items = [
      mine,
      recorded('r-cli001', 'arn:aws-cn:iam::111122223333:role/education-analyst'),
      recorded('r-health', analystRole('health')),
    ].map((r) => ({ pk: { S: 'request' }, sk: { S: r.id }, doc: { S: JSON.stringify(r) } }));
    db.on(QueryCommand).resolves({ Items: items });
    const r = await call(event('GET', '/api/requests/mine', 'analyst-education'));
    expect(r.status).toBe(200);
    expect(r.body.requests.map((x: AccessRequest) => x.id)).toEqual(['r-mine01']);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('reads what the role was granted as the analyst’s access to a dataset', async () => {
    const granted = recorded('r-grant1', analystRole('education'), {
      status: 'approved',
      columns: ['county_code', 'amount'],
      until: '2026-09-30',
      decidedAt: '2026-05-31T00:00:00.000Z',
      decidedBy: arn('Lake-upload-civil_affairs'),
    });
    db.on(QueryCommand).resolves({
      Items: [{ pk: { S: 'request' }, sk: { S: granted.id }, doc: { S: JSON.stringify(granted) } }],
    });
    const services = awsPortalServices(config(), {
      clients: clientsSeeing([]),
      db: new DynamoDBClient({ region: 'cn-north-1' }),
      contracts,
      user: SUB,
      now: () => NOW,
      accessApiUrl: 'https://abc.execute-api.cn-north-1.amazonaws.com.cn/v1/',
    });
    const as = (id: string) => ({ principal: { kind: 'analyst' as const, id }, name: `analyst:${id}` });
    const education = await services.access.canRead(as('education'), 'civil_affairs/assistance_payments');
    expect(education).toMatchObject({ basis: 'grant', grant: 'r-grant1' });
    expect(education.columns.length).toBeGreaterThan(0);
    const health = await services.access.canRead(as('health'), 'civil_affairs/assistance_payments');
    expect(health).toMatchObject({ basis: null, columns: [] });
  });
});
