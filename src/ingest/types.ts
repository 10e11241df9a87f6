/** Types shared by the ingestion core, the transformer Lambda and the local lake. */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DatasetContract } from '../contracts/schema.ts';
import type { IngestReport } from '../engine/report.ts';

/**
 * The lake's buckets. Keys keep their zone as the first path segment, so the four may be one bucket (the
 * local lake) or four (the stack). Reports live in the quarantine bucket, under reports/.
 */
export interface LakeBuckets {
  readonly landing: string;
  readonly raw: string;
  readonly curated: string;
  readonly quarantine: string;
  /** The open-data zone (src/ingest/open): absent, nothing is opened. */
  readonly open?: OpenZoneLocation;
}

/**
 * Where the open-data zone is: its own bucket (deployed lake, served only through CloudFront) or a plain
 * folder (local lake, `.lake/open/`), and the base URL its files are downloaded from (it stands for `open/`).
 */
export type OpenZoneLocation =
  | { readonly bucket: string; readonly baseUrl?: string }
  | { readonly dir: string; readonly baseUrl?: string };

/** Structured logging, shaped like Powertools' Logger (message first, then one object of keys). */
export interface IngestLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

/** Tuning passed through to the transform engine. */
export interface EngineSettings {
  /** DuckDB threads. @default the engine's default (1) */
  readonly threads?: number;
  /** DuckDB memory limit, e.g. '512MB'. @default the engine's default */
  readonly memoryLimit?: string;
  /** Largest decompressed size of a gzipped upload. @default the engine's default */
  readonly maxDecompressedBytes?: number;
}

export interface ProcessUploadDeps {
  readonly s3: S3Client;
  readonly buckets: LakeBuckets;
  /** Contracts keyed `department/name`. */
  readonly contracts: ReadonlyMap<string, DatasetContract>;
  /** Key of `protect: hash`. */
  readonly hashKey: Buffer;
  /**
   * The version of hashKey (the secret's version id, or the key file's fingerprint, never the key): set in
   * the report of each upload that hashed a column. @default not recorded
   */
  readonly hashKeyVersion?: string;
  /** Where the upload and the engine's work files go while processing. @default the OS temp directory */
  readonly tmpDir?: string;
  /** Clock, for the report's startedAt. @default () => new Date() */
  readonly now?: () => Date;
  /**
   * Notable events along the way (an earlier attempt's output removed, a newer upload kept current). The
   * outcome itself is returned, for the caller to log. @default no logging
   */
  readonly logger?: IngestLogger;
  readonly engine?: EngineSettings;
  /** Larger uploads get a rejected report (rule `size`) instead of being processed. @default no limit */
  readonly maxObjectBytes?: number;
  /** Department names (departments.yaml), the publishers of the open-data catalogue. @default the ids */
  readonly publishers?: ReadonlyMap<string, string>;
}

/** One uploaded object, as an S3 event names it (key already URL-decoded). */
export interface UploadObject {
  readonly bucket: string;
  readonly key: string;
  /** The S3 version id; without it the object's ETag identifies the upload. */
  readonly versionId?: string;
}

/** `withdrawn`: the object was a steward's withdrawal request (withdraw-request.ts), carried out. */
export type ProcessOutcome = 'processed' | 'duplicate' | 'ignored' | 'withdrawn';

export interface ProcessResult {
  outcome: ProcessOutcome;
  /** Set unless the object was ignored before it could be identified. */
  uploadId?: string;
  /** The report written (processed) or found (duplicate). */
  report?: IngestReport;
  /** Where the original was copied (processed only). */
  rawKey?: string;
  /** Why the object was ignored. */
  reason?: string;
}

/** One report in the reports zone. */
export interface ReportEntry {
  key: string;
  department: string;
  dataset: string;
  uploadId: string;
  /** When the report was written. */
  lastModified?: Date;
  size?: number;
}
