/**
 * CRC-32 as zip archives use it, continued chunk by chunk: node's own (zlib.crc32, Node 20.15 and later)
 * when it has one, else computed from a table, so that the reader runs on every Node 20.
 */
import * as zlib from 'node:zlib';

let table: Uint32Array | null = null;

function tableCrc32(data: Uint8Array, value: number): number {
  if (table === null) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** The CRC-32 of `data`, continuing from `value` (the CRC-32 of the bytes before it; 0 at the start). */
export function crc32(data: Uint8Array, value: number): number {
  return native ? native(data, value) >>> 0 : tableCrc32(data, value);
}
