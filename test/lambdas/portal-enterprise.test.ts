/**
 * Enterprises in the deployed portal (src/portal/aws-enterprise.ts), through the real portal app with the
 * Cognito identity and the deployed services: an enterprise's request goes to the access API's enterprise
 * route signed as the portal's enterprise role (assumed in a lake-cli-portal-<sub> session); the granted
 * download reads the access table first (nothing without an approved, unexpired request of THIS
 * enterprise) and then runs exactly `SELECT <granted columns>` on Athena as that role, in its workgroup;
 * free SQL is refused. STS, DynamoDB and Athena are mocked (aws-sdk-client-mock); the access API is a fetch
 * stand-in that records what it is sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../src/access/model.ts';
import { datasetAccess, grantedColumns } from '../../src/access/policy.ts';
import type { AwsClientFactory } from '../../src/cli/aws/aws-clients.ts';
import { readContractsBundle, writeContractsBundle } from '../../src/ingest/contracts-bundle.ts';
import { portalApp } from '../../src/portal/app.ts';
import { type AwsPortalConfig, awsPortalServices } from '../../src/portal/aws-services.ts';
import { cognitoIdentity } from '../../src/portal/cognito-identity.ts';
import { ROOT } from '../cdk/helpers.ts';

const sts = mockClient(STSClient);
const db = mockClient(DynamoDBClient);
const athena = mockClient(AthenaClient);

const dir = mkdtempSync(join(tmpdir(), 'lake-portal-enterprise-'));
const bundle = join(dir, 'contracts.json');
writeContractsBundle(join(ROOT, 'datasets'), bundle);
const contracts = readContractsBundle(bundle);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DEPARTMENTS = ['health', 'education', 'transport', 'civil_affairs', 'statistics'];
const ENTERPRISE_ROLE = 'arn:aws-cn:iam::111122223333:role/Lake-portal-enterprise';
const WORKGROUP = 'lake-portal-enterprise-wg';
const ACCESS_API = 'https://abc123.execute-api.cn-north-1.amazonaws.com.cn/v1/';
const SUB = '0a1b2c3d-1111-2222-3333-444455556666';
const NOW = new Date('2026-12-01T09:00:00Z');
const DATASET = 'health/clinics';
const clinics = datasetAccess(contracts.get(DATASET) as NonNullable<ReturnType<typeof contracts.get>>);

const clients = {
  sts: () => new STSClient({ region: 'cn-north-1' }),
  athena: (credentials?: { accessKeyId: string; secretAccessKey: string }) => {
    if (credentials?.accessKeyId !== 'AKIDENTERPRISE') throw new Error('Athena only as the enterprise role');
    return new AthenaClient({ region: 'cn-north-1', credentials });
  },
  glue: () => {
    throw new Error('no Glue call expected');
  },
  s3: () => {
    throw new Error('no S3 call expected');
  },
  sqs: () => {
    throw new Error('no SQS call expected');
  },
} as unknown as AwsClientFactory;

function request(r: Partial<AccessRequest>): AccessRequest {
  return {
    id: 'r-aaaaaa',
    dataset: DATASET,
    department: 'health',
    kind: 'opening',
    requester: 'enterprise:acme',
    purpose: 'a map of clinic beds',
    columns: ['clinic_name', 'beds'],
    requestedUntil: '2026-12-31',
    until: '2026-12-31',
    status: 'approved',
    createdAt: '2026-11-20T08:00:00.000Z',
    decidedAt: '2026-11-21T08:00:00.000Z',
    decidedBy: 'arn:aws-cn:iam::111122223333:role/lake/departments/Lake-upload-health',
    reason: null,
    ...r,
  };
}

/** The access table holds these requests (and no event). */
function table(...requests: AccessRequest[]) {
  db.on(QueryCommand, { ExpressionAttributeValues: { ':pk': { S: 'request' } } }).resolves({
    Items: requests.map((r) => ({ pk: { S: 'request' }, sk: { S: r.id }, doc: { S: JSON.stringify(r) } })),
  });
  db.on(QueryCommand, { ExpressionAttributeValues: { ':pk': { S: 'event' } } }).resolves({ Items: [] });
  for (const r of requests)
    db.on(GetItemCommand, { Key: { pk: { S: 'request' }, sk: { S: r.id } } }).resolves({
      Item: { pk: { S: 'request' }, sk: { S: r.id }, doc: { S: JSON.stringify(r) } },
    });
}

let sent: { url: string; method: string; headers: Record<string, string>; body: unknown }[];

