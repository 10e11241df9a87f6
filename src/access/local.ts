/** The access service of the local lake: its store in the lake directory, identities `--as <principal>`. */
import type { DatasetContract } from '../contracts/schema.ts';
import { LocalAccessStore } from './local-store.ts';
import { datasetAccess } from './policy.ts';
import { parsePrincipal, principalText } from './principal.ts';
import { AccessService, type Actor } from './service.ts';

/** A local identity (`analyst:health`) as an actor; the department must be declared. */
export function localActor(text: string, departments: readonly string[]): Actor {
  const principal = parsePrincipal(text, departments);
  return { principal, name: principalText(principal) };
}

export function localAccessService(opts: {
  lakeDir: string;
  contracts: ReadonlyMap<string, DatasetContract>;
  now?: () => Date;
}): AccessService {
  return new AccessService({
    store: new LocalAccessStore(opts.lakeDir),
    datasets: new Map([...opts.contracts].map(([k, c]) => [k, datasetAccess(c)])),
    now: opts.now,
  });
}
