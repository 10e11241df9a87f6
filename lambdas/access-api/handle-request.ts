/**
 * The access API's routes over the access service (src/access): who the caller is decides what it may do,
 * the service decides the rest. API Gateway (IAM auth, its resource policy) already limits who may call
 * which route; this checks again, by the caller's role:
 *
 *   POST /requests                                   an analyst persona asks      → 201 { request }
 *   GET  /requests[?status=&dataset=]                a steward its department's, an analyst its own
 *   POST /departments/{d}/requests/{id}/approve      { until? }   only department d's steward role
 *   POST /departments/{d}/requests/{id}/deny         { reason }   "
 *   POST /departments/{d}/requests/{id}/revoke       { reason }   "
 *   GET  /log[?dataset=&request=]                    the audit log as the caller may read it
 *   POST /enterprises/{name}/requests                enterprise `name` asks (conditional opening)  → 201
 *   GET  /enterprises/{name}/requests[?status=&dataset=]   the requests enterprise `name` made
 *
 * Only the portal's enterprise role calls the enterprise routes, naming the enterprise its sign-in vouches
 * for (a Cognito group); it calls no other route, and no other caller calls these. An enterprise's request
 * meets the same checks (only `opening: conditional` datasets, only public columns without personal data)
 * and the same steward decisions; its approval grants nothing in Lake Formation (lambdas/access-api/effects.ts).
 *
 * And the schedule's event { action: 'expire', request } ends a grant at its date.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { AccessError, httpStatus } from '../../src/access/errors.ts';
import { REQUEST_STATUSES, type RequestStatus } from '../../src/access/model.ts';
import type { AccessService, Actor } from '../../src/access/service.ts';
import type { AccessPrincipals } from './config.ts';
import type { ExpireEvent } from './effects.ts';
import { analystOf, enterpriseOf, stewardOf } from './identity.ts';

export interface RouteDeps {
  service: AccessService;
  principals: AccessPrincipals;
  log?: (message: string, extra: Record<string, unknown>) => void;
}

const json = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const fail = (e: AccessError) =>
  json(httpStatus(e.code), {
    error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) },
  });

function forbidden(message: string): AccessError {
  return new AccessError(message, { code: 'forbidden' });
}

function body(event: APIGatewayProxyEvent): Record<string, unknown> {
  if (!event.body) return {};
  try {
    const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new AccessError('the request body is not a JSON object', { code: 'bad_request' });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function isExpireEvent(e: unknown): e is ExpireEvent {
  return (
    !!e &&
    typeof e === 'object' &&
    (e as ExpireEvent).action === 'expire' &&
    typeof (e as ExpireEvent).request === 'string'
  );
}

/** Handles one API call (or the expiry schedule's event). */
export async function handleAccessEvent(
  event: APIGatewayProxyEvent | ExpireEvent,
  deps: RouteDeps,
): Promise<APIGatewayProxyResult | { expired: boolean }> {
  if (isExpireEvent(event)) {
    const d = await deps.service.expire(event.request);
    deps.log?.('access grant expiry', {
      request: event.request,
      changed: d.changed,
      status: d.request.status,
    });
    return { expired: d.request.status === 'expired' };
  }
  try {
    return await route(event, deps);
  } catch (e) {
    if (e instanceof AccessError) return fail(e);
    throw e;
  }
}

/** The columns of a request body: absent, null or a list of names. */
function columnsOf(b: Record<string, unknown>): string[] | null {
  const columns = b.columns;
  if (columns === undefined || columns === null) return null;
  if (!(Array.isArray(columns) && columns.every((c) => typeof c === 'string')))
    throw new AccessError('columns must be a list of column names', { code: 'bad_request' });
  return columns;
}

function statusFilter(q: Record<string, string | undefined>): { status?: RequestStatus; dataset?: string } {
  const status = q.status;
  if (status && !(REQUEST_STATUSES as readonly string[]).includes(status)) {
    throw new AccessError(`status must be one of ${REQUEST_STATUSES.join(', ')}`, { code: 'bad_request' });
  }
  return {
    ...(status ? { status: status as RequestStatus } : {}),
    ...(q.dataset ? { dataset: q.dataset } : {}),
  };
}

