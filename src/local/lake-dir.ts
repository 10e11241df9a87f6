/**
 * The local lake's directory (`.lake/` by default, `--lake-dir` to move it) and what lives in it:
 *
 *   s3/              the buckets of the embedded S3 endpoint (landing, raw, curated, quarantine)
 *   cache/           local copies of curated Parquet, which the catalog's views read
 *   catalog.duckdb   the catalog: one schema per department, one view per dataset
 *   catalog-sync.json what the catalog was last synced from (catalog-state.ts): a query on a lake that has
 *                    not changed since opens the catalog at once, without starting the S3 endpoint
 *   hash-key         the key of `protect: hash` (64 hex digits, created on first use, owner-only)
 *   server.json      present while a `lake up` serves this directory: its endpoint and process id
 *   tmp/             work files of the transformer
 *   open/            the open-data zone (src/ingest/open): files, catalog.json and catalog.jsonld, as `lake serve`
 *                    serves them
 *
 * The directory is the user's alone: folders 0700, files 0600 (an existing lake is made so on open). Its
 * JSON documents are written whole to a temporary file in their folder, then renamed, so a process that
 * reads one never sees it half-written.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseHashKey } from '../ingest/hash-key.ts';

export const DEFAULT_LAKE_DIR = '.lake';
/** The local curated bucket's name (LOCAL_BUCKETS.curated, named here so that reading it loads no S3 code). */
export const LOCAL_CURATED_BUCKET = 'lake-curated';
/** Version of server.json's layout. */
const SERVER_INFO_VERSION = 1;
/** Modes of the lake's folders and files: the user's alone. */
export const PRIVATE_DIR = 0o700;
export const PRIVATE_FILE = 0o600;

export interface LakePaths {
  readonly root: string;
  readonly s3: string;
  readonly cache: string;
  readonly catalog: string;
  readonly catalogState: string;
  /** The curated bucket's folder in the local store (the bucket is LOCAL_BUCKETS.curated). */
  readonly curatedStore: string;
  readonly hashKey: string;
  readonly server: string;
  readonly tmp: string;
  /** The open-data zone: plain files (the keys under `open/`). */
  readonly open: string;
}

export function lakePaths(dir: string): LakePaths {
  const root = resolve(dir);
  return {
    root,
    s3: join(root, 's3'),
    cache: join(root, 'cache'),
    catalog: join(root, 'catalog.duckdb'),
    catalogState: join(root, 'catalog-sync.json'),
    curatedStore: join(root, 's3', LOCAL_CURATED_BUCKET),
    hashKey: join(root, 'hash-key'),
    server: join(root, 'server.json'),
    tmp: join(root, 'tmp'),
    open: join(root, 'open'),
  };
}

/** Creates the directories of a lake (idempotent), owner-only (also those of a lake made before they were). */
export function ensureLakeDirs(paths: LakePaths): void {
  for (const d of [paths.root, paths.s3, paths.cache, paths.tmp, paths.open]) {
    mkdirSync(d, { recursive: true, mode: PRIVATE_DIR });
    chmodSync(d, PRIVATE_DIR);
  }
}

/** Writes a file whole, owner-only: to a temporary name in its folder, then renamed into place. */
export function writeFileAtomicSync(path: string, data: string): void {
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, data, { mode: PRIVATE_FILE, flag: 'wx' });
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

/** The lake's hash key: read from `hash-key`, or created there (random, owner-only) on first use. */
export function loadOrCreateHashKey(paths: LakePaths): Buffer {
  if (!existsSync(paths.hashKey)) {
    mkdirSync(paths.root, { recursive: true, mode: PRIVATE_DIR });
    // Written whole under a temporary name, then linked into place: the link fails if another process
    // created the key first (then theirs is used), and no process reads a half-written key.
    const temp = join(paths.root, `.${randomBytes(6).toString('hex')}.tmp`);
    writeFileSync(temp, `${randomBytes(32).toString('hex')}\n`, { mode: PRIVATE_FILE, flag: 'wx' });
    try {
      linkSync(temp, paths.hashKey);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      rmSync(temp, { force: true });
    }
  }
  return parseHashKey(readFileSync(paths.hashKey, 'utf8'), paths.hashKey);
}

/** What a running `lake up` says about itself. */
export interface ServerInfo {
  version: number;
  pid: number;
  endpoint: string;
  startedAt: string;
}

export function writeServerInfo(paths: LakePaths, info: Omit<ServerInfo, 'version'>): void {
  writeFileAtomicSync(
    paths.server,
    `${JSON.stringify({ version: SERVER_INFO_VERSION, ...info }, null, 2)}\n`,
  );
}

/** The server.json of a live process, or null (a file left by a process that died is removed). */
export function readServerInfo(paths: LakePaths): ServerInfo | null {
  let info: ServerInfo;
  try {
    info = JSON.parse(readFileSync(paths.server, 'utf8')) as ServerInfo;
  } catch {
    return null;
  }
  if (info.version !== SERVER_INFO_VERSION || typeof info.pid !== 'number' || !isAlive(info.pid)) {
    removeServerInfo(paths);
    return null;
  }
  return info;
}

/** Removes server.json, if it still belongs to `pid` (when given). */
export function removeServerInfo(paths: LakePaths, pid?: number): void {
  if (pid !== undefined) {
    try {
      const info = JSON.parse(readFileSync(paths.server, 'utf8')) as ServerInfo;
      if (info.pid !== pid) return;
    } catch {
      return;
    }
  }
  rmSync(paths.server, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Environment variable of the URL the local open-data zone is served at (`lake serve`), e.g. http://127.0.0.1:8080/open/. */
export const OPEN_BASE_URL_ENV = 'LAKE_OPEN_BASE_URL';

/** The local lake's open-data zone: its folder, and the URL its files are downloaded from (default: file URLs). */
export function localOpenZone(
  paths: LakePaths,
  env: NodeJS.ProcessEnv = process.env,
): { dir: string; baseUrl?: string } {
  const baseUrl = env[OPEN_BASE_URL_ENV]?.trim();
  return baseUrl ? { dir: paths.open, baseUrl } : { dir: paths.open };
}
