/**
 * The access API's enterprise routes: the portal's enterprise role asks and lists for the enterprise its
 * sign-in vouches for (`/enterprises/{name}/requests`), with the checks of conditional opening; the owning
 * department's steward decides as for any request; an approval makes no Lake Formation grant (the portal
 * gates reads by the record) but schedules the expiry, which records the grant expired.
 */
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
const session = (name: string, id = 'lake-cli-portal-0a1b2c3d') =>
  `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/${id}`;
const ENTERPRISE_ROLE = 'Lake-portal-enterprise';
const PRINCIPALS: AccessPrincipals = {
  stewards: { civil_affairs: 'Lake-upload-civil_affairs', health: 'Lake-upload-health' },
  stewardPath: '/lake/departments/',
  analysts: [{ arn: role('health-analyst'), department: 'health' }],
  enterprise: ENTERPRISE_ROLE,
};

const clinics = parseContract(
  `name: clinics
department: health
title: Licensed clinics
classification: public
license: CC-BY-4.0
opening: { type: conditional, conditions: purpose stated, basis: 'regulation art. 26' }
fields:
  - name: clinic_id
  - name: clinic_name
  - name: license_holder
    pii: person_name
    protect: mask
  - name: owner_id_number
    pii: cn_resident_id
    protect: mask
    classification: restricted
  - name: rating
    type: number
    classification: internal
  - name: beds
    type: integer
`,
  'clinics.yaml',
);
const payments = parseContract(
  `name: assistance_payments
department: civil_affairs
title: Social assistance payments
classification: internal
sharing: { type: conditional, conditions: statistics only, basis: 'PIPL art. 13' }
opening: { type: none, basis: 'PIPL art. 28' }
fields:
  - name: payment_id
  - name: amount
    type: number
`,
  'assistance_payments.yaml',
);
const DATASETS = new Map([
  ['health/clinics', datasetAccess(clinics)],
  ['civil_affairs/assistance_payments', datasetAccess(payments)],
]);

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
      functionArn: `arn:aws:lambda:cn-north-1:${ACCOUNT}:function:Lake-AccessFunction`,
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
const error = (r: APIGatewayProxyResult) => parsed<{ error: { code: string; message: string } }>(r).error;

const ASK = { dataset: 'health/clinics', purpose: 'a map of clinic beds', until: '2027-01-31' };

async function ask(name = 'acme', extra: Record<string, unknown> = {}): Promise<AccessRequest> {
  const r = await call(session(ENTERPRISE_ROLE), 'POST', `/enterprises/${name}/requests`, {
    ...ASK,
    ...extra,
  });
  expect(r.statusCode, r.body).toBe(201);
  return parsed<{ request: AccessRequest }>(r).request;
}

const HEALTH_STEWARD = session('Lake-upload-health', 'lake-cli-portal-steward');

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

