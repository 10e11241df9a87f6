/**
 * The dataset model: a validated contract turned, once, into the dataset's published shape. The engine's
 * SQL, the Glue table and its Lake Formation column tags, the local catalog's views and both CLI backends
 * read it; none of them works out a published type or a personal-data decision of its own.
 *
 *   ref, id          health/clinics
 *   fields           every contract field with its protection and its published column (null: dropped)
 *   columns          the curated Parquet columns: published fields in contract order, then lineage
 *   partitions       the partition columns of the table (`ingest_date` for append datasets)
 *   storage          where the table reads (curated prefix; a replace dataset's current-upload manifest)
 */
import { contractHash } from '../contracts/contract-hash.ts';
import { fieldProtection, type Protection } from '../contracts/protection.ts';
import type { CLASSIFICATIONS, DatasetContract, FieldContract } from '../contracts/schema.ts';
import {
  type ColumnType,
  fieldColumnType,
  LINEAGE,
  PARTITION,
  type SystemColumn,
  TEXT_TYPE,
} from './column-types.ts';
import {
  curatedKey,
  curatedPrefix,
  currentManifestKey,
  currentManifestPrefix,
  type DatasetRef,
  quarantineKey,
  reportKey,
} from './layout.ts';

export type Classification = (typeof CLASSIFICATIONS)[number];

/** What a published column is: a contract field, a lineage column, or the partition column. */
export type ColumnRole = 'field' | 'lineage' | 'partition';

export interface PublishedColumn {
  readonly name: string;
  readonly role: ColumnRole;
  readonly type: ColumnType;
  /** How the column's personal data is protected, or null when it holds none. */
  readonly protection: Protection | null;
  /** The column's own classification, or the table's. */
  readonly classification: Classification;
  /** The field's title and description, or what a lineage or partition column holds. */
  readonly title: string | null;
  readonly description: string | null;
}

export interface FieldModel {
  readonly field: FieldContract;
  readonly protection: Protection | null;
  /** The field's column in curated, or null when the field is dropped. */
  readonly column: PublishedColumn | null;
}

/** The lake keys of one upload's outputs. */
export interface OutputKeys {
  readonly curated: string;
  readonly quarantine: string;
  readonly report: string;
}

export interface DatasetModel {
  readonly contract: DatasetContract;
  readonly ref: DatasetRef;
  /** `<department>/<dataset>` */
  readonly id: string;
  readonly contractHash: string;
  readonly fields: readonly FieldModel[];
  /** The columns of curated Parquet (and of the table's storage): published fields, then lineage. */
  readonly columns: readonly PublishedColumn[];
  /** The table's partition columns, after its columns. */
  readonly partitions: readonly PublishedColumn[];
  readonly storage: {
    /** `curated/<department>/<dataset>/`: every upload's Parquet, by `ingest_date`. */
    readonly curatedPrefix: string;
    /** Where the table reads: the curated prefix (append), or the current-upload manifest's folder (replace). */
    readonly tablePrefix: string;
    /** The current-upload manifest (replace datasets), or null. */
    readonly currentManifestKey: string | null;
  };
  /** The keys one upload's outputs are written to. */
  outputKeys(uploadId: string, at: Date): OutputKeys;
}

function systemColumn(c: SystemColumn, role: ColumnRole, classification: Classification): PublishedColumn {
  return {
    name: c.name,
    role,
    type: c.type,
    protection: null,
    classification,
    title: null,
    description: c.description,
  };
}

function fieldModel(field: FieldContract, tableClassification: Classification): FieldModel {
  const protection = fieldProtection(field);
  if (protection?.action === 'drop') return { field, protection, column: null };
  const rewritten = protection !== null && protection.action !== 'keep';
  return {
    field,
    protection,
    column: {
      name: field.name,
      role: 'field',
      // A masked or hashed value is text, whatever the field's type.
      type: rewritten ? TEXT_TYPE : fieldColumnType(field),
      protection,
      classification: field.classification ?? tableClassification,
      title: field.title ?? null,
      description: field.description ?? null,
    },
  };
}

const models = new WeakMap<DatasetContract, DatasetModel>();

/** The published shape of a validated contract (computed once per contract object). */
export function datasetModel(contract: DatasetContract): DatasetModel {
  const known = models.get(contract);
  if (known) return known;
  const ref = { department: contract.department, dataset: contract.name };
  const fields = contract.fields.map((f) => fieldModel(f, contract.classification));
  const lineage = Object.values(LINEAGE).map((c) => systemColumn(c, 'lineage', contract.classification));
  // replace and upsert datasets read the current-upload manifest: one upload, or the merged state.
  const replace = contract.mode !== 'append';
  const model: DatasetModel = {
    contract,
    ref,
    id: `${ref.department}/${ref.dataset}`,
    contractHash: contractHash(contract),
    fields,
    columns: [...fields.flatMap((f) => (f.column ? [f.column] : [])), ...lineage],
    partitions: replace ? [] : [systemColumn(PARTITION, 'partition', contract.classification)],
    storage: {
      curatedPrefix: curatedPrefix(ref),
      tablePrefix: replace ? currentManifestPrefix(ref) : curatedPrefix(ref),
      currentManifestKey: replace ? currentManifestKey(ref) : null,
    },
    outputKeys: (uploadId, at) => ({
      curated: curatedKey(ref, uploadId, at),
      quarantine: quarantineKey(ref, uploadId, at),
      report: reportKey(ref, uploadId),
    }),
  };
  models.set(contract, model);
  return model;
}

/** Every column of the table: its columns, then its partition columns. */
export function tableColumns(model: DatasetModel): readonly PublishedColumn[] {
  return [...model.columns, ...model.partitions];
}
