/**
 * What every command gets: its parsed options, the output, the contracts (loaded when first asked for) and
 * the lake (opened when first asked for: the deployed stack or the local lake, see chooseLake).
 */
import { resolve } from 'node:path';
import type { CloudFormationClient as CloudFormation } from '@aws-sdk/client-cloudformation';
import type { DatasetContract } from '../contracts/schema.ts';
import { lakeNow } from '../lake/freshness.ts';
import type { DatasetRef } from '../lake/layout.ts';
import { DEFAULT_LAKE_DIR } from '../local/lake-dir.ts';
import type { AwsClientFactory } from './aws/aws-backend.ts';
import type { DeployedLake } from './aws/stack-outputs.ts';
import type { LakeBackend } from './backend.ts';
import { contractPaths } from './contract-paths.ts';
import type { ContractSet } from './contracts.ts';
import { UsageError } from './errors.ts';
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
  /** The local identity (`analyst:health`); see src/access. */
  as?: string;
}

/** Hooks for tests: AWS clients (mocked), and how long to wait between report polls. */
export interface RunHooks {
  awsClients?: (settings: { region?: string; profile?: string }) => AwsClientFactory;
  cloudFormation?: (settings: { region?: string; profile?: string }) => CloudFormation;
  awsPollMs?: number;
  /** The clock of access requests and grants (their expiry). */
  now?: () => Date;
  /** The deployed access API's HTTP client (tests answer it). */
  accessFetch?: typeof fetch;
}

/** The contract loading (zod, yaml), loaded by prepare(): `lake --help` needs none of it. */
type ContractsModule = typeof import('./contracts.ts');
/** The access-request core, loaded by prepare() with the contracts. */
type AccessModule = typeof import('../access/index.ts');

export class Context {
  private contractSet?: ContractSet;
  private loader?: ContractsModule;
  private access?: AccessModule;
  /**
   * `department/name` of the dataset the command is about (validate, upload, ingest): a problem in its
   * contract comes as the command's error, not also as a warning.
   */
  about?: string;
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

  /**
   * Every contract and departments.yaml (CliError when the directory, departments.yaml or, with
   * `every`, any contract is missing or invalid). A broken contract is otherwise a warning on stderr,
   * once, and its dataset is left out.
   */
  contracts(opts: { every?: boolean } = {}): ContractSet {
    if (!this.loader) throw new Error('Context.prepare() was not awaited before contracts()');
    const { loadContractSet, requireEveryContract } = this.loader;
    if (!this.contractSet) {
      const set = loadContractSet(
        contractPaths(this.io.cwd, this.options.datasets, this.options.departments),
        this.io.cwd,
      );
      if (opts.every) requireEveryContract(set, this.io.cwd);
      this.contractSet = set;
      for (const [key, e] of set.broken)
        if (key !== this.about) this.out.warning(e, `${key} is left out until it is fixed.`);
    }
    if (opts.every) requireEveryContract(this.contractSet, this.io.cwd);
    return this.contractSet;
  }

  /** Loads what contracts() needs; run() awaits it before a command runs. */
  async prepare(): Promise<void> {
    this.loader ??= await import('./contracts.ts');
    this.access ??= await import('../access/index.ts');
  }

  /** The contract of a dataset (CliError when it is unknown or broken). */
  contract(ref: DatasetRef): DatasetContract {
    this.about = `${ref.department}/${ref.dataset}`;
    const set = this.contracts();
    return (this.loader as ContractsModule).contractOf(set, ref, this.io.cwd);
  }

  /** The contracts when they can be loaded, else null (the deployed lake does not need them). */
  contractsIfAny(): ContractSet | null {
    try {
      return this.contracts();
    } catch {
      return null;
    }
  }

  /**
   * Who acts on the local lake: `--as <principal>` or LAKE_AS (validated against departments.yaml), or
   * null: the lake's operator, who sees everything as published.
   */
  identity(): import('../access/service.ts').Actor | null {
    const text = this.options.as ?? this.io.env.LAKE_AS;
    if (text === undefined || text.trim() === '') return null;
    return this.accessModule().localActor(
      text,
      this.contracts().departments.map((d) => d.id),
    );
  }

  private accessModule(): AccessModule {
    if (!this.access) throw new Error('Context.prepare() was not awaited before identity()');
    return this.access;
  }

  /** The local lake's access requests (src/access), on this command's clock. */
  accessService(): import('../access/service.ts').AccessService {
    return this.accessModule().localAccessService({
      lakeDir: this.lakeDir,
      contracts: this.contracts().datasets,
      // LAKE_NOW (tests, demos) as for `lake status --overdue`, else the clock.
      now: this.hooks.now ?? (() => lakeNow(this.io.env)),
    });
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

  /** The region and profile the deployed lake's clients use (the access API signs with them). */
  awsCredentialSettings(): { region?: string; profile?: string } {
    return this.awsSettings;
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
      const actor = this.identity();
      this.opened = await LocalBackend.open({
        lakeDir: this.lakeDir,
        contracts: this.contracts(),
        cwd: this.io.cwd,
        // A query on a catalog already in sync answers without the S3 endpoint.
        start: 'when-needed',
        ...(actor ? { access: { actor, service: this.accessService() } } : {}),
      });
    } else {
      this.refuseIdentityOnAws();
      const { AwsBackend, defaultClients } = await import('./aws/aws-backend.ts');
      const settings = {
        ...this.awsSettings,
        region: this.awsSettings.region ?? lake.region,
        env: this.io.env,
      };
      const clients = this.hooks.awsClients?.(settings) ?? defaultClients(settings);
      this.opened = new AwsBackend(lake, clients, this.contractsIfAny(), {
        pollMs: this.hooks.awsPollMs,
        user: this.io.env.USER,
      });
    }
    return this.opened;
  }

  /** --as names a local identity: the deployed lake knows its callers by their AWS role. */
  refuseIdentityOnAws(): void {
    const text = this.options.as ?? this.io.env.LAKE_AS;
    if (text === undefined || text.trim() === '') return;
    throw new UsageError(
      `--as ${text} is for the local lake: the deployed lake knows you by your AWS role`,
      'Leave out --as (and LAKE_AS), or add --local to act on the local lake.',
    );
  }

  async close(): Promise<void> {
    const b = this.opened;
    this.opened = undefined;
    await b?.close();
  }
}
