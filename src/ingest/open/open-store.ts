/**
 * Where the open-data zone is kept: an S3 bucket on AWS (served only through CloudFront), a plain folder on
 * the local lake (`.lake/open/`, which `lake serve` serves over HTTP as it is). Both are reached through
 * this one small interface, so building and publishing the open copy never knows which it writes to.
 *
 * Every write replaces a whole object at once (one PutObject; locally a temporary file renamed into
 * place), so a reader sees a file before or after, never half of it. `putIf` is the conditional write the
 * catalogue is updated with (S3's If-Match / If-None-Match; locally a lock file around compare-and-rename).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, constants as fsConstants } from 'node:fs';
import {
  chmod,
  copyFile,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { OPEN_PREFIX } from '../../lake/layout.ts';
import {
  isNotFound,
  isPreconditionFailed,
  listObjects,
  normalizeEtag,
  UPLOAD_PART_BYTES,
} from '../s3-objects.ts';
import type { OpenZoneLocation } from '../types.ts';

export type { OpenZoneLocation };

export interface OpenObject {
  /** The key, `open/…`. */
  key: string;
  bytes: number;
}

export interface OpenStore {
  /** `s3://<bucket>/open/` or the folder, for messages. */
  readonly where: string;
  /** Writes a local file whole under `key`. */
  putFile(key: string, path: string, contentType: string): Promise<void>;
  /** An object's bytes and ETag, or null when there is none. */
  get(key: string): Promise<{ body: Buffer; etag: string } | null>;
  /** Writes `body` only if the object is still at `etag` (null: only if there is none). False: it moved. */
  putIf(key: string, body: string, contentType: string, etag: string | null): Promise<boolean>;
  /** The objects under a prefix. */
  list(prefix: string): Promise<OpenObject[]>;
  delete(key: string): Promise<void>;
  /** Removes the earlier versions of the objects under `prefix` (a versioned bucket); returns how many. */
  purgeHistory(prefix: string): Promise<number>;
}

/** How long a reader may keep an open file (CloudFront and browsers): the catalogue is kept shorter. */
const FILE_CACHE_CONTROL = 'public, max-age=300';
const CATALOG_CACHE_CONTROL = 'public, max-age=60';
/** A lock older than this was left by a process that died: it is taken over. */
const STALE_LOCK_MS = 30_000;
const LOCK_ATTEMPTS = 200;

export function openStoreOf(s3: S3Client, location: OpenZoneLocation): OpenStore {
  return 'bucket' in location ? s3OpenStore(s3, location.bucket) : dirOpenStore(location.dir);
}

/** The base URL files are downloaded from: the location's, or the bucket's / folder's own address. */
export function baseUrlOf(location: OpenZoneLocation): string {
  if (location.baseUrl) return location.baseUrl.endsWith('/') ? location.baseUrl : `${location.baseUrl}/`;
  if ('bucket' in location) return `https://${location.bucket}.s3.amazonaws.com/${OPEN_PREFIX}`;
  return `file://${resolve(location.dir)}/`;
}

/** The public URL of a key of the zone under a base URL (the base stands for `open/`). */
export function urlOf(baseUrl: string, key: string): string {
  const path = key.startsWith(OPEN_PREFIX) ? key.slice(OPEN_PREFIX.length) : key;
  return `${baseUrl}${path.split('/').map(encodeURIComponent).join('/')}`;
}

function s3OpenStore(s3: S3Client, bucket: string): OpenStore {
  return {
    where: `s3://${bucket}/${OPEN_PREFIX}`,
    async putFile(key, path, contentType) {
      // Multipart when large (lib-storage), one PutObject otherwise: either way the object appears whole.
      const upload = new Upload({
        client: s3,
        params: {
          Bucket: bucket,
          Key: key,
          Body: createReadStream(path),
          ContentType: contentType,
          CacheControl: FILE_CACHE_CONTROL,
        },
        partSize: UPLOAD_PART_BYTES,
        queueSize: 2,
        leavePartsOnError: false,
      });
      await upload.done();
    },
    async get(key) {
      try {
        const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const body = Buffer.from((await r.Body?.transformToByteArray()) ?? []);
        return { body, etag: r.ETag ?? '' };
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    },
    async putIf(key, body, contentType, etag) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: contentType,
            CacheControl: CATALOG_CACHE_CONTROL,
            ...(etag ? { IfMatch: etag } : { IfNoneMatch: '*' }),
          }),
        );
        return true;
      } catch (e) {
        if (isPreconditionFailed(e)) return false;
        throw e;
      }
    },
    async list(prefix) {
      const found: OpenObject[] = [];
      for await (const o of listObjects(s3, bucket, prefix)) {
        if (o.Key) found.push({ key: o.Key, bytes: o.Size ?? 0 });
      }
      return found;
    },
    async delete(key) {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async purgeHistory(prefix) {
      let removed = 0;
      let KeyMarker: string | undefined;
      let VersionIdMarker: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker, VersionIdMarker }),
        );
        const old = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
          .filter((v) => v.Key && v.VersionId && !v.IsLatest)
          .map((v) => ({ Key: v.Key as string, VersionId: v.VersionId as string }));
        if (old.length > 0) {
          await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: old, Quiet: true } }));
          removed += old.length;
        }
        KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        VersionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
      } while (KeyMarker);
      return removed;
    },
  };
}