function app(opts: { enterprise?: boolean } = {}) {
  const config: AwsPortalConfig = {
    landingBucket: 'lake-landing',
    quarantineBucket: 'lake-quarantine',
    openDataUrl: 'https://open.example/',
    accessTable: 'lake-access',
    departments: DEPARTMENTS.map((id) => ({
      id,
      name: id,
      database: `lake_${id}`,
      uploadRoleArn: `arn:aws-cn:iam::111122223333:role/lake/departments/Lake-upload-${id}`,
    })),
    ...(opts.enterprise === false ? {} : { enterprise: { roleArn: ENTERPRISE_ROLE, workGroup: WORKGROUP } }),
  };
  const fakeFetch = (async (url: URL | string, init?: RequestInit) => {
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    sent.push({
      url: String(url),
      method: init?.method ?? 'GET',
      headers: init?.headers as Record<string, string>,
      body,
    });
    return new Response(JSON.stringify({ request: request({ ...body, status: 'pending', until: null }) }), {
      status: 201,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof fetch;
  const services = awsPortalServices(config, {
    clients,
    db: new DynamoDBClient({ region: 'cn-north-1' }),
    contracts,
    user: SUB,
    fetch: fakeFetch,
    accessApiUrl: ACCESS_API,
    now: () => NOW,
  });
  return portalApp({ services, identity: cognitoIdentity(DEPARTMENTS), hosts: null });
}

function as(groups: string) {
  return {
    event: { requestContext: { authorizer: { claims: { 'cognito:groups': groups, sub: SUB } } } },
  };
}

async function call(path: string, init: RequestInit = {}, groups = 'enterprise-acme') {
  const res = await app().request(
    `http://portal.example${path}`,
    { ...init, headers: { host: 'portal.example', 'content-type': 'application/json', ...init.headers } },
    as(groups),
  );
  return { status: res.status, text: await res.text() };
}

beforeEach(() => {
  sent = [];
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'AKIDENTERPRISE',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date('2026-12-01T10:00:00Z'),
    },
  });
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
  athena.on(GetQueryExecutionCommand).resolves({
    QueryExecution: {
      Status: { State: 'SUCCEEDED' },
      StatementType: 'DML',
      Statistics: { DataScannedInBytes: 1 },
    },
  });
});
afterEach(() => {
  sts.reset();
  db.reset();
  athena.reset();
});

describe('an enterprise in the deployed portal', () => {
  it('asks through the access API’s enterprise route, as the enterprise role in its portal session', async () => {
    table();
    const r = await call('/api/requests', {
      method: 'POST',
      body: JSON.stringify({
        dataset: DATASET,
        purpose: 'a map of clinic beds',
        until: '2026-12-31',
        columns: ['beds'],
      }),
    });
    expect(r.status, r.text).toBe(201);
    expect(sts.commandCalls(AssumeRoleCommand)[0].args[0].input).toMatchObject({
      RoleArn: ENTERPRISE_ROLE,
      RoleSessionName: `lake-cli-portal-${SUB}`,
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      url: `${ACCESS_API}enterprises/acme/requests`,
      method: 'POST',
      body: { dataset: DATASET, purpose: 'a map of clinic beds', until: '2026-12-31', columns: ['beds'] },
    });
    expect(sent[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDENTERPRISE\//);
  });

  it('answers 501 where the stack gave no enterprise role', async () => {
    table();
    const res = await app({ enterprise: false }).request(
      'http://portal.example/api/requests',
      {
        method: 'POST',
        headers: { host: 'portal.example', 'content-type': 'application/json' },
        body: JSON.stringify({ dataset: DATASET, purpose: 'maps', until: '2026-12-31' }),
      },
      as('enterprise-acme'),
    );
    expect(res.status).toBe(501);
    expect(sent).toHaveLength(0);
  });

  it('downloads nothing without an approved, unexpired request of its own', async () => {
    for (const requests of [
      [],
      [request({ status: 'pending', until: null })],
      [request({ status: 'revoked', reason: 'purpose met' })],
      [request({ status: 'denied', until: null, reason: 'no' })],
      [request({ until: '2026-11-30' })],
      [request({ requester: 'enterprise:globex' })],
    ]) {
      db.reset();
      table(...requests);
      const r = await call(`/api/datasets/${DATASET}/granted.csv`);
      expect(r.status, JSON.stringify(requests)).toBe(403);
      expect(JSON.parse(r.text).error.code).toBe('no_grant');
    }
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });

  it('reads exactly the granted columns on Athena as the enterprise role, in its workgroup', async () => {
    table(request({}), request({ id: 'r-bbbbbb', requester: 'enterprise:globex', columns: ['clinic_id'] }));
    const granted = grantedColumns(clinics, { kind: 'opening', columns: ['clinic_name', 'beds'] });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: granted.map((c) => ({ Name: c, Label: c, Type: 'varchar' })) },
        Rows: [
          { Data: granted.map((c) => ({ VarCharValue: c })) },
          { Data: granted.map((c) => ({ VarCharValue: c === 'clinic_name' ? '云岩区诊所' : '1' })) },
        ],
      },
    });
    const r = await call(`/api/datasets/${DATASET}/granted.csv`);
    expect(r.status, r.text).toBe(200);
    const start = athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input;
    expect(start.WorkGroup).toBe(WORKGROUP);
    expect(start.QueryString).toBe(
      `SELECT ${granted.map((c) => `"${c}"`).join(', ')} FROM "lake_health"."clinics"`,
    );
    // Not globex's clinic_id, nor any personal column.
    expect(start.QueryString).not.toContain('clinic_id');
    expect(start.QueryString).not.toContain('license_holder');
    expect(r.text.replace(/^\ufeff/, '').split('\r\n')[0]).toBe(granted.join(','));
    expect(r.text).toContain('云岩区诊所');
    expect(sts.commandCalls(AssumeRoleCommand)[0].args[0].input.RoleArn).toBe(ENTERPRISE_ROLE);
  });

  it('runs no free SQL: a 403 that points at the download', async () => {
    table(request({}));
    for (const path of ['/api/query', '/api/query.csv']) {
      const r = await call(path, { method: 'POST', body: JSON.stringify({ sql: 'SELECT 1' }) });
      expect(r.status, path).toBe(403);
      expect(JSON.parse(r.text).error.hint).toContain('granted.csv');
    }
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });
});