describe('the access API for enterprises', () => {
  it('takes a request from the portal’s enterprise role, recorded as enterprise:<name>, never the session', async () => {
    const r = await ask('acme', { columns: ['clinic_name', 'beds'] });
    expect(r).toMatchObject({
      kind: 'opening',
      requester: 'enterprise:acme',
      department: 'health',
      status: 'pending',
      columns: ['clinic_name', 'beds'],
    });
    expect(JSON.stringify(store.log)).not.toContain('lake-cli-portal');
    expect(store.log.map((e) => [e.event, e.requester])).toEqual([['requested', 'enterprise:acme']]);
  });

  it('refuses a dataset that is not conditionally opened, and personal or non-public columns', async () => {
    const caller = session(ENTERPRISE_ROLE);
    const notOpened = await call(caller, 'POST', '/enterprises/acme/requests', {
      ...ASK,
      dataset: 'civil_affairs/assistance_payments',
    });
    expect(notOpened.statusCode).toBe(400);
    expect(error(notOpened)).toMatchObject({ code: 'not_shared' });
    expect(error(notOpened).message).toContain('not opened to requests from outside the government');
    for (const column of ['license_holder', 'owner_id_number', 'rating']) {
      const res = await call(caller, 'POST', '/enterprises/acme/requests', { ...ASK, columns: [column] });
      expect(res.statusCode, column).toBe(400);
      expect(error(res).code, column).toBe('personal_columns');
      expect(error(res).message, column).toContain(column);
    }
    expect(store.rows.size).toBe(0);
  });

  it('lets only the enterprise role call the enterprise routes, for a lowercase name, and nothing else', async () => {
    const forbidden: [string, string, string][] = [
      [session('health-analyst'), 'POST', '/enterprises/acme/requests'],
      [HEALTH_STEWARD, 'POST', '/enterprises/acme/requests'],
      [session('unrelated'), 'GET', '/enterprises/acme/requests'],
      // A user named as the role is not the role.
      [`arn:aws:iam::${ACCOUNT}:user/${ENTERPRISE_ROLE}`, 'POST', '/enterprises/acme/requests'],
      [session(ENTERPRISE_ROLE), 'POST', '/enterprises/Acme%20Ltd/requests'],
      // The enterprise role is neither an analyst persona nor a steward.
      [session(ENTERPRISE_ROLE), 'POST', '/requests'],
      [session(ENTERPRISE_ROLE), 'GET', '/requests'],
      [session(ENTERPRISE_ROLE), 'POST', '/departments/health/requests/r-abcdef/approve'],
    ];
    for (const [caller, method, path] of forbidden) {
      const res = await call(caller, method, path, ASK);
      expect(res.statusCode, `${caller} ${method} ${path}`).toBe(403);
    }
    expect(store.rows.size).toBe(0);
    // Without a portal (no enterprise role in the bundle), nobody asks for an enterprise.
    const before = PRINCIPALS.enterprise;
    try {
      delete PRINCIPALS.enterprise;
      const res = await call(session(ENTERPRISE_ROLE), 'POST', '/enterprises/acme/requests', ASK);
      expect(res.statusCode).toBe(403);
    } finally {
      PRINCIPALS.enterprise = before;
    }
  });

  it('lists an enterprise its own requests only', async () => {
    const mine = await ask('acme');
    await ask('globex');
    const res = await call(session(ENTERPRISE_ROLE), 'GET', '/enterprises/acme/requests');
    expect(res.statusCode, res.body).toBe(200);
    expect(parsed<{ requests: AccessRequest[] }>(res).requests.map((r) => r.id)).toEqual([mine.id]);
    const bad = await call(session(ENTERPRISE_ROLE), 'GET', '/enterprises/acme/requests', undefined, {
      status: 'granted',
    });
    expect(bad.statusCode).toBe(400);
  });

  it('is decided by the owning steward: no Lake Formation grant, the expiry scheduled; revoke deletes it', async () => {
    const r = await ask('acme', { columns: ['clinic_name', 'beds'] });
    // The steward sees it in its department's requests.
    const inbox = parsed<{ requests: AccessRequest[] }>(await call(HEALTH_STEWARD, 'GET', '/requests'));
    expect(inbox.requests.map((x) => x.id)).toEqual([r.id]);
    const res = await call(HEALTH_STEWARD, 'POST', `/departments/health/requests/${r.id}/approve`, {
      until: '2026-12-31',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(store.rows.get(r.id)).toMatchObject({ status: 'approved', until: '2026-12-31' });
    expect(lf.commandCalls(GrantPermissionsCommand)).toHaveLength(0);
    const schedules = sch.commandCalls(CreateScheduleCommand);
    expect(schedules).toHaveLength(1);
    expect(schedules[0].args[0].input).toMatchObject({
      Name: scheduleName(r.id),
      ScheduleExpression: 'at(2027-01-01T00:00:00)',
      Target: { Input: JSON.stringify({ action: 'expire', request: r.id }) },
    });
    const revoked = await call(HEALTH_STEWARD, 'POST', `/departments/health/requests/${r.id}/revoke`, {
      reason: 'purpose met',
    });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(store.rows.get(r.id)?.status).toBe('revoked');
    expect(lf.commandCalls(RevokePermissionsCommand)).toHaveLength(0);
    expect(sch.commandCalls(DeleteScheduleCommand)).toHaveLength(1);
  });

  it('is expired by its schedule, without Lake Formation', async () => {
    const r = await ask('acme');
    await call(HEALTH_STEWARD, 'POST', `/departments/health/requests/${r.id}/approve`, {});
    now = new Date('2027-02-01T00:00:00Z');
    expect(await handleAccessEvent({ action: 'expire', request: r.id }, deps())).toEqual({ expired: true });
    expect(store.rows.get(r.id)?.status).toBe('expired');
    expect(store.log.filter((e) => e.event === 'expired')).toHaveLength(1);
    expect(lf.commandCalls(RevokePermissionsCommand)).toHaveLength(0);
  });

  it("refuses another department's steward, leaving the request pending", async () => {
    const r = await ask('acme');
    for (const path of [
      `/departments/civil_affairs/requests/${r.id}/approve`,
      `/departments/health/requests/${r.id}/approve`,
    ]) {
      const res = await call(session('Lake-upload-civil_affairs'), 'POST', path, {});
      expect(res.statusCode, path).toBe(403);
    }
    expect(store.rows.get(r.id)?.status).toBe('pending');
    expect(sch.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });
});
