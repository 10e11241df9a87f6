/**
 * The transformer Lambda's environment: the names the stack sets and the handler reads. One place, so
 * the two cannot drift apart.
 */
import { LIMITS_ENV } from '../engine/resource-limits.ts';

export const TRANSFORMER_ENV = {
  /** Bucket departments upload to (keys under landing/<department>/<dataset>/). */
  landingBucket: 'LAKE_LANDING_BUCKET',
  /** Bucket of the originals, byte-identical (keys under raw/). */
  rawBucket: 'LAKE_RAW_BUCKET',
  /** Bucket of the published Parquet (keys under curated/). */
  curatedBucket: 'LAKE_CURATED_BUCKET',
  /** Bucket of rejected rows and files (quarantine/) and of the reports (reports/). */
  quarantineBucket: 'LAKE_QUARANTINE_BUCKET',
  /** Secrets Manager secret holding the key for `protect: hash`. */
  hashKeySecretArn: 'LAKE_HASH_KEY_SECRET_ARN',
  /** The contracts, as JSON bundled beside the handler (a path relative to the handler's directory). */
  contractsFile: 'LAKE_CONTRACTS_FILE',
  /**
   * Largest decompressed size of a gzipped upload, of a workbook part and of a decoded working copy, in
   * bytes: set from the function's ephemeral storage (see limitsForFunction).
   */
  maxDecompressedBytes: LIMITS_ENV.maxDecompressedBytes,
  /** A workbook's shared-string text held in memory before the rest spills to disk: set from its memory. */
  stringsMemoryBytes: LIMITS_ENV.stringsMemoryBytes,
  /**
   * Largest upload the function processes, in bytes (optional). A larger file gets a rejected report (rule
   * `size`) instead of filling the function's ephemeral storage; keep it well under that storage (the
   * upload, its decoded copy and the Parquet outputs all sit there at once).
   */
  maxObjectBytes: 'LAKE_MAX_OBJECT_BYTES',
  /** Bucket of the open-data zone (keys under open/); unset: nothing is opened. */
  openBucket: 'LAKE_OPEN_BUCKET',
  /** The URL the open-data zone is served at (the CloudFront distribution's, standing for open/). */
  openBaseUrl: 'LAKE_OPEN_BASE_URL',
  /** Names of the departments that open data, as JSON `{ "<id>": "<name>" }` (the catalogue's publishers). */
  openPublishers: 'LAKE_OPEN_PUBLISHERS',
} as const;

/** The contracts file's default name inside the Lambda asset. */
export const DEFAULT_CONTRACTS_FILE = 'contracts.json';
