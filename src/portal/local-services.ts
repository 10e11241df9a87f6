/**
 * The portal's services over the local lake, the same objects the CLI's commands use: a LocalBackend
 * (the lake started in this process, or attached to the `lake up` serving the directory), the local
 * access-request store, the open-data folder, and queries run as a principal through a LocalBackend
 * opened with that principal's access (the query engine enforces the grants, as for `lake query --as`).
 */
import { localAccessService } from '../access/local.ts';
import type { Principal } from '../access/principal.ts';
import type { QueryStream } from '../cli/backend.ts';
import type { ContractSet } from '../cli/contracts.ts';
import { LocalBackend } from '../cli/local-backend.ts';
import { silentProgress } from '../cli/progress.ts';
import { catalogInSync } from '../local/catalog-state.ts';
import { LocalDirectUploads } from './local-uploads.ts';
import { localOpenData } from './open-files.ts';
import { actorOf } from './routes-decisions.ts';
import { grantedSql } from './routes-enterprise.ts';
import type { PortalServices } from './services.ts';

export interface LocalServices extends PortalServices {
  lake: LocalBackend;
  /**
   * Runs an API call; first forgets what was read of the catalog when the lake changed since (an upload
   * by another client) and no other call is using it.
   */
  around(call: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export async function localServices(opts: {
  lakeDir: string;
  contracts: ContractSet;
  cwd: string;
  now: () => Date;
}): Promise<LocalServices> {
  const lake = await LocalBackend.open({ lakeDir: opts.lakeDir, contracts: opts.contracts, cwd: opts.cwd });
  const access = localAccessService({
    lakeDir: opts.lakeDir,
    contracts: opts.contracts.datasets,
    now: opts.now,
  });
  /** API calls under way (see around()). */
  let active = 0;
  /** Open queries' backends, closed when their rows have been read (or the server stops). */
  const open = new Set<LocalBackend>();

  async function queryAs(who: Principal, sql: string): Promise<QueryStream> {
    // The catalog is brought up to date by the lake this process runs; the principal's reader only reads it.
    if (!(await catalogInSync(lake.paths, opts.contracts.datasets))) await lake.datasets();
    const reader = await LocalBackend.open({
      lakeDir: opts.lakeDir,
      contracts: opts.contracts,
      cwd: opts.cwd,
      start: 'when-needed',
      access: { actor: actorOf(who), service: access },
    });
    open.add(reader);
    const done = async () => {
      if (open.delete(reader)) await reader.close();
    };
    try {
      const stream = await reader.queryStream(sql, silentProgress);
      async function* batches() {
        try {
          yield* stream.batches;
        } finally {
          await done();
        }
      }
      return { ...stream, batches: batches() };
    } catch (e) {
      await done();
      throw e;
    }
  }

  const uploads = new LocalDirectUploads(lake);

  return {
    lake,
    uploads,
    contracts: opts.contracts,
    access,
    queryAs,
    // The granted columns only, read by the query engine as the enterprise (which enforces the grant too).
    readGranted: (who, dataset, columns) => {
      const [department, name] = dataset.split('/');
      return queryAs(who, grantedSql(department, name, columns));
    },
    open: localOpenData(opts.lakeDir),
    now: opts.now,
    async around(call) {
      const stale = !(await catalogInSync(lake.paths, opts.contracts.datasets));
      // No await between the check and the count: a reader in use by another call is never closed.
      if (stale && active === 0) lake.refresh();
      active++;
      try {
        await call();
      } finally {
        active--;
      }
    },
    async close() {
      for (const r of [...open]) await r.close().catch(() => undefined);
      open.clear();
      await uploads.close();
      await lake.close();
    },
  };
}
