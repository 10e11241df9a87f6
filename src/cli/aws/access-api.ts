/**
 * The deployed lake's access API (lib/access/access-requests.ts): API Gateway with IAM auth in front of
 * the access Lambda. Requests are signed with SigV4 as the caller's AWS role, which is who the caller is:
 * the API lets an analyst persona ask and list its own requests, and a department's steward (its upload
 * role) list and decide on its department's datasets' requests only.
 *
 *   POST /requests                                        { dataset, purpose, until, columns }
 *   GET  /requests[?status=&dataset=]
 *   POST /departments/<department>/requests/<id>/<approve|deny|revoke>   { until } | { reason }
 *   GET  /log[?dataset=&request=]
 *   POST /enterprises/<name>/requests                     { dataset, purpose, until, columns }   (the portal)
 *   GET  /enterprises/<name>/requests[?status=&dataset=]                                          (the portal)
 */
import { createHash, createHmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, SourceData } from '@smithy/types';
import { AccessError, type AccessErrorCode } from '../../access/errors.ts';
import type { AccessEvent, AccessRequest, RequestStatus } from '../../access/model.ts';
import type { Decision, NewRequest } from '../../access/service.ts';
import type { AccessClient } from '../access-client.ts';
import { CliError, EXIT } from '../errors.ts';
import type { DeployedLake } from './stack-outputs.ts';

function bytes(d: SourceData): Uint8Array | string {
  if (typeof d === 'string') return d;
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return new Uint8Array(d);
}

/** SHA-256 (and its HMAC) as SigV4 wants it, from node:crypto. */
class Sha256 {
  private readonly h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: SourceData) {
    this.h = secret !== undefined ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: SourceData): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {}
}

export interface ApiAccessClientOptions {
  /** The API's base URL (the stack's AccessApiUrl output). */
  url: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  fetch?: typeof fetch;
}

export class ApiAccessClient implements AccessClient {
  private readonly signer: SignatureV4;
  private readonly base: URL;
  private readonly fetch: typeof fetch;

  constructor(opts: ApiAccessClientOptions) {
    this.base = new URL(opts.url.endsWith('/') ? opts.url : `${opts.url}/`);
    this.signer = new SignatureV4({
      service: 'execute-api',
      region: opts.region,
      credentials: opts.credentials,
      sha256: Sha256,
    });
    this.fetch = opts.fetch ?? fetch;
  }

  /** The client of a deployed lake, signing with the default credentials (profile, environment, role). */
  static forLake(
    lake: DeployedLake,
    settings: { region?: string; profile?: string },
    fetchImpl?: typeof fetch,
  ): ApiAccessClient {
    const url = lake.outputs.core.accessApiUrl;
    if (!url) {
      throw new CliError(`the deployed lake (${lake.source}) has no access API`, {
        hint: 'Deploy the lake again (`npx cdk deploy --all --outputs-file cdk-outputs.json`): the access API came with sharing.',
        code: 'no_access_api',
        exitCode: EXIT.config,
      });
    }
    const region = settings.region ?? lake.region ?? /execute-api\.([a-z0-9-]+)\./.exec(url)?.[1];
    if (!region)
      throw new CliError('no AWS region is set for the access API', {
        hint: 'Pass --region <region>.',
        code: 'no_region',
        exitCode: EXIT.config,
      });
    return new ApiAccessClient({
      url,
      region,
      credentials: defaultProvider(settings.profile ? { profile: settings.profile } : {}),
      fetch: fetchImpl,
    });
  }

  get description(): string {
    return `the deployed lake's access API at ${this.base.host}, as your AWS role`;
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string | undefined> = {},
    body?: unknown,
  ): Promise<T> {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const q: Record<string, string> = {};
    url.searchParams.forEach((v, k) => {
      q[k] = v;
    });
    const signed = await this.signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: q,
      headers: { host: url.host, ...(text !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: text,
    });
    const res = await this.fetch(url, {
      method,
      headers: signed.headers as Record<string, string>,
      body: text,
    });
    const doc = (await res.json().catch(() => ({}))) as {
      error?: { code?: string; message?: string; hint?: string };
    } & T;
    if (!res.ok) {
      const code = doc.error?.code;
      if (code && !['failure'].includes(code) && doc.error?.message) {
        throw new AccessError(doc.error.message, { code: code as AccessErrorCode, hint: doc.error.hint });
      }
      if (res.status === 403) {
        throw new CliError('the access API refused the call: your AWS role may not do this', {
          hint: "Asking takes an analyst persona's role; deciding takes the owning department's upload (steward) role.",
          code: 'forbidden',
        });
      }
      throw new CliError(
        `the access API answered ${res.status}${doc.error?.message ? `: ${doc.error.message}` : ''}`,
        { code: 'access_api_failed' },
      );
    }
    return doc;
  }

  async request(req: NewRequest): Promise<AccessRequest> {
    return (await this.call<{ request: AccessRequest }>('POST', 'requests', {}, req)).request;
  }

  async list(filter: { status?: RequestStatus; dataset?: string }): Promise<AccessRequest[]> {
    return (await this.call<{ requests: AccessRequest[] }>('GET', 'requests', filter)).requests;
  }

  private async decide(id: string, verb: 'approve' | 'deny' | 'revoke', body: unknown): Promise<Decision> {
    const r = (await this.list({})).find((x) => x.id === id);
    if (!r)
      throw new AccessError(`there is no access request ${id}`, {
        code: 'not_found',
        hint: '`lake access list` shows the requests you may see.',
      });
    const path = `departments/${encodeURIComponent(r.department)}/requests/${encodeURIComponent(id)}/${verb}`;
    return this.call<Decision>('POST', path, {}, body);
  }

  approve(id: string, opts: { until?: string }): Promise<Decision> {
    return this.decide(id, 'approve', opts.until ? { until: opts.until } : {});
  }
  deny(id: string, reason: string): Promise<Decision> {
    return this.decide(id, 'deny', { reason });
  }
  revoke(id: string, reason: string): Promise<Decision> {
    return this.decide(id, 'revoke', { reason });
  }

  /** Enterprise `name` asks (the web portal's enterprise role only: src/portal/aws-enterprise.ts). */
  async requestForEnterprise(name: string, req: NewRequest): Promise<AccessRequest> {
    const path = `enterprises/${encodeURIComponent(name)}/requests`;
    return (await this.call<{ request: AccessRequest }>('POST', path, {}, req)).request;
  }

  /** The requests enterprise `name` made (the web portal's enterprise role only). */
  async listForEnterprise(
    name: string,
    filter: { status?: RequestStatus; dataset?: string } = {},
  ): Promise<AccessRequest[]> {
    const path = `enterprises/${encodeURIComponent(name)}/requests`;
    return (await this.call<{ requests: AccessRequest[] }>('GET', path, filter)).requests;
  }

  async log(filter: { dataset?: string; request?: string }): Promise<AccessEvent[]> {
    return (await this.call<{ events: AccessEvent[] }>('GET', 'log', filter)).events;
  }
}
