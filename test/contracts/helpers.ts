import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { ContractError, type ContractIssue } from '../../src/contracts/index.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/contracts/', import.meta.url));
export const fixture = (...parts: string[]): string => join(FIXTURES, ...parts);

/** The issues of the ContractError `fn` throws (fails the test when it throws nothing or something else). */
export function issuesOf(fn: () => unknown): ContractIssue[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ContractError);
    return (e as ContractError).issues;
  }
  expect.fail('expected a ContractError');
}

/** `[line, key]` pairs, the shape most assertions need. */
export const where = (issues: ContractIssue[]): [number, string][] => issues.map((i) => [i.line, i.key]);
