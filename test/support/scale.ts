/**
 * The lake at province scale: a generated configuration of many departments and datasets (by default
 * 50 x 20 = 1,000 tables), written as real YAML files, loaded like any lake and synthesized, with the
 * CloudFormation and IAM limits each stack must stay within checked on the result.
 *
 *   node --import tsx test/support/scale.ts [departments] [datasetsPerDepartment]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { addNagChecks } from '../../lib/common/nag.ts';
import { loadLakeInputs } from '../../lib/config/inputs.ts';
import { PROJECT_ROOT } from '../../lib/ingestion/transformer-function.ts';
import { buildLake, MAX_STACK_RESOURCES } from '../../lib/lake-app.ts';

/** CloudFormation and IAM limits the synthesized lake is checked against. */
export const LIMITS = {
  resources: MAX_STACK_RESOURCES,
  outputs: 200,
  parameters: 200,
  /** Template body uploaded through S3 (what `cdk deploy` does for large templates). */
  templateBytes: 1_000_000,
  /** Inline policies of one role, summed. */
  rolePolicyChars: 10_240,
  managedPolicyChars: 6_144,
} as const;

const FIELD_TYPES = ['string', 'integer', 'number', 'date', 'datetime', 'boolean', 'year', 'time'] as const;

/** One generated contract: a mix of types, personal data (masked, hashed, dropped) and classifications. */
function contractYaml(department: string, name: string, i: number): string {
  const modes = ['append', 'replace'];
  const classes = ['public', 'internal', 'restricted'];
  const fields = [
    `  - name: record_id\n    type: string\n    title: Record ${i}\n    constraints: { required: true }`,
    ...Array.from({ length: 10 }, (_, k) => {
      const type = FIELD_TYPES[(i + k) % FIELD_TYPES.length];
      return `  - name: value_${k}\n    type: ${type}\n    description: Generated ${type} column ${k} of ${name}`;
    }),
    `  - name: resident_id\n    type: string\n    pii: cn_resident_id\n    protect: ${['mask', 'hash', 'drop'][i % 3]}\n    classification: restricted`,
    `  - name: mobile\n    type: string\n    pii: cn_mobile\n    classification: ${i % 2 === 0 ? 'internal' : 'restricted'}`,
  ];
  return [
    `name: ${name}`,
    `department: ${department}`,
    `title: Dataset ${i} of ${department}`,
    `description: A generated dataset for the scale test.`,
    `classification: ${classes[i % classes.length]}`,
    `mode: ${modes[i % 2]}`,
    'primaryKey: [record_id]',
    'fields:',
    ...fields,
    '',
  ].join('\n');
}

export interface LargeConfig {
  readonly root: string;
  readonly departments: number;
  readonly datasetsPerDepartment: number;
}

/** Writes departments.yaml, lake.yaml and the contracts of a generated lake under a new directory. */
export function writeLargeConfig(departments = 50, datasetsPerDepartment = 20, root?: string): LargeConfig {
  const dir = root ?? mkdtempSync(join(tmpdir(), 'lake-scale-'));
  const ids = Array.from({ length: departments }, (_, d) => `dept_${String(d + 1).padStart(3, '0')}`);
  const account = '111122223333';
  // The China partition, on purpose: nothing in the stacks may assume arn:aws.
  const arn = (name: string) => `arn:aws-cn:iam::${account}:role/${name}`;
  writeFileSync(
    join(dir, 'departments.yaml'),
    `departments:\n${ids
      .map(
        (id) =>
          `  - id: ${id}\n    name: Department ${id}\n    uploaders:\n      - ${arn(`${id}-uploader`)}\n`,
      )
      .join('')}`,
  );
  writeFileSync(
    join(dir, 'lake.yaml'),
    [
      'lakeFormation:',
      `  admins: [${arn('lake-admin')}]`,
      'personas:',
      `  public: [${arn('public-analyst-1')}, ${arn('public-analyst-2')}]`,
      'departments:',
      ...ids.map(
        (id) =>
          `  ${id}:\n    analysts: [${arn(`${id}-analyst`)}]\n    restricted: [${arn(`${id}-investigator`)}]`,
      ),
      '',
    ].join('\n'),
  );
  for (const id of ids) {
    mkdirSync(join(dir, 'datasets', id), { recursive: true });
    for (let i = 0; i < datasetsPerDepartment; i++) {
      const name = `dataset_${String(i + 1).padStart(3, '0')}`;
      writeFileSync(join(dir, 'datasets', id, `${name}.yaml`), contractYaml(id, name, i));
    }
  }
  return { root: dir, departments, datasetsPerDepartment };
}

export interface StackReport {
  readonly name: string;
  readonly resources: number;
  readonly outputs: number;
  readonly parameters: number;
  readonly templateBytes: number;
  /** Largest sum of inline policy characters of one role. */
  readonly maxRolePolicyChars: number;
  readonly maxManagedPolicyChars: number;
}

export interface ScaleReport {
  readonly departments: number;
  readonly datasets: number;
  readonly tables: number;
  /** Time to load the YAML and build the construct tree. */
  readonly buildMs: number;
  /** Time to synthesize every template (and run the checks, when asked). */
  readonly synthMs: number;
  readonly stacks: StackReport[];
  /** Every limit a stack goes over, as a sentence; empty when the lake deploys. */
  readonly problems: string[];
}

/** The app's context from cdk.json (its feature flags), as `cdk synth` passes it. */
function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context ?? {};
}

