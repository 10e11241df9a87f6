/**
 * The disk and memory one upload may use, and the verdict when it needs more. In the transformer the
 * stack derives the limits from the function's ephemeral storage and memory (limitsForFunction) and sets
 * them in its environment; elsewhere (the CLI, tests) they follow the free space of the temp directory.
 * Running out of either, at any stage, becomes a rejected report naming the limit and what to do
 * (resourceRejection), never a crash.
 */
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { FileRejectedError } from './errors.ts';

const MiB = 1024 * 1024;

/** The environment variables the stack sets and the engine reads. */
export const LIMITS_ENV = {
  /** Largest decompressed size of a gzip upload, of a workbook part, and of a decoded working copy (bytes). */
  maxDecompressedBytes: 'LAKE_MAX_DECOMPRESSED_BYTES',
  /** Shared-string text of a workbook kept in memory; the rest spills to disk (bytes). */
  stringsMemoryBytes: 'LAKE_STRINGS_MEMORY_BYTES',
} as const;

/**
 * Shares of the function's ephemeral storage (/tmp): the upload itself, then its decompressed or decoded
 * working copy; the rest holds the Parquet outputs, the engine's spill files and spilled strings.
 */
export const UPLOAD_SHARE_OF_STORAGE = 1 / 4;
export const WORKING_COPY_SHARE_OF_STORAGE = 3 / 8;
/** Share of the function's memory a workbook's shared strings may hold before spilling to disk. */
export const STRINGS_SHARE_OF_MEMORY = 1 / 32;
/** Shared-string text kept in memory at most, whatever the memory. */
export const MAX_STRINGS_MEMORY_BYTES = 64 * MiB;
/** Shared-string text kept in memory at least, so small workbooks never touch the disk. */
export const MIN_STRINGS_MEMORY_BYTES = 4 * MiB;
/** Off a function: the share of the temp directory's free space a working copy may take. */
export const LOCAL_SHARE_OF_FREE_DISK = 1 / 2;
/** Off a function, when the free space cannot be read. */
export const FALLBACK_MAX_DECOMPRESSED_BYTES = 20 * 1024 * MiB;

/** What one upload may use. */
export interface ResourceLimits {
  maxDecompressedBytes: number;
  stringsMemoryBytes: number;
  /** Where the limits come from, for messages: the function's sizing, or the local disk. */
  origin: 'function' | 'local';
}

/** The limits of a transformer function of `memoryMiB` memory and `ephemeralStorageMiB` of /tmp. */
export function limitsForFunction(sizing: { memoryMiB: number; ephemeralStorageMiB: number }): {
  maxObjectBytes: number;
  maxDecompressedBytes: number;
  stringsMemoryBytes: number;
} {
  const storage = sizing.ephemeralStorageMiB * MiB;
  return {
    maxObjectBytes: Math.floor(storage * UPLOAD_SHARE_OF_STORAGE),
    maxDecompressedBytes: Math.floor(storage * WORKING_COPY_SHARE_OF_STORAGE),
    stringsMemoryBytes: stringsBudget(sizing.memoryMiB * MiB),
  };
}

function stringsBudget(memoryBytes: number): number {
  const share = Math.floor(memoryBytes * STRINGS_SHARE_OF_MEMORY);
  return Math.min(MAX_STRINGS_MEMORY_BYTES, Math.max(MIN_STRINGS_MEMORY_BYTES, share));
}

function freeDiskBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

function positive(value: string | undefined): number | undefined {
  const n = Number(value?.trim() || Number.NaN);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** The limits in force: from the environment the stack sets, else from the temp directory's free space. */
export function resourceLimits(
  env: Readonly<Record<string, string | undefined>> = process.env,
  dir = tmpdir(),
): ResourceLimits {
  const fromEnv = positive(env[LIMITS_ENV.maxDecompressedBytes]);
  const strings = positive(env[LIMITS_ENV.stringsMemoryBytes]);
  if (fromEnv !== undefined) {
    return {
      maxDecompressedBytes: fromEnv,
      stringsMemoryBytes: strings ?? MAX_STRINGS_MEMORY_BYTES,
      origin: 'function',
    };
  }
  const free = freeDiskBytes(dir);
  return {
    maxDecompressedBytes:
      free === null ? FALLBACK_MAX_DECOMPRESSED_BYTES : Math.floor(free * LOCAL_SHARE_OF_FREE_DISK),
    stringsMemoryBytes: strings ?? MAX_STRINGS_MEMORY_BYTES,
    origin: 'local',
  };
}

/** What to do when a file needs more than `limit`, by where the limit comes from. */
export function raiseAdvice(origin: ResourceLimits['origin']): string {
  return origin === 'function'
    ? 'split the file into smaller files and upload each, or raise ingestion.ephemeralStorageMiB in lake.yaml (it sets this limit) and deploy again'
    : 'split the file into smaller files, or free disk space in the temp directory';
}

/** A decompression limit and where it comes from (`given`: by the caller, for this run). */
export interface DecompressionLimit {
  bytes: number;
  origin: ResourceLimits['origin'] | 'given';
}

/** The decompression limit of a run: `given` when the caller sets one, else the limits in force. */
export function decompressionLimit(given?: number): DecompressionLimit {
  const limits = resourceLimits();
  if (given === undefined) return { bytes: limits.maxDecompressedBytes, origin: limits.origin };
  // The transformer passes the limit its environment sets: still the function's.
  const origin = limits.origin === 'function' && given === limits.maxDecompressedBytes ? 'function' : 'given';
  return { bytes: given, origin };
}

/** The rejection of a file whose `what` expands past `limit`, naming the limit and what to do. */
export function decompressedTooLarge(
  what: string,
  limit: DecompressionLimit,
  rule = 'size',
): FileRejectedError {
  const where = {
    function: ` (${LIMITS_ENV.maxDecompressedBytes}, set from the transformer's ephemeral storage)`,
    local: ' (half the free space of the temp directory)',
    given: '',
  }[limit.origin];
  const more = {
    function: ', or raise ingestion.ephemeralStorageMiB in lake.yaml (it sets this limit) and deploy again',
    local: ', or free disk space in the temp directory',
    given: '',
  }[limit.origin];
  return new FileRejectedError(
    rule,
    `${what} expands past the limit of ${limit.bytes} bytes${where}: split it into smaller files and upload each${more}`,
  );
}

const NO_SPACE = /ENOSPC|No space left on device|disk is full|Could not write all bytes/i;
const NO_MEMORY =
  /Out of Memory Error|failed to allocate|Array buffer allocation failed|ENOMEM|Invalid string length/i;

/**
 * The rejection a resource error becomes (disk full, memory exhausted, from Node or from DuckDB), with
 * `stage` saying what the engine was doing; null for any other error.
 */
export function resourceRejection(e: unknown, stage = 'reading the file'): FileRejectedError | null {
  if (e instanceof FileRejectedError || !(e instanceof Error)) return null;
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const text = `${code} ${e.message}`;
  if (code === 'ENOSPC' || NO_SPACE.test(text)) {
    return new FileRejectedError(
      'disk',
      `the working disk filled up while ${stage} (the upload, its working copies and outputs share it): ${raiseAdvice(resourceLimits().origin)}`,
      { cause: e },
    );
  }
  if (code === 'ENOMEM' || NO_MEMORY.test(text)) {
    return new FileRejectedError(
      'memory',
      `the engine ran out of memory while ${stage}: split the file into smaller files, or raise ingestion.memoryMiB in lake.yaml and deploy again`,
      { cause: e },
    );
  }
  return null;
}
