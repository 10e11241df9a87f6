/**
 * The access API Lambda: its routes over the access flow (src/access) with the deployed lake's effects,
 * Lake Formation and EventBridge Scheduler mocked (aws-sdk-client-mock), the DynamoDB store's calls
 * checked on a mocked client, and who may call what by their role.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import {
  GrantPermissionsCommand,
  LakeFormationClient,
  RevokePermissionsCommand,
} from '@aws-sdk/client-lakeformation';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AccessPrincipals } from '../../lambdas/access-api/config.ts';
import { LakeEffects, scheduleName } from '../../lambdas/access-api/effects.ts';
import { handleAccessEvent } from '../../lambdas/access-api/handle-request.ts';
import { principalName } from '../../lambdas/access-api/identity.ts';
import { DynamoAccessStore } from '../../src/access/dynamo-store.ts';
import {
  type AccessEvent,
  type AccessRequest,
  AccessService,
  type AccessStore,
  datasetAccess,
} from '../../src/access/index.ts';
import { parseContract } from '../../src/contracts/index.ts';

const ACCOUNT = '111122223333';
const role = (name: string, path = '') => `arn:aws:iam::${ACCOUNT}:role/${path}${name}`;
const session = (name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/someone@example.org`;
const PRINCIPALS: AccessPrincipals = {
  stewards: { civil_affairs: 'Lake-upload-civil_affairs', health: 'Lake-upload-health' },
  stewardPath: '/lake/departments/',
  analysts: [
    { arn: role('health-analyst'), department: 'health' },
    { arn: role('public-analyst'), department: null },
  ],
  portalAnalysts: { health: 'Lake-portal-analyst-health' },
};

const payments = parseContract(
  `name: assistance_payments
department: civil_affairs
title: Social assistance payments
classification: internal
sharing: { type: conditional, conditions: statistics only, basis: 'PIPL art. 13' }
fields:
  - name: payment_id
  - name: resident_id
    pii: cn_resident_id
    protect: hash
  - name: recipient_name
    pii: person_name
    protect: mask
    classification: restricted
  - name: county_code
  - name: amount
    type: number
`,
  'assistance_payments.yaml',
);
const DATASETS = new Map([[`civil_affairs/assistance_payments`, datasetAccess(payments)]]);

/** An in-memory store: the flow's logic is the service's; the DynamoDB store is checked on its own below. */
class MemoryStore implements AccessStore {
  readonly rows = new Map<string, AccessRequest>();
  readonly log: AccessEvent[] = [];
  async requests() {
    return [...this.rows.values()];
  }
  async get(id: string) {
    return this.rows.get(id) ?? null;
  }
  async create(r: AccessRequest) {
    if (this.rows.has(r.id)) return false;
    this.rows.set(r.id, r);
    return true;
  }
  async update(r: AccessRequest, expected: AccessRequest['status']) {
    if (this.rows.get(r.id)?.status !== expected) return false;
    this.rows.set(r.id, r);
    return true;
  }
  async append(e: AccessEvent) {
    this.log.push(e);
  }
  async events() {
    return this.log;
  }
}

const lf = mockClient(LakeFormationClient);
const sch = mockClient(SchedulerClient);
let store: MemoryStore;
let now: Date;
const FUNCTION_ARN = `arn:aws:lambda:cn-north-1:${ACCOUNT}:function:Lake-AccessFunction`;

function deps() {
  const service = new AccessService({
    store,
    datasets: DATASETS,
    now: () => now,
    effects: new LakeEffects({
      lakeFormation: new LakeFormationClient({ region: 'cn-north-1' }),
      scheduler: new SchedulerClient({ region: 'cn-north-1' }),
      datasets: DATASETS,
      databasePrefix: 'lake_',
      functionArn: FUNCTION_ARN,
      schedulerRoleArn: role('Lake-AccessSchedulerRole'),
      scheduleGroup: 'Lake-access-expiry',
    }),
  });
  return { service, principals: PRINCIPALS };
}

