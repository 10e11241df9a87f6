/** Where the CLI finds the contracts: `--datasets` (default ./datasets) and `--departments` (default beside it). */
import { dirname, join, resolve } from 'node:path';

export const DEFAULT_DATASETS_DIR = 'datasets';
export const DEPARTMENTS_FILE = 'departments.yaml';

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
