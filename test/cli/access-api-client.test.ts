/** `lake access` against the deployed lake: SigV4-signed calls to the access API, its answers and refusals. */
import { describe, expect, it } from 'vitest';
import { ApiAccessClient } from '../../src/cli/aws/access-api.ts';

const URL_BASE = 'https://abc123.execute-api.cn-north-1.amazonaws.com.cn/v1/';
const request = {
  id: 'r-abcdef',
  dataset: 'civil_affairs/assistance_payments',
  department: 'civil_affairs',
  status: 'pending',
};

function fakeApi(answer: (method: string, url: URL, body: unknown) => [number, unknown]) {
  const calls: { method: string; url: URL; headers: Record<string, string>; body: unknown }[] = [];
  const fetchImpl = (async (input: URL | string, init?: RequestInit) => {
    const url = new URL(String(input));
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({
      method: init?.method ?? 'GET',
      url,
      headers: init?.headers as Record<string, string>,
      body,
    });
    const [status, doc] = answer(init?.method ?? 'GET', url, body);
    return new Response(JSON.stringify(doc), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const client = new ApiAccessClient({
    url: URL_BASE,
    region: 'cn-north-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' },
    fetch: fetchImpl,
  });
  return { client, calls };
}

describe('the access API client', () => {
  it('signs every call with SigV4 for execute-api', async () => {
    const { client, calls } = fakeApi(() => [201, { request }]);
    const r = await client.request({
      dataset: request.dataset,
      purpose: 'p',
      until: '2027-01-31',
      columns: ['amount'],
    });
    expect(r.id).toBe('r-abcdef');
    const [c] = calls;
    expect(c.method).toBe('POST');
    expect(c.url.pathname).toBe('/v1/requests');
    expect(c.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/cn-north-1\/execute-api\/aws4_request/,
    );
    expect(c.headers['x-amz-security-token']).toBe('token');
    expect(c.body).toEqual({
      dataset: request.dataset,
      purpose: 'p',
      until: '2027-01-31',
      columns: ['amount'],
    });
  });

  it("decides on the department's route of the request", async () => {
    const { client, calls } = fakeApi((method, url) =>
      method === 'GET' && url.pathname === '/v1/requests'
        ? [200, { requests: [request] }]
        : [200, { request: { ...request, status: 'approved' }, changed: true }],
    );
    const d = await client.approve('r-abcdef', { until: '2026-12-31' });
    expect(d.changed).toBe(true);
    expect(calls[1].url.pathname).toBe('/v1/departments/civil_affairs/requests/r-abcdef/approve');
    expect(calls[1].body).toEqual({ until: '2026-12-31' });
  });

  it("reports the API's refusal in its terms", async () => {
    const { client } = fakeApi((method) =>
      method === 'GET'
        ? [200, { requests: [request] }]
        : [403, { error: { code: 'forbidden', message: "only civil_affairs's steward role decides" } }],
    );
    await expect(client.deny('r-abcdef', 'no')).rejects.toMatchObject({
      code: 'forbidden',
      message: "only civil_affairs's steward role decides",
    });
    await expect(client.deny('r-other', 'no')).rejects.toMatchObject({ code: 'not_found' });
    const denied = fakeApi(() => [
      403,
      { message: 'User is not authorized to access this resource with an explicit deny' },
    ]);
    await expect(denied.client.list({})).rejects.toMatchObject({ code: 'forbidden' });
  });
});
