/**
 * Whom or what an erasure removes, and where to look: a person (by resident ID, in every dataset whose
 * contract declares a `cn_resident_id` field) or one row key of one dataset.
 *
 * Published rows are found two ways: a `protect: hash` column by the HMAC of the normalized ID under the
 * lake's hash key (the function the engine hashes with), a column in clear by its value; and every row,
 * whatever its columns, through the originals: the source lines that hold the subject (erase-scan.ts) are
 * the lineage (`_upload_id`, `_source_line`) of its rows in curated and quarantine.
 */
import { fieldProtection, type Protection } from '../contracts/protection.ts';
import type { DatasetContract } from '../contracts/schema.ts';
import { ident, lit } from '../engine/sql.ts';
import { datasetModel } from '../lake/dataset-model.ts';
import type { DatasetRef } from '../lake/layout.ts';
import { cnResidentId } from '../privacy/detectors/cn-resident-id.ts';
import { protectValue } from '../privacy/protect.ts';
import { keyMatcher, personMatcher, type SourceMatcher } from './erase-scan.ts';
import { IngestError } from './errors.ts';

export type ErasureSubject =
  | { kind: 'person'; residentId: string }
  | { kind: 'key'; dataset: DatasetRef; key: Readonly<Record<string, string>> };

/** One dataset to search, with how to recognise the subject in its originals and in its Parquet files. */
export interface ErasureTarget {
  readonly ref: DatasetRef;
  readonly id: string;
  readonly contract: DatasetContract;
  readonly source: SourceMatcher;
  /** SQL over a curated or quarantine file's columns (`present`), or null: lineage alone finds the rows. */
  rowPredicate(present: ReadonlySet<string>): string | null;
}

/** A request the lake cannot carry out as asked. */
export class ErasureError extends IngestError {
  constructor(
    message: string,
    readonly code: 'invalid_person' | 'unknown_dataset' | 'invalid_key' | 'request_mismatch',
  ) {
    super(message);
    this.name = 'ErasureError';
  }
}

/** The normalized resident ID, or an ErasureError when the text is not one. */
export function normalizeResidentId(text: string): string {
  const id = cnResidentId.normalize(text);
  if (!cnResidentId.test(id)) {
    throw new ErasureError(
      'the value given to --person is not a valid resident ID (18 characters with a correct check character, or the 15-digit form)',
      'invalid_person',
    );
  }
  return id;
}

/** The datasets to search and how, for a subject. */
export function erasureTargets(
  subject: ErasureSubject,
  contracts: ReadonlyMap<string, DatasetContract>,
  hashKey: Buffer,
): ErasureTarget[] {
  if (subject.kind === 'person') {
    const id = normalizeResidentId(subject.residentId);
    const out: ErasureTarget[] = [];
    for (const contract of [...contracts.values()].sort(byId)) {
      const fields = contract.fields.filter((f) => f.pii === 'cn_resident_id');
      if (fields.length === 0) continue;
      const model = datasetModel(contract);
      const hashed = model.fields.filter((f) => f.column && f.protection?.action === 'hash');
      const clear = model.fields.filter((f) => f.column && (!f.protection || f.protection.action === 'keep'));
      out.push({
        ref: model.ref,
        id: model.id,
        contract,
        source: personMatcher(id),
        rowPredicate: (present) =>
          orOf([
            ...hashed
              .filter((f) => f.field.pii === 'cn_resident_id' && present.has(f.field.name))
              .map(
                (f) =>
                  `${ident(f.field.name)} = ${lit(protectValue(f.protection as Protection, id, hashKey) as string)}`,
              ),
            ...clear
              .filter((f) => f.field.pii === 'cn_resident_id' && present.has(f.field.name))
              .map((f) => `upper(trim(CAST(${ident(f.field.name)} AS VARCHAR))) = ${lit(id)}`),
          ]),
      });
    }
    return out;
  }
  const id = `${subject.dataset.department}/${subject.dataset.dataset}`;
  const contract = contracts.get(id);
  if (!contract)
    throw new ErasureError(`there is no dataset ${id}: \`lake catalog\` lists them`, 'unknown_dataset');
  const primaryKey = contract.primaryKey ?? [];
  const given = Object.keys(subject.key).sort();
  if (primaryKey.length === 0 || given.join(',') !== [...primaryKey].sort().join(',')) {
    throw new ErasureError(
      primaryKey.length === 0
        ? `${id} has no primaryKey in its contract: erase its rows by --person, or withdraw the upload`
        : `${id}'s primary key is ${primaryKey.join(', ')}: give each of them once, as --key ${primaryKey.map((k) => `${k}=<value>`).join(' --key ')}`,
      'invalid_key',
    );
  }
  return [
    {
      ref: { ...subject.dataset },
      id,
      contract,
      source: keyMatcher(subject.key),
      rowPredicate: (present) => {
        const terms: string[] = [];
        for (const [name, value] of Object.entries(subject.key)) {
          if (!present.has(name)) return null;
          const field = contract.fields.find((f) => f.name === name);
          const protection = field ? fieldProtection(field) : null;
          const published =
            protection && protection.action === 'hash' ? protectValue(protection, value, hashKey) : value;
          if (protection && protection.action !== 'hash' && protection.action !== 'keep') return null;
          terms.push(`trim(CAST(${ident(name)} AS VARCHAR)) = ${lit(String(published))}`);
        }
        return terms.join(' AND ');
      },
    },
  ];
}

function orOf(terms: string[]): string | null {
  return terms.length === 0 ? null : terms.join(' OR ');
}

const byId = (a: DatasetContract, b: DatasetContract) =>
  `${a.department}/${a.name}`.localeCompare(`${b.department}/${b.name}`);
