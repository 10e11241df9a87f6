/**
 * The zip container of an uploaded workbook, checked before streaming: its first bytes, its
 * end-of-archive record and its central directory (the table of contents at the end of a zip).
 * exceljs's streaming reader would wait forever on a truncated or damaged archive, so such a file is
 * rejected here, with a reason the data steward can act on.
 */
import { open } from 'node:fs/promises';
import { notAWorkbook } from './not-a-workbook.ts';

/** Largest central directory accepted; a real workbook's is a few kilobytes. */
const MAX_CENTRAL_DIRECTORY_BYTES = 64 * 1024 * 1024;

async function readAt(
  fh: Awaited<ReturnType<typeof open>>,
  position: number,
  length: number,
): Promise<Buffer> {
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

function describeZipWithoutWorkbook(names: Set<string>): string {
  if (names.has('word/document.xml')) return 'it is a Word document';
  if (names.has('ppt/presentation.xml')) return 'it is a PowerPoint presentation';
  if (names.has('content.xml') && names.has('mimetype')) return 'it is an OpenDocument file such as .ods';
  return 'it is a zip archive without xl/workbook.xml';
}

/**
 * Rejects a file that is not a complete zip archive holding xl/workbook.xml, reading only its first
 * bytes, its end record and its central directory.
 */
export async function checkZip(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
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
      throw notAWorkbook(
        'the zip archive is incomplete: its end is missing, the upload may have been cut off',
      );
    }
    let entries = tail.readUInt16LE(eocd + 10);
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
      entries = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    } else if (cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      throw notAWorkbook('the zip archive is damaged: its zip64 end record is missing');
    }
    if (cdOffset + cdSize > eocdAt || cdSize > MAX_CENTRAL_DIRECTORY_BYTES) {
      throw notAWorkbook(
        'the zip archive is damaged or incomplete: its table of contents points past the file',
      );
    }
    const cd = await readAt(fh, cdOffset, cdSize);
    const names = new Set<string>();
    let p = 0;
    for (let n = 0; n < entries; n++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) {
        throw notAWorkbook('the zip archive is damaged: its table of contents is unreadable');
      }
      const flags = cd.readUInt16LE(p + 8);
      const nameLength = cd.readUInt16LE(p + 28);
      const next = p + 46 + nameLength + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
      const localHeader = cd.readUInt32LE(p + 42);
      if (next > cd.length || (localHeader !== 0xffffffff && localHeader >= cdOffset)) {
        throw notAWorkbook('the zip archive is damaged: its table of contents is unreadable');
      }
      names.add(cd.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength));
      p = next;
    }
    if (!names.has('xl/workbook.xml')) throw notAWorkbook(describeZipWithoutWorkbook(names));
  } finally {
    await fh.close();
  }
}
