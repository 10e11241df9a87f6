/**
 * The shape of a JSON sample: where its records are when the document wraps them
 * (`{"code": 0, "data": {"list": [...]}}` → `data.list`, the contract's `format.property`), and the order
 * in which its records write their keys (DuckDB lists them sorted; a draft keeps the file's order).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { MAX_JSON_OBJECT_BYTES } from '../engine/source-limits.ts';

/** Keys that usually hold the records of a wrapped document, looked at first. */
const RECORD_KEYS = ['data', 'list', 'records', 'rows', 'items', 'result', 'results', 'content'];

function readHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/** The text of a whole JSON document of at most MAX_JSON_OBJECT_BYTES, or null when it is larger. */
function documentText(path: string): string | null {
  let bytes = readHead(path, MAX_JSON_OBJECT_BYTES + 1);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_JSON_OBJECT_BYTES + 1 });
    } catch {
      return null;
    }
  }
  if (bytes.length > MAX_JSON_OBJECT_BYTES) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return iconv.decode(bytes, 'utf-16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return iconv.decode(bytes, 'utf-16be');
  const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(bytes);
  return utf8.includes('\uFFFD') ? iconv.decode(bytes, 'gb18030') : utf8;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The dot path of the array of objects inside `doc`, breadth first, usual record keys first. */
function recordsPath(doc: Record<string, unknown>): string | null {
  const queue: [string[], Record<string, unknown>][] = [[[], doc]];
  while (queue.length > 0) {
    const [path, node] = queue.shift() as [string[], Record<string, unknown>];
    const keys = Object.keys(node).sort((a, b) => rank(a) - rank(b));
    for (const k of keys) {
      const v = node[k];
      if (k.includes('.')) continue;
      if (Array.isArray(v) && v.length > 0 && v.every(isObject)) return [...path, k].join('.');
    }
    for (const k of keys)
      if (isObject(node[k]) && !k.includes('.'))
        queue.push([[...path, k], node[k] as Record<string, unknown>]);
  }
  return null;
}

function rank(key: string): number {
  const i = RECORD_KEYS.indexOf(key.toLowerCase());
  return i < 0 ? RECORD_KEYS.length : i;
}

/** The `format.property` of a JSON document that wraps its records in an object, else null. */
export function wrappedRecordsPath(path: string): string | null {
  const text = documentText(path);
  if (text === null) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return null;
  }
  return isObject(doc) ? recordsPath(doc) : null;
}

/** Keys of `record` in the order written, nested objects' keys as dot paths after their parent's place. */
function keysOf(record: Record<string, unknown>, prefix: string, out: string[]): void {
  for (const [k, v] of Object.entries(record)) {
    out.push(prefix + k);
    if (isObject(v)) keysOf(v, `${prefix}${k}.`, out);
  }
}

/** The keys of the JSON records `texts` in the order they are first written. */
export function keyOrder(texts: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const t of texts) {
    let record: unknown;
    try {
      record = JSON.parse(t);
    } catch {
      continue;
    }
    if (!isObject(record)) continue;
    const keys: string[] = [];
    keysOf(record, '', keys);
    for (const k of keys) seen.add(k);
  }
  return [...seen];
}
