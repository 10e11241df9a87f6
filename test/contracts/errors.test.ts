import { describe, expect, it } from 'vitest';
import { ContractError, formatIssue } from '../../src/contracts/index.ts';

describe('ContractError', () => {
  it('lists issues sorted by file and position, one per line, then what to do', () => {
    const error = new ContractError([
      { file: 'b.yaml', line: 3, column: 1, key: 'title', message: 'is required' },
      { file: 'a.yaml', line: 9, column: 5, key: 'fields[1] (x).type', message: 'bad' },
      { file: 'a.yaml', line: 2, column: 1, key: 'name', message: 'bad id' },
    ]);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ContractError');
    expect(error.issues.map((i) => `${i.file}:${i.line}`)).toEqual(['a.yaml:2', 'a.yaml:9', 'b.yaml:3']);
    expect(error.message).toBe(
      [
        '3 problems in 2 files:',
        'a.yaml:2:1 name: bad id',
        'a.yaml:9:5 fields[1] (x).type: bad',
        'b.yaml:3:1 title: is required',
        'Fix the contract and run again.',
      ].join('\n'),
    );
  });

  it('takes other advice', () => {
    const issue = {
      file: 'departments.yaml',
      line: 1,
      column: 1,
      key: 'departments',
      message: 'is required',
    };
    expect(formatIssue(issue)).toBe('departments.yaml:1:1 departments: is required');
    const error = new ContractError([issue], 'Fix departments.yaml and run again.');
    expect(error.message).toBe(
      [
        '1 problem in 1 file:',
        'departments.yaml:1:1 departments: is required',
        'Fix departments.yaml and run again.',
      ].join('\n'),
    );
  });
});
