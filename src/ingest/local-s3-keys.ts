/**
 * Which bucket names and keys the local S3 endpoint's directory can hold. S3 keys are free text; on disk
 * each `/`-separated segment becomes a directory or file name, so a key that would climb out of its bucket
 * (`..`), collapse into another key (`.`, an empty segment) or exceed what the file system holds (a name over
 * 255 bytes) is refused with the S3 error a client understands, before any file is touched.
 */
import { createRequire } from 'node:module';

/** S3's own limit on a key. */
export const MAX_KEY_BYTES = 1024;
/** Longest file name most file systems hold (ext4, APFS, NTFS). */
export const MAX_NAME_BYTES = 255;
/** The longest suffix the store adds to a key's last segment (`<name>._S3rver_metadata.json`). */
export const STORE_SUFFIX_BYTES = '._S3rver_metadata.json'.length;
/** Longest last segment of a key: a file name with the store's suffix still fits. */
export const MAX_LAST_SEGMENT_BYTES = MAX_NAME_BYTES - STORE_SUFFIX_BYTES;

/** s3rver's error: thrown from the store, it becomes an S3 XML error response with its status. */
export interface S3ErrorLike extends Error {
  code: string;
  status: number;
}
type S3ErrorConstructor = new (code: string, message: string, detail?: Record<string, string>) => S3ErrorLike;

export const S3Error = createRequire(import.meta.url)('s3rver/lib/models/error') as S3ErrorConstructor;

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Throws InvalidBucketName unless `bucket` is a plain S3 bucket name (no path separators, no `..`). */
export function checkBucketName(bucket: string): void {
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', { BucketName: bucket });
  }
}

/**
 * Throws KeyTooLongError for a key (or one of its segments) longer than the directory holds, and
 * InvalidArgument for a key that would name a file outside its bucket or the same file as another key.
 * The error names the rule broken, never the key's text (it may hold anything a client put in it).
 */
export function checkKey(key: string): void {
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', `Your key is too long: at most ${MAX_KEY_BYTES} bytes.`);
  }
  if (key.includes('\0') || key.includes('\\')) {
    throw new S3Error('InvalidArgument', 'A key of the local lake holds no NUL byte or backslash.', {
      ArgumentName: 'key',
    });
  }
  const segments = key.split('/');
  const last = segments.length - 1;
  segments.forEach((segment, i) => {
    // A trailing slash ("folder/") leaves an empty last segment: S3 consoles create such keys.
    if ((segment === '' && i !== last) || segment === '.' || segment === '..') {
      throw new S3Error(
        'InvalidArgument',
        `Segment ${i + 1} of the key is empty, "." or "..": the local lake refuses keys that would leave or alias their folder.`,
        { ArgumentName: 'key' },
      );
    }
    const limit = i === last ? MAX_LAST_SEGMENT_BYTES : MAX_NAME_BYTES;
    if (Buffer.byteLength(segment) > limit) {
      throw new S3Error(
        'KeyTooLongError',
        `Segment ${i + 1} of the key is ${Buffer.byteLength(segment)} bytes; the local lake's file system holds at most ${limit}: shorten that part of the name.`,
      );
    }
  });
}
