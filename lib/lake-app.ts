/**
 * Builds the whole lake into an app: the core stack, then the departments in groups of
 * `stacks.departmentsPerStack` (lake.yaml), each group its own stack. Groups follow the order of
 * departments.yaml, so add new departments at the end: a department that changes stack would have its
 * Glue database created in the new stack before the old one is deleted.
 */
import { CfnResource, type Environment, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Department } from '../src/contracts/schema.ts';
import type { LakeInputs } from './config/inputs.ts';
import { DepartmentsStack } from './departments-stack.ts';
import { LakeStack } from './lake-stack.ts';

/** CloudFormation's resource limit per stack. */
export const MAX_STACK_RESOURCES = 500;
/** The default name of the core stack (department stacks are named after it). */
export const DEFAULT_STACK_NAME = 'Lake';

export interface LakeAppOptions {
  /** @default - DEFAULT_STACK_NAME */
  readonly stackName?: string;
  /** @default - environment-agnostic */
  readonly env?: Environment;
  /** @default - lambdas/transformer/handler.ts */
  readonly transformerEntry?: string;
}

export interface LakeApp {
  readonly core: LakeStack;
  readonly departmentStacks: DepartmentsStack[];
}

/** The stack name of a group of departments. */
export function departmentStackName(
  base: string,
  group: readonly Department[],
  index: number,
  perStack: number,
): string {
  if (perStack === 1) return `${base}-${group[0].id.replace(/_/g, '-')}`;
  return `${base}-departments-${String(index + 1).padStart(2, '0')}`;
}

/** Number of CloudFormation resources a stack will synthesize. */
export function resourceCount(stack: Stack): number {
  return stack.node.findAll().filter((c) => c instanceof CfnResource && Stack.of(c) === stack).length;
}

export function buildLake(scope: Construct, inputs: LakeInputs, options: LakeAppOptions = {}): LakeApp {
  const base = options.stackName ?? DEFAULT_STACK_NAME;
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(base)) {
    throw new Error(`stack name "${base}" must start with a letter and hold only letters, digits and -.`);
  }
  const core = new LakeStack(scope, base, {
    inputs,
    env: options.env,
    transformerEntry: options.transformerEntry,
  });
  // A steward's decisions in the deployed portal go to the access API, as `lake access approve` does.
  core.portal?.api.useAccessApi(core.access.api.url);
  const perStack = inputs.config.stacks.departmentsPerStack;
  const departmentStacks: DepartmentsStack[] = [];
  for (let i = 0; i * perStack < inputs.departments.length; i++) {
    const group = inputs.departments.slice(i * perStack, (i + 1) * perStack);
    const name = departmentStackName(base, group, i, perStack);
    departmentStacks.push(new DepartmentsStack(scope, name, { core, departments: group, env: options.env }));
  }
  for (const stack of [core, ...departmentStacks]) {
    const count = resourceCount(stack);
    if (count > MAX_STACK_RESOURCES) {
      const hint =
        stack === core
          ? 'lower the number of analyst principals in personas.public'
          : perStack > 1
            ? 'lower stacks.departmentsPerStack in lake.yaml'
            : 'this department has more datasets than one stack holds; split it into two departments';
      throw new Error(
        `stack ${stack.stackName} would have ${count} resources, over CloudFormation's ${MAX_STACK_RESOURCES}: ${hint}.`,
      );
    }
  }
  return { core, departmentStacks };
}
