/**
 * One Glue table per contract, written from the contract (never crawled):
 *
 * - `mode: append` — Parquet over `curated/<dept>/<dataset>/`, partitioned by `ingest_date` with
 *   partition projection, so new days need no crawler and no partition calls;
 * - `mode: replace` — a SymlinkTextInputFormat table over `curated/<dept>/<dataset>/_current/`, whose
 *   one manifest lists the current upload's files: the transformer switches it with one PutObject, so a
 *   query sees one whole upload, never half of two.
 *
 * The table and its columns carry their classification as LF-tags.
 */
import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { contractHash } from '../../src/contracts/load.ts';
import type { CLASSIFICATIONS, DatasetContract } from '../../src/contracts/schema.ts';
import {
  columnClassifications,
  glueColumns,
  INGEST_DATE_COLUMN,
  TABLE_PARAMETERS,
  tableDescription,
} from '../../src/lake/glue-columns.ts';
import { curatedPrefix } from '../../src/lake/layout.ts';
import { LF_TAGS } from '../access/lake-formation.ts';
import { LAKE_DEFAULTS } from '../config/lake-config.ts';

export type Classification = (typeof CLASSIFICATIONS)[number];

/** The folder of a replace dataset's current-upload manifest (src/ingest/current-manifest.ts). */
export const CURRENT_MANIFEST_DIR = '_current';

export const PARQUET_FORMAT = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serde: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
} as const;
export const SYMLINK_FORMAT = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  serde: PARQUET_FORMAT.serde,
} as const;

export interface DatasetTableProps {
  readonly contract: DatasetContract;
  readonly databaseName: string;
  readonly curatedBucket: s3.IBucket;
  /**
   * First day of the `ingest_date` projection (append datasets), YYYY-MM-DD.
   * @default - LAKE_DEFAULTS.projectionStartDate
   */
  readonly projectionStartDate?: string;
  /**
   * Tag the table and its columns with their classification (needs the LF-tags to exist).
   * @default true
   */
  readonly tagClassification?: boolean;
}

export class DatasetTable extends Construct {
  public readonly table: glue.CfnTable;
  public readonly tableName: string;
  /** The table's tag association, then one per group of columns classified differently from the table. */
  public readonly tagAssociations: lakeformation.CfnTagAssociation[] = [];

  constructor(scope: Construct, id: string, props: DatasetTableProps) {
    super(scope, id);
    const { contract } = props;
    const start = props.projectionStartDate ?? LAKE_DEFAULTS.projectionStartDate;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(start)) {
      throw new Error(
        `DatasetTable projectionStartDate "${start}" must be written YYYY-MM-DD (e.g. 2025-01-01).`,
      );
    }
    const stack = Stack.of(this);
    const prefix = curatedPrefix({ department: contract.department, dataset: contract.name });
    const base = `s3://${props.curatedBucket.bucketName}/${prefix}`;
    const replace = contract.mode === 'replace';
    const format = replace ? SYMLINK_FORMAT : PARQUET_FORMAT;
    this.tableName = contract.name;

    const parameters: Record<string, string> = {
      EXTERNAL: 'TRUE',
      classification: 'parquet',
      [TABLE_PARAMETERS.classification]: contract.classification,
      [TABLE_PARAMETERS.owner]: contract.department,
      [TABLE_PARAMETERS.contractHash]: contractHash(contract),
      [TABLE_PARAMETERS.mode]: contract.mode,
      [TABLE_PARAMETERS.title]: contract.title,
    };
    if (contract.primaryKey) parameters[TABLE_PARAMETERS.primaryKey] = contract.primaryKey.join(',');
    if (!replace) {
      Object.assign(parameters, {
        'projection.enabled': 'true',
        [`projection.${INGEST_DATE_COLUMN}.type`]: 'date',
        [`projection.${INGEST_DATE_COLUMN}.format`]: 'yyyy-MM-dd',
        [`projection.${INGEST_DATE_COLUMN}.range`]: `${start},NOW`,
        [`projection.${INGEST_DATE_COLUMN}.interval`]: '1',
        [`projection.${INGEST_DATE_COLUMN}.interval.unit`]: 'DAYS',
        'storage.location.template': `${base}${INGEST_DATE_COLUMN}=\${${INGEST_DATE_COLUMN}}/`,
      });
    }

    this.table = new glue.CfnTable(this, 'Table', {
      catalogId: stack.account,
      databaseName: props.databaseName,
      tableInput: {
        name: this.tableName,
        description: tableDescription(contract),
        tableType: 'EXTERNAL_TABLE',
        parameters,
        partitionKeys: replace
          ? []
          : [{ name: INGEST_DATE_COLUMN, type: 'string', comment: 'Day the upload was ingested (UTC).' }],
        storageDescriptor: {
          location: replace ? `${base}${CURRENT_MANIFEST_DIR}/` : base,
          inputFormat: format.inputFormat,
          outputFormat: format.outputFormat,
          serdeInfo: { serializationLibrary: format.serde, parameters: { 'serialization.format': '1' } },
          compressed: false,
          storedAsSubDirectories: false,
          columns: glueColumns(contract).map((c) => ({ ...c })),
        },
      },
    });

    if (props.tagClassification === false) return;
    const table = this.tagAssociation('ClassificationTag', contract.classification);
    this.tagAssociations.push(table);
    const byClass = new Map<string, string[]>();
    for (const [column, classification] of columnClassifications(contract)) {
      if (classification === contract.classification) continue;
      byClass.set(classification, [...(byClass.get(classification) ?? []), column]);
    }
    for (const [classification, columns] of [...byClass].sort(([a], [b]) => a.localeCompare(b))) {
      const assoc = this.tagAssociation(`${pascal(classification)}ColumnsTag`, classification, columns);
      // Column tags override the table's: apply them after it.
      assoc.addResourceDependency(table);
      this.tagAssociations.push(assoc);
    }
  }

  private tagAssociation(
    id: string,
    classification: string,
    columns?: string[],
  ): lakeformation.CfnTagAssociation {
    const catalogId = Stack.of(this).account;
    const ref = { catalogId, databaseName: this.table.databaseName, name: this.tableName };
    const assoc = new lakeformation.CfnTagAssociation(this, id, {
      resource: columns ? { tableWithColumns: { ...ref, columnNames: columns } } : { table: ref },
      lfTags: [{ catalogId, tagKey: LF_TAGS.classification, tagValues: [classification] }],
    });
    assoc.addResourceDependency(this.table);
    return assoc;
  }
}

function pascal(s: string): string {
  return s.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}
