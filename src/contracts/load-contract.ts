/**
 * Loading one dataset contract (`datasets/<department>/<dataset>.yaml`), remembering where it came from
 * so that problems found after loading can still name its file, line and key.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { catalogueIssues } from './catalogue-checks.ts';
import { placeholderIssue } from './draft-placeholder.ts';
import { ContractError } from './errors.ts';
import { type DatasetContract, datasetSchema } from './schema.ts';
import { validateYaml } from './validate-yaml.ts';
import { isRecord, issueAt, locate, type Position } from './yaml-positions.ts';

/** What a contract must say about itself, given where its file is. */
export interface ContractLocation {
  /** The department directory the file is in. */
  department?: string;
  /** The file name without its extension. */
  name?: string;
}

/** Where a loaded contract came from: its file and the positions of its department and name. */
export interface ContractSource {
  file: string;
  department: Position;
  name: Position;
}

/** What to do about a contract's problems, ending every ContractError about contracts. */
export const CONTRACT_ADVICE = 'Fix the contract and run again.';

const contractSources = new WeakMap<DatasetContract, ContractSource>();

/** Where a contract came from, if it came from parseContract/loadContract/loadDatasets. */
export function contractSource(contract: DatasetContract): ContractSource | undefined {
  return contractSources.get(contract);
}

/** The file a contract was loaded from, if it came from parseContract/loadContract/loadDatasets. */
export function contractFile(contract: DatasetContract): string | undefined {
  return contractSources.get(contract)?.file;
}

/**
 * Parses and validates a dataset contract. `file` is used in error messages only. With `location`
 * (the department directory and file name it was found under), `department` and `name` must match them.
 * A `draft` (from `lake contract infer`) may still hold the placeholder description; a contract may not.
 * Throws a ContractError listing every problem.
 */
export function parseContract(
  text: string,
  file: string,
  location: ContractLocation = {},
  options: { draft?: boolean } = {},
): DatasetContract {
  const result = validateYaml(text, file, datasetSchema, 'a dataset contract');
  const issues = result.ok ? [] : result.issues;
  const parsed = result.parsed;
  if (parsed && isRecord(parsed.data)) {
    const raw = parsed.data;
    const mismatch = (key: 'department' | 'name', expected: string | undefined, where: string) => {
      const actual = raw[key];
      if (expected === undefined || typeof actual !== 'string' || actual === expected) return;
      issues.push({
        file,
        ...locate(parsed, [key]),
        key,
        message: `${key} "${actual}" does not match ${where}; they must be the same`,
      });
    };
    mismatch('department', location.department, `the directory "${location.department}" the file is in`);
    mismatch('name', location.name, `the file name "${basename(file)}"`);
  }
  if (result.ok && parsed) {
    const placeholder = options.draft ? null : placeholderIssue(result.value.description);
    if (placeholder) issues.push(issueAt(parsed, placeholder.path, placeholder.message));
    for (const issue of catalogueIssues(result.value)) {
      issues.push(issueAt(parsed, issue.path, issue.message));
    }
  }
  if (!result.ok || issues.length > 0 || !parsed) throw new ContractError(issues, CONTRACT_ADVICE);
  const contract = result.value;
  contractSources.set(contract, {
    file,
    department: locate(parsed, ['department']),
    name: locate(parsed, ['name']),
  });
  return contract;
}

/** The department and name a contract at `path` must have, when it sits in `datasets/<department>/`. */
function locationOf(path: string): ContractLocation {
  const dir = dirname(path);
  if (basename(dirname(dir)) !== 'datasets') return {};
  return { department: basename(dir), name: basename(path, extname(path)) };
}

/**
 * Loads one contract file. When the file is at `datasets/<department>/<dataset>.yaml`, its department and
 * name must match the directory and file name.
 */
export function loadContract(path: string): DatasetContract {
  return parseContract(readFileSync(path, 'utf8'), path, locationOf(path));
}
