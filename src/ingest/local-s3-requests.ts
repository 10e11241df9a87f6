/**
 * What the local S3 endpoint checks before s3rver routes a request, where s3rver itself does not:
 *
 * - the key: one the directory cannot hold is refused (local-s3-keys.ts) after the request's body is read,
 *   so the client gets the S3 error rather than a broken connection;
 * - conditional writes (`If-Match`, `If-None-Match: *` on PutObject), as S3 has them: the condition is
 *   checked and the object written under a lock file next to the object, which every process serving
 *   the directory honours, so two writers of one key cannot both win;
 * - conditional reads (`If-Match` on GetObject/HeadObject) and copies (`x-amz-copy-source-if-match`):
 *   an object of another ETag answers PreconditionFailed.
 */
import { open, rm, stat } from 'node:fs/promises';
import { checkKey, S3Error } from './local-s3-keys.ts';
import type { LakeFileStore } from './local-s3-store.ts';

/** A lock older than this was left by a process that died while holding it. */
const STALE_LOCK_MS = 30_000;
/** How long a conditional write waits for the key's lock before answering SlowDown (clients retry). */
const LOCK_WAIT_MS = 10_000;

/** The part of Koa's context used here. */
interface Ctx {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  req: NodeJS.ReadableStream;
  response: { get(field: string): string };
}
type Next = () => Promise<unknown>;

/** Bucket and key of a path-style request, or null for a request on the service or a bucket. */
export function objectOf(path: string): { bucket: string; key: string } | null {
  const m = /^\/([^/]+)\/(.+)$/s.exec(path);
  if (!m) return null;
  try {
    return { bucket: decodeURIComponent(m[1]), key: decodeURIComponent(m[2]) };
  } catch {
    throw new S3Error('InvalidURI', 'Could not parse the specified URI.');
  }
}

/** A header's value; ETags without their quotes (clients send them either way). */
function header(ctx: Ctx, name: string): string | undefined {
  const v = ctx.headers[name];
  return unquote(Array.isArray(v) ? v[0] : v);
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"(.*)"$/, '$1');
}

async function drain(stream: NodeJS.ReadableStream): Promise<void> {
  await new Promise<void>((resolve) => {
    stream.on('end', resolve).on('error', () => resolve());
    stream.resume();
  });
}

async function etagOf(store: LakeFileStore, bucket: string, key: string): Promise<string | null> {
  try {
    return unquote(String((await store.getMetadata(bucket, key)).etag)) ?? null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Holds the lock of one key while `work` runs. */
async function withKeyLock<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    try {
      await (await open(lockPath, 'wx', 0o600)).close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = await stat(lockPath).catch(() => null);
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) await rm(lockPath, { force: true });
      if (Date.now() > deadline) throw new S3Error('SlowDown', 'The key is being written; please try again.');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockPath, { force: true });
  }
}

/** The Koa middleware, for the store the endpoint writes with. */
export function requestChecks(store: LakeFileStore) {
  return async (ctx: Ctx, next: Next): Promise<void> => {
    const object = objectOf(ctx.path);
    if (!object) return void (await next());
    const { bucket, key } = object;
    try {
      checkKey(key);
    } catch (e) {
      if (ctx.method === 'PUT' || ctx.method === 'POST') await drain(ctx.req);
      throw e;
    }
    const ifMatch = header(ctx, 'if-match');
    const ifNoneMatch = header(ctx, 'if-none-match');
    const copyIfMatch = header(ctx, 'x-amz-copy-source-if-match');
    const isPart = ctx.query.partNumber !== undefined || ctx.query.uploadId !== undefined;

    if (ctx.method === 'PUT' && !isPart && copyIfMatch) {
      const source = objectOf(
        `/${String(ctx.headers['x-amz-copy-source']).replace(/^\//, '').split('?')[0]}`,
      );
      if (source && (await etagOf(store, source.bucket, source.key)) !== copyIfMatch) {
        throw new S3Error(
          'PreconditionFailed',
          'At least one of the preconditions you specified did not hold.',
          {
            Condition: 'x-amz-copy-source-If-Match',
          },
        );
      }
    }
    if (ctx.method === 'PUT' && !isPart && (ifMatch || ifNoneMatch)) {
      await store.prepareFolder(bucket, key);
      return withKeyLock(store.getResourcePath(bucket, key, 'lock'), async () => {
        const current = await etagOf(store, bucket, key);
        if (ifNoneMatch === '*' && current !== null) {
          await drain(ctx.req);
          throw new S3Error(
            'PreconditionFailed',
            'At least one of the preconditions you specified did not hold.',
            {
              Condition: 'If-None-Match',
            },
          );
        }
        if (ifMatch && current === null) {
          await drain(ctx.req);
          throw new S3Error('NoSuchKey', 'The specified key does not exist.');
        }
        if (ifMatch && ifMatch !== current) {
          await drain(ctx.req);
          throw new S3Error(
            'PreconditionFailed',
            'At least one of the preconditions you specified did not hold.',
            {
              Condition: 'If-Match',
            },
          );
        }
        await next();
      });
    }
    await next();
    if ((ctx.method === 'GET' || ctx.method === 'HEAD') && ifMatch && ctx.status >= 200 && ctx.status < 300) {
      if (unquote(ctx.response.get('ETag')) !== ifMatch) {
        (ctx.body as NodeJS.ReadableStream & { destroy?: () => void })?.destroy?.();
        throw new S3Error(
          'PreconditionFailed',
          'At least one of the preconditions you specified did not hold.',
          {
            Condition: 'If-Match',
          },
        );
      }
    }
  };
}
