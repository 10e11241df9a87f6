/** Dataset contracts and departments: schema, loading with located errors, hashing and JSON Schema. */
export { ContractError, type ContractIssue, formatIssue, sortIssues } from './errors.ts';
export { contractJsonSchema, departmentsJsonSchema, type JsonSchema } from './json-schema.ts';
export {
  type ContractLocation,
  checkDatasetsAgainstDepartments,
  contractFile,
  contractHash,
  loadContract,
  loadDatasets,
  loadDepartments,
  parseContract,
  parseDepartments,
} from './load.ts';
export * from './schema.ts';
