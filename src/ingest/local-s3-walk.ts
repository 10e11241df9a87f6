/**
 * The keys stored under a bucket's folder, found from the file names of the local S3 store: each object is
 * `<folders of its key>/<last segment>._S3rver_object`. Folders outside the prefix are not entered, files
 * renamed or removed during the walk are passed over (other processes write the same directory), and
 * the store's temporary files and multipart uploads are not keys.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { posix } from 'node:path';

const OBJECT_SUFFIX = '._S3rver_object';
const UPLOADS_FOLDER = '._S3rver_uploads';

/** Every key under `prefix` in the bucket folder `bucketPath`, unsorted; files named `tempMark...` are skipped. */
export async function walkKeys(bucketPath: string, prefix: string, tempMark: string): Promise<string[]> {
  const keys: string[] = [];
  const walk = async (dir: string, keyPrefix: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw e;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (entry.name === UPLOADS_FOLDER && keyPrefix === '') continue;
        const sub = `${keyPrefix}${entry.name}/`;
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) await walk(posix.join(dir, entry.name), sub);
      } else if (entry.name.endsWith(OBJECT_SUFFIX) && !entry.name.startsWith(tempMark)) {
        const key = `${keyPrefix}${entry.name.slice(0, -OBJECT_SUFFIX.length)}`;
        if (key.startsWith(prefix)) keys.push(key);
      }
    }
  };
  await walk(bucketPath, '');
  return keys;
}
