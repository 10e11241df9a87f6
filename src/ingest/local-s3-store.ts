/**
 * The local S3 endpoint's file store: s3rver's directory layout (`<key>._S3rver_object`, `.md5`,
 * `._S3rver_metadata.json`), made safe for several processes serving one lake directory at once:
 *
 * - every file is written whole to a temporary name in its folder, then renamed into place, so a reader
 *   sees the old version or the new one, never a half-written object or document;
 * - the metadata document is written last and names the object file it describes (its inode); a reader
 *   opens the object first, and reads again when the metadata is of another version (the answer's ETag,
 *   length and bytes always belong together);
 * - keys that would leave their bucket's folder or that the file system cannot hold are refused with an
 *   S3 error (local-s3-keys.ts);
 * - folders are private to the user (0700), files too (0600); folders are never removed (another process
 *   may be writing into one).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { type FileHandle, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkBucketName, checkKey, S3Error } from './local-s3-keys.ts';
import { walkKeys } from './local-s3-walk.ts';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;
/** Reads of an object that a writer keeps replacing, before the endpoint answers SlowDown (clients retry). */
const CONSISTENT_READ_ATTEMPTS = 20;
/** Field of the metadata document naming the object file's inode (never sent to clients). */
const INODE_FIELD = 'x-lake-inode';
const TEMP_MARK = '.lake-tmp-';

type Metadata = Record<string, unknown>;
interface StoredObject {
  bucket: string;
  key: string;
  content: Buffer | NodeJS.ReadableStream;
  metadata: Metadata;
}
interface S3ObjectConstructor {
  new (bucket: string, key: string, content: unknown, metadata: Metadata): { range?: unknown };
  ALLOWED_METADATA: string[];
}
interface FilesystemStoreBase {
  rootDirectory: string;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getBucket(bucket: string): Promise<unknown>;
}
type FilesystemStoreConstructor = new (root: string) => FilesystemStoreBase;

const require = createRequire(import.meta.url);
const FilesystemStore = require('s3rver/lib/stores/filesystem') as FilesystemStoreConstructor;
const S3Object = require('s3rver/lib/models/object') as S3ObjectConstructor;

/** A temporary name in the folder of `path`, which no key's file can have. */
function tempPathOf(path: string): string {
  return join(dirname(path), `${TEMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}`);
}

