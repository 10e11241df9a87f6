/**
 * Builds the whole lake into an app: the core stack, then the departments in groups of
 * `stacks.departmentsPerStack` (lake.yaml), each group its own stack. Groups follow the order of
 * departments.yaml, so add new departments at the end: a department that changes stack would have its
 * Glue database created in the new stack before the old one is deleted.
 */
import { CfnResource, type Environment, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { LakeInputs } from './config/inputs.ts';
import { departmentGroups, departmentStackName } from './departments/department-stacks.ts';
import { DepartmentsStack } from './departments-stack.ts';
import { LakeStack } from './lake-stack.ts';

/** CloudFormation's resource limit per stack. */
export const MAX_STACK_RESOURCES = 500;
/** The default name of the core stack (department stacks are named after it). */
export const DEFAULT_STACK_NAME = 'Lake';

export { departmentStackName };

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
  const perStack = inputs.config.stacks.departmentsPerStack;
  const departmentStacks = departmentGroups(inputs.departments, perStack).map(
    (group, i) =>
      new DepartmentsStack(scope, departmentStackName(base, group, i, perStack), {
        core,
        departments: group,
        env: options.env,
      }),
  );
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