/** Characters of a policy document as IAM counts them (no whitespace); tokens are counted as ARNs. */
function policyChars(document: unknown): number {
  const text = JSON.stringify(document);
  // An intrinsic (Ref, GetAtt, ImportValue, Join) becomes an ARN of ~100 characters once deployed.
  const intrinsic = /\{"(Ref|Fn::GetAtt|Fn::ImportValue|Fn::Join|Fn::Sub)":/g;
  return text.length + (text.match(intrinsic)?.length ?? 0) * 60;
}

function reportStack(artifact: CloudFormationStackArtifact): StackReport {
  const template = artifact.template as {
    Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    Outputs?: Record<string, unknown>;
    Parameters?: Record<string, unknown>;
  };
  const resources = Object.entries(template.Resources ?? {});
  const roleChars = new Map<string, number>();
  let maxManaged = 0;
  for (const [, r] of resources) {
    if (r.Type === 'AWS::IAM::Policy') {
      const chars = policyChars(r.Properties?.PolicyDocument);
      for (const role of (r.Properties?.Roles as unknown[]) ?? []) {
        const key = JSON.stringify(role);
        roleChars.set(key, (roleChars.get(key) ?? 0) + chars);
      }
    }
    if (r.Type === 'AWS::IAM::ManagedPolicy')
      maxManaged = Math.max(maxManaged, policyChars(r.Properties?.PolicyDocument));
  }
  return {
    name: artifact.stackName,
    resources: resources.length,
    outputs: Object.keys(template.Outputs ?? {}).length,
    parameters: Object.keys(template.Parameters ?? {}).length,
    templateBytes: Buffer.byteLength(JSON.stringify(template)),
    maxRolePolicyChars: Math.max(0, ...roleChars.values()),
    maxManagedPolicyChars: maxManaged,
  };
}

function problemsOf(stack: StackReport): string[] {
  const over: [keyof StackReport, number, string][] = [
    ['resources', LIMITS.resources, 'resources'],
    ['outputs', LIMITS.outputs, 'outputs'],
    ['parameters', LIMITS.parameters, 'parameters'],
    ['templateBytes', LIMITS.templateBytes, 'template bytes'],
    ['maxRolePolicyChars', LIMITS.rolePolicyChars, 'inline policy characters on one role'],
    ['maxManagedPolicyChars', LIMITS.managedPolicyChars, 'characters in one managed policy'],
  ];
  return over
    .filter(([key, limit]) => (stack[key] as number) > limit)
    .map(([key, limit, what]) => `${stack.name}: ${stack[key]} ${what}, over the limit of ${limit}`);
}

export interface SynthLargeConfigOptions {
  /** @default 50 */
  readonly departments?: number;
  /** @default 20 */
  readonly datasetsPerDepartment?: number;
  /** Run cdk-nag (AwsSolutions) on every stack too. @default false */
  readonly nag?: boolean;
  /** Run CDK's built-in CloudFormation validation. @default false */
  readonly validate?: boolean;
  /** Where the cloud assembly goes. @default a temporary directory, removed afterwards */
  readonly outdir?: string;
  /** The transformer's handler (never bundled here). @default lambdas/transformer/handler.ts */
  readonly transformerEntry?: string;
}

/**
 * Generates a lake of `departments` x `datasetsPerDepartment` datasets, synthesizes it (no asset bundling)
 * and reports each stack against CloudFormation's and IAM's limits, with the time taken.
 */
export function synthLargeConfig(options: SynthLargeConfigOptions = {}): ScaleReport {
  const config = writeLargeConfig(options.departments ?? 50, options.datasetsPerDepartment ?? 20);
  const outdir = options.outdir ?? mkdtempSync(join(tmpdir(), 'lake-scale-out-'));
  try {
    const started = performance.now();
    const inputs = loadLakeInputs({}, config.root);
    const app = new App({
      outdir,
      builtinCloudFormationValidation: options.validate ?? false,
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    });
    const lake = buildLake(app, inputs, {
      env: { account: '111122223333', region: 'cn-north-1' },
      transformerEntry: options.transformerEntry,
    });
    if (options.nag) addNagChecks(app);
    const built = performance.now();
    const assembly = app.synth();
    const synthesized = performance.now();
    const stacks = [lake.core, ...lake.departmentStacks].map((s: Stack) =>
      reportStack(assembly.getStackByName(s.stackName)),
    );
    return {
      departments: inputs.departments.length,
      datasets: inputs.datasets.length,
      tables: lake.departmentStacks.reduce(
        (n, s) => n + s.departments.reduce((m, d) => m + d.catalog.tables.length, 0),
        0,
      ),
      buildMs: Math.round(built - started),
      synthMs: Math.round(synthesized - built),
      stacks,
      problems: stacks.flatMap(problemsOf),
    };
  } finally {
    rmSync(config.root, { recursive: true, force: true });
    if (!options.outdir) rmSync(outdir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [departments, datasets] = process.argv.slice(2).map(Number);
  const report = synthLargeConfig({ departments: departments || 50, datasetsPerDepartment: datasets || 20 });
  const largest = [...report.stacks].sort((a, b) => b.resources - a.resources)[0];
  console.log(
    `${report.datasets} datasets in ${report.departments} departments: ${report.stacks.length} stacks, ` +
      `built in ${report.buildMs} ms, synthesized in ${report.synthMs} ms; ` +
      `largest stack ${largest.name} with ${largest.resources} resources`,
  );
  for (const p of report.problems) console.log(`over a limit: ${p}`);
  process.exitCode = report.problems.length > 0 ? 1 : 0;
}
