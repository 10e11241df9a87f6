/**
 * Sharing through access requests on the local lake, end to end through the CLI: a conditional dataset is
 * not there for another department's analyst until its steward approves a request; the grant gives the
 * columns it names (never restricted ones), ends at its date or when revoked, and every step is in the
 * audit log. Enterprises get only the public, non-personal columns of an opening: conditional dataset.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessEvent, AccessRequest } from '../../src/access/index.ts';
import { lake, tempLakeDir } from './helpers.ts';

let dir: string;
let remove: () => Promise<void>;
const TODAY = '2026-12-01T09:00:00Z';
const env = (now = TODAY) => ({ LAKE_NOW: now });
const at = () => ['--lake-dir', dir];

async function as(who: string | null, args: string[], now = TODAY) {
  return lake([...args, ...at(), '--json', ...(who ? ['--as', who] : [])], { env: env(now) });
}

async function query(who: string | null, sql: string, now = TODAY) {
  return as(who, ['query', sql], now);
}

const PAYMENTS = 'civil_affairs.assistance_payments';

beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  for (const [file, dataset] of [
    [
      'examples/civil_affairs/assistance_payments/assistance-payments-2026-09.csv',
      'civil_affairs/assistance_payments',
    ],
    ['examples/health/clinics/clinics-2026-11.csv', 'health/clinics'],
  ]) {
    const r = await lake(['ingest', file, '--dataset', dataset, '--json', ...at()]);
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);
afterAll(async () => {
  await remove();
});

describe('lake access: request, approve, query, expire, revoke', () => {
  let id: string;

  it('refuses the query of a conditional table without a grant, saying how to ask', async () => {
    const r = await query('analyst:health', `SELECT count(*) AS n FROM ${PAYMENTS}`);
    expect(r.code).toBe(1);
    expect(r.error().code).toBe('access_denied');
    expect(r.error().message).toContain(`${PAYMENTS} is not there for analyst:health`);
    expect(r.error().hint).toContain('lake access request civil_affairs/assistance_payments --purpose');
    // Unconditional and own datasets are there; the operator (no --as) sees everything.
    expect((await query('analyst:civil_affairs', `SELECT count(*) AS n FROM ${PAYMENTS}`)).code).toBe(0);
    expect((await query('analyst:statistics', 'SELECT count(*) AS n FROM health.clinics')).code).toBe(0);
    expect((await query(null, `SELECT count(*) AS n FROM ${PAYMENTS}`)).code).toBe(0);
  });

  it('keeps restricted columns with the owning department', async () => {
    const r = await query('analyst:statistics', 'SELECT license_holder_id FROM health.clinics');
    expect(r.code).toBe(1);
    expect(r.error().message).toContain('column license_holder_id of health.clinics is not there');
    const own = await query('analyst:health', 'SELECT license_holder_id FROM health.clinics LIMIT 1');
    expect(own.code).toBe(0);
  });

  it("reads no file: the cache's Parquet (every column) is out of an identity's reach", async () => {
    const cache = join(dir, 'cache');
    const file = (readdirSync(cache, { recursive: true }) as string[]).find(
      (f) => f.includes('assistance_payments') && f.endsWith('.parquet'),
    );
    expect(file).toBeDefined();
    const sql = `SELECT max(recipient_name) AS n FROM read_parquet('${join(cache, file as string)}')`;
    const r = await query('analyst:health', sql);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    // The operator's connection reads the cache, as before.
    expect((await query(null, sql)).code).toBe(0);
  });

  it('takes a request from an analyst of another department', async () => {
    const r = await as('analyst:health', [
      'access',
      'request',
      'civil_affairs/assistance_payments',
      '--purpose',
      'county totals for the health-poverty report',
      '--until',
      '2027-01-31',
      '--columns',
      'county_code,program,amount,period',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const req = r.json<{ request: AccessRequest }>().request;
    expect(req).toMatchObject({
      status: 'pending',
      requester: 'analyst:health',
      department: 'civil_affairs',
    });
    expect(req.id).toMatch(/^r-[a-z2-9]{6}$/);
    id = req.id;
    // Still refused while pending.
    expect((await query('analyst:health', `SELECT count(*) AS n FROM ${PAYMENTS}`)).code).toBe(1);
  });

  it('shows it to the owning steward and to the requester, and no one else', async () => {
    const ids = async (who: string) =>
      (await as(who, ['access', 'list'])).json<{ requests: AccessRequest[] }>().requests.map((r) => r.id);
    expect(await ids('steward:civil_affairs')).toEqual([id]);
    expect(await ids('analyst:health')).toEqual([id]);
    expect(await ids('steward:health')).toEqual([]);
    expect(await ids('analyst:statistics')).toEqual([]);
  });

  it('lets only the owning department steward decide', async () => {
    for (const who of ['steward:health', 'analyst:civil_affairs', 'analyst:health']) {
      const r = await as(who, ['access', 'approve', id]);
      expect(r.code, who).toBe(1);
      expect(r.error().code).toBe('forbidden');
    }
    const operator = await as(null, ['access', 'approve', id]);
    expect(operator.code).toBe(2);
  });

  it('approves (a steward may shorten the grant, not lengthen it), idempotently', async () => {
    const longer = await as('steward:civil_affairs', ['access', 'approve', id, '--until', '2027-06-30']);
    expect(longer.code).toBe(1);
    expect(longer.error().message).toContain('after the 2027-01-31 the requester asked for');
    const r = await as('steward:civil_affairs', ['access', 'approve', id, '--until', '2026-12-31']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ request: AccessRequest; changed: boolean }>()).toMatchObject({
      changed: true,
      request: { status: 'approved', until: '2026-12-31', decidedBy: 'steward:civil_affairs' },
    });
    const again = await as('steward:civil_affairs', ['access', 'approve', id]);
    expect(again.json<{ changed: boolean }>().changed).toBe(false);
  });

  it('lets the analyst query the granted columns, and only those', async () => {
    const r = await query(
      'analyst:health',
      `SELECT program, sum(amount) AS total FROM ${PAYMENTS} GROUP BY 1`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ rows: unknown[] }>().rows.length).toBeGreaterThan(0);
    const star = await query('analyst:health', `SELECT * FROM ${PAYMENTS} LIMIT 1`);
    const names = star.json<{ columns: { name: string }[] }>().columns.map((c) => c.name);
    expect(names.filter((n) => !n.startsWith('_') && n !== 'ingest_date')).toEqual([
      'county_code',
      'program',
      'amount',
      'period',
    ]);
    const hidden = await query('analyst:health', `SELECT resident_id FROM ${PAYMENTS}`);
    expect(hidden.code).toBe(1);
    expect(hidden.error().message).toContain('column resident_id');
    // Another department's analyst still has no access.
    expect((await query('analyst:education', `SELECT count(*) AS n FROM ${PAYMENTS}`)).code).toBe(1);
    // lake catalog says what each identity reads.
    const cat = await as('analyst:health', ['catalog']);
    const info = cat
      .json<{
        datasets: { dataset: string; access?: { readable: boolean; basis: string; grant?: string } }[];
      }>()
      .datasets.find((d) => d.dataset === 'civil_affairs/assistance_payments');
    expect(info?.access).toMatchObject({ readable: true, basis: 'grant', grant: id });
  });

  it('ends the grant by itself after its date, recording the expiry once', async () => {
    const after = '2027-01-01T00:00:01Z';
    // The last day of the grant still reads.
    expect(
      (await query('analyst:health', `SELECT count(*) AS n FROM ${PAYMENTS}`, '2026-12-31T23:59:00Z')).code,
    ).toBe(0);
    const r = await query('analyst:health', `SELECT count(*) AS n FROM ${PAYMENTS}`, after);
    expect(r.code).toBe(1);
    expect(r.error().hint).toContain('lake access request civil_affairs/assistance_payments');
    await as('steward:civil_affairs', ['access', 'list'], after);
    const log = (await as('steward:civil_affairs', ['access', 'log', '--request', id], after)).json<{
      events: AccessEvent[];
    }>().events;
    expect(log.map((e) => e.event)).toEqual(['requested', 'approved', 'expired']);
    const revoke = await as('steward:civil_affairs', ['access', 'revoke', id, '--reason', 'done'], after);
    expect(revoke.json<{ changed: boolean; request: AccessRequest }>()).toMatchObject({
      changed: false,
      request: { status: 'expired' },
    });
  });

  it('revokes a grant before its date, and refuses the query again', async () => {
    const req = (
      await as('analyst:health', [
        'access',
        'request',
        'civil_affairs/assistance_payments',
        '--purpose',
        'policy evaluation',
        '--until',
        '2027-03-01',
      ])
    ).json<{ request: AccessRequest }>().request;
    expect((await as('steward:civil_affairs', ['access', 'approve', req.id])).code).toBe(0);
    expect((await query('analyst:health', `SELECT count(*) AS n FROM ${PAYMENTS}`)).code).toBe(0);
    const r = await as('steward:civil_affairs', [
      'access',
      'revoke',
      req.id,
      '--reason',
      'purpose fulfilled',
    ]);
    expect(r.json<{ changed: boolean }>().changed).toBe(true);
    expect((await query('analyst:health', `SELECT count(*) AS n FROM ${PAYMENTS}`)).code).toBe(1);
    const again = await as('steward:civil_affairs', [
      'access',
      'revoke',
      req.id,
      '--reason',
      'purpose fulfilled',
    ]);
    expect(again.json<{ changed: boolean }>().changed).toBe(false);
    const deny = await as('steward:civil_affairs', ['access', 'deny', req.id, '--reason', 'no']);
    expect(deny.code).toBe(1);
    expect(deny.error().code).toBe('conflict');
  });

  it('denies a request with a reason', async () => {
    const req = (
      await as('analyst:education', [
        'access',
        'request',
        'civil_affairs/assistance_payments',
        '--purpose',
        'school meal planning',
        '--until',
        '2027-02-01',
      ])
    ).json<{ request: AccessRequest }>().request;
    const r = await as('steward:civil_affairs', [
      'access',
      'deny',
      req.id,
      '--reason',
      'outside the conditions',
    ]);
    expect(r.json<{ request: AccessRequest }>().request).toMatchObject({
      status: 'denied',
      reason: 'outside the conditions',
    });
    expect((await as('steward:civil_affairs', ['access', 'approve', req.id])).error().code).toBe('conflict');
  });

  it('checks what is asked: dates, datasets that need no request, restricted columns', async () => {
    const ask = (who: string, dataset: string, until: string, more: string[] = []) =>
      as(who, ['access', 'request', dataset, '--purpose', 'p', '--until', until, ...more]);
    expect(
      (await ask('analyst:health', 'civil_affairs/assistance_payments', '2026-12-01')).error().message,
    ).toContain('not in the future');
    expect(
      (await ask('analyst:health', 'civil_affairs/assistance_payments', '2028-01-01')).error().message,
    ).toContain('more than 365 days ahead');
    expect(
      (await ask('analyst:health', 'civil_affairs/assistance_payments', '2027-02-30')).error().message,
    ).toContain('not a date');
    expect((await ask('analyst:health', 'health/clinics', '2027-01-01')).error().code).toBe(
      'no_request_needed',
    );
    expect((await ask('analyst:statistics', 'health/clinics', '2027-01-01')).error().code).toBe(
      'no_request_needed',
    );
    const restricted = await ask('analyst:health', 'civil_affairs/assistance_payments', '2027-01-01', [
      '--columns',
      'recipient_name,amount',
    ]);
    expect(restricted.error().message).toContain(
      'restricted columns stay with the owning department: recipient_name',
    );
    const personal = await as('analyst:health', [
      'access',
      'request',
      'civil_affairs/assistance_payments',
      '--purpose',
      'call 13800138000',
      '--until',
      '2027-01-01',
    ]);
    expect(personal.error().message).toContain('looks like it holds an ID or a phone number');
  });
});

describe('lake access for an enterprise (conditional opening)', () => {
  it('refuses personal columns, naming them without values, and grants the public non-personal ones', async () => {
    const personal = await as('enterprise:acme', [
      'access',
      'request',
      'health/clinics',
      '--purpose',
      'market study of clinic capacity',
      '--until',
      '2027-02-01',
      '--columns',
      'clinic_name,license_holder,license_holder_id',
    ]);
    expect(personal.code).toBe(1);
    expect(personal.error()).toMatchObject({ code: 'personal_columns' });
    expect(personal.error().message).toContain('license_holder (personal data: person_name)');
    expect(personal.error().message).toContain('license_holder_id (personal data: cn_resident_id)');
    expect((await query('enterprise:acme', 'SELECT count(*) AS n FROM health.clinics')).code).toBe(1);
    expect((await query('enterprise:acme', 'SELECT count(*) AS n FROM statistics.divisions')).code).toBe(1);

    const req = (
      await as('enterprise:acme', [
        'access',
        'request',
        'health/clinics',
        '--purpose',
        'market study',
        '--until',
        '2027-02-01',
      ])
    ).json<{ request: AccessRequest }>().request;
    expect(req.kind).toBe('opening');
    expect((await as('steward:health', ['access', 'approve', req.id])).code).toBe(0);
    const r = await query('enterprise:acme', 'SELECT * FROM health.clinics LIMIT 1');
    expect(r.code, r.stderr).toBe(0);
    const columns = r.json<{ columns: { name: string }[] }>().columns.map((c) => c.name);
    expect(columns).toContain('clinic_name');
    expect(columns).not.toContain('license_holder');
    expect(columns).not.toContain('license_holder_id');
    // Opening is not sharing: the grant gives an enterprise nothing else.
    expect((await query('enterprise:acme', `SELECT count(*) AS n FROM ${PAYMENTS}`)).code).toBe(1);
    expect(
      (
        await as('enterprise:acme', [
          'access',
          'request',
          'civil_affairs/assistance_payments',
          '--purpose',
          'x',
          '--until',
          '2027-02-01',
        ])
      ).error().code,
    ).toBe('not_shared');
  });
});

describe('the audit log', () => {
  it('keeps who, when, what and why, and no personal data', async () => {
    const text = readFileSync(join(dir, 'access', 'audit.jsonl'), 'utf8');
    const events = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AccessEvent);
    expect(events.length).toBeGreaterThanOrEqual(8);
    const keys = new Set(events.flatMap((e) => Object.keys(e)));
    for (const k of keys)
      expect([
        'at',
        'event',
        'request',
        'dataset',
        'actor',
        'requester',
        'purpose',
        'reason',
        'columns',
        'until',
      ]).toContain(k);
    for (const e of events) {
      expect(e.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(e.actor).toMatch(/^(steward|analyst|enterprise):[a-z_]+$|^lake$/);
    }
    // The operator reads it all; an analyst only its own requests' events.
    const all = (await as(null, ['access', 'log'])).json<{ events: AccessEvent[] }>().events;
    expect(all.length).toBe(events.length);
    const mine = (await as('analyst:education', ['access', 'log'])).json<{ events: AccessEvent[] }>().events;
    expect(mine.every((e) => e.requester === 'analyst:education')).toBe(true);
    const human = await lake(['access', 'log', ...at(), '--as', 'steward:civil_affairs'], { env: env() });
    expect(human.stdout).toContain('approved');
    expect(human.stdout).toContain('purpose: county totals');
  });

  it('tells the operator about --as in lake access --help', async () => {
    const r = await lake(['access', '--help']);
    expect(r.stdout).toContain('--as <principal>');
    expect(r.stdout).toContain("the lake's operator");
  });
});
