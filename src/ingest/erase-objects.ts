/**
 * The object-level work of an erasure: rows filtered out of a Parquet file, lines cut out of a raw
 * original, an object replaced in place and its earlier versions deleted (the buckets are versioned, so an
 * overwritten version would otherwise keep the person), a landing object deleted with all its versions.
 *
 * A Parquet file or raw original is replaced by one PutObject of the same key: readers see it before or
 * after, never a mix. Raw's earlier versions are under Object Lock (governance mode): only the erasure
 * role may delete them, with x-amz-bypass-governance-retention (`bypassGovernance`).
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createDuckDB } from '../engine/duckdb.ts';
import { ident, lit } from '../engine/sql.ts';
import { LINEAGE } from '../lake/column-types.ts';
import type { LineSpan } from './erase-scan.ts';
import { downloadToFile } from './s3-objects.ts';

/** Rows per Parquet row group in a rewritten file, as the engine writes them. */
const ROW_GROUP_ROWS = 122_880;

/** Which rows of a Parquet file go: a predicate over its columns, or lineage (upload id -> source lines). */
export interface RowMatch {
  predicate(present: ReadonlySet<string>): string | null;
  lines: ReadonlyMap<string, readonly LineSpan[]>;
}

/** A Parquet file of the lake, downloaded, with the rows that match counted; `write` replaces it without them. */
export interface ParquetFilter {
  removed: number;
  write(): Promise<void>;
}

export async function filterParquet(
  s3: S3Client,
  bucket: string,
  key: string,
  match: RowMatch,
  work: string,
): Promise<ParquetFilter> {
  const input = join(work, 'in.parquet');
  const output = join(work, 'out.parquet');
  await downloadToFile(s3, { Bucket: bucket, Key: key }, input);
  const db = await createDuckDB(':memory:', { threads: '1', temp_directory: join(work, 'spill') });
  const conn = await db.connect();
  let removed = 0;
  try {
    const file = `read_parquet(${lit(input)}, hive_partitioning = false)`;
    const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${file}`);
    const present = new Set(described.getRows().map(([name]) => String(name)));
    const terms: string[] = [];
    const own = match.predicate(present);
    if (own) terms.push(`(${own})`);
    const up = LINEAGE.uploadId.name;
    const line = LINEAGE.sourceLine.name;
    if (present.has(up) && present.has(line) && match.lines.size > 0) {
      await conn.run('CREATE TEMP TABLE erase_lines (upload_id VARCHAR, line BIGINT)');
      const values = [...match.lines].flatMap(([u, spans]) => spans.map((s) => `(${lit(u)}, ${s.line})`));
      for (let i = 0; i < values.length; i += 1000) {
        await conn.run(`INSERT INTO erase_lines VALUES ${values.slice(i, i + 1000).join(', ')}`);
      }
      terms.push(
        `EXISTS (SELECT 1 FROM erase_lines e WHERE e.upload_id = ${ident(up)} AND e.line = ${ident(line)})`,
      );
    }
    if (terms.length === 0) return { removed: 0, write: async () => undefined };
    const hit = `coalesce(${terms.join(' OR ')}, false)`;
    const counted = await conn.runAndReadAll(`SELECT count(*) FROM ${file} WHERE ${hit}`);
    removed = Number(counted.getRows()[0][0]);
    if (removed === 0) return { removed, write: async () => undefined };
    await conn.run(
      `COPY (SELECT * FROM ${file} WHERE NOT ${hit}) TO ${lit(output)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`,
    );
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  return {
    removed,
    write: () => replaceObject(s3, bucket, key, output, { bypassGovernance: false }),
  };
}

/**
 * An original with the lines of `spans` emptied: each keeps its line break, so every other line keeps its
 * number and the lineage (`_source_line`) of every other row still points at its line. Null when the lake
 * cannot empty lines of the file (xlsx, a JSON array, UTF-16 text): it is removed whole.
 */
export function withoutLines(bytes: Buffer, spans: readonly LineSpan[], format: string): Buffer | null {
  if (!['csv', 'tsv', 'jsonl'].includes(format)) return null;
  const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = gz ? gunzipSync(bytes) : bytes;
  // UTF-16 has no byte-wise lines.
  if ((text[0] === 0xff && text[1] === 0xfe) || (text[0] === 0xfe && text[1] === 0xff)) return null;
  const drop = (n: number) => spans.some((s) => n >= s.line && n <= s.last);
  const kept: Buffer[] = [];
  let start = 0;
  for (let n = 1; start < text.length; n++) {
    const nl = text.indexOf(0x0a, start);
    const end = nl === -1 ? text.length : nl + 1;
    if (!drop(n)) kept.push(text.subarray(start, end));
    else if (nl !== -1) kept.push(text[nl - 1] === 0x0d && nl - 1 >= start ? CRLF : LF);
    start = end;
  }
  const out = Buffer.concat(kept);
  return gz ? gzipSync(out) : out;
}

const LF = Buffer.from('\n');
const CRLF = Buffer.from('\r\n');

export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Replaces an object with a local file (keeping its content type and metadata), then deletes its earlier versions. */
export async function replaceObject(
  s3: S3Client,
  bucket: string,
  key: string,
  path: string,
  opts: { bypassGovernance: boolean },
): Promise<void> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const put = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: await readFile(path),
      ContentType: head.ContentType,
      Metadata: head.Metadata,
    }),
  );
  await deleteVersions(s3, bucket, key, { keep: put.VersionId, bypassGovernance: opts.bypassGovernance });
}

/** Replaces an object with bytes (a raw original without some lines). */
export async function replaceWithBytes(
  s3: S3Client,
  bucket: string,
  key: string,
  bytes: Buffer,
  work: string,
  opts: { bypassGovernance: boolean },
): Promise<void> {
  const path = join(work, 'replacement');
  await writeFile(path, bytes);
  await replaceObject(s3, bucket, key, path, opts);
}

/** Deletes an object and every version of it. */
export async function deleteObjectEverywhere(
  s3: S3Client,
  bucket: string,
  key: string,
  opts: { bypassGovernance: boolean },
): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  await deleteVersions(s3, bucket, key, { bypassGovernance: opts.bypassGovernance });
}

/**
 * Deletes every version (and delete marker) of `key` but `keep`. A store without versions (the local lake)
 * lists none, and there is nothing to do.
 */
export async function deleteVersions(
  s3: S3Client,
  bucket: string,
  key: string,
  opts: { keep?: string; bypassGovernance: boolean },
): Promise<number> {
  let deleted = 0;
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    let page: ListObjectVersionsCommandOutput;
    try {
      page = await s3.send(
        new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, KeyMarker, VersionIdMarker }),
      );
    } catch (e) {
      // The local endpoint keeps no versions (and says so).
      if (['MethodNotAllowed', 'NotImplemented'].includes((e as Error).name)) return deleted;
      throw e;
    }
    for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
      if (v.Key !== key || !v.VersionId || v.VersionId === opts.keep) continue;
      await s3.send(
        new DeleteObjectCommand({
          Bucket: bucket,
          Key: key,
          VersionId: v.VersionId,
          ...(opts.bypassGovernance ? { BypassGovernanceRetention: true } : {}),
        }),
      );
      deleted++;
    }
    KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    VersionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (KeyMarker);
  return deleted;
}
