/**
 * Context flags read by the lake's constructs. Data is retained when the stack is deleted unless the
 * destroy flag is set, and setting it leaves a warning on every construct it affects.
 */
import { Annotations, RemovalPolicy } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** `cdk deploy -c lake:removeDataOnDestroy=true` lets `cdk destroy` delete buckets, keys and their data. */
export const DESTROY_DATA_CONTEXT = 'lake:removeDataOnDestroy';

/** True when the destroy flag is set (as a boolean or the string "true"). */
export function destroyDataRequested(scope: IConstruct): boolean {
  const value = scope.node.tryGetContext(DESTROY_DATA_CONTEXT);
  return value === true || value === 'true';
}

/**
 * The removal policy for data-bearing resources: RETAIN, or DESTROY with a warning when the destroy flag
 * is set.
 */
export function dataRemovalPolicy(scope: IConstruct, what: string): RemovalPolicy {
  if (!destroyDataRequested(scope)) return RemovalPolicy.RETAIN;
  Annotations.of(scope).addWarningV2(
    'lake:destroy-data',
    `${DESTROY_DATA_CONTEXT} is set: ${what} and everything in it will be deleted with the stack.`,
  );
  return RemovalPolicy.DESTROY;
}
