/**
 * An S3-compatible endpoint on loopback, backed by a directory (s3rver): the local lake's storage and the
 * ingestion tests' S3. It starts on a free port, creates the lake's buckets, and hands out clients already
 * configured for it (path-style addressing, its fixed credentials, checksums only where S3 requires them).
 *
 * s3rver's HTTP side is used as it is; its files are written by LakeFileStore (atomic, private, keys kept
 * inside the directory) and its requests checked first by requestChecks (keys, conditional writes and
 * reads), so several processes can serve one directory at once.
 *
 * It has no versioning, so uploads are identified by their ETag.
 */

import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { requestChecks } from './local-s3-requests.ts';
import { LakeFileStore } from './local-s3-store.ts';
import type { LakeBuckets } from './types.ts';

/** The bucket names of the local lake. */
export const LOCAL_BUCKETS: LakeBuckets = {
  landing: 'lake-landing',
  raw: 'lake-raw',
  curated: 'lake-curated',
  quarantine: 'lake-quarantine',
};
/** The credentials s3rver checks signatures against. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'us-east-1';
const HOST = '127.0.0.1';

/**
 * A client for a local endpoint (also one served by another process, `lake up`): path-style addressing,
 * its fixed credentials, checksums only where S3 requires them (else streamed bodies keep their framing).
 */
export function localS3Client(endpoint: string, more: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...more,
  });
}

export interface LocalS3Options {
  /** Directory holding the buckets; kept after stop, so the lake survives restarts. */
  dir: string;
  /** @default 0 (a free port chosen by the system) */
  port?: number;
  /** @default LOCAL_BUCKETS */
  buckets?: LakeBuckets;
}

export interface LocalS3 {
  /** e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  readonly port: number;
  readonly buckets: LakeBuckets;
  /** A new client for this endpoint; stop() destroys every client handed out. */
  client(): S3Client;
  /**
   * Calls `listener` for every object created through this endpoint (PUT, POST, copy, completed
   * multipart upload), as S3 event notifications would. Returns the function that unsubscribes.
   */
  onObjectCreated(listener: (event: { bucket: string; key: string }) => void): () => void;
  /** Closes the server and every client's connections. Safe to call twice. */
  stop(): Promise<void>;
}

/** The part of an S3 event notification record that says what was created. */
interface S3EventRecord {
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string } };
}

/** The part of s3rver's API used here (it ships no types). */
interface S3rverInstance {
  store: unknown;
  context: { store: unknown };
  middleware: unknown[];
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  on(event: 'event', listener: (e: { Records?: S3EventRecord[] }) => void): void;
  off(event: 'event', listener: (e: { Records?: S3EventRecord[] }) => void): void;
  httpServer?: Server;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
  vhostBuckets: boolean;
}) => S3rverInstance;

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
  const buckets = options.buckets ?? LOCAL_BUCKETS;
  // The open-data zone is a plain folder on the local lake, not a bucket of the endpoint.
  const names = [...new Set([buckets.landing, buckets.raw, buckets.curated, buckets.quarantine])];
  const server = new S3rver({
    address: HOST,
    port: options.port ?? 0,
    directory: options.dir,
    silent: true,
    configureBuckets: names.map((name) => ({ name })),
    vhostBuckets: false,
  });
  const store = new LakeFileStore(options.dir);
  server.store = server.context.store = store;
  // Before the router, the last middleware s3rver installs.
  server.middleware.splice(server.middleware.length - 1, 0, requestChecks(store));
  const { port } = await server.run();
  const endpoint = `http://${HOST}:${port}`;
  const clients: S3Client[] = [];
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    port,
    buckets,
    client() {
      const c = localS3Client(endpoint);
      clients.push(c);
      return c;
    },
    onObjectCreated(listener) {
      // s3rver emits the notification in process, once the object is stored; its keys are not URL-encoded.
      const onEvent = (e: { Records?: S3EventRecord[] }) => {
        for (const r of e.Records ?? []) {
          const bucket = r.s3?.bucket?.name;
          const key = r.s3?.object?.key;
          if (r.eventName?.startsWith('ObjectCreated:') && bucket && key) listener({ bucket, key });
        }
      };
      server.on('event', onEvent);
      return () => server.off('event', onEvent);
    },
    stop() {
      stopped ??= (async () => {
        for (const c of clients) c.destroy();
        const closing = server.close();
        server.httpServer?.closeAllConnections();
        await closing;
      })();
      return stopped;
    },
  };
}