function call(caller: string, method: string, path: string, body?: unknown, query?: Record<string, string>) {
  const event = {
    httpMethod: method,
    path,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    queryStringParameters: query ?? null,
    requestContext: { identity: { userArn: caller } },
  } as unknown as APIGatewayProxyEvent;
  return handleAccessEvent(event, deps()) as Promise<APIGatewayProxyResult>;
}
const parsed = <T>(r: APIGatewayProxyResult) => JSON.parse(r.body) as T;

beforeEach(() => {
  lf.reset();
  sch.reset();
  lf.on(GrantPermissionsCommand).resolves({});
  lf.on(RevokePermissionsCommand).resolves({});
  sch.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
  sch.on(DeleteScheduleCommand).resolves({});
  store = new MemoryStore();
  now = new Date('2026-12-01T09:00:00Z');
});

async function ask(columns?: string[]): Promise<AccessRequest> {
  const r = await call(session('health-analyst'), 'POST', '/requests', {
    dataset: 'civil_affairs/assistance_payments',
    purpose: 'county totals',
    until: '2027-01-31',
    ...(columns ? { columns } : {}),
  });
  expect(r.statusCode, r.body).toBe(201);
  return parsed<{ request: AccessRequest }>(r).request;
}

describe('the access API', () => {
  it('takes a request from an analyst persona, named by its role (never the session name)', async () => {
    const r = await ask(['county_code', 'amount']);
    expect(r).toMatchObject({
      status: 'pending',
      requester: role('health-analyst'),
      department: 'civil_affairs',
    });
    expect(JSON.stringify(store.log)).not.toContain('someone@example.org');
    const steward = await call(session('Lake-upload-civil_affairs'), 'POST', '/requests', { dataset: 'x/y' });
    expect(steward.statusCode).toBe(403);
    const stranger = await call(session('unrelated'), 'GET', '/requests');
    expect(stranger.statusCode).toBe(403);
  });

  it('approves: a Lake Formation grant on the granted columns and a one-time schedule at the end', async () => {
    const r = await ask(['county_code', 'amount']);
    const res = await call(
      session('Lake-upload-civil_affairs'),
      'POST',
      `/departments/civil_affairs/requests/${r.id}/approve`,
      {
        until: '2026-12-31',
      },
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(parsed<{ changed: boolean; request: AccessRequest }>(res)).toMatchObject({
      changed: true,
      request: { status: 'approved', decidedBy: role('Lake-upload-civil_affairs', 'lake/departments/') },
    });
    const grants = lf.commandCalls(GrantPermissionsCommand);
    expect(grants).toHaveLength(1);
    expect(grants[0].args[0].input).toEqual({
      Principal: { DataLakePrincipalIdentifier: role('health-analyst') },
      Resource: {
        TableWithColumns: {
          DatabaseName: 'lake_civil_affairs',
          Name: 'assistance_payments',
          ColumnNames: [
            'county_code',
            'amount',
            '_upload_id',
            '_source_line',
            '_ingested_at',
            'ingest_date',
          ].filter((c) =>
            DATASETS.get('civil_affairs/assistance_payments')?.columns.some((x) => x.name === c),
          ),
        },
      },
      Permissions: ['SELECT'],
    });
    const schedules = sch.commandCalls(CreateScheduleCommand);
    expect(schedules).toHaveLength(1);
    expect(schedules[0].args[0].input).toMatchObject({
      Name: scheduleName(r.id),
      GroupName: 'Lake-access-expiry',
      ScheduleExpression: 'at(2027-01-01T00:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: FUNCTION_ARN, Input: JSON.stringify({ action: 'expire', request: r.id }) },
    });
  });

  it('never grants restricted columns: a whole-table request gets the columns a department may share', async () => {
    const r = await ask();
    await call(
      session('Lake-upload-civil_affairs'),
      'POST',
      `/departments/civil_affairs/requests/${r.id}/approve`,
      {},
    );
    const resource = lf.commandCalls(GrantPermissionsCommand)[0].args[0].input.Resource;
    expect(resource?.TableWithColumns?.ColumnNames).not.toContain('recipient_name');
    expect(resource?.TableWithColumns?.ColumnNames).toContain('resident_id');
  });

  it("refuses another department's steward, an analyst, and a route naming the wrong department", async () => {
    const r = await ask();
    for (const [caller, path] of [
      [session('Lake-upload-health'), `/departments/civil_affairs/requests/${r.id}/approve`],
      [session('health-analyst'), `/departments/civil_affairs/requests/${r.id}/approve`],
      [session('Lake-upload-health'), `/departments/health/requests/${r.id}/approve`],
    ]) {
      const res = await call(caller, 'POST', path, {});
      expect(res.statusCode, `${caller} ${path}`).toBe(403);
    }
    expect(lf.commandCalls(GrantPermissionsCommand)).toHaveLength(0);
    expect(store.rows.get(r.id)?.status).toBe('pending');
  });

  it('revokes: the grant taken back and the schedule deleted, idempotently', async () => {
    const r = await ask(['county_code']);
    const steward = session('Lake-upload-civil_affairs');
    await call(steward, 'POST', `/departments/civil_affairs/requests/${r.id}/approve`, {});
    const res = await call(steward, 'POST', `/departments/civil_affairs/requests/${r.id}/revoke`, {
      reason: 'purpose met',
    });
    expect(parsed<{ changed: boolean }>(res).changed).toBe(true);
    expect(lf.commandCalls(RevokePermissionsCommand)).toHaveLength(1);
    expect(sch.commandCalls(DeleteScheduleCommand)[0].args[0].input).toEqual({
      Name: scheduleName(r.id),
      GroupName: 'Lake-access-expiry',
    });
    lf.on(RevokePermissionsCommand).rejects(
      Object.assign(new Error('Grantee has no permissions and no grantable permissions on resource'), {
        name: 'InvalidInputException',
      }),
    );
    const again = await call(steward, 'POST', `/departments/civil_affairs/requests/${r.id}/revoke`, {
      reason: 'purpose met',
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(parsed<{ changed: boolean }>(again).changed).toBe(false);
  });

  it('expires a grant when its schedule fires, and logs it once', async () => {
    const r = await ask();
    await call(
      session('Lake-upload-civil_affairs'),
      'POST',
      `/departments/civil_affairs/requests/${r.id}/approve`,
      {},
    );
    now = new Date('2027-02-01T00:00:00Z');
    expect(await handleAccessEvent({ action: 'expire', request: r.id }, deps())).toEqual({ expired: true });
    expect(await handleAccessEvent({ action: 'expire', request: r.id }, deps())).toEqual({ expired: true });
    expect(store.log.filter((e) => e.event === 'expired')).toHaveLength(1);
    expect(lf.commandCalls(RevokePermissionsCommand).length).toBeGreaterThanOrEqual(1);
  });

  it('lists and logs as the caller may see them', async () => {
    const r = await ask();
    const mine = parsed<{ requests: AccessRequest[] }>(
      await call(session('health-analyst'), 'GET', '/requests'),
    );
    expect(mine.requests.map((x) => x.id)).toEqual([r.id]);
    const theirs = parsed<{ requests: AccessRequest[] }>(
      await call(session('public-analyst'), 'GET', '/requests'),
    );
    expect(theirs.requests).toEqual([]);
    const other = parsed<{ requests: AccessRequest[] }>(
      await call(session('Lake-upload-health'), 'GET', '/requests'),
    );
    expect(other.requests).toEqual([]);
    const log = parsed<{ events: AccessEvent[] }>(
      await call(session('Lake-upload-civil_affairs'), 'GET', '/log'),
    );
    expect(log.events.map((e) => e.event)).toEqual(['requested']);
  });

  it("takes a request from a department's portal analyst role as that department's analyst, named by the role", async () => {
    const portal = `arn:aws:sts::${ACCOUNT}:assumed-role/Lake-portal-analyst-health/lake-cli-portal-0a1b2c3d`;
    const r = await call(portal, 'POST', '/requests', {
      dataset: 'civil_affairs/assistance_payments',
      purpose: 'county totals',
      until: '2027-01-31',
    });
    expect(r.statusCode, r.body).toBe(201);
    const request = parsed<{ request: AccessRequest }>(r).request;
    expect(request.requester).toBe(role('Lake-portal-analyst-health', 'lake/departments/'));
    expect(JSON.stringify(store.log)).not.toContain('0a1b2c3d');
    const mine = parsed<{ requests: AccessRequest[] }>(await call(portal, 'GET', '/requests'));
    expect(mine.requests.map((x) => x.id)).toEqual([request.id]);
    // Not a user of the same name, not another role with its name as a prefix, not the health analyst's.
    expect(
      (await call(`arn:aws:iam::${ACCOUNT}:user/Lake-portal-analyst-health`, 'GET', '/requests')).statusCode,
    ).toBe(403);
    expect((await call(session('Lake-portal-analyst-health-2'), 'GET', '/requests')).statusCode).toBe(403);
    const analyst = parsed<{ requests: AccessRequest[] }>(
      await call(session('health-analyst'), 'GET', '/requests'),
    );
    expect(analyst.requests).toEqual([]);
  });

  it('names callers by role: assumed-role sessions, role paths, users', () => {
    expect(principalName(session('health-analyst'))).toBe('health-analyst');
    expect(principalName(role('Lake-upload-health', 'lake/departments/'))).toBe('Lake-upload-health');
    expect(principalName(`arn:aws-cn:iam::${ACCOUNT}:user/ops/alice`)).toBe('alice');
    expect(principalName('not an arn')).toBeNull();
  });
});

describe('the DynamoDB store', () => {
  const ddb = mockClient(DynamoDBClient);
  beforeEach(() => ddb.reset());
  const request: AccessRequest = {
    id: 'r-abcdef',
    dataset: 'civil_affairs/assistance_payments',
    department: 'civil_affairs',
    kind: 'sharing',
    requester: role('health-analyst'),
    purpose: 'p',
    columns: null,
    requestedUntil: '2027-01-31',
    until: null,
    status: 'pending',
    createdAt: '2026-12-01T09:00:00.000Z',
    decidedAt: null,
    decidedBy: null,
    reason: null,
  };

  it('creates only new requests and replaces only from the status a decision started from', async () => {
    const s = new DynamoAccessStore(new DynamoDBClient({ region: 'cn-north-1' }), 'requests');
    ddb
      .on(PutItemCommand)
      .resolvesOnce({})
      .rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    expect(await s.create(request)).toBe(true);
    expect(await s.update({ ...request, status: 'approved' }, 'pending')).toBe(false);
    const [create, update] = ddb.commandCalls(PutItemCommand).map((c) => c.args[0].input);
    expect(create).toMatchObject({ TableName: 'requests', ConditionExpression: 'attribute_not_exists(sk)' });
    expect(create.Item?.pk).toEqual({ S: 'request' });
    expect(update).toMatchObject({
      ConditionExpression: '#s = :expected',
      ExpressionAttributeValues: { ':expected': { S: 'pending' } },
    });
  });

  it('reads requests and the log back, page by page', async () => {
    const s = new DynamoAccessStore(new DynamoDBClient({ region: 'cn-north-1' }), 'requests');
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ doc: { S: JSON.stringify(request) } }],
        LastEvaluatedKey: { pk: { S: 'request' }, sk: { S: 'r-abcdef' } },
      })
      .resolvesOnce({ Items: [{ doc: { S: JSON.stringify({ ...request, id: 'r-bbbbbb' }) } }] });
    expect((await s.requests()).map((r) => r.id)).toEqual(['r-abcdef', 'r-bbbbbb']);
    ddb.on(GetItemCommand).resolves({});
    expect(await s.get('r-none')).toBeNull();
    ddb.on(PutItemCommand).resolves({});
    await s.append({
      at: '2026-12-01T09:00:00.000Z',
      event: 'requested',
      request: 'r-abcdef',
      dataset: request.dataset,
      actor: 'a',
      requester: 'a',
    });
    expect(ddb.commandCalls(PutItemCommand)[0].args[0].input.Item?.sk).toEqual({
      S: '2026-12-01T09:00:00.000Z#r-abcdef#requested',
    });
  });
});
