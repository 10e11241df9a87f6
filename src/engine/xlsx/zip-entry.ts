/**
 * One part of a workbook's zip archive as text: its local header is read at the offset the central
 * directory gives, its data streamed from the file (inflated when deflated, as is when stored), its
 * size and checksum held to what the central directory says, and its bytes decoded as UTF-8 (UTF-16
 * when it starts with a UTF-16 byte order mark). Memory holds one chunk at a time, whatever the size
 * of the part. A damaged part is rejected with its name, and a part larger than the decompression limit
 * (resource-limits.ts) before a byte of it is inflated: a part can never hold more than its table of
 * contents says.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { createInflateRaw } from 'node:zlib';
import { FileRejectedError } from '../errors.ts';
import { type DecompressionLimit, decompressedTooLarge, decompressionLimit } from '../resource-limits.ts';
import { crc32 } from './crc32.ts';
import { notAWorkbook } from './not-a-workbook.ts';
import { readAt, type ZipEntry } from './zip-directory.ts';

const CHUNK_BYTES = 64 * 1024;

function damaged(entry: ZipEntry, what: string, cause?: unknown): FileRejectedError {
  return notAWorkbook(`the zip archive is damaged at ${entry.name}: ${what}`, cause);
}

/** Where the part's data starts: after its local header, whose name and extra field vary in length. */
async function dataOffset(path: string, entry: ZipEntry): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const header = await readAt(fh, entry.localHeaderOffset, 30);
    if (header.length !== 30 || header.readUInt32LE(0) !== 0x04034b50) {
      throw damaged(entry, 'its local header is missing');
    }
    return entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  } finally {
    await fh.close();
  }
}

/** The part's compressed bytes, straight from the file. */
function rawStream(path: string, start: number, length: number): Readable {
  if (length === 0) return Readable.from([]);
  return createReadStream(path, { start, end: start + length - 1, highWaterMark: CHUNK_BYTES });
}

/**
 * The part's bytes, inflated when deflated, checked against the central directory's size and CRC-32;
 * a part larger than `limit` is rejected before it is read.
 */
export async function* entryBytes(
  path: string,
  entry: ZipEntry,
  limit: DecompressionLimit = decompressionLimit(),
): AsyncGenerator<Buffer> {
  if (entry.size > limit.bytes) throw decompressedTooLarge(`the workbook part ${entry.name}`, limit);
  if (entry.flags & 0x1)
    throw notAWorkbook(`${entry.name} is encrypted; save the workbook without a password`);
  if (entry.method !== 0 && entry.method !== 8) {
    throw damaged(entry, `it is compressed with method ${entry.method}, which this reader does not support`);
  }
  const start = await dataOffset(path, entry);
  const raw = rawStream(path, start, entry.compressedSize);
  const source = entry.method === 8 ? pipeline(raw, createInflateRaw(), () => {}) : raw;
  let bytes = 0;
  let crc = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > entry.size)
        throw damaged(entry, `it holds more than the ${entry.size} bytes its table of contents says`);
      crc = crc32(chunk, crc);
      yield chunk;
    }
  } catch (e) {
    if (e instanceof FileRejectedError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('Z_')) throw damaged(entry, (e as Error).message, e);
    throw e;
  } finally {
    raw.destroy();
    source.destroy();
  }
  if (bytes !== entry.size)
    throw damaged(entry, `it holds ${bytes} bytes, its table of contents says ${entry.size}`);
  if (crc >>> 0 !== entry.crc32) throw damaged(entry, 'its checksum does not match its data');
}

function decoderFor(first: Buffer): TextDecoder {
  if (first.length >= 2 && first[0] === 0xff && first[1] === 0xfe)
    return new TextDecoder('utf-16le', { fatal: true });
  if (first.length >= 2 && first[0] === 0xfe && first[1] === 0xff)
    return new TextDecoder('utf-16be', { fatal: true });
  return new TextDecoder('utf-8', { fatal: true });
}

/** The part's text, characters kept whole across chunk boundaries. */
export async function* entryText(
  path: string,
  entry: ZipEntry,
  limit?: DecompressionLimit,
): AsyncGenerator<string> {
  let decoder: TextDecoder | null = null;
  try {
    for await (const chunk of entryBytes(path, entry, limit)) {
      decoder ??= decoderFor(chunk);
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
    const rest = decoder?.decode() ?? '';
    if (rest) yield rest;
  } catch (e) {
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      throw notAWorkbook(`${entry.name} is not UTF-8 text`, e);
    }
    throw e;
  }
}
