/**
 * The local lake at run time: the embedded S3 endpoint on loopback, the transformer driven by its
 * object-created events (the same processUpload the Lambda runs), and the catalog kept in step.
 *
 * A command either attaches to the `lake up` serving the lake directory (server.json names its endpoint),
 * or, when none is, starts the endpoint and the transformer in its own process and stops them when done.
 * Either way it then speaks plain S3 to the endpoint, as any department's client would.
 */
import { CopyObjectCommand, HeadBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DatasetContract } from '../contracts/schema.ts';
import type { IngestReport } from '../engine/report.ts';
import { hashKeyFingerprint } from '../ingest/hash-key.ts';
import { LOCAL_BUCKETS, type LocalS3, localS3Client, startLocalS3 } from '../ingest/local-s3.ts';
import { listReports, processUpload, readReport } from '../ingest/process-upload.ts';
import { listObjects, normalizeEtag } from '../ingest/s3-objects.ts';
import type { IngestLogger, LakeBuckets, ProcessResult } from '../ingest/types.ts';
import { type DatasetRef, parseLandingKey, uploadIdOf, ZONE_PREFIX } from '../lake/layout.ts';
import { type CatalogFiles, syncCatalog } from './catalog.ts';
import {
  ensureLakeDirs,
  type LakePaths,
  lakePaths,
  loadOrCreateHashKey,
  localOpenZone,
  readServerInfo,
  removeServerInfo,
  writeServerInfo,
} from './lake-dir.ts';

/** How often a waiting command looks for its report. */
export const REPORT_POLL_MS = 150;
/** How long `ingest` waits for a report by default. */
export const DEFAULT_REPORT_TIMEOUT_MS = 10 * 60_000;

export interface ObjectCreated {
  bucket: string;
  key: string;
}

export interface LocalLakeOptions {
  lakeDir: string;
  contracts: ReadonlyMap<string, DatasetContract>;
  /** Port of a served lake. @default a free port */
  port?: number;
  /** Serve the lake for other processes (`lake up`): write server.json, catch up on unprocessed uploads. */
  serve?: boolean;
  logger?: IngestLogger;
  /** Department names (departments.yaml), the publishers in the open-data catalogue. @default the ids */
  publishers?: ReadonlyMap<string, string>;
  /** Called after each upload is processed by this process. */
  onProcessed?: (result: ProcessResult, object: ObjectCreated) => void;
}

/** One transformer queue per process: files are processed one at a time, in arrival order. */
class UploadQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  constructor(private readonly work: (o: ObjectCreated) => Promise<void>) {}

  push(o: ObjectCreated): void {
    this.pending++;
    this.tail = this.tail.then(() => this.work(o)).finally(() => this.pending--);
  }

  get size(): number {
    return this.pending;
  }

  async drain(): Promise<void> {
    while (this.pending > 0) await this.tail.catch(() => undefined);
  }
}

export class LocalLake {
  /** True when this process runs the endpoint and the transformer; false when attached to `lake up`. */
  readonly inProcess: boolean;
  readonly endpoint: string;
  readonly buckets: LakeBuckets;
  readonly paths: LakePaths;
  readonly s3: S3Client;
  private readonly queue: UploadQueue | null;
  private readonly stops: (() => Promise<void> | void)[] = [];
  private readonly failures: Error[] = [];

  private constructor(init: {
    paths: LakePaths;
    endpoint: string;
    s3: S3Client;
    queue: UploadQueue | null;
  }) {
    this.paths = init.paths;
    this.buckets = { ...LOCAL_BUCKETS, open: localOpenZone(init.paths) };
    this.endpoint = init.endpoint;
    this.s3 = init.s3;
    this.queue = init.queue;
    this.inProcess = init.queue !== null;
  }

  /** How many times this process opened a lake (attached to one or started one): what a query may skip. */
  static opened = 0;

  /** Attaches to the `lake up` serving `lakeDir`, or starts the lake in this process. */
  static async open(opts: LocalLakeOptions): Promise<LocalLake> {
    LocalLake.opened++;
    const paths = lakePaths(opts.lakeDir);
    ensureLakeDirs(paths);
    const served = opts.serve ? null : readServerInfo(paths);
    if (served) {
      const s3 = localS3Client(served.endpoint);
      try {
        await s3.send(new HeadBucketCommand({ Bucket: LOCAL_BUCKETS.landing }));
        return new LocalLake({ paths, endpoint: served.endpoint, s3, queue: null });
      } catch {
        // Not answering: a `lake up` that hangs or is shutting down. Run in process instead.
        s3.destroy();
      }
    } else if (opts.serve && readServerInfo(paths)) {
      const other = readServerInfo(paths);
      throw new LakeBusyError(paths, other?.endpoint ?? '', other?.pid ?? 0);
    }
    return LocalLake.start(paths, opts);
  }

