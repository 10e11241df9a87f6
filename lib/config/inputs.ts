/**
 * Everything the stacks are built from: departments.yaml, the dataset contracts and lake.yaml, loaded
 * and cross-checked once, so a contract error stops `cdk synth` with its file, line and key.
 */
import { join } from 'node:path';
import {
  checkDatasetsAgainstDepartments,
  type DatasetContract,
  type Department,
  loadDatasets,
  loadDepartments,
} from '../../src/contracts/index.ts';
import { checkLakeConfigAgainstDepartments, type LakeConfig, loadLakeConfig } from './lake-config.ts';

export interface LakeInputs {
  readonly departments: readonly Department[];
  /** Every contract, in a stable order (department, then dataset). */
  readonly datasets: readonly DatasetContract[];
  readonly config: LakeConfig;
  /** Where the contracts were read from; the transformer's contracts bundle is written from it. */
  readonly datasetsDir?: string;
}

export interface LakeInputPaths {
  /** @default `datasets` */
  readonly datasetsDir?: string;
  /** @default `departments.yaml` beside the datasets directory's parent, i.e. `departments.yaml` */
  readonly departmentsFile?: string;
  /** @default `lake.yaml`; absent means every default */
  readonly lakeConfigFile?: string;
}

export const DEFAULT_INPUT_PATHS = {
  datasetsDir: 'datasets',
  departmentsFile: 'departments.yaml',
  lakeConfigFile: 'lake.yaml',
} as const;

/** Loads and cross-checks the lake's inputs; relative paths are taken from `root`. */
export function loadLakeInputs(paths: LakeInputPaths = {}, root = process.cwd()): LakeInputs {
  const datasetsDir = join(root, paths.datasetsDir ?? DEFAULT_INPUT_PATHS.datasetsDir);
  const departmentsFile = join(root, paths.departmentsFile ?? DEFAULT_INPUT_PATHS.departmentsFile);
  const lakeConfigFile = join(root, paths.lakeConfigFile ?? DEFAULT_INPUT_PATHS.lakeConfigFile);
  const departments = loadDepartments(departmentsFile);
  const datasets = loadDatasets(datasetsDir);
  checkDatasetsAgainstDepartments(datasets, departments);
  const config = loadLakeConfig(lakeConfigFile);
  checkLakeConfigAgainstDepartments(config, departments, lakeConfigFile);
  return { departments, datasets: sortDatasets([...datasets.values()]), config, datasetsDir };
}

export function sortDatasets(datasets: readonly DatasetContract[]): DatasetContract[] {
  return [...datasets].sort((a, b) =>
    a.department === b.department ? a.name.localeCompare(b.name) : a.department.localeCompare(b.department),
  );
}
