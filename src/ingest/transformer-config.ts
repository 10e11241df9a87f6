/**
 * The transformer's configuration, read from its environment once per cold start. Every missing or malformed
 * variable is reported at once, with its name, so a bad deployment fails on its first invocation with one
 * clear message instead of on some later file.
 */
import { DEFAULT_CONTRACTS_FILE, TRANSFORMER_ENV } from './env.ts';
import { IngestConfigError } from './errors.ts';
import type { LakeBuckets } from './types.ts';

export interface TransformerConfig {
  readonly buckets: LakeBuckets;
  readonly hashKeySecretArn: string;
  /** The contracts bundle, as set (relative to the handler's directory unless absolute). */
  readonly contractsFile: string;
  readonly maxDecompressedBytes?: number;
  readonly maxObjectBytes?: number;
  /** Read by the engine itself from the environment too (resourceLimits); checked here at cold start. */
  readonly stringsMemoryBytes?: number;
  /** Department names, the publishers of the open-data catalogue (LAKE_OPEN_PUBLISHERS). */
  readonly publishers?: ReadonlyMap<string, string>;
}

type Env = Readonly<Record<string, string | undefined>>;

export function readTransformerConfig(env: Env = process.env): TransformerConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) {
      problems.push(`${name} is not set`);
      return '';
    }
    return value;
  };
  const positiveInteger = (name: string): number | undefined => {
    const value = env[name]?.trim();
    if (!value) return undefined;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n <= 0) {
      problems.push(`${name} must be a positive whole number of bytes; got "${value}"`);
      return undefined;
    }
    return n;
  };
  const config: TransformerConfig = {
    buckets: {
      landing: required(TRANSFORMER_ENV.landingBucket),
      raw: required(TRANSFORMER_ENV.rawBucket),
      curated: required(TRANSFORMER_ENV.curatedBucket),
      quarantine: required(TRANSFORMER_ENV.quarantineBucket),
      ...openZoneOf(env),
    },
    hashKeySecretArn: required(TRANSFORMER_ENV.hashKeySecretArn),
    contractsFile: env[TRANSFORMER_ENV.contractsFile]?.trim() || DEFAULT_CONTRACTS_FILE,
    maxDecompressedBytes: positiveInteger(TRANSFORMER_ENV.maxDecompressedBytes),
    maxObjectBytes: positiveInteger(TRANSFORMER_ENV.maxObjectBytes),
    stringsMemoryBytes: positiveInteger(TRANSFORMER_ENV.stringsMemoryBytes),
    publishers: publishersOf(env, problems),
  };
  if (problems.length > 0) {
    throw new IngestConfigError(
      `the transformer's environment is incomplete: ${problems.join('; ')}. The stack sets these variables; deploy it again or set them on the function`,
    );
  }
  return config;
}

/**
 * A DuckDB memory limit for a function of `memoryMb` megabytes: half of it, leaving the rest to Node, the
 * SDK's buffers and DuckDB's own overhead (it spills to disk beyond the limit).
 */
export function engineMemoryLimit(memoryMb: number | undefined): string | undefined {
  if (memoryMb === undefined || !Number.isFinite(memoryMb) || memoryMb <= 0) return undefined;
  return `${Math.max(128, Math.floor(memoryMb / 2))}MB`;
}

/** The open-data zone, when the stack set its bucket. */
function openZoneOf(env: Env): Pick<LakeBuckets, 'open'> {
  const bucket = env[TRANSFORMER_ENV.openBucket]?.trim();
  if (!bucket) return {};
  const baseUrl = env[TRANSFORMER_ENV.openBaseUrl]?.trim();
  return { open: baseUrl ? { bucket, baseUrl } : { bucket } };
}

/** The department names of LAKE_OPEN_PUBLISHERS (a JSON object of strings). */
function publishersOf(env: Env, problems: string[]): ReadonlyMap<string, string> | undefined {
  const text = env[TRANSFORMER_ENV.openPublishers]?.trim();
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && Object.values(parsed).every((v) => typeof v === 'string')) {
      return new Map(Object.entries(parsed as Record<string, string>));
    }
  } catch {
    // reported below
  }
  problems.push(`${TRANSFORMER_ENV.openPublishers} must be a JSON object of department names`);
  return undefined;
}
