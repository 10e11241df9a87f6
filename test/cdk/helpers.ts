/** Shared set-up of the stack tests: the fixture lake, and apps that skip bundling and validation. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type LakeInputs, loadLakeInputs } from '../../lib/config/inputs.ts';
import { defaultLakeConfig, type LakeConfig } from '../../lib/config/lake-config.ts';
import { buildLake, type LakeApp, type LakeAppOptions } from '../../lib/lake-app.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'cdk');
/** A handler file that exists, for tests that never bundle. */
export const FIXTURE_HANDLER = join(FIXTURES, 'handler.ts');

/** The app's context from cdk.json (feature flags), so tests build what `cdk synth` builds. */
export const CDK_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(join(ROOT, 'cdk.json'), 'utf8'),
).context;

/** An app that bundles no asset and skips the built-in CloudFormation validation (~50x faster). */
export function fastApp(context: Record<string, unknown> = {}): App {
  return new App({
    builtinCloudFormationValidation: false,
    context: {
      ...CDK_CONTEXT,
      'aws:cdk:bundling-stacks': [],
      'aws:cdk:enable-path-metadata': true,
      ...context,
    },
  });
}

/** A stack in a fast app, with a concrete environment. */
export function fastStack(context: Record<string, unknown> = {}): Stack {
  return new Stack(fastApp(context), 'Test', { env: { account: '111122223333', region: 'eu-west-1' } });
}

/** The fixture lake's inputs (three departments, three contracts, a lake.yaml with every persona). */
export function fixtureInputs(config?: Partial<LakeConfig>): LakeInputs {
  const inputs = loadLakeInputs(
    { datasetsDir: 'datasets', departmentsFile: 'departments.yaml', lakeConfigFile: 'lake.yaml' },
    FIXTURES,
  );
  return config ? { ...inputs, config: { ...inputs.config, ...config } } : inputs;
}

/** The fixture lake's inputs with no lake.yaml (every default). */
export function defaultInputs(): LakeInputs {
  return { ...fixtureInputs(), config: defaultLakeConfig() };
}

export interface BuiltLake extends LakeApp {
  app: App;
  core: LakeApp['core'];
  coreTemplate: Template;
  /** Templates of the department stacks by stack id. */
  templates: Map<string, Template>;
}

export function buildFixtureLake(
  inputs: LakeInputs = fixtureInputs(),
  options: LakeAppOptions = {},
  context: Record<string, unknown> = {},
): BuiltLake {
  const app = fastApp(context);
  const lake = buildLake(app, inputs, {
    env: { account: '111122223333', region: 'eu-west-1' },
    transformerEntry: FIXTURE_HANDLER,
    ...options,
  });
  const templates = new Map(lake.departmentStacks.map((s) => [s.node.id, Template.fromStack(s)]));
  return { ...lake, app, coreTemplate: Template.fromStack(lake.core), templates };
}

/** The statements of every IAM policy resource (inline or managed) in a template, with their owner's id. */
export function policyStatements(
  template: Template,
): { policy: string; statement: Record<string, unknown> }[] {
  const out: { policy: string; statement: Record<string, unknown> }[] = [];
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [id, resource] of Object.entries(template.findResources(type))) {
      const statements = (resource.Properties.PolicyDocument.Statement ?? []) as Record<string, unknown>[];
      for (const statement of statements) out.push({ policy: id, statement });
    }
  }
  return out;
}

/** The logical id of the one resource of `type` whose path includes `pathPart`. */
export function logicalIdOf(template: Template, type: string, pathPart: string): string {
  const matches = Object.entries(template.findResources(type)).filter(([, r]) =>
    String(r.Metadata?.['aws:cdk:path'] ?? '').includes(pathPart),
  );
  if (matches.length !== 1) throw new Error(`${matches.length} ${type} resources match ${pathPart}`);
  return matches[0][0];
}
