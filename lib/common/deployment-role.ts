/** The role CloudFormation deploys the lake's stacks with. */
import { DefaultStackSynthesizer, Fn, type Stack } from 'aws-cdk-lib';

/** The ARN of the role CloudFormation deploys with, when the stack uses the default synthesizer. */
export function deploymentRoleArn(stack: Stack): string | undefined {
  const synthesizer = stack.synthesizer;
  // The synthesizer's ARN carries ${AWS::Partition} and ${AWS::AccountId} placeholders: substitute them.
  return synthesizer instanceof DefaultStackSynthesizer
    ? Fn.sub(synthesizer.cloudFormationExecutionRoleArn)
    : undefined;
}
