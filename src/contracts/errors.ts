/** Errors in dataset contracts and departments.yaml, reported with the file, line and key of each problem. */

export interface ContractIssue {
  /** The file as it was given to the loader. */
  file: string;
  /** 1-based line of the offending key (or of its nearest existing parent when the key is missing). */
  line: number;
  /** 1-based column. */
  column: number;
  /** Where in the document, e.g. `fields[2] (owner_id).protect`; `(yaml)` for syntax errors. */
  key: string;
  message: string;
}

const DEFAULT_ADVICE = 'Fix the contract and run again.';

/** One issue as `file:line:column key: message`. */
export function formatIssue(issue: ContractIssue): string {
  return `${issue.file}:${issue.line}:${issue.column} ${issue.key}: ${issue.message}`;
}

/** Orders issues by file, then position, so a report reads top to bottom. */
export function sortIssues(issues: readonly ContractIssue[]): ContractIssue[] {
  return [...issues].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column,
  );
}

/**
 * Every problem found in one or more contract files, thrown at once so they can all be fixed in one go.
 * The message lists each issue on its own line and ends with what to do.
 */
export class ContractError extends Error {
  readonly issues: ContractIssue[];

  constructor(issues: readonly ContractIssue[], advice: string = DEFAULT_ADVICE) {
    const sorted = sortIssues(issues);
    const files = new Set(sorted.map((i) => i.file)).size;
    const head = `${sorted.length} ${sorted.length === 1 ? 'problem' : 'problems'} in ${files} ${
      files === 1 ? 'file' : 'files'
    }:`;
    super([head, ...sorted.map(formatIssue), advice].join('\n'));
    this.name = 'ContractError';
    this.issues = sorted;
  }
}
