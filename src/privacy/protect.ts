/**
 * Protection of declared personal data: the SQL the transform engine runs per column, and JavaScript
 * twins that compute the same values (the reference for tests and for single values).
 *
 * Each takes a column's Protection (its kind of personal data and action), as the dataset model decides it
 * (src/contracts/protection.ts); nothing here decides whether a column is personal:
 * - keep: the value as it is;
 * - drop: no column (protectSql returns null, protectValue undefined);
 * - hash: HMAC-SHA256 (hex) of the canonical form, keyed by the lake's secret, so the same person
 *   hashes the same across datasets and can still be joined on; an empty value stays empty;
 * - mask: the detector's display mask, or for kinds without a detector: person_name keeps its first
 *   character (张三丰 -> 张**), address its first 6 characters then '***', other becomes '***'.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Protection } from '../contracts/protection.ts';
import type { DetectedPiiKind, PiiKind } from '../contracts/schema.ts';
import {
  codePointLength,
  type Detector,
  leftCodePoints,
  quoteSqlString,
  sqlStartsSolid,
  sqlTrim,
  trimText,
} from './detector.ts';
import { DETECTORS } from './detectors/index.ts';
import { redactText, sqlRedact } from './find.ts';

export { quoteSqlString };

/** HMAC-SHA256 block size in bytes. */
const BLOCK_BYTES = 64;
const ADDRESS_KEPT = 6;

/** HMAC-SHA256 of the UTF-8 bytes of value, lowercase hex (the reference for hmacSql). */
export function hmacHex(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

/**
 * DuckDB SQL computing hmacHex(key, expr) for the VARCHAR expression expr (NULL -> NULL), in plain SQL:
 * sha256(K ^ opad || unhex(sha256(K ^ ipad || utf8(expr)))) with the padded key blocks as constants.
 */
export function hmacSql(expr: string, key: Buffer): string {
  const k = key.length > BLOCK_BYTES ? createHash('sha256').update(key).digest() : key;
  const block = Buffer.alloc(BLOCK_BYTES);
  k.copy(block);
  const ipad = Buffer.from(block.map((b) => b ^ 0x36)).toString('hex');
  const opad = Buffer.from(block.map((b) => b ^ 0x5c)).toString('hex');
  return `sha256(unhex('${opad}') || unhex(sha256(unhex('${ipad}') || encode(${expr}))))`;
}

function detectorOf(kind: PiiKind | undefined): Detector | undefined {
  return kind && kind in DETECTORS ? DETECTORS[kind as DetectedPiiKind] : undefined;
}

/**
 * SQL for the protected value of a field, given its VARCHAR expression; null when the column is dropped.
 * The trimmed or normalized value sits in the first WHEN of each CASE, so that DuckDB computes it once
 * per row however often the expression names it.
 */
export function protectSql(protection: Protection, expr: string, key: Buffer): string | null {
  const { action, pii } = protection;
  if (action === 'keep') return expr;
  if (action === 'drop') return null;
  if (action === 'redact') return sqlRedact(expr);
  const detector = detectorOf(pii);
  if (action === 'hash') {
    const n = detector ? detector.sqlNormalize(expr) : sqlTrim(expr);
    // Empty stays empty (NULL stays NULL): a hash of nothing would look like data and join everything.
    return `CASE WHEN ${n} = '' THEN '' ELSE ${hmacSql(n, key)} END`;
  }
  if (detector) return detector.sqlMask(expr);
  const t = sqlTrim(expr);
  switch (pii) {
    case 'person_name':
      return `CASE WHEN ${t} = '' THEN '' ELSE left(${t}, 1) || repeat('*', length(${t}) - 1) END`;
    case 'address':
      return `CASE WHEN ${t} = '' THEN '' ELSE left(${t}, ${ADDRESS_KEPT}) || '***' END`;
    default:
      // Most values start with a visible character: '***' without trimming them.
      return `CASE WHEN ${sqlStartsSolid(expr)} THEN '***' WHEN ${t} <> '' THEN '***' ELSE ${t} END`;
  }
}

/** JavaScript twin of protectSql: the protected value, or undefined when the column is dropped. */
export function protectValue(
  protection: Protection,
  value: string | null,
  key: Buffer,
): string | null | undefined {
  const { action, pii } = protection;
  if (action === 'keep') return value;
  if (action === 'drop') return undefined;
  if (value === null) return null;
  if (action === 'redact') return redactText(value);
  const detector = detectorOf(pii);
  if (action === 'hash') {
    const n = detector ? detector.normalize(value) : trimText(value);
    return n === '' ? '' : hmacHex(key, n);
  }
  if (detector) return detector.mask(value);
  const t = trimText(value);
  if (t === '') return '';
  switch (pii) {
    case 'person_name':
      return leftCodePoints(t, 1) + '*'.repeat(codePointLength(t) - 1);
    case 'address':
      return `${leftCodePoints(t, ADDRESS_KEPT)}***`;
    default:
      return '***';
  }
}
