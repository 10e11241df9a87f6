/** The hash of what a contract means, whatever the layout, key order or comments of its YAML. */
import { createHash } from 'node:crypto';
import type { DatasetContract } from './schema.ts';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * sha256 (hex) of the parsed contract as canonical JSON (keys sorted, defaults applied), so reformatting
 * the YAML, reordering keys or editing comments leaves it unchanged while any change of meaning changes it.
 */
export function contractHash(contract: DatasetContract): string {
  return createHash('sha256').update(canonicalJson(contract)).digest('hex');
}
