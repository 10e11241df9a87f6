/**
 * Bytes in, UTF-8 text out: hashes the original, gunzips (bounded), detects or applies the declared
 * encoding, and transcodes to a UTF-8 working file when the original is not plain UTF-8. The text is
 * streamed through a consumer (the line scanner) on the way, so the file is read once.
 */

import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import iconv from 'iconv-lite';
import { FileRejectedError } from './errors.ts';
import {
  type DecompressionLimit,
  decompressedTooLarge,
  decompressionLimit,
  resourceRejection,
} from './resource-limits.ts';
import { WorkFile } from './work-file.ts';

export type TextEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';
export type DeclaredEncoding = 'auto' | 'utf-8' | 'gb18030' | 'gbk' | 'utf-16le' | 'utf-16be';

const CHUNK = 1024 * 1024;
const SAMPLE = 64 * 1024;
/** Share of control characters in the first decoded text above which a file is binary, not text. */
const BINARY_CONTROL_RATIO = 0.01;

export interface SourceFacts {
  bytes: number;
  sha256: string;
  compression: 'gzip' | null;
}

export async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** sha256 and size of a file, streamed. */
export async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * The original's bytes, decompressed when gzipped, as an async stream of chunks. Hashes the original
 * on the way and enforces the decompressed-size limit.
 */
async function* originalChunks(
  path: string,
  gzip: boolean,
  limit: DecompressionLimit,
  facts: { bytes: number; hash: ReturnType<typeof createHash> },
): AsyncGenerator<Buffer> {
  const file = createReadStream(path, { highWaterMark: CHUNK });
  file.on('data', (c) => {
    facts.hash.update(c as Buffer);
    facts.bytes += (c as Buffer).length;
  });
  if (!gzip) {
    for await (const chunk of file) yield chunk as Buffer;
    return;
  }
  const gunzip = createGunzip({ chunkSize: CHUNK });
  file.on('error', (e) => gunzip.destroy(e));
  file.pipe(gunzip);
  let out = 0;
  try {
    for await (const chunk of gunzip) {
      out += (chunk as Buffer).length;
      if (out > limit.bytes) throw decompressedTooLarge('the gzip file', limit, 'gzip');
      yield chunk as Buffer;
    }
  } catch (e) {
    if (e instanceof FileRejectedError) throw e;
    throw new FileRejectedError(
      'gzip',
      `the gzip stream is truncated or corrupt after ${out} decompressed bytes (${(e as Error).message}): upload the complete file again`,
      { cause: e },
    );
  } finally {
    file.destroy();
    gunzip.destroy();
  }
}

/** Gunzip a binary file (an xlsx workbook) to `outPath`, hashing the original and bounding the output. */
export async function gunzipTo(
  path: string,
  outPath: string,
  maxBytes?: number,
): Promise<{ bytes: number; sha256: string }> {
  const facts = { bytes: 0, hash: createHash('sha256') };
  const out = new WorkFile(outPath);
  const limit = decompressionLimit(maxBytes);
  try {
    for await (const chunk of originalChunks(path, true, limit, facts)) await out.write(chunk);
    await out.close();
  } catch (e) {
    out.destroy();
    throw resourceRejection(e, 'decompressing the gzip file') ?? e;
  }
  return { bytes: facts.bytes, sha256: facts.hash.digest('hex') };
}

