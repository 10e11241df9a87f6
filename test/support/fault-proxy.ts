/**
 * A fault-injecting HTTP proxy for an S3-compatible endpoint on loopback: the ingestion tests put it between
 * the transformer's S3 client and the local S3 server to show that failing storage or network loses and
 * doubles nothing. It streams requests and responses through unchanged (the Host header too, so SigV4
 * signatures still verify) and, at a set rate drawn from a seeded generator, injects one fault instead:
 *
 *   internal-error   HTTP 500 InternalError (S3 XML error body), the request never reaches the server
 *   slow-down        HTTP 503 SlowDown, the request never reaches the server
 *   reset-request    the connection reset half-way through the request body (before the server sees it)
 *   reset-response   the request applied by the server, the connection reset half-way through the response
 *   stall-request    the request body never read, no answer: held until the client times out
 *   stall-response   the request applied, half the response sent, the rest held until the client times out
 *
 * A stalled connection is released after `maxStallMs` at the latest, so a client without timeouts still
 * moves on. `alwaysFail` names requests that fail every time (a poison upload).
 */
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mulberry32 } from './random.ts';

export const FAULT_KINDS = [
  'internal-error',
  'slow-down',
  'reset-request',
  'reset-response',
  'stall-request',
  'stall-response',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The request as the proxy sees it: method and path (bucket and key, URL-encoded, with the query). */
export interface ProxiedRequest {
  method: string;
  path: string;
}

export interface FaultProxyOptions {
  /** e.g. http://127.0.0.1:41234, the S3 server's endpoint. */
  target: string;
  /** Share of requests that get a fault, 0 to 1. */
  rate: number;
  /** Seed of the generator that decides which requests fail and how. @default 1 */
  seed?: number;
  /** Relative weights of the kinds. @default every kind equally */
  weights?: Partial<Record<FaultKind, number>>;
  /** A fault for every request this returns a kind for, whatever the rate. */
  alwaysFail?: (request: ProxiedRequest) => FaultKind | undefined;
  /** Longest a stalled connection is held. @default 10_000 */
  maxStallMs?: number;
}

export interface FaultProxy {
  /** The proxy's endpoint, to configure the S3 client with. */
  readonly endpoint: string;
  /** Faults injected so far, by kind. */
  readonly injected: Record<FaultKind, number>;
  /** Requests seen so far. */
  readonly requests: number;
  /** Changes the rate from now on (0 lets everything through). */
  setRate(rate: number): void;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

function s3ErrorBody(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const random = mulberry32(options.seed ?? 1);
  const weights = FAULT_KINDS.map((k) => Math.max(0, options.weights?.[k] ?? 1));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const maxStallMs = options.maxStallMs ?? 10_000;
  let rate = options.rate;
  let requests = 0;
  const injected = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  const upstreamAgent = new Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const pick = (req: ProxiedRequest): FaultKind | undefined => {
    const forced = options.alwaysFail?.(req);
    if (forced) return forced;
    // Two draws per request whatever the outcome, so the sequence does not depend on earlier outcomes.
    const hit = random();
    const which = random() * totalWeight;
    if (hit >= rate || totalWeight === 0) return undefined;
    let acc = 0;
    for (let i = 0; i < FAULT_KINDS.length; i++) {
      acc += weights[i];
      if (which < acc) return FAULT_KINDS[i];
    }
    return FAULT_KINDS[FAULT_KINDS.length - 1];
  };

  /** Holds a connection until the client gives up (or maxStallMs). */
  const stall = (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), maxStallMs);
    timers.add(timer);
    socket.once('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  };

  const errorResponse = (req: IncomingMessage, res: ServerResponse, status: number, code: string) => {
    // Read the body first, as S3 does, so the client is not cut off while it is still sending.
    req.resume();
    req.once('end', () => {
      const body = req.method === 'HEAD' ? '' : s3ErrorBody(code, `injected ${code}`);
      res.writeHead(status, {
        'content-type': 'application/xml',
        'content-length': Buffer.byteLength(body),
        'x-amz-request-id': 'fault-proxy',
      });
      res.end(body);
    });
  };

  const resetRequest = (req: IncomingMessage) => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (!(length > 0)) {
      req.socket.destroy();
      return;
    }
    let seen = 0;
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen >= length / 2) req.socket.destroy();
    });
    req.once('end', () => req.socket.destroy());
  };

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    fault?: 'reset-response' | 'stall-response',
  ) => {
    const upstream = request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent: upstreamAgent,
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.on('response', (up) => {
      if (!fault) {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        return;
      }
      const length = Number(up.headers['content-length'] ?? Number.NaN);
      const hasBody = req.method !== 'HEAD' && length !== 0;
      const cut = () => {
        up.destroy();
        if (fault === 'reset-response') res.socket?.destroy();
        else if (res.socket) stall(res.socket);
      };
      if (!hasBody) {
        // Nothing to cut in the middle of: cut before the status line.
        up.resume();
        cut();
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      const half = Number.isFinite(length) ? Math.floor(length / 2) : 1;
      if (half === 0) {
        up.resume();
        cut();
        return;
      }
      let sent = 0;
      up.on('data', (chunk: Buffer) => {
        if (sent >= half) return;
        const part = chunk.subarray(0, Math.max(0, half - sent));
        sent += part.length;
        res.write(part);
        if (sent >= half) cut();
      });
      up.once('end', () => {
        if (sent < half) cut();
      });
    });
    req.pipe(upstream);
  };

  const server: Server = createServer((req, res) => {
    requests++;
    const fault = pick({ method: req.method ?? 'GET', path: req.url ?? '/' });
    if (fault) injected[fault]++;
    switch (fault) {
      case 'internal-error':
        return errorResponse(req, res, 500, 'InternalError');
      case 'slow-down':
        return errorResponse(req, res, 503, 'SlowDown');
      case 'reset-request':
        return resetRequest(req);
      case 'stall-request':
        return stall(req.socket);
      default:
        return forward(req, res, fault);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${HOST}:${port}`,
    injected,
    get requests() {
      return requests;
    },
    setRate(r) {
      rate = r;
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        upstreamAgent.destroy();
        server.close(() => resolve());
      });
      return stopped;
    },
  };
}
