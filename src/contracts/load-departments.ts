/** Loading `departments.yaml`, and checking that every contract's department is declared there. */
import { readFileSync } from 'node:fs';
import { ContractError, type ContractIssue } from './errors.ts';
import { contractSource } from './load-contract.ts';
import { type DatasetContract, type Department, departmentsFileSchema } from './schema.ts';
import { validateYaml } from './validate-yaml.ts';

const DEPARTMENTS_ADVICE = 'Fix departments.yaml and run again.';
const UNDECLARED_ADVICE =
  "Declare the department in departments.yaml (or fix the contract's department) and run again.";

const departmentSources = new WeakMap<readonly Department[], string>();

/** Parses and validates departments.yaml text (ids must be unique). Throws a ContractError listing every problem. */
export function parseDepartments(text: string, file: string): Department[] {
  const result = validateYaml(text, file, departmentsFileSchema, 'departments.yaml');
  if (!result.ok) throw new ContractError(result.issues, DEPARTMENTS_ADVICE);
  const departments = result.value.departments;
  departmentSources.set(departments, file);
  return departments;
}

/** Loads departments.yaml. */
export function loadDepartments(path: string): Department[] {
  return parseDepartments(readFileSync(path, 'utf8'), path);
}

/** Throws a ContractError naming each contract file whose department is not declared in departments.yaml. */
export function checkDatasetsAgainstDepartments(
  datasets: ReadonlyMap<string, DatasetContract>,
  departments: readonly Department[],
): void {
  const declared = new Set(departments.map((d) => d.id));
  const departmentsFile = departmentSources.get(departments) ?? 'departments.yaml';
  const issues: ContractIssue[] = [];
  for (const [key, contract] of datasets) {
    if (declared.has(contract.department)) continue;
    const source = contractSource(contract);
    issues.push({
      file: source?.file ?? key,
      ...(source?.department ?? { line: 1, column: 1 }),
      key: 'department',
      message: `department "${contract.department}" is not declared in ${departmentsFile}; declared: ${[...declared].join(', ')}`,
    });
  }
  if (issues.length > 0) throw new ContractError(issues, UNDECLARED_ADVICE);
}
