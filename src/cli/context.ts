/**
 * What every command gets: its parsed options, the output, the contracts (loaded when first asked for) and
 * the lake (opened when first asked for: the deployed stack or the local lake, see chooseLake).
 */
import { resolve } from 'node:path';
import type { CloudFormationClient as CloudFormation } from '@aws-sdk/client-cloudformation';
import { DEFAULT_LAKE_DIR } from '../local/lake-dir.ts';
import type { AwsClientFactory } from './aws/aws-backend.ts';
import type { DeployedLake } from './aws/stack-outputs.ts';
import type { LakeBackend } from './backend.ts';
import { type ContractSet, contractPaths, loadContractSet } from './contracts.ts';
import type { Io, Output } from './output.ts';

export interface GlobalOptions {
  json?: boolean;
  local?: boolean;
  'lake-dir'?: string;
  datasets?: string;
  departments?: string;
  profile?: string;
  region?: string;
  outputs?: string;
  stack?: string;
}

/** Hooks for tests: AWS clients (mocked), and how long to wait between report polls. */
export interface RunHooks {
  awsClients?: (settings: { region?: string; profile?: string }) => AwsClientFactory;
  cloudFormation?: (settings: { region?: string; profile?: string }) => CloudFormation;
  awsPollMs?: number;
}

export class Context {
  private contractSet?: ContractSet;
  private opened?: LakeBackend;

  constructor(
    readonly io: Io,
    readonly out: Output,
    readonly options: GlobalOptions,
    readonly hooks: RunHooks = {},
  ) {}

  get lakeDir(): string {
    return resolve(this.io.cwd, this.options['lake-dir'] ?? this.io.env.LAKE_DIR ?? DEFAULT_LAKE_DIR);
  }

  /** Every contract and departments.yaml (CliError when missing or invalid). */
  contracts(): ContractSet {
    this.contractSet ??= loadContractSet(
      contractPaths(this.io.cwd, this.options.datasets, this.options.departments),
      this.io.cwd,
    );
    return this.contractSet;
  }

  /** The contracts when they can be loaded, else null (the deployed lake does not need them). */
  contractsIfAny(): ContractSet | null {
    try {
      return this.contracts();
    } catch {
      return null;
    }
  }

  private get awsSettings() {
    return {
      region: this.options.region ?? this.io.env.AWS_REGION ?? this.io.env.AWS_DEFAULT_REGION,
      profile: this.options.profile ?? this.io.env.AWS_PROFILE,
    };
  }

  /**
   * Which lake: `--local` the local one; `--outputs`/`--stack` (or LAKE_OUTPUTS/LAKE_STACK) the deployed one,
   * which must then be found; else the deployed one when ./cdk-outputs.json describes it, else the local one.
   */
  async chooseLake(): Promise<DeployedLake | 'local'> {
    const o = this.options;
    if (o.local) return 'local';
    // Loaded when needed: the AWS SDK clients are not needed by the local lake.
    const { DEFAULT_OUTPUTS_FILE, hasDefaultOutputs, readOutputsFile, readStackOutputs } = await import(
      './aws/stack-outputs.ts'
    );
    const outputsFile = o.outputs ?? this.io.env.LAKE_OUTPUTS;
    const stack = o.stack ?? this.io.env.LAKE_STACK;
    if (outputsFile) return readOutputsFile(outputsFile, this.io.cwd);
    if (stack) {
      const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
      const cfn =
        this.hooks.cloudFormation?.(this.awsSettings) ?? new CloudFormationClient(this.awsClientConfig());
      try {
        return await readStackOutputs(cfn, stack);
      } finally {
        cfn.destroy();
      }
    }
    if (hasDefaultOutputs(this.io.cwd)) return readOutputsFile(DEFAULT_OUTPUTS_FILE, this.io.cwd);
    return 'local';
  }

  private awsClientConfig() {
    const s = this.awsSettings;
    return { region: s.region, ...(s.profile ? { profile: s.profile } : {}) };
  }

  /** The lake the command works on, opened once. */
  async backend(): Promise<LakeBackend> {
    if (this.opened) return this.opened;
    const lake = await this.chooseLake();
    if (lake === 'local') {
      const { LocalBackend } = await import('./local-backend.ts');
      this.opened = await LocalBackend.open({
        lakeDir: this.lakeDir,
        contracts: this.contracts(),
        cwd: this.io.cwd,
      });
    } else {
      const { AwsBackend, defaultClients } = await import('./aws/aws-backend.ts');
      const settings = { ...this.awsSettings, region: this.awsSettings.region ?? lake.region };
      const clients = this.hooks.awsClients?.(settings) ?? defaultClients(settings);
      this.opened = new AwsBackend(lake, clients, this.contractsIfAny(), {
        pollMs: this.hooks.awsPollMs,
        user: this.io.env.USER,
      });
    }
    return this.opened;
  }

  async close(): Promise<void> {
    const b = this.opened;
    this.opened = undefined;
    await b?.close();
  }
}
