/**
 * What the commands need of a lake, whichever it is: the local lake (embedded S3 endpoint, transformer in
 * process or in `lake up`, DuckDB catalog) or a deployed stack (S3 as the department's role, Glue, Athena).
 * The commands format; the backends fetch.
 */
import type { IngestReport, ReportStatus, Withdrawal } from '../engine/report.ts';
import type { ErasureReceipt } from '../ingest/erase-receipt.ts';
import type { ErasureSubject } from '../ingest/erase-subject.ts';
import type { CatalogueEntry } from '../lake/catalogue.ts';
import type { Freshness } from '../lake/freshness.ts';
import type { DatasetRef } from '../lake/layout.ts';
import type { ProgressReporter } from './progress.ts';

export interface UploadedObject {
  bucket: string;
  key: string;
  bytes: number;
  etag?: string;
  versionId?: string;
  /** When the upload started (client clock). */
  startedAt: Date;
}

export interface UploadSummary {
  uploadId: string;
  dataset: string;
  /** The landing key the file was uploaded to. */
  sourceKey: string;
  status: ReportStatus;
  /** The upload that already published the same bytes (status duplicate). */
  duplicateOf?: string;
  /** Set when the upload was withdrawn (or its withdrawal is under way). */
  withdrawal?: Withdrawal;
  rows: IngestReport['rows'];
  startedAt: string;
  durationMs: number;
}

export interface ColumnInfo {
  name: string;
  /** The type as the query engine shows it (Glue/Athena types). */
  type: string;
  classification: string;
  /** Kind of personal data, when the contract declares one. */
  pii: string | null;
  /** How personal data is protected (mask, hash, keep); dropped columns are not published at all. */
  protect: string | null;
  description: string | null;
  /** The header spellings a file may give the column (the contract's `headers`); null where the lake cannot tell. */
  headers: string[] | null;
  partition?: boolean;
}

/** What an identity (`--as`, local lake) may read of a dataset, and how it gets more. */
export interface DatasetAccessInfo {
  readable: boolean;
  /** Why it reads it: own department, unconditional sharing, a grant, or the operator. */
  basis: 'operator' | 'own' | 'unconditional' | 'grant' | null;
  /** The grant it reads through. */
  grant?: string;
  /** Columns of a readable table that are not there for it (restricted, or outside its grant). */
  withheldColumns: string[];
  /** How to ask for it (a `lake access request` command line), `not shared`, or null when not needed. */
  request: string | null;
}

export interface DatasetInfo {
  /** `<department>/<dataset>` */
  dataset: string;
  department: string;
  name: string;
  title: string;
  /** The owning department's name. */
  owner: string;
  classification: string;
  mode: string;
  /** Rows the table holds now, when known. */
  rows: number | null;
  /** When the data the table shows was last ingested (ISO 8601), when known. */
  lastIngested: string | null;
  /**
   * False when the backend cannot tell when the table was last ingested (a deployed table without an open
   * copy: its reports are its department's): lastIngested null then means unknown, not never.
   */
  lastIngestedKnown?: boolean;
  /** Sharing, opening, update frequency, licence, keywords, theme, area, period, contact (src/lake/catalogue.ts). */
  catalogue: CatalogueEntry;
  /** What the identity acting (`--as`, local lake) may read of it; absent for the operator and when deployed. */
  access?: DatasetAccessInfo;
}

export interface DatasetDetail extends DatasetInfo {
  description: string | null;
  primaryKey: string[];
  format: string | null;
  /** Where the table's data lives. */
  location: string;
  /** How to query it, e.g. `health.clinics`. */
  table: string;
  columns: ColumnInfo[];
  /** The period the rows cover: least and greatest value of the first date field; null without one (or unknown). */
  period: { field: string; from: string | null; to: string | null } | null;
  /** The most recent upload and how it ended; null when there is none (or the lake cannot tell). */
  lastUpload: { uploadId: string; status: ReportStatus; startedAt: string } | null;
  /** Rows in quarantine over every upload of the dataset; null where the lake cannot tell. */
  quarantinedRows: number | null;
  /** A few rows as analysts see them (published values: masked and hashed as published); null where not read. */
  sample: Record<string, unknown>[] | null;
  /** Last counting upload, due date, overdue or not (src/lake/freshness.ts); null where the lake cannot tell. */
  freshness: Freshness | null;
}

