/**
 * moto (an in-memory implementation of the AWS APIs, independent of this project) served on a free loopback
 * port, behind a small proxy that counts every request by service and action, so the suite can say what it
 * asked AWS to do. Where moto is missing this throws MotoMissingError: the suite fails, it does not skip.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The account moto acts as: the fixture lake's (test/fixtures/cdk), so its ARNs are the deployed ones. */
export const MOTO_ACCOUNT = '111122223333';
export const MOTO_REGION = 'eu-west-1';
/** Any credentials do: moto does not check signatures. */
export const MOTO_CREDENTIALS = { accessKeyId: 'AKIAMOTOTESTING00001', secretAccessKey: 'moto' } as const;

export class MotoMissingError extends Error {
  constructor(detail: string) {
    super(
      `moto is missing, so the AWS suite (test/aws/) cannot run: ${detail}. ` +
        "It comes with the machine's Python 3.11 (`python3 -c 'import moto'`, `moto_server`); install moto 5 " +
        'for that Python, or run the suite on a machine that has it. This is a failure, not a skip.',
    );
    this.name = 'MotoMissingError';
  }
}

export interface Moto {
  /** The proxy's endpoint (http://127.0.0.1:<port>): what every client is pointed at. */
  endpoint: string;
  /** moto's own endpoint, for its control API (/moto-api/). */
  direct: string;
  /** Requests seen, by `service action`. */
  requests: Map<string, number>;
  /** Requests seen, by their Host header (path-style S3 keeps the endpoint's host; virtual-host prefixes the bucket). */
  hosts: Map<string, number>;
  /** While set, requests it matches are answered 503 SlowDown without reaching moto (an outage). */
  outage?: (method: string, path: string) => boolean;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The service a request is for (from its signature's credential scope) and its action. */
export function requestName(
  method: string,
  headers: Record<string, string | string[] | undefined>,
  url: string,
): string {
  const auth = String(headers.authorization ?? '');
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth)?.[1] ?? 'unsigned';
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return `${service} ${target.split('.').pop()}`;
  const action = /[?&]Action=([^&]+)/.exec(url)?.[1];
  if (action) return `${service} ${action}`;
  return `${service} ${method}`;
}

function startProxy(target: number, moto: Pick<Moto, 'requests' | 'hosts' | 'outage'>): Promise<Server> {
  const { requests, hosts } = moto;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let name = requestName(req.method ?? 'GET', req.headers, req.url ?? '/');
      // Query-protocol services (STS, SNS, CloudFormation) name the action in the form body.
      const form = /(?:^|&)Action=([^&]+)/.exec(body.toString('latin1'))?.[1];
      if (form && name.endsWith(' POST')) name = `${name.split(' ')[0]} ${form}`;
      requests.set(name, (requests.get(name) ?? 0) + 1);
      const host = req.headers.host ?? '';
      hosts.set(host, (hosts.get(host) ?? 0) + 1);
      if (moto.outage?.(req.method ?? 'GET', decodeURIComponent(req.url ?? '/'))) {
        res.writeHead(503, { 'content-type': 'application/xml' });
        res.end('<Error><Code>SlowDown</Code><Message>injected by the test</Message></Error>');
        return;
      }
      const upstream = request(
        { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      upstream.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      upstream.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function waitUntilUp(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null)
      throw new MotoMissingError(`moto_server exited at start (is moto installed for its Python?): ${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const r = request({ host: '127.0.0.1', port, path: '/moto-api/data.json' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      r.on('error', () => resolve(false));
      r.end();
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer on 127.0.0.1:${port} within 20 s: ${log()}`);
}

/** Starts moto_server on a free loopback port (127.0.0.1 only) and the counting proxy in front of it. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  let output = '';
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_ACCOUNT_ID: MOTO_ACCOUNT },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (e) => reject(new MotoMissingError(`moto_server cannot be started (${e.message})`)));
  });
  await spawned;
  // moto goes with the test process, however that ends.
  const killMoto = () => child.kill('SIGTERM');
  process.once('exit', killMoto);
  const keep = (c: Buffer) => {
    output = (output + c.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  await waitUntilUp(port, child, () => output);
  const moto: Moto = {
    endpoint: '',
    direct: `http://127.0.0.1:${port}`,
    requests: new Map(),
    hosts: new Map(),
    async stop() {
      const closed = new Promise<void>((r) => proxy.close(() => r()));
      proxy.closeAllConnections();
      await closed;
      process.off('exit', killMoto);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
  const proxy = await startProxy(port, moto);
  moto.endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return moto;
}
