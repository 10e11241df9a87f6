/**
 * Loading every contract of a datasets directory (`<dir>/<department>/<dataset>.yaml`), with the
 * problems of all files collected into one ContractError.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { ContractError, type ContractIssue } from './errors.ts';
import { CONTRACT_ADVICE, contractFile, contractSource, parseContract } from './load-contract.ts';
import type { DatasetContract } from './schema.ts';

const YAML_EXTENSIONS = ['.yaml', '.yml'];

function isYamlFile(name: string): boolean {
  return YAML_EXTENSIONS.includes(extname(name).toLowerCase());
}

/**
 * Loads every contract under `dir`, laid out as `<dir>/<department>/<dataset>.yaml` (or `.yml`), keyed
 * `department/name`. Problems in all files are collected and thrown as one ContractError.
 */
export function loadDatasets(dir: string): Map<string, DatasetContract> {
  const datasets = new Map<string, DatasetContract>();
  const issues: ContractIssue[] = [];
  const entries = (d: string) =>
    readdirSync(d)
      .filter((n) => !n.startsWith('.'))
      .sort();
  for (const department of entries(dir)) {
    const departmentDir = join(dir, department);
    if (!statSync(departmentDir).isDirectory()) {
      if (isYamlFile(department)) {
        issues.push({
          file: departmentDir,
          line: 1,
          column: 1,
          key: '(file)',
          message: `contracts live in ${join(dir, '<department>', '<dataset>.yaml')}; move this file into its department's directory`,
        });
      }
      continue;
    }
    for (const name of entries(departmentDir)) {
      const file = join(departmentDir, name);
      if (!isYamlFile(name) || !statSync(file).isFile()) continue;
      let contract: DatasetContract;
      try {
        contract = parseContract(readFileSync(file, 'utf8'), file, {
          department,
          name: basename(name, extname(name)),
        });
      } catch (e) {
        if (!(e instanceof ContractError)) throw e;
        issues.push(...e.issues);
        continue;
      }
      const key = `${contract.department}/${contract.name}`;
      const other = datasets.get(key);
      if (other) {
        const position = contractSource(contract)?.name ?? { line: 1, column: 1 };
        issues.push({
          file,
          ...position,
          key: 'name',
          message: `dataset "${key}" is also defined in ${contractFile(other)}; keep one of the two files`,
        });
        continue;
      }
      datasets.set(key, contract);
    }
  }
  if (issues.length > 0) throw new ContractError(issues, CONTRACT_ADVICE);
  return datasets;
}
