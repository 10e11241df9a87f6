/**
 * What the local catalog was last synced from, so that a query can tell at once whether it is still
 * current and, if so, open it without starting the S3 endpoint or loading the S3 client.
 *
 * The fingerprint covers the curated bucket's folder in the local store (each file's path, inode, size and
 * modification time: the store writes every object to a temporary file and renames it into place, so any
 * change of an object changes its file's inode) and the contracts (each dataset's contract hash). It is
 * taken under the catalog's write lock before the sync reads the lake, and saved in catalog-sync.json
 * with the cached files the views read once the sync has committed: a change made during a sync leaves
 * a fingerprint that no longer matches, and the next query syncs again.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetContract } from '../contracts/schema.ts';
import { datasetModel } from '../lake/dataset-model.ts';
import { type LakePaths, writeFileAtomicSync } from './lake-dir.ts';

/** Version of catalog-sync.json, and of the views' definition: a catalog synced by another version is synced again. */
export const CATALOG_STATE_VERSION = 2;

export interface CatalogState {
  version: number;
  /** lakeFingerprint() when the sync started. */
  fingerprint: string;
  /** The cached Parquet files the views read. */
  files: string[];
  /** The same, per dataset (`<department>/<dataset>`): an identity's views are made from them (granted-reader.ts). */
  datasets: Record<string, string[]>;
}

/** A digest of what the catalog is made from: the curated bucket's files and the contracts. */
export async function lakeFingerprint(
  paths: LakePaths,
  contracts: ReadonlyMap<string, DatasetContract>,
): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`v${CATALOG_STATE_VERSION}\n`);
  for (const key of [...contracts.keys()].sort()) {
    hash.update(`contract ${key} ${datasetModel(contracts.get(key) as DatasetContract).contractHash}\n`);
  }
  let names: string[];
  try {
    names = (await readdir(paths.curatedStore, { recursive: true })) as string[];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    names = [];
  }
  for (const name of names.sort()) {
    try {
      const s = await stat(join(paths.curatedStore, name));
      if (s.isFile()) hash.update(`file ${name} ${s.ino} ${s.size} ${s.mtimeMs}\n`);
    } catch (e) {
      // Removed while listed: it is not part of the lake any more.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return hash.digest('hex');
}

/** The saved state, or null when there is none (or of another version). */
export function readCatalogState(paths: LakePaths): CatalogState | null {
  try {
    const state = JSON.parse(readFileSync(paths.catalogState, 'utf8')) as CatalogState;
    return state.version === CATALOG_STATE_VERSION &&
      Array.isArray(state.files) &&
      typeof state.datasets === 'object'
      ? state
      : null;
  } catch {
    return null;
  }
}

export function writeCatalogState(paths: LakePaths, state: Omit<CatalogState, 'version'>): void {
  writeFileAtomicSync(
    paths.catalogState,
    `${JSON.stringify({ version: CATALOG_STATE_VERSION, ...state }, null, 2)}\n`,
  );
}

/** Forgets the saved state (a sync under way, or one that failed). */
export function clearCatalogState(paths: LakePaths): void {
  rmSync(paths.catalogState, { force: true });
}

/** True when catalog.duckdb was synced from the lake as it is now, and every file its views read is there. */
export async function catalogInSync(
  paths: LakePaths,
  contracts: ReadonlyMap<string, DatasetContract>,
): Promise<boolean> {
  const state = readCatalogState(paths);
  if (!state) return false;
  try {
    await stat(paths.catalog);
    for (const f of state.files) await stat(f);
  } catch {
    return false;
  }
  return state.fingerprint === (await lakeFingerprint(paths, contracts));
}