/** Writes `data` to `path` atomically (temporary file in the same folder, then rename). */
async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const temp = tempPathOf(path);
  try {
    await writeFile(temp, data, { mode: FILE_MODE, flag: 'wx' });
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** An object file opened for reading, with the metadata of that very file. */
interface OpenObject {
  file: FileHandle;
  size: number;
  inode: string;
  metadata: Metadata;
}

export class LakeFileStore extends FilesystemStore {
  getBucketPath(bucket: string): string {
    checkBucketName(bucket);
    return join(this.rootDirectory, bucket);
  }

  getResourcePath(bucket: string, key: string | undefined, resource: string): string {
    checkBucketName(bucket);
    if (key) checkKey(key);
    return super.getResourcePath(bucket, key, resource);
  }

  /** The bucket, or null (also for a folder whose name is no bucket name: a stray file or folder in s3/). */
  async getBucket(bucket: string): Promise<unknown> {
    try {
      checkBucketName(bucket);
    } catch {
      return null;
    }
    return super.getBucket(bucket);
  }

  async putBucket(bucket: string): Promise<unknown> {
    await mkdir(this.getBucketPath(bucket), { recursive: true, mode: DIR_MODE });
    return this.getBucket(bucket);
  }

  /** Creates the folder of a key's files. */
  async prepareFolder(bucket: string, key: string): Promise<void> {
    await mkdir(dirname(this.getResourcePath(bucket, key, 'object')), { recursive: true, mode: DIR_MODE });
  }

  /** Opens the object and reads the metadata of the version opened (see the module comment). */
  private async openObject(bucket: string, key: string): Promise<OpenObject> {
    const objectPath = this.getResourcePath(bucket, key, 'object');
    const metadataPath = this.getResourcePath(bucket, key, 'metadata.json');
    for (let attempt = 1; attempt <= CONSISTENT_READ_ATTEMPTS; attempt++) {
      const file = await open(objectPath, 'r'); // ENOENT: no such key
      try {
        const stat = await file.stat({ bigint: true });
        const stored = await readFile(metadataPath, 'utf8').then(
          (t) => JSON.parse(t) as Metadata,
          (e) => {
            if (isMissing(e)) return {} as Metadata;
            throw e;
          },
        );
        const inode = stored[INODE_FIELD];
        if (inode !== undefined && inode !== stat.ino.toString()) {
          // Another version is being put: its metadata or its object file is not in place yet.
          await file.close();
          await new Promise((r) => setTimeout(r, 5 * attempt));
          continue;
        }
        delete stored[INODE_FIELD];
        const md5 = typeof stored.md5 === 'string' ? stored.md5 : await this.legacyMd5(objectPath, file);
        delete stored.md5;
        const metadata: Metadata = {
          ...stored,
          etag: JSON.stringify(md5),
          'last-modified': new Date(Number(stat.mtimeMs)).toUTCString(),
          'content-length': Number(stat.size),
        };
        return { file, size: Number(stat.size), inode: stat.ino.toString(), metadata };
      } catch (e) {
        await file.close().catch(() => undefined);
        throw e;
      }
    }
    throw new S3Error('SlowDown', 'The object is being replaced; please try again.');
  }

  /** The MD5 of an object stored without it in its metadata document (s3rver's own layout). */
  private async legacyMd5(objectPath: string, file: FileHandle): Promise<string> {
    const stored = await readFile(`${objectPath}.md5`, 'utf8').catch((e) => {
      if (isMissing(e)) return null;
      throw e;
    });
    if (stored) return stored.trim();
    const hash = createHash('md5');
    for await (const chunk of file.createReadStream({ start: 0, autoClose: false })) hash.update(chunk);
    return hash.digest('hex');
  }

  async getMetadata(bucket: string, key: string): Promise<Metadata> {
    const { file, metadata } = await this.openObject(bucket, key);
    await file.close();
    return metadata;
  }

  async getObject(bucket: string, key: string, options?: { start?: number; end?: number }): Promise<unknown> {
    let opened: OpenObject;
    try {
      opened = await this.openObject(bucket, key);
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
    const { file, size, metadata } = opened;
    const lastByte = Math.max(0, size - 1);
    const range = {
      start: options?.start || 0,
      end: Math.min(options?.end || Number.POSITIVE_INFINITY, lastByte),
    };
    const ranged = options !== undefined && (options.start !== undefined || Boolean(options.end));
    if (range.start < 0 || range.end < range.start) {
      await file.close();
      const object = new S3Object(bucket, key, null, metadata);
      if (ranged) object.range = range;
      return object;
    }
    const content = file.createReadStream({ start: range.start, end: range.end, autoClose: true });
    const object = new S3Object(bucket, key, content, metadata);
    if (ranged) object.range = range;
    return object;
  }

  /** Writes the metadata document last: the object it names is then in place (see the module comment). */
  async putMetadata(
    bucket: string,
    key: string,
    metadata: Metadata,
    md5?: string,
    inode?: string,
  ): Promise<void> {
    const objectPath = this.getResourcePath(bucket, key, 'object');
    const metadataPath = this.getResourcePath(bucket, key, 'metadata.json');
    let sum = md5;
    let ino = inode;
    if (sum === undefined || ino === undefined) {
      // Metadata replaced in place (a copy onto itself): keep the object's checksum.
      const current = await this.openObject(bucket, key);
      await current.file.close();
      sum ??= JSON.parse(String(current.metadata.etag)) as string;
      ino ??= current.inode;
    }
    const json: Metadata = {};
    for (const [k, v] of Object.entries(metadata)) {
      if (S3Object.ALLOWED_METADATA.includes(k) || k.startsWith('x-amz-meta-')) json[k] = v;
    }
    json.md5 = sum;
    if (ino) json[INODE_FIELD] = ino;
    // s3rver's own reader (and older lakes) read the checksum from its own file.
    await writeFileAtomic(`${objectPath}.md5`, sum ?? '');
    await writeFileAtomic(metadataPath, JSON.stringify(json, null, 2));
  }

  /** Streams `content` to a temporary file next to `path` and renames it there; returns size, MD5 and inode. */
  private async writeObjectFile(
    path: string,
    content: Buffer | NodeJS.ReadableStream,
  ): Promise<{ size: number; md5: string; inode: string }> {
    await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
    const temp = tempPathOf(path);
    const hash = createHash('md5');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      const source = Buffer.isBuffer(content) ? Readable.from([content]) : (content as NodeJS.ReadableStream);
      await pipeline(source, tap, createWriteStream(temp, { mode: FILE_MODE, flags: 'wx' }));
      const handle = await open(temp, 'r');
      const inode = (await handle.stat({ bigint: true }).finally(() => handle.close())).ino.toString();
      await rename(temp, path);
      return { size, md5: hash.digest('hex'), inode };
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  }

  async putObject(object: StoredObject): Promise<{ size: number; md5: string }> {
    const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
    const { size, md5, inode } = await this.writeObjectFile(objectPath, object.content);
    await this.putMetadata(object.bucket, object.key, object.metadata, md5, inode);
    return { size, md5 };
  }

  async copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    replacementMetadata?: Metadata,
  ): Promise<Metadata> {
    const srcPath = this.getResourcePath(srcBucket, srcKey, 'object');
    const destPath = this.getResourcePath(destBucket, destKey, 'object');
    if (srcPath === destPath) {
      if (replacementMetadata) await this.putMetadata(destBucket, destKey, replacementMetadata);
      return this.getMetadata(destBucket, destKey);
    }
    const source = await this.openObject(srcBucket, srcKey);
    const written = await this.writeObjectFile(destPath, source.file.createReadStream({ autoClose: true }));
    const stored = await readFile(this.getResourcePath(srcBucket, srcKey, 'metadata.json'), 'utf8')
      .then((t) => JSON.parse(t) as Metadata)
      .catch(() => ({}) as Metadata);
    await this.putMetadata(destBucket, destKey, replacementMetadata ?? stored, written.md5, written.inode);
    return this.getMetadata(destBucket, destKey);
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    // The metadata first: a reader that still opens the object sees it without one, as s3rver's layout allows.
    for (const resource of ['metadata.json', 'object', 'object.md5']) {
      await rm(this.getResourcePath(bucket, key, resource), { force: true });
    }
  }

  async existsObject(bucket: string, key: string): Promise<boolean> {
    try {
      await (await open(this.getResourcePath(bucket, key, 'object'), 'r')).close();
      return true;
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  }

  async initiateUpload(bucket: string, key: string, uploadId: string, metadata: Metadata): Promise<void> {
    this.getResourcePath(bucket, key, 'object');
    const dir = join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId);
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    await writeFileAtomic(join(dir, 'key'), key);
    await writeFileAtomic(join(dir, 'metadata'), JSON.stringify(metadata));
  }

  async putPart(
    bucket: string,
    uploadId: string,
    partNumber: number,
    content: NodeJS.ReadableStream,
  ): Promise<{ size: number; md5: string }> {
    const partPath = join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId, String(partNumber));
    const { size, md5 } = await this.writeObjectFile(partPath, content);
    await writeFileAtomic(`${partPath}.md5`, md5);
    return { size, md5 };
  }

  /** Every object under `prefix` (s3rver's listing, with a walk that tolerates files renamed meanwhile). */
  async listObjects(
    bucket: string,
    options: { delimiter?: string; startAfter?: string; prefix?: string; maxKeys?: number },
  ): Promise<{ objects: unknown[]; commonPrefixes: string[]; isTruncated: boolean }> {
    const { delimiter = '', startAfter = '', prefix = '', maxKeys = Number.POSITIVE_INFINITY } = options;
    const bucketPath = this.getBucketPath(bucket);
    const keys = await walkKeys(bucketPath, prefix, TEMP_MARK);
    keys.sort();
    const commonPrefixes = new Set<string>();
    const listed: string[] = [];
    let isTruncated = false;
    for (const key of keys) {
      if (key <= startAfter) continue;
      if (delimiter) {
        const idx = key.slice(prefix.length).indexOf(delimiter);
        if (idx !== -1) {
          commonPrefixes.add(key.slice(0, prefix.length + idx + 1));
          continue;
        }
      }
      if (listed.length >= maxKeys) {
        isTruncated = true;
        break;
      }
      listed.push(key);
    }
    const objects = await Promise.all(
      listed.map((key) =>
        this.getMetadata(bucket, key).then(
          (metadata) => new S3Object(bucket, key, null, metadata),
          (e) => {
            if (isMissing(e)) return undefined; // deleted since the walk
            throw e;
          },
        ),
      ),
    );
    return {
      objects: objects.filter((o) => o !== undefined),
      commonPrefixes: [...commonPrefixes].sort(),
      isTruncated,
    };
  }
}