  private static async start(paths: LakePaths, opts: LocalLakeOptions): Promise<LocalLake> {
    const hashKey = loadOrCreateHashKey(paths);
    // The local key is known by its fingerprint in the reports (never by its value).
    const hashKeyVersion = hashKeyFingerprint(hashKey);
    const server: LocalS3 = await startLocalS3({ dir: paths.s3, port: opts.port });
    const s3 = server.client();
    let lake: LocalLake | undefined;
    const queue = new UploadQueue(async (o) => {
      try {
        const result = await processUpload(
          {
            s3,
            buckets: { ...server.buckets, open: localOpenZone(paths) },
            contracts: opts.contracts,
            publishers: opts.publishers,
            hashKey,
            hashKeyVersion,
            tmpDir: paths.tmp,
            logger: opts.logger,
          },
          o,
        );
        opts.onProcessed?.(result, o);
      } catch (e) {
        // Infrastructure failures (disk, S3): the upload stays in landing and is retried by the next `lake up`.
        lake?.failures.push(e as Error);
        opts.logger?.error('upload failed', { key: o.key, error: (e as Error).message });
      }
    });
    lake = new LocalLake({ paths, endpoint: server.endpoint, s3, queue });
    const onCreated = (event: ObjectCreated) => {
      if (event.bucket === server.buckets.landing && parseLandingKey(event.key)) queue.push(event);
    };
    // The endpoint notifies each created object in process, as S3 event notifications would.
    const unsubscribe = server.onObjectCreated(onCreated);
    lake.stops.push(async () => {
      await unsubscribe();
      await queue.drain();
      await server.stop();
    });
    if (opts.serve) {
      writeServerInfo(paths, {
        pid: process.pid,
        endpoint: server.endpoint,
        startedAt: new Date().toISOString(),
      });
      lake.stops.unshift(() => removeServerInfo(paths, process.pid));
      // Uploads that arrived while the lake was stopped mid-way are processed now (the others are duplicates).
      for await (const o of listObjects(s3, server.buckets.landing, ZONE_PREFIX.landing)) {
        if (o.Key) onCreated({ bucket: server.buckets.landing, key: o.Key });
      }
    }
    return lake;
  }

  /** The upload id of an object in landing, from its version (or ETag) and LastModified, as the transformer computes it. */
  async uploadIdOf(key: string): Promise<string> {
    const h = await this.s3.send(new HeadObjectCommand({ Bucket: this.buckets.landing, Key: key }));
    const identity = h.VersionId && h.VersionId !== 'null' ? h.VersionId : normalizeEtag(h.ETag);
    if (!identity || !h.LastModified)
      throw new Error(`s3://${this.buckets.landing}/${key} has no ETag or LastModified`);
    return uploadIdOf(key, identity, h.LastModified);
  }

  /** Waits for the report of an upload. */
  async waitForReport(
    ref: DatasetRef,
    uploadId: string,
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<IngestReport> {
    const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_REPORT_TIMEOUT_MS);
    for (;;) {
      const report = await readReport(this.s3, this.buckets.quarantine, ref, uploadId);
      if (report) return report;
      if (this.failures.length > 0) throw this.failures[this.failures.length - 1];
      if (opts.signal?.aborted) throw new LocalLakeError('interrupted while waiting for the report');
      if (Date.now() > deadline) throw new ReportTimeoutError(uploadId, this.inProcess);
      await new Promise((r) => setTimeout(r, REPORT_POLL_MS));
    }
  }

  /** Every report in the lake (optionally of one department or dataset), oldest first. */
  listReports(ref?: Partial<DatasetRef>) {
    return listReports(this.s3, this.buckets.quarantine, ref?.department, ref?.dataset);
  }

  readReport(ref: DatasetRef, uploadId: string) {
    return readReport(this.s3, this.buckets.quarantine, ref, uploadId);
  }

  /**
   * Submits again every landing object that has no report (its processing failed for good, as an
   * upload in AWS would end in the dead-letter queue), and returns their keys. In process the queue
   * takes them; a lake served by `lake up` is notified by copying each object onto itself.
   */
  async resubmitUnreported(): Promise<string[]> {
    const keys: string[] = [];
    for await (const o of listObjects(this.s3, this.buckets.landing, ZONE_PREFIX.landing)) {
      const ref = o.Key ? parseLandingKey(o.Key) : null;
      if (!o.Key || !ref) continue;
      if (await this.readReport(ref, await this.uploadIdOf(o.Key))) continue;
      keys.push(o.Key);
      if (this.queue) {
        this.queue.push({ bucket: this.buckets.landing, key: o.Key });
      } else {
        await this.s3.send(
          new CopyObjectCommand({
            Bucket: this.buckets.landing,
            Key: o.Key,
            CopySource: `${this.buckets.landing}/${encodeURIComponent(o.Key).replaceAll('%2F', '/')}`,
            MetadataDirective: 'REPLACE',
          }),
        );
      }
    }
    await this.idle();
    return keys;
  }

  /** Waits until the uploads this process has seen are processed (in process only). */
  async idle(): Promise<void> {
    await this.queue?.drain();
  }

  /** Brings the catalog (views and cache) up to date with the lake. */
  syncCatalog(contracts: ReadonlyMap<string, DatasetContract>): Promise<CatalogFiles> {
    return syncCatalog({ s3: this.s3, buckets: this.buckets, contracts, paths: this.paths });
  }

  /** Stops what this process started, after the uploads in flight are processed. */
  async close(): Promise<void> {
    for (const stop of this.stops.splice(0)) await stop();
    if (!this.inProcess) this.s3.destroy();
  }
}

/** Errors of the local lake's runtime. */
export class LocalLakeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalLakeError';
  }
}

/** `lake up` was asked to serve a directory another `lake up` serves. */
export class LakeBusyError extends LocalLakeError {
  constructor(
    readonly paths: LakePaths,
    readonly endpoint: string,
    readonly pid: number,
  ) {
    super(`the lake in ${paths.root} is already served by process ${pid} at ${endpoint}`);
    this.name = 'LakeBusyError';
  }
}

/** No report came for an upload in the time given. */
export class ReportTimeoutError extends LocalLakeError {
  constructor(
    readonly uploadId: string,
    inProcess: boolean,
  ) {
    super(
      `no report for upload ${uploadId} yet${inProcess ? '' : ': the `lake up` serving this lake may be busy or stopped'}`,
    );
    this.name = 'ReportTimeoutError';
  }
}
