/**
 * The transformer Lambda: the handler bundled by esbuild, DuckDB copied into the asset from the
 * installed packages (the native binding of the function's architecture), and the contracts bundle
 * written beside the handler. Synthesis needs no network and no Docker.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetStaging, Duration, Size } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { limitsForFunction } from '../../src/engine/resource-limits.ts';
import { DEFAULT_CONTRACTS_FILE, TRANSFORMER_ENV } from '../../src/ingest/env.ts';
import { TRANSFORMER_METRICS_NAMESPACE, TRANSFORMER_SERVICE_NAME } from '../../src/ingest/metrics.ts';
import { allowWildcards } from '../common/nag.ts';
import { LAKE_DEFAULTS } from '../config/lake-config.ts';
import { LakeFunction } from './lake-function.ts';

/** The repository root (where package.json and node_modules are). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The transformer's handler source. */
export const TRANSFORMER_ENTRY = join(PROJECT_ROOT, 'lambdas', 'transformer', 'handler.ts');
/** Packages kept out of the esbuild bundle and copied into the asset's node_modules instead. */
export const DUCKDB_PACKAGES = ['@duckdb/node-api', '@duckdb/node-bindings', 'detect-libc'] as const;

/** The DuckDB native binding package for an architecture. */
export function duckdbBindingPackage(architecture: lambda.Architecture): string {
  return `@duckdb/node-bindings-linux-${architecture === lambda.Architecture.ARM_64 ? 'arm64' : 'x64'}`;
}

/** Where an installed package lives, resolved the way Node resolves it from the project. */
export function installedPackageDir(name: string, from = PROJECT_ROOT): string | undefined {
  const req = createRequire(join(from, 'package.json'));
  try {
    return dirname(req.resolve(`${name}/package.json`));
  } catch {
    // Packages without an exported package.json: walk node_modules.
    let dir = from;
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
      const parent = dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  }
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TransformerFunctionProps {
  /** The lake's bucket names, set in the function's environment. */
  readonly buckets: { landing: string; raw: string; curated: string; quarantine: string };
  /** ARN of the secret holding the hash key. */
  readonly hashKeySecretArn: string;
  /**
   * Writes the contracts bundle to the given file; called while the asset is bundled.
   * @default - no bundle is written (the handler's own default applies)
   */
  readonly writeContractsBundle?: (outFile: string) => void;
  /**
   * The handler source.
   * @default - TRANSFORMER_ENTRY (lambdas/transformer/handler.ts)
   */
  readonly entry?: string;
  /**
   * The function's architecture: the DuckDB binding for it must be installed.
   * @default - x86_64
   */
  readonly architecture?: lambda.Architecture;
  /** @default - LAKE_DEFAULTS.transformerMemoryMiB */
  readonly memorySize?: number;
  /** @default - LAKE_DEFAULTS.transformerTimeoutSeconds */
  readonly timeout?: Duration;
  /** @default - LAKE_DEFAULTS.transformerEphemeralStorageMiB */
  readonly ephemeralStorageSize?: Size;
  /**
   * Key of the function's log group.
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * Where node_modules with DuckDB is resolved from.
   * @default - PROJECT_ROOT
   */
  readonly projectRoot?: string;
}

export class TransformerFunction extends LakeFunction {
  constructor(scope: Construct, id: string, props: TransformerFunctionProps) {
    const architecture = props.architecture ?? lambda.Architecture.X86_64;
    const projectRoot = props.projectRoot ?? PROJECT_ROOT;
    const binding = duckdbBindingPackage(architecture);
    const packages = [...DUCKDB_PACKAGES, binding];
    const dirs = packages.map((name) => ({ name, dir: installedPackageDir(name, projectRoot) }));
    const missing = dirs.filter((d) => d.dir === undefined).map((d) => d.name);
    if (missing.length > 0) {
      throw new Error(
        `TransformerFunction (${architecture.name}) needs ${missing.join(', ')} installed under ${projectRoot}/node_modules; ` +
          `run npm ci, or use the architecture whose DuckDB binding is installed (x86_64 needs @duckdb/node-bindings-linux-x64).`,
      );
    }
    const ephemeral =
      props.ephemeralStorageSize ?? Size.mebibytes(LAKE_DEFAULTS.transformerEphemeralStorageMiB);
    const memorySize = props.memorySize ?? LAKE_DEFAULTS.transformerMemoryMiB;
    // An upload, its working copy and the Parquet outputs share /tmp; strings spill there beyond a share of memory.
    const limits = limitsForFunction({ memoryMiB: memorySize, ephemeralStorageMiB: ephemeral.toMebibytes() });
    const writeBundle = props.writeContractsBundle;

    super(scope, id, {
      entry: props.entry ?? TRANSFORMER_ENTRY,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      architecture,
      memorySize,
      timeout: props.timeout ?? Duration.seconds(LAKE_DEFAULTS.transformerTimeoutSeconds),
      ephemeralStorageSize: ephemeral,
      logEncryptionKey: props.logEncryptionKey,
      description: 'Public data lake: checks, protects and publishes each upload (DuckDB engine)',
      environment: {
        [TRANSFORMER_ENV.landingBucket]: props.buckets.landing,
        [TRANSFORMER_ENV.rawBucket]: props.buckets.raw,
        [TRANSFORMER_ENV.curatedBucket]: props.buckets.curated,
        [TRANSFORMER_ENV.quarantineBucket]: props.buckets.quarantine,
        [TRANSFORMER_ENV.hashKeySecretArn]: props.hashKeySecretArn,
        [TRANSFORMER_ENV.contractsFile]: DEFAULT_CONTRACTS_FILE,
        [TRANSFORMER_ENV.maxObjectBytes]: String(limits.maxObjectBytes),
        [TRANSFORMER_ENV.maxDecompressedBytes]: String(limits.maxDecompressedBytes),
        [TRANSFORMER_ENV.stringsMemoryBytes]: String(limits.stringsMemoryBytes),
        POWERTOOLS_SERVICE_NAME: TRANSFORMER_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: TRANSFORMER_METRICS_NAMESPACE,
      },
      bundling: {
        externalModules: [...packages],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string): string[] => {
            // Called once more to describe a Docker build that never runs (/asset-output): write nothing then.
            if (outputDir === AssetStaging.BUNDLING_OUTPUT_DIR) return [];
            if (writeBundle) writeBundle(join(outputDir, DEFAULT_CONTRACTS_FILE));
            const target = join(outputDir, 'node_modules');
            return dirs.flatMap(({ name, dir }) => [
              `mkdir -p ${shellQuote(dirname(join(target, name)))}`,
              `cp -R ${shellQuote(dir as string)} ${shellQuote(join(target, name))}`,
            ]);
          },
        },
      },
    });
    if (this.role) {
      allowWildcards(this.role, {
        finding: /^Resource::\*$/,
        reason: 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) accepts no resource but *.',
      });
    }
  }
}
