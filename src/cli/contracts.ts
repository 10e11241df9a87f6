/**
 * The contracts the CLI works with: `datasets/` and `departments.yaml` of the current directory unless
 * `--datasets` (and `--departments`) say otherwise. Problems become CliErrors that name the file and line
 * and say what to do.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  ContractError,
  checkDatasetsAgainstDepartments,
  type DatasetContract,
  type Department,
  ID_PATTERN,
  loadDatasets,
  loadDepartments,
} from '../contracts/index.ts';
import type { DatasetRef } from '../lake/layout.ts';
import { CliError, EXIT, UsageError } from './errors.ts';

export const DEFAULT_DATASETS_DIR = 'datasets';
export const DEPARTMENTS_FILE = 'departments.yaml';

export interface ContractSet {
  /** Keyed `department/name`. */
  readonly datasets: ReadonlyMap<string, DatasetContract>;
  readonly departments: readonly Department[];
  readonly datasetsDir: string;
  readonly departmentsFile: string;
}

export interface ContractPaths {
  datasetsDir: string;
  departmentsFile: string;
}

/** Where the contracts are: `--datasets` (default ./datasets) and `--departments` (default beside it). */
export function contractPaths(cwd: string, datasets?: string, departments?: string): ContractPaths {
  const datasetsDir = resolve(cwd, datasets ?? DEFAULT_DATASETS_DIR);
  return {
    datasetsDir,
    departmentsFile: departments ? resolve(cwd, departments) : join(dirname(datasetsDir), DEPARTMENTS_FILE),
  };
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
  try {
    const datasets = loadDatasets(paths.datasetsDir);
    const departments = loadDepartments(paths.departmentsFile);
    checkDatasetsAgainstDepartments(datasets, departments);
    return { datasets, departments, ...paths };
  } catch (e) {
    if (e instanceof ContractError) throw contractCliError(e, cwd);
    throw e;
  }
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

/** `health/clinics` (or `health.clinics`) as a dataset reference. */
export function parseDatasetRef(text: string | undefined, what = '--dataset'): DatasetRef {
  if (!text) {
    throw new UsageError(
      `${what} is required`,
      `Name the dataset as <department>/<dataset>, e.g. ${what} health/clinics.`,
    );
  }
  const m = /^([^/.\s]+)[/.]([^/.\s]+)$/.exec(text.trim());
  if (!m || !ID_PATTERN.test(m[1]) || !ID_PATTERN.test(m[2])) {
    throw new UsageError(
      `"${text}" is not a dataset name`,
      `Name the dataset as <department>/<dataset>, lowercase, e.g. ${what} health/clinics.`,
    );
  }
  return { department: m[1], dataset: m[2] };
}

/** The contract of a dataset, or an error listing the datasets there are. */
export function contractOf(set: ContractSet, ref: DatasetRef, cwd: string): DatasetContract {
  const key = `${ref.department}/${ref.dataset}`;
  const found = set.datasets.get(key);
  if (found) return found;
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
