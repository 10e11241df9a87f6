/**
 * What the portal's route handlers work over: the same lake backend the CLI uses, the contracts, the
 * access-request service, the query engine as a principal reads it, and the open-data zone. The local
 * server builds them from the local lake (local-services.ts); a Lambda would build them from the
 * deployed stack. Handlers are pure over (identity, services, request).
 */

import type { Principal } from '../access/principal.ts';
import type { AccessService } from '../access/service.ts';
import type { LakeBackend, QueryStream } from '../cli/backend.ts';
import type { ContractSet } from '../cli/contracts.ts';
import type { DirectUploads } from './upload.ts';

/** A file of the open-data zone, ready to send. */
export interface OpenFile {
  body: ReadableStream<Uint8Array> | Uint8Array | string;
  contentType: string;
  /** The name a download is saved under. */
  filename: string;
}

/** The open-data zone: what has been published to the public, PII-free by construction. */
export interface OpenData {
  /** The downloads of an open dataset (`{ format, file }`), empty when it has none yet. */
  files(dataset: string): Promise<{ format: string; file: string; bytes: number | null }[]>;
  /** A file of the zone by its path under `open/` (`education/schools/schools.csv`), or null. */
  file(path: string): Promise<OpenFile | null>;
}

export interface PortalServices {
  lake: LakeBackend;
  /** A steward's upload in steps: start, the parts, complete or abort, then the report (upload.ts). */
  uploads: DirectUploads;
  contracts: ContractSet;
  access: AccessService;
  /** Runs SQL as `who` reads the lake: the query engine enforces the grants. */
  queryAs(who: Principal, sql: string): Promise<QueryStream>;
  /**
   * Reads `columns` of `dataset` for `who`, an enterprise whose approved, unexpired request grants exactly
   * them (the route checks it first): the granted download (routes-enterprise.ts).
   */
  readGranted(who: Principal, dataset: string, columns: readonly string[]): Promise<QueryStream>;
  open: OpenData;
  now(): Date;
  /**
   * The largest CSV download (a query's result, a granted download) the portal can answer at once: the
   * deployed one answers through Lambda, whose answers hold at most 6 MB. Absent: no bound (the local
   * portal streams).
   */
  maxDownloadBytes?: number;
}