/** `/enterprises/{name}/requests`: the portal's enterprise role, for the enterprise it names. */
async function enterpriseRoute(
  event: APIGatewayProxyEvent,
  deps: RouteDeps,
  caller: string,
  name: string,
): Promise<APIGatewayProxyResult> {
  const who = enterpriseOf(caller, deps.principals, name);
  if (!who) {
    throw forbidden(
      "the enterprise routes are the web portal's: only its enterprise role calls them, for a lowercase enterprise name",
    );
  }
  if (event.httpMethod === 'POST') {
    const b = body(event);
    const request = await deps.service.request(who, {
      dataset: str(b.dataset) ?? '',
      purpose: str(b.purpose) ?? '',
      until: str(b.until) ?? '',
      columns: columnsOf(b),
    });
    deps.log?.('access requested', { request: request.id, dataset: request.dataset, kind: request.kind });
    return json(201, { request });
  }
  if (event.httpMethod === 'GET') {
    const requests = await deps.service.list(who, statusFilter(event.queryStringParameters ?? {}));
    return json(200, { requests: requests.filter((r) => r.requester === who.name) });
  }
  return json(404, { error: { code: 'not_found', message: `no route ${event.httpMethod} ${event.path}` } });
}

async function route(event: APIGatewayProxyEvent, deps: RouteDeps): Promise<APIGatewayProxyResult> {
  const caller = event.requestContext?.identity?.userArn ?? '';
  const enterprise = /^\/enterprises\/([^/]+)\/requests\/?$/.exec(event.path ?? '');
  if (enterprise) return enterpriseRoute(event, deps, caller, enterprise[1]);
  const steward = stewardOf(caller, deps.principals);
  const analyst = analystOf(caller, deps.principals);
  const anyone: Actor | null = steward ?? analyst;
  if (!anyone)
    throw forbidden('your AWS role is not an analyst persona or a department steward of this lake');
  const method = event.httpMethod;
  const path = (event.path ?? '').replace(/\/+$/, '');
  const q = event.queryStringParameters ?? {};
  const s = deps.service;

  if (path === '/requests' && method === 'POST') {
    if (!analyst) throw forbidden("asking takes an analyst persona's role (lake.yaml personas)");
    const b = body(event);
    const request = await s.request(analyst, {
      dataset: str(b.dataset) ?? '',
      purpose: str(b.purpose) ?? '',
      until: str(b.until) ?? '',
      columns: columnsOf(b),
    });
    deps.log?.('access requested', { request: request.id, dataset: request.dataset });
    return json(201, { request });
  }
  if (path === '/requests' && method === 'GET') {
    const filter = statusFilter(q);
    // A steward who is also an analyst persona sees both sets.
    const seen = new Map<string, unknown>();
    for (const who of [steward, analyst]) {
      if (!who) continue;
      for (const r of await s.list(who, filter)) seen.set(r.id, r);
    }
    return json(200, { requests: [...seen.values()] });
  }
  if (path === '/log' && method === 'GET') {
    const filter = {
      ...(q.dataset ? { dataset: q.dataset } : {}),
      ...(q.request ? { request: q.request } : {}),
    };
    const events = [
      ...(steward ? await s.log(steward, filter) : []),
      ...(analyst ? await s.log(analyst, filter) : []),
    ];
    const unique = [...new Map(events.map((e) => [`${e.at}#${e.request}#${e.event}`, e])).values()];
    unique.sort((a, b) => a.at.localeCompare(b.at));
    return json(200, { events: unique });
  }
  const m = /^\/departments\/([a-z][a-z0-9_]*)\/requests\/([A-Za-z0-9-]+)\/(approve|deny|revoke)$/.exec(path);
  if (m && method === 'POST') {
    const [, department, id, verb] = m;
    if (!steward || steward.principal.id !== department) {
      throw forbidden(`only ${department}'s steward role decides on ${department}'s requests`);
    }
    const existing = await s.get(steward, id).catch(() => null);
    if (existing && existing.department !== department) {
      throw forbidden(`request ${id} is for ${existing.dataset}, not a dataset of ${department}`);
    }
    const b = body(event);
    const d =
      verb === 'approve'
        ? await s.approve(steward, id, { until: str(b.until) })
        : verb === 'deny'
          ? await s.deny(steward, id, str(b.reason) ?? '')
          : await s.revoke(steward, id, str(b.reason) ?? '');
    deps.log?.(`access ${verb}`, { request: id, changed: d.changed });
    return json(200, d);
  }
  return json(404, { error: { code: 'not_found', message: `no route ${method} ${path}` } });
}
