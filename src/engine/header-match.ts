/**
 * Matching a contract's fields to a file's columns by name or declared header spelling, and the
 * verdicts on the header: columns that match twice, and required columns that are missing.
 */
import type { DatasetContract } from '../contracts/schema.ts';
import { findPersonal } from '../privacy/find.ts';
import type { IngestReport } from './report.ts';
import { ident } from './sql.ts';

/** A verdict on the whole file: the file (or a column of it) is rejected, with the rule and why. */
export interface FileVerdict {
  rule: string;
  message: string;
  column: string | null;
}

/** Each field's source column (as a SQL reference) and its header as shown in the report, or null. */
export type FieldMapping = Map<string, { source: string; header: string } | null>;

export interface HeaderMatch {
  mapping: FieldMapping;
  /** The header verdicts, in contract field order: ambiguous matches, then missing required columns. */
  verdicts: FileVerdict[];
  /** The source columns no field matched, by index. */
  extraIdx: number[];
  /** The report's `columns`. */
  columns: IngestReport['columns'];
}

/** True when a value would be flagged by a PII detector (used to keep header cells out of reports). */
export function looksPersonal(value: string): boolean {
  return findPersonal(value).length > 0;
}

/** NFKC folds full-width forms; whitespace inside a header (a line break in a spreadsheet cell) is ignored. */
function normalizeHeader(s: string): string {
  return s
    .replace(/^\uFEFF/, '')
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .toLowerCase();
}

/** How many of a row's cells are a field's name or declared header spelling (to find the header row). */
export function headerScore(contract: DatasetContract, cells: string[]): number {
  const spellings = new Set(
    contract.fields.flatMap((f) => [f.name, ...(f.headers ?? [])]).map(normalizeHeader),
  );
  return cells.filter((c) => c.trim() !== '' && spellings.has(normalizeHeader(c))).length;
}

/**
 * Match each field to a source column by name or declared spelling. A header cell that looks like
 * personal data (a file uploaded without its header row) is never repeated in the report.
 */
export function matchHeader(contract: DatasetContract, sourceColumns: string[]): HeaderMatch {
  const shownHeader = sourceColumns.map((h, i) => (looksPersonal(h) ? `(column ${i + 1})` : h));
  const columns: IngestReport['columns'] = { matched: {}, extra: [], missing: [] };
  const verdicts: FileVerdict[] = [];
  const mapping: FieldMapping = new Map();
  const used = new Map<number, string>();
  for (const f of contract.fields) {
    // A field with a JSON `path` is the column of that dot path, exactly.
    const spellings = new Set(
      f.path !== undefined ? [] : [f.name, ...(f.headers ?? [])].map(normalizeHeader),
    );
    const matches = (h: string) => (f.path !== undefined ? h === f.path : spellings.has(normalizeHeader(h)));
    const hits = sourceColumns.flatMap((h, i) => (matches(h) && !used.has(i) ? [i] : []));
    const taken = sourceColumns.findIndex((h, i) => used.has(i) && matches(h));
    if (hits.length > 1) {
      verdicts.push({
        rule: 'header',
        column: f.name,
        message: `columns ${hits.map((i) => `${i + 1} ("${shownHeader[i]}")`).join(' and ')} all match field "${f.name}": keep one of them, or rename the others`,
      });
    } else if (hits.length === 0 && taken >= 0) {
      verdicts.push({
        rule: 'header',
        column: f.name,
        message: `column ${taken + 1} ("${shownHeader[taken]}") matches both field "${used.get(taken)}" and field "${f.name}": fix the headers in the contract`,
      });
    }
    if (hits.length >= 1) {
      const i = hits[0];
      used.set(i, f.name);
      mapping.set(f.name, { source: ident(`s${i}`), header: shownHeader[i] });
      columns.matched[f.name] = shownHeader[i];
    } else {
      mapping.set(f.name, null);
      columns.missing.push(f.name);
    }
  }
  const extraIdx = sourceColumns.flatMap((_, i) => (used.has(i) ? [] : [i]));
  columns.extra = extraIdx.map((i) => shownHeader[i] || `(column ${i + 1}, no header)`);

  const pk = new Set(contract.primaryKey ?? []);
  const missingRequired = contract.fields.filter(
    (f) => mapping.get(f.name) === null && (f.constraints?.required || pk.has(f.name)),
  );
  for (const f of missingRequired) {
    const spellings = [f.name, ...(f.headers ?? [])].map((s) => `"${s}"`).join(', ');
    verdicts.push({
      rule: 'missing_column',
      column: f.name,
      message:
        f.path !== undefined
          ? `required field "${f.name}" is missing: no record has the key path "${f.path}" (the file has: ${shownHeader.join(', ')}): add the values, or correct the field's path`
          : `required column "${f.name}" is missing (accepted headers: ${spellings}; the file has: ${shownHeader.join(', ')}): add the column, or add its header spelling to the contract's headers`,
    });
  }
  return { mapping, verdicts, extraIdx, columns };
}
