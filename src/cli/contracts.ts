/**
 * The contracts the CLI works with: `datasets/` and `departments.yaml` of the current directory unless
 * `--datasets` (and `--departments`) say otherwise. Problems become CliErrors that name the file and line
 * and say what to do. A broken contract leaves out its own dataset only (`broken`): the commands about
 * other datasets still run, and those about it (or `lake up`, which serves them all) fail with its error.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import {
  ContractError,
  type ContractIssue,
  checkDatasetsAgainstDepartments,
  type DatasetContract,
  type Department,
  loadDatasets,
  loadDepartments,
  parseContract,
} from '../contracts/index.ts';
import { CONTRACT_ADVICE } from '../contracts/load-contract.ts';
import type { DatasetRef } from '../lake/layout.ts';
import { type ContractPaths, DEPARTMENTS_FILE } from './contract-paths.ts';
import { CliError, EXIT } from './errors.ts';

export interface ContractSet {
  /** Keyed `department/name`. */
  readonly datasets: ReadonlyMap<string, DatasetContract>;
  readonly departments: readonly Department[];
  readonly datasetsDir: string;
  readonly departmentsFile: string;
  /** Contracts that cannot be loaded, keyed `department/name` as their path says: the error of each. */
  readonly broken: ReadonlyMap<string, CliError>;
}

/** Loads and checks every contract and departments.yaml. */
export function loadContractSet(paths: ContractPaths, cwd: string): ContractSet {
  const shown = (p: string) => relative(cwd, p) || '.';
  if (!existsSync(paths.datasetsDir) || !statSync(paths.datasetsDir).isDirectory()) {
    throw new CliError(`no contracts directory at ${shown(paths.datasetsDir)}`, {
      hint: 'Run lake in the project directory (the one holding datasets/ and departments.yaml), or pass --datasets <dir>.',
      exitCode: EXIT.config,
      code: 'no_contracts',
    });
  }
  if (!existsSync(paths.departmentsFile)) {
    throw new CliError(`no ${DEPARTMENTS_FILE} at ${shown(paths.departmentsFile)}`, {
      hint: `Declare the departments in ${DEPARTMENTS_FILE} beside the datasets directory, or pass --departments <file>.`,
      exitCode: EXIT.config,
      code: 'no_departments',
    });
  }
  let departments: Department[];
  try {
    departments = loadDepartments(paths.departmentsFile);
  } catch (e) {
    if (e instanceof ContractError) throw contractCliError(e, cwd);
    throw e;
  }
  const { datasets, issues } = loadEachContract(paths.datasetsDir);
  try {
    checkDatasetsAgainstDepartments(datasets, departments);
  } catch (e) {
    if (!(e instanceof ContractError)) throw e;
    issues.push(...e.issues);
  }
  const broken = new Map<string, CliError>();
  const byKey = new Map<string, ContractIssue[]>();
  for (const issue of issues) {
    const key = datasetKeyOf(paths.datasetsDir, issue.file);
    byKey.set(key, [...(byKey.get(key) ?? []), issue]);
  }
  for (const [key, list] of byKey) {
    datasets.delete(key);
    broken.set(key, contractCliError(new ContractError(list, CONTRACT_ADVICE), cwd));
  }
  return { datasets, departments, broken, ...paths };
}

/** `department/name` of a contract file under the datasets directory (its path, when it is elsewhere). */
function datasetKeyOf(datasetsDir: string, file: string): string {
  const parts = relative(datasetsDir, file).split(sep);
  return parts.length === 2
    ? `${parts[0]}/${parts[1].replace(/\.ya?ml$/i, '')}`
    : relative(datasetsDir, file);
}

/**
 * Every contract that loads, and the problems of the others. The whole directory is checked by
 * loadDatasets; when it finds problems, the files without any are loaded one by one.
 */
function loadEachContract(dir: string): { datasets: Map<string, DatasetContract>; issues: ContractIssue[] } {
  try {
    return { datasets: loadDatasets(dir), issues: [] };
  } catch (e) {
    if (!(e instanceof ContractError)) throw e;
    const failed = new Set(e.issues.map((i) => i.file));
    const datasets = new Map<string, DatasetContract>();
    for (const department of readdirSync(dir).filter((n) => !n.startsWith('.'))) {
      const departmentDir = join(dir, department);
      if (!statSync(departmentDir).isDirectory()) continue;
      for (const name of readdirSync(departmentDir).sort()) {
        const file = join(departmentDir, name);
        if (failed.has(file) || !/\.ya?ml$/i.test(name) || name.startsWith('.') || !statSync(file).isFile())
          continue;
        const contract = parseContract(readFileSync(file, 'utf8'), file, {
          department,
          name: basename(name, extname(name)),
        });
        datasets.set(`${contract.department}/${contract.name}`, contract);
      }
    }
    return { datasets, issues: e.issues };
  }
}

/** Every broken contract's error, for `lake up` and `lake demo`, which serve every dataset. */
export function requireEveryContract(set: ContractSet, cwd: string): void {
  const errors = [...set.broken.values()];
  if (errors.length === 0) return;
  if (errors.length === 1) throw errors[0];
  const issues = errors.flatMap((e) => (e.cause as ContractError).issues);
  throw contractCliError(new ContractError(issues, CONTRACT_ADVICE), cwd);
}

/** A ContractError as the CLI shows it: every issue with its file (relative), line and key. */
export function contractCliError(e: ContractError, cwd: string): CliError {
  const lines = e.message.split('\n');
  const advice = lines.pop();
  const [head, ...issues] = lines;
  const prefix = cwd.endsWith(sep) ? cwd : `${cwd}${sep}`;
  const rel = (s: string) => (s.startsWith(prefix) ? s.slice(prefix.length) : s);
  return new CliError(`invalid contract: ${head}\n${issues.map((i) => `  ${rel(i)}`).join('\n')}`, {
    hint: advice,
    exitCode: EXIT.config,
    code: 'invalid_contract',
    cause: e,
  });
}

/** The contract of a dataset, or an error listing the datasets there are. */
export function contractOf(set: ContractSet, ref: DatasetRef, cwd: string): DatasetContract {
  const key = `${ref.department}/${ref.dataset}`;
  const found = set.datasets.get(key);
  if (found) return found;
  const broken = set.broken.get(key);
  if (broken) throw broken;
  throw unknownDataset(
    key,
    [...set.datasets.keys()],
    `Add ${relative(cwd, join(set.datasetsDir, ref.department, `${ref.dataset}.yaml`))} for a new dataset.`,
  );
}

export function unknownDataset(key: string, known: readonly string[], addHint: string): CliError {
  const close = closest(key, known);
  const list =
    known.length > 0 ? `Known datasets: ${[...known].sort().join(', ')}.` : 'There are no datasets yet.';
  return new CliError(`unknown dataset "${key}"${close ? `; did you mean "${close}"?` : ''}`, {
    hint: `${list} ${addHint}`,
    exitCode: EXIT.config,
    code: 'unknown_dataset',
  });
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d <= Math.max(2, Math.floor(word.length / 4)) && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
