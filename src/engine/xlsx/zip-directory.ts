/**
 * The table of contents of an uploaded workbook's zip container: its first bytes, its end-of-archive
 * record and its central directory (the table at the end of a zip), read before any part. A file that
 * is not a complete zip archive holding xl/workbook.xml is rejected here, with a reason the data
 * steward can act on; the parts are then read by name, whatever their order in the archive.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { notAWorkbook } from './not-a-workbook.ts';

/** Largest central directory accepted; a real workbook's is a few kilobytes. */
const MAX_CENTRAL_DIRECTORY_BYTES = 64 * 1024 * 1024;
const UINT32_MAX = 0xffffffff;

/** One part of the archive, as its central directory records it. */
export interface ZipEntry {
  /** The part's name, `/`-separated (`xl/worksheets/sheet1.xml`). */
  name: string;
  /** 0 stored, 8 deflated; any other method is refused when the part is read. */
  method: number;
  /** Bit 0 set: the part is encrypted. */
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Where the part's local header starts in the file. */
  localHeaderOffset: number;
}

/** The parts of a workbook's archive, found by name (exactly, else ignoring case as zip readers do). */
export class ZipDirectory {
  private readonly byName = new Map<string, ZipEntry>();
  private readonly byLowerName = new Map<string, ZipEntry>();

  constructor(entries: readonly ZipEntry[]) {
    for (const e of entries) {
      this.byName.set(e.name, e);
      this.byLowerName.set(e.name.toLowerCase(), e);
    }
  }

  get(name: string): ZipEntry | undefined {
    return this.byName.get(name) ?? this.byLowerName.get(name.toLowerCase());
  }
}

export async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

function describeNonZip(head: Buffer): string {
  if (head.length >= 8 && head.readUInt32BE(0) === 0xd0cf11e0 && head.readUInt32BE(4) === 0xa1b11ae1) {
    return 'it is an Excel 97-2003 .xls workbook or a password-protected workbook';
  }
  const text = head
    .toString('latin1')
    .replace(/^\xEF\xBB\xBF/, '')
    .trimStart();
  if (text.startsWith('<')) return 'it is an HTML or XML file, not a zip archive';
  return 'it is not a zip archive';
}

function describeZipWithoutWorkbook(dir: ZipDirectory): string {
  if (dir.get('word/document.xml')) return 'it is a Word document';
  if (dir.get('ppt/presentation.xml')) return 'it is a PowerPoint presentation';
  if (dir.get('content.xml') && dir.get('mimetype')) return 'it is an OpenDocument file such as .ods';
  return 'it is a zip archive without xl/workbook.xml';
}

/** The zip64 extra field's sizes and offset, for the values the entry's 32-bit fields leave at the maximum. */
function zip64Values(extra: Buffer, entry: ZipEntry): void {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = extra.readUInt16LE(p);
    const length = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const end = q + length;
      const next = (): number | undefined => {
        if (q + 8 > end || q + 8 > extra.length) return undefined;
        const v = Number(extra.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (entry.size === UINT32_MAX) entry.size = next() ?? entry.size;
      if (entry.compressedSize === UINT32_MAX) entry.compressedSize = next() ?? entry.compressedSize;
      if (entry.localHeaderOffset === UINT32_MAX) entry.localHeaderOffset = next() ?? entry.localHeaderOffset;
      return;
    }
    p += 4 + length;
  }
}

function unreadable(): never {
  throw notAWorkbook('the zip archive is damaged: its table of contents is unreadable');
}

function parseEntries(cd: Buffer, count: number, cdOffset: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) unreadable();
    const flags = cd.readUInt16LE(p + 8);
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const next = p + 46 + nameLength + extraLength + cd.readUInt16LE(p + 32);
    if (next > cd.length) unreadable();
    const entry: ZipEntry = {
      name: cd.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength).replaceAll('\\', '/'),
      method: cd.readUInt16LE(p + 10),
      flags,
      crc32: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42),
    };
    zip64Values(cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), entry);
    if (entry.localHeaderOffset + entry.compressedSize > cdOffset) unreadable();
    entries.push(entry);
    p = next;
  }
  return entries;
}

async function readDirectory(fh: FileHandle): Promise<ZipDirectory> {
  const size = (await fh.stat()).size;
  if (size === 0) throw notAWorkbook('the file is empty');
  const head = await readAt(fh, 0, Math.min(size, 512));
  const signature = head.length >= 4 ? head.readUInt32LE(0) : 0;
  if (signature !== 0x04034b50 && signature !== 0x06054b50) throw notAWorkbook(describeNonZip(head));

  const tailStart = Math.max(0, size - (22 + 0xffff));
  const tail = await readAt(fh, tailStart, size - tailStart);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50 && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw notAWorkbook('the zip archive is incomplete: its end is missing, the upload may have been cut off');
  }
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  const eocdAt = tailStart + eocd;
  // Zip64: a locator just before the end record points at the zip64 end record.
  const locator = eocd >= 20 ? tail.subarray(eocd - 20, eocd) : Buffer.alloc(0);
  if (locator.length === 20 && locator.readUInt32LE(0) === 0x07064b50) {
    const rec = await readAt(fh, Number(locator.readBigUInt64LE(8)), 56);
    if (rec.length !== 56 || rec.readUInt32LE(0) !== 0x06064b50) {
      throw notAWorkbook('the zip archive is damaged: its zip64 end record is unreadable');
    }
    count = Number(rec.readBigUInt64LE(32));
    cdSize = Number(rec.readBigUInt64LE(40));
    cdOffset = Number(rec.readBigUInt64LE(48));
  } else if (cdSize === UINT32_MAX || cdOffset === UINT32_MAX) {
    throw notAWorkbook('the zip archive is damaged: its zip64 end record is missing');
  }
  if (cdOffset + cdSize > eocdAt || cdSize > MAX_CENTRAL_DIRECTORY_BYTES) {
    throw notAWorkbook(
      'the zip archive is damaged or incomplete: its table of contents points past the file',
    );
  }
  const dir = new ZipDirectory(parseEntries(await readAt(fh, cdOffset, cdSize), count, cdOffset));
  if (!dir.get('xl/workbook.xml')) throw notAWorkbook(describeZipWithoutWorkbook(dir));
  return dir;
}

/**
 * The parts of the zip archive at `path`, read from its first bytes, end record and central directory.
 * Rejects a file that is not a complete zip archive holding xl/workbook.xml.
 */
export async function readZipDirectory(path: string): Promise<ZipDirectory> {
  const fh = await open(path, 'r');
  try {
    return await readDirectory(fh);
  } finally {
    await fh.close();
  }
}
