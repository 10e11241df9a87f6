/** Dataset contracts and departments: schema, loading with located errors, hashing and JSON Schema. */
export { contractHash } from './contract-hash.ts';
export { ContractError, type ContractIssue, formatIssue, sortIssues } from './errors.ts';
export { contractJsonSchema, departmentsJsonSchema, type JsonSchema } from './json-schema.ts';
export { type ContractLocation, contractFile, loadContract, parseContract } from './load-contract.ts';
export { loadDatasets } from './load-datasets.ts';
export { checkDatasetsAgainstDepartments, loadDepartments, parseDepartments } from './load-departments.ts';
export * from './schema.ts';
