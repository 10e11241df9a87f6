/** A province-sized lake: 50 departments x 20 datasets synthesize within CloudFormation's and IAM's limits. */
import { describe, expect, it } from 'vitest';
import { LIMITS, synthLargeConfig } from '../support/scale.ts';
import { FIXTURE_HANDLER } from './helpers.ts';

describe('a 1,000-dataset lake', () => {
  it('synthesizes into stacks that all stay within the limits', () => {
    const report = synthLargeConfig({ transformerEntry: FIXTURE_HANDLER });
    expect(report.departments).toBe(50);
    expect(report.datasets).toBe(1000);
    expect(report.tables).toBe(1000);
    expect(report.stacks).toHaveLength(51);
    expect(report.problems).toEqual([]);
    for (const stack of report.stacks) {
      expect(stack.resources, stack.name).toBeLessThan(LIMITS.resources);
      expect(stack.maxRolePolicyChars, stack.name).toBeLessThan(LIMITS.rolePolicyChars);
      expect(stack.maxManagedPolicyChars, stack.name).toBeLessThan(LIMITS.managedPolicyChars);
      expect(stack.outputs, stack.name).toBeLessThan(LIMITS.outputs);
    }
    console.log(`1,000 datasets: built in ${report.buildMs} ms, synthesized in ${report.synthMs} ms`);
  });

  it('refuses a department too large for one stack, saying what to do', () => {
    expect(() =>
      synthLargeConfig({ departments: 1, datasetsPerDepartment: 200, transformerEntry: FIXTURE_HANDLER }),
    ).toThrow(
      /stack Lake-dept-001 would have \d+ resources, over CloudFormation's 500: this department has more datasets than one stack holds/,
    );
  });
});
