/**
 * The deployed portal's identity: Cognito groups to principals (src/portal/cognito-groups.ts), and the
 * resolver over the claims API Gateway's authorizer passes (src/portal/cognito-identity.ts).
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { principalText } from '../../src/access/principal.ts';
import { errorResponse } from '../../src/portal/api-error.ts';
import {
  ENTERPRISE_PRECEDENCE,
  enterpriseGroupName,
  groupName,
  portalGroups,
  principalOfGroup,
  principalsOfGroups,
} from '../../src/portal/cognito-groups.ts';
import { ACT_AS_HEADER, cognitoIdentity, groupsClaim } from '../../src/portal/cognito-identity.ts';

const DEPARTMENTS = ['health', 'education', 'civil_affairs'];

/** An app that answers with the principal the resolver gives, for an event carrying `claims`. */
async function whoAmI(claims: Record<string, unknown> | null, headers: Record<string, string> = {}) {
  const app = new Hono();
  const resolve = cognitoIdentity(DEPARTMENTS);
  app.get('/api/who', (c) => {
    const who = resolve(c);
    return c.json({ who: who ? principalText(who) : null });
  });
  app.onError((e, c) => errorResponse(c, e));
  const event = { requestContext: { authorizer: claims ? { claims } : {} } };
  const res = await app.request('/api/who', { headers }, { event });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('portal groups', () => {
  it('has a steward and an analyst group per department, stewards first', () => {
    const groups = portalGroups(DEPARTMENTS);
    expect(groups.map((g) => g.name)).toEqual([
      'steward-health',
      'steward-education',
      'steward-civil_affairs',
      'analyst-health',
      'analyst-education',
      'analyst-civil_affairs',
    ]);
    const precedences = groups.map((g) => g.precedence);
    expect([...precedences].sort((a, b) => a - b)).toEqual(precedences);
    expect(new Set(precedences).size).toBe(groups.length);
    expect(groups[0].principal).toEqual({ kind: 'steward', id: 'health' });
  });

  it('maps a group back to its principal, and nothing else to any', () => {
    expect(principalOfGroup(groupName('analyst', 'civil_affairs'), DEPARTMENTS)).toEqual({
      kind: 'analyst',
      id: 'civil_affairs',
    });
    expect(principalOfGroup('steward-transport', DEPARTMENTS)).toBeNull();
    expect(principalOfGroup('admins', DEPARTMENTS)).toBeNull();
    expect(principalOfGroup('Steward-health', DEPARTMENTS)).toBeNull();
  });

  it('maps an enterprise’s group (made by the platform team) to enterprise:<name>, a lowercase id only', () => {
    expect(principalOfGroup(enterpriseGroupName('acme_data'), DEPARTMENTS)).toEqual({
      kind: 'enterprise',
      id: 'acme_data',
    });
    expect(principalOfGroup('enterprise-Acme', DEPARTMENTS)).toBeNull();
    expect(principalOfGroup('enterprise-', DEPARTMENTS)).toBeNull();
    expect(principalOfGroup('enterprise-acme-2', DEPARTMENTS)).toBeNull();
    expect(() => enterpriseGroupName('Acme Ltd')).toThrow(/not a lowercase id/);
    // After every department's groups: a government principal is preferred; enterprises by name.
    expect(ENTERPRISE_PRECEDENCE).toBeGreaterThan(
      Math.max(...portalGroups(DEPARTMENTS).map((g) => g.precedence)),
    );
    const mine = principalsOfGroups(['enterprise-zeta', 'analyst-health', 'enterprise-acme'], DEPARTMENTS);
    expect(mine.map(principalText)).toEqual(['analyst:health', 'enterprise:acme', 'enterprise:zeta']);
  });

  it('orders a user’s principals by precedence, whatever order the token lists the groups in', () => {
    const mine = principalsOfGroups(['analyst-health', 'admins', 'steward-education'], DEPARTMENTS);
    expect(mine.map(principalText)).toEqual(['steward:education', 'analyst:health']);
  });

  it('reads the groups claim as API Gateway flattens it', () => {
    expect(groupsClaim('steward-health,analyst-health')).toEqual(['steward-health', 'analyst-health']);
    expect(groupsClaim('[steward-health analyst-health]')).toEqual(['steward-health', 'analyst-health']);
    expect(groupsClaim(['analyst-health'])).toEqual(['analyst-health']);
    expect(groupsClaim(undefined)).toEqual([]);
    expect(groupsClaim(42)).toEqual([]);
  });
});

describe('cognito identity resolver', () => {
  it('is the public without claims (a public route, or no token)', async () => {
    expect((await whoAmI(null)).body).toEqual({ who: null });
  });

  it('is the public for a user in no portal group', async () => {
    expect((await whoAmI({ sub: 'u-1', 'cognito:groups': 'admins' })).body).toEqual({ who: null });
  });

  it('acts as the first principal by precedence', async () => {
    const r = await whoAmI({ sub: 'u-1', 'cognito:groups': 'analyst-health,steward-health' });
    expect(r.body).toEqual({ who: 'steward:health' });
  });

  it('acts as another of the user’s own principals when X-Lake-As names it', async () => {
    const r = await whoAmI(
      { sub: 'u-1', 'cognito:groups': 'analyst-health,steward-health' },
      { [ACT_AS_HEADER]: 'analyst:health' },
    );
    expect(r.body).toEqual({ who: 'analyst:health' });
  });

  it('refuses a steward of health who asks to act as steward:education', async () => {
    const r = await whoAmI(
      { sub: 'u-1', 'cognito:groups': 'steward-health' },
      { [ACT_AS_HEADER]: 'steward:education' },
    );
    expect(r.status).toBe(403);
    const error = r.body.error as { code: string; message: string; hint: string };
    expect(error.code).toBe('not_your_group');
    expect(error.message).toContain('steward:education');
    expect(error.hint).toContain('steward:health');
  });

  it('refuses X-Lake-As without a sign-in, saying to sign in', async () => {
    const r = await whoAmI(null, { [ACT_AS_HEADER]: 'analyst:health' });
    expect(r.status).toBe(403);
    expect((r.body.error as { hint: string }).hint).toMatch(/Sign in/);
  });

  it('reads an HTTP API JWT authorizer’s claims too', async () => {
    const app = new Hono();
    const resolve = cognitoIdentity(DEPARTMENTS);
    app.get('/api/who', (c) =>
      c.json({ who: principalText(resolve(c) ?? { kind: 'enterprise', id: 'none' }) }),
    );
    const event = {
      requestContext: { authorizer: { jwt: { claims: { 'cognito:groups': '[analyst-education]' } } } },
    };
    const res = await app.request('/api/who', {}, { event });
    expect(await res.json()).toEqual({ who: 'analyst:education' });
  });
});
