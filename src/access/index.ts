/**
 * Sharing through access requests: the core the CLI (`lake access`), the local query engine, the web
 * portal (`lake serve`) and the deployed lake's access API share. Its API:
 *
 *   new AccessService({ store, datasets, effects?, now? })
 *     .request(actor, { dataset, purpose, until, columns? })   → AccessRequest (pending)
 *     .list(actor, { status?, dataset? })                      → the requests the actor may see
 *     .approve(actor, id, { until? }) / .deny(actor, id, reason) / .revoke(actor, id, reason) → Decision
 *     .log(actor | 'everything', { dataset?, request? })       → the audit log
 *     .canRead(actor | null, dataset) / .readable(actor | null) → ReadAccess (the columns it reads)
 *
 * `actor` is { principal, name }: localActor('analyst:health', departments) locally. `datasets` are
 * datasetAccess(contract) of every contract; `store` is LocalAccessStore(lakeDir) locally.
 */
export { AccessError, type AccessErrorCode, httpStatus } from './errors.ts';
export { localAccessService, localActor } from './local.ts';
export { LocalAccessStore } from './local-store.ts';
export * from './model.ts';
export {
  checkRequestable,
  type DatasetAccess,
  type DatasetColumn,
  datasetAccess,
  grantableColumns,
  grantedColumns,
  type ReadAccess,
  readAccess,
} from './policy.ts';
export { departmentOf, PRINCIPAL_FORMS, type Principal, parsePrincipal, principalText } from './principal.ts';
export {
  AccessService,
  type AccessServiceOptions,
  type Actor,
  checkUntil,
  type Decision,
  LAKE_ACTOR,
  type NewRequest,
} from './service.ts';
export type { AccessEffects, AccessStore } from './store.ts';
