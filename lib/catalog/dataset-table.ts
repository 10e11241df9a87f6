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
import { type AccessType, DEFAULT_SHARING } from '../../src/contracts/catalogue-schema.ts';
import type { DatasetContract } from '../../src/contracts/schema.ts';
import { datasetModel } from '../../src/lake/dataset-model.ts';
import {
  glueColumns,
  gluePartitionKeys,
  tableDescription,
  tableParameters,
} from '../../src/lake/glue-table.ts';
import { PARTITION_COLUMN } from '../../src/lake/layout.ts';
import { LF_TAGS } from '../access/lake-formation.ts';
import { LAKE_DEFAULTS } from '../config/lake-config.ts';

/** Glue's longest parameter key. */
export const MAX_PARAMETER_KEY = 255;

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
  /** The contract's sharing type, the table's `sharing` LF-tag. */
  public readonly sharing: AccessType;
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
    const model = datasetModel(contract);
    const bucket = `s3://${props.curatedBucket.bucketName}/`;
    const replace = contract.mode !== 'append'; // replace and upsert: the manifest's current files
    const format = replace ? SYMLINK_FORMAT : PARQUET_FORMAT;
    this.tableName = contract.name;
    this.sharing = (contract.sharing ?? DEFAULT_SHARING).type;

    const parameters: Record<string, string> = {
      EXTERNAL: 'TRUE',
      classification: 'parquet',
      ...tableParameters(model),
    };
    const tooLong = Object.keys(parameters).find((k) => k.length > MAX_PARAMETER_KEY);
    if (tooLong) {
      throw new Error(
        `datasets/${model.id}.yaml: the table parameter "${tooLong}" is longer than Glue's ${MAX_PARAMETER_KEY} characters: shorten the field name it names.`,
      );
    }
    if (!replace) {
      const p = PARTITION_COLUMN;
      Object.assign(parameters, {
        'projection.enabled': 'true',
        [`projection.${p}.type`]: 'date',
        [`projection.${p}.format`]: 'yyyy-MM-dd',
        [`projection.${p}.range`]: `${start},NOW`,
        [`projection.${p}.interval`]: '1',
        [`projection.${p}.interval.unit`]: 'DAYS',
        'storage.location.template': `${bucket}${model.storage.curatedPrefix}${p}=\${${p}}/`,
      });
    }

    this.table = new glue.CfnTable(this, 'Table', {
      catalogId: stack.account,
      databaseName: props.databaseName,
      tableInput: {
        name: this.tableName,
        description: tableDescription(model),
        tableType: 'EXTERNAL_TABLE',
        parameters,
        partitionKeys: gluePartitionKeys(model).map((c) => ({ ...c })),
        storageDescriptor: {
          location: `${bucket}${model.storage.tablePrefix}`,
          inputFormat: format.inputFormat,
          outputFormat: format.outputFormat,
          serdeInfo: { serializationLibrary: format.serde, parameters: { 'serialization.format': '1' } },
          compressed: false,
          storedAsSubDirectories: false,
          columns: glueColumns(model).map((c) => ({ ...c })),
        },
      },
    });

    if (props.tagClassification === false) return;
    const table = this.tagAssociation('ClassificationTag', contract.classification);
    this.tagAssociations.push(table);
    const byClass = new Map<string, string[]>();
    for (const { name, classification } of model.columns) {
      if (classification === contract.classification) continue;
      byClass.set(classification, [...(byClass.get(classification) ?? []), name]);
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
      lfTags: [
        { catalogId, tagKey: LF_TAGS.classification, tagValues: [classification] },
        // The table's sharing type (columns inherit it): cross-department personas match unconditional only.
        ...(columns ? [] : [{ catalogId, tagKey: LF_TAGS.sharing, tagValues: [this.sharing] }]),
      ],
    });
    assoc.addResourceDependency(this.table);
    return assoc;
  }
}

function pascal(s: string): string {
  return s.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}
