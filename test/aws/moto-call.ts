/**
 * Requests to moto for the services the project has no SDK client for (Lambda, SSM, CloudWatch, SNS, Lake
 * Formation): the AWS wire protocols by hand. moto does not check signatures, so the Authorization header
 * only names the service and region, which is how moto picks the backend.
 */
import { MOTO_CREDENTIALS, MOTO_REGION } from './moto-server.ts';
import type { Json } from './synth-lake.ts';

export class MotoCallError extends Error {
  constructor(what: string, status: number, body: string) {
    super(`${what}: HTTP ${status} ${body.slice(0, 500)}`);
    this.name = 'MotoCallError';
  }
}

function authorization(service: string): string {
  return `AWS4-HMAC-SHA256 Credential=${MOTO_CREDENTIALS.accessKeyId}/20260101/${MOTO_REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

async function send(what: string, url: string, init: RequestInit): Promise<string> {
  const r = await fetch(url, init);
  const text = await r.text();
  if (!r.ok) throw new MotoCallError(what, r.status, text);
  return text;
}

/** A JSON 1.1 protocol call (`X-Amz-Target: <prefix>.<Action>`), e.g. SSM's `AmazonSSM.PutParameter`. */
export async function motoJson(
  endpoint: string,
  service: string,
  target: string,
  body: object,
): Promise<Json> {
  const text = await send(target, `${endpoint}/`, {
    method: 'POST',
    headers: {
      authorization: authorization(service),
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
    },
    body: JSON.stringify(body),
  });
  return text ? JSON.parse(text) : {};
}

/** A REST-JSON call, e.g. Lambda's `GET /2015-03-31/event-source-mappings/`. */
export async function motoRest(
  endpoint: string,
  service: string,
  method: string,
  path: string,
  body?: object,
): Promise<Json> {
  const text = await send(`${service} ${method} ${path}`, `${endpoint}${path}`, {
    method,
    headers: { authorization: authorization(service), 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return text ? JSON.parse(text) : {};
}

/** A REST-XML call, e.g. CloudFront's `POST /2020-05-31/origin-access-control`; answers XML. */
export async function motoXml(
  endpoint: string,
  service: string,
  method: string,
  path: string,
  body?: string,
): Promise<string> {
  return send(`${service} ${method} ${path}`, `${endpoint}${path}`, {
    method,
    headers: { authorization: authorization(service), 'content-type': 'application/xml' },
    body,
  });
}

/** Query-protocol parameters from a structure: lists as `<name>.member.<n>`, structures as `<name>.<field>`. */
export function queryParams(value: Json, prefix = ''): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value))
    return Object.assign({}, ...value.map((v, i) => queryParams(v, `${prefix}.member.${i + 1}`)));
  if (typeof value === 'object')
    return Object.assign(
      {},
      ...Object.entries(value).map(([k, v]) => queryParams(v, prefix ? `${prefix}.${k}` : k)),
    );
  return { [prefix]: String(value) };
}

/** A query-protocol call (form-encoded `Action=...`), e.g. SNS or CloudWatch; answers XML. */
export async function motoQuery(
  endpoint: string,
  service: string,
  params: Record<string, string>,
): Promise<string> {
  return send(`${service} ${params.Action}`, `${endpoint}/`, {
    method: 'POST',
    headers: {
      authorization: authorization(service),
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    },
    body: new URLSearchParams({ Version: params.Version ?? '', ...params }).toString(),
  });
}