/** The open zone as a plain folder: key `open/a/b` is the file `<dir>/a/b`. */
export function dirOpenStore(dir: string): OpenStore {
  const root = resolve(dir);
  const pathOf = (key: string) => {
    if (!key.startsWith(OPEN_PREFIX)) throw new Error(`open-data key "${key}" is not under ${OPEN_PREFIX}`);
    const path = resolve(root, key.slice(OPEN_PREFIX.length));
    if (path !== root && !path.startsWith(`${root}${sep}`)) {
      throw new Error(`open-data key "${key}" leaves the open-data folder ${root}`);
    }
    return path;
  };
  /** Writes `data` (or copies the local file `from`) to a temporary name beside `path`, then renames it. */
  const writeWhole = async (path: string, data: Buffer | string | { from: string }) => {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
    try {
      if (typeof data === 'object' && 'from' in data) {
        await copyFile(data.from, temp, fsConstants.COPYFILE_EXCL);
        await chmod(temp, 0o600);
      } else {
        await writeFile(temp, data, { mode: 0o600, flag: 'wx' });
      }
      await rename(temp, path);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  };
  const etagOf = (body: Buffer) => createHash('sha256').update(body).digest('hex');
  const read = async (key: string) => {
    try {
      const body = await readFile(pathOf(key));
      return { body, etag: etagOf(body) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  };
  return {
    where: root,
    async putFile(key, path) {
      await writeWhole(pathOf(key), { from: path });
    },
    get: read,
    async putIf(key, body, _contentType, etag) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const lock = `${path}.lock`;
      await takeLock(lock);
      try {
        const current = await read(key);
        if ((current?.etag ?? null) !== (etag === null ? null : normalizeEtag(etag))) return false;
        await writeWhole(path, body);
        return true;
      } finally {
        await rm(lock, { force: true });
      }
    },
    async list(prefix) {
      const found: OpenObject[] = [];
      const walk = async (folder: string): Promise<void> => {
        let entries: import('node:fs').Dirent[];
        try {
          entries = await readdir(folder, { withFileTypes: true });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
          throw e;
        }
        for (const entry of entries) {
          const path = join(folder, entry.name);
          if (entry.isDirectory()) await walk(path);
          else if (entry.isFile() && !entry.name.startsWith('.') && !entry.name.endsWith('.lock')) {
            const key = `${OPEN_PREFIX}${relative(root, path).split(sep).join('/')}`;
            if (key.startsWith(prefix)) found.push({ key, bytes: (await stat(path)).size });
          }
        }
      };
      await walk(root);
      return found.sort((a, b) => (a.key < b.key ? -1 : 1));
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async purgeHistory() {
      return 0; // a folder keeps no earlier versions
    },
  };
}

/** Takes a lock file (created exclusively); one left by a dead process is taken over. */
async function takeLock(lock: string): Promise<void> {
  for (let attempt = 1; attempt <= LOCK_ATTEMPTS; attempt++) {
    try {
      await (await open(lock, 'wx', 0o600)).close();
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await rm(lock, { force: true });
      else await new Promise((r) => setTimeout(r, 10 + attempt));
    }
  }
  throw new Error(`${lock} stayed locked: another process is updating the open-data catalogue; try again`);
}

/** An ETag as S3 returns it (quoted) and the local store's, compared alike. */
export function sameEtag(a: string | null | undefined, b: string | null | undefined): boolean {
  return normalizeEtag(a ?? undefined) === normalizeEtag(b ?? undefined);
}
