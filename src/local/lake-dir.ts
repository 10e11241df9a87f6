/**
 * The local lake's directory (`.lake/` by default, `--lake-dir` to move it) and what lives in it:
 *
 *   s3/              the buckets of the embedded S3 endpoint (landing, raw, curated, quarantine)
 *   cache/           local copies of curated Parquet, which the catalog's views read
 *   catalog.duckdb   the catalog: one schema per department, one view per dataset
 *   hash-key         the key of `protect: hash` (64 hex digits, created on first use, owner-only)
 *   server.json      present while a `lake up` serves this directory: its endpoint and process id
 *   tmp/             work files of the transformer
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseHashKey } from '../ingest/hash-key.ts';

export const DEFAULT_LAKE_DIR = '.lake';
/** Version of server.json's layout. */
const SERVER_INFO_VERSION = 1;

export interface LakePaths {
  readonly root: string;
  readonly s3: string;
  readonly cache: string;
  readonly catalog: string;
  readonly hashKey: string;
  readonly server: string;
  readonly tmp: string;
}

export function lakePaths(dir: string): LakePaths {
  const root = resolve(dir);
  return {
    root,
    s3: join(root, 's3'),
    cache: join(root, 'cache'),
    catalog: join(root, 'catalog.duckdb'),
    hashKey: join(root, 'hash-key'),
    server: join(root, 'server.json'),
    tmp: join(root, 'tmp'),
  };
}

/** Creates the directories of a lake (idempotent). */
export function ensureLakeDirs(paths: LakePaths): void {
  for (const d of [paths.root, paths.s3, paths.cache, paths.tmp]) mkdirSync(d, { recursive: true });
}

/** The lake's hash key: read from `hash-key`, or created there (random, owner-only) on first use. */
export function loadOrCreateHashKey(paths: LakePaths): Buffer {
  if (!existsSync(paths.hashKey)) {
    mkdirSync(paths.root, { recursive: true });
    try {
      writeFileSync(paths.hashKey, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      // Another process created it first: use theirs.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
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
  writeFileSync(paths.server, `${JSON.stringify({ version: SERVER_INFO_VERSION, ...info }, null, 2)}\n`);
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