/** Guess the encoding of a sample: BOM first, then UTF-16 by zero bytes, then UTF-8 validity, else GB18030. */
export function detectEncoding(sample: Buffer, atEof: boolean): TextEncoding {
  if (sample.length >= 3 && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  if (sample.length >= 2 && sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample.length >= 2 && sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  const n = Math.min(sample.length, 4096) & ~1;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (sample[i] === 0) evenZero++;
    if (sample[i + 1] === 0) oddZero++;
  }
  if (n >= 4 && oddZero > n / 8 && evenZero === 0) return 'utf-16le';
  if (n >= 4 && evenZero > n / 8 && oddZero === 0) return 'utf-16be';
  const usable = atEof ? sample : sample.subarray(0, completeUtf8Length(sample));
  return isUtf8(usable) ? 'utf-8' : 'gb18030';
}

/** Length of the longest prefix that does not end inside a multi-byte UTF-8 sequence. */
export function completeUtf8Length(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(4, n); back++) {
    const b = buf[n - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

export interface DecodeResult extends SourceFacts {
  /** The UTF-8 file to read: the original when it is plain UTF-8, else the working copy. */
  textPath: string;
  encoding: TextEncoding;
  textBytes: number;
}

class InvalidUtf8 extends Error {
  constructor(
    readonly offset: number,
    readonly line: number,
  ) {
    super(`invalid UTF-8 at byte ${offset}`);
  }
}

function countLf(buf: Buffer, end: number): number {
  let n = 0;
  let p = buf.indexOf(0x0a);
  while (p !== -1 && p < end) {
    n++;
    p = buf.indexOf(0x0a, p + 1);
  }
  return n;
}

/**
 * Decode the file at `path` to UTF-8, streaming every text chunk to `consume`. `workPath` is where a
 * transcoded or decompressed copy goes when one is needed. `restart` is called before a second pass
 * (when `auto` guessed UTF-8 and a later byte proved otherwise).
 */
export async function decodeToUtf8(opts: {
  path: string;
  workPath: string;
  declared: DeclaredEncoding;
  gzip: boolean | 'auto';
  maxDecompressedBytes?: number;
  consume: (chunk: Buffer) => void;
  restart: () => void;
  /** Lines the consumer has seen so far (1-based line of the next byte), for error messages. */
  linesConsumed: () => number;
}): Promise<DecodeResult> {
  const gzip = opts.gzip === 'auto' ? await isGzip(opts.path) : opts.gzip;
  const limit = decompressionLimit(opts.maxDecompressedBytes);
  const declared: TextEncoding | 'auto' =
    opts.declared === 'gbk' ? 'gb18030' : (opts.declared as TextEncoding | 'auto');

  const attempt = async (forced: TextEncoding | 'auto'): Promise<DecodeResult> => {
    const facts = { bytes: 0, hash: createHash('sha256') };
    let encoding: TextEncoding | null = forced === 'auto' ? null : forced;
    let out: WorkFile | null = null;
    let textBytes = 0;
    let decoder: ReturnType<typeof iconv.getDecoder> | null = null;
    let carry: Buffer = Buffer.alloc(0);
    let offset = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;

    // The first SAMPLE bytes of text are probed for binary content (random bytes, a workbook or an
    // archive under a .csv name), which would otherwise parse as a header of garbage.
    const probe = { bytes: 0, controls: 0, zip: false, done: false };
    const checkProbe = (final: boolean): void => {
      if (probe.done || (!final && probe.bytes < SAMPLE)) return;
      probe.done = true;
      if (probe.controls <= probe.bytes * BINARY_CONTROL_RATIO) return;
      const what = probe.zip ? 'it is a ZIP archive, such as an .xlsx workbook' : 'it looks like binary data';
      throw new FileRejectedError(
        'encoding',
        `the file is not text: ${probe.controls} of its first ${probe.bytes} bytes are control characters (${what}): upload the data as CSV, TSV or JSON text, or declare format.type xlsx for an Excel workbook`,
      );
    };

    const emit = async (text: Buffer): Promise<void> => {
      if (text.length === 0) return;
      if (!probe.done) {
        const part = text.subarray(0, SAMPLE - probe.bytes);
        if (probe.bytes === 0 && part.length >= 4 && part.readUInt32BE(0) === 0x504b0304) probe.zip = true;
        for (const b of part) {
          if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) probe.controls++;
        }
        probe.bytes += part.length;
        checkProbe(false);
      }
      textBytes += text.length;
      opts.consume(text);
      if (out) {
        if (textBytes > limit.bytes)
          throw decompressedTooLarge('the decoded text (UTF-8) of the file', limit);
        await out.write(text);
      }
    };

    let started = false;
    const start = (enc: TextEncoding): void => {
      started = true;
      encoding = enc;
      // DuckDB reads plain UTF-8 (with or without BOM) in place; anything else gets a UTF-8 working copy.
      if (gzip || enc !== 'utf-8') out = new WorkFile(opts.workPath);
      if (enc !== 'utf-8') decoder = iconv.getDecoder(enc, { stripBOM: true });
    };

    const feed = async (chunk: Buffer): Promise<void> => {
      if (decoder) {
        const s = decoder.write(chunk);
        if (s) await emit(Buffer.from(s, 'utf8'));
        return;
      }
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const complete = completeUtf8Length(buf);
      const body = buf.subarray(0, complete);
      if (!isUtf8(body)) {
        const bad = firstInvalidUtf8(body);
        throw new InvalidUtf8(offset + bad, opts.linesConsumed() + countLf(body, bad));
      }
      carry = Buffer.from(buf.subarray(complete));
      offset += complete;
      await emit(body);
    };

    try {
      for await (const chunk of originalChunks(opts.path, gzip, limit, facts)) {
        if (encoding === null) {
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (pendingBytes < SAMPLE) continue;
          const sample = Buffer.concat(pending);
          pending = [];
          start(detectEncoding(sample, false));
          await feed(sample);
          continue;
        }
        if (!started) start(encoding);
        await feed(chunk);
      }
      if (encoding === null) {
        const sample = Buffer.concat(pending);
        start(detectEncoding(sample, true));
        await feed(sample);
      } else if (!started) {
        start(encoding);
      }
      if (decoder) {
        const rest = (decoder as ReturnType<typeof iconv.getDecoder>).end();
        if (rest) await emit(Buffer.from(rest, 'utf8'));
      } else if (carry.length) {
        throw new InvalidUtf8(offset, opts.linesConsumed());
      }
      checkProbe(true);
      await (out as WorkFile | null)?.close();
    } catch (e) {
      (out as WorkFile | null)?.destroy();
      throw resourceRejection(e, 'writing the working copy of the file') ?? e;
    }
    return {
      bytes: facts.bytes,
      sha256: facts.hash.digest('hex'),
      compression: gzip ? 'gzip' : null,
      textPath: out ? opts.workPath : opts.path,
      encoding: encoding ?? 'utf-8',
      textBytes,
    };
  };

  try {
    return await attempt(declared);
  } catch (e) {
    if (!(e instanceof InvalidUtf8)) throw e;
    if (declared === 'auto') {
      opts.restart();
      return attempt('gb18030');
    }
    throw new FileRejectedError(
      'encoding',
      `line ${e.line}: the file is not valid UTF-8 (first bad byte at offset ${e.offset}) but the contract declares format.encoding: ${opts.declared}: save it as UTF-8, or set format.encoding to gb18030 or auto`,
      { cause: e, line: e.line },
    );
  }
}

function firstInvalidUtf8(buf: Buffer): number {
  // Binary search the longest valid prefix.
  let lo = 0;
  let hi = buf.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    const len = completeUtf8Length(buf.subarray(0, mid));
    if (isUtf8(buf.subarray(0, len))) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