/** What `dataset()` reads besides the table's description. */
export interface DatasetDetailOptions {
  /** Sample rows to read. @default 0 */
  sample?: number;
  /** The time freshness is judged at. @default - now (LAKE_NOW when set: src/lake/freshness.ts) */
  now?: Date;
}

export interface QueryColumn {
  name: string;
  type: string;
}

export interface QueryOutcome {
  columns: QueryColumn[];
  rows: Record<string, unknown>[];
  /** Bytes scanned (Athena) when known. */
  scannedBytes?: number;
  durationMs: number;
}

/**
 * A query's result as it comes: the columns, then the rows a batch at a time (a DuckDB chunk, an Athena
 * results page), so that an export of any size never holds the whole result.
 */
export interface QueryStream {
  columns: QueryColumn[];
  /** The rows; read once. */
  batches: AsyncIterable<Record<string, unknown>[]>;
  /** Bytes scanned (Athena), known once the query has run. */
  scannedBytes?: number;
}

/** What `lake redrive` did. */
export type RedriveOutcome =
  /** Deployed: the dead-letter queue's messages are being moved back to the ingestion queue. */
  | { mode: 'aws'; deadLetterQueue: string; messages: number; taskHandle: string | null }
  /** Local: the landing objects that had no report, submitted to the transformer again. */
  | { mode: 'local'; resubmitted: string[] };

/** What `lake erase` asks of a lake. */
export interface EraseOptions {
  subject: ErasureSubject;
  reason: string;
  /** The request id (the receipt's name); a new one when absent. */
  requestId?: string;
}

export interface LakeBackend {
  readonly mode: 'local' | 'aws';
  /** One line saying which lake this is, for the person at the terminal. */
  readonly description: string;
  /** Uploads a local file to landing/<department>/<dataset>/<name>, multipart when large. */
  upload(file: string, ref: DatasetRef, name: string, progress: ProgressReporter): Promise<UploadedObject>;
  /** Waits for the transformer's report of an upload. */
  waitForReport(
    object: UploadedObject,
    ref: DatasetRef,
    opts: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<IngestReport>;
  /** The most recent uploads, newest first. */
  uploads(opts: { ref?: Partial<DatasetRef>; limit: number }): Promise<UploadSummary[]>;
  /** The report of one upload, or null when there is none. */
  report(uploadId: string): Promise<IngestReport | null>;
  datasets(): Promise<DatasetInfo[]>;
  dataset(ref: DatasetRef, opts?: DatasetDetailOptions): Promise<DatasetDetail>;
  query(sql: string, progress: ProgressReporter, signal?: AbortSignal): Promise<QueryOutcome>;
  /** As query(), the rows read as they come instead of held whole (exports of any size). */
  queryStream(sql: string, progress: ProgressReporter, signal?: AbortSignal): Promise<QueryStream>;
  /**
   * SQL on the quarantine (a steward's): `quarantine.<department>_<dataset>`, the rejected rows with their
   * `_errors`; where the lake can (locally).
   */
  queryQuarantine?(sql: string, progress: ProgressReporter): Promise<QueryOutcome>;
  /**
   * Takes an upload back: its rows leave the table (a replace dataset falls back to the previous upload).
   * Safe to repeat: a withdrawal cut short is finished by the next call. Returns the report as it is now.
   */
  withdraw(uploadId: string, request: { reason: string }): Promise<IngestReport>;
  /**
   * Erases a person (resident ID) or one row key from every layer of the lake (a lake admin's). Safe to
   * repeat with the same request id: an erasure cut short is finished. Returns the erasure receipt.
   */
  erase(request: EraseOptions): Promise<ErasureReceipt>;
  /** Every error of an upload (at most `limit`; null: all), read from its quarantine; where the lake can. */
  rejectedRows?(report: IngestReport, limit: number | null): Promise<IngestReport['errors']>;
  /** Sends the uploads that failed for good back to the transformer (after a fix). */
  redrive(): Promise<RedriveOutcome>;
  close(): Promise<void>;
}
