/**
 * A department's Glue database (`<prefix><department>`) with one table per contract, so a dataset is
 * queried as `<department>.<dataset>`. The database carries the department's LF-tag, inherited by its
 * tables and columns.
 */
import { type CfnResource, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { DatasetContract, Department } from '../../src/contracts/schema.ts';
import { clip, DATABASE_PARAMETERS, MAX_TABLE_DESCRIPTION } from '../../src/lake/glue-table.ts';
import { curatedPrefix } from '../../src/lake/layout.ts';
import { LF_TAGS } from '../access/lake-formation.ts';
import { DatasetTable } from './dataset-table.ts';

/** Glue's longest database name. */
export const MAX_DATABASE_NAME = 255;

/** The Glue database name of a department. */
export function databaseName(prefix: string, department: string): string {
  return `${prefix}${department}`;
}

export interface DepartmentCatalogProps {
  readonly department: Department;
  /** The department's contracts. */
  readonly datasets: readonly DatasetContract[];
  readonly curatedBucket: s3.IBucket;
  /**
   * Prefix of the database name.
   * @default - none: the database is named after the department
   */
  readonly databasePrefix?: string;
  /**
   * First day of append tables' `ingest_date` projection.
   * @default - LAKE_DEFAULTS.projectionStartDate
   */
  readonly projectionStartDate?: string;
  /**
   * Tag the database, tables and columns (needs the LF-tags to exist).
   * @default true
   */
  readonly tag?: boolean;
  /** Resources the tag associations need first (the LF-tags). */
  readonly dependsOn?: readonly CfnResource[];
}

export class DepartmentCatalog extends Construct {
  public readonly databaseName: string;
  public readonly database: glue.CfnDatabase;
  public readonly tables: DatasetTable[] = [];
  public readonly databaseTag?: lakeformation.CfnTagAssociation;

  constructor(scope: Construct, id: string, props: DepartmentCatalogProps) {
    super(scope, id);
    const { department } = props;
    const prefix = props.databasePrefix ?? '';
    if (!/^[a-z0-9_]*$/.test(prefix)) {
      throw new Error(
        `DepartmentCatalog databasePrefix "${prefix}" must be lowercase letters, digits or _ (e.g. lake_).`,
      );
    }
    const strangers = props.datasets.filter((d) => d.department !== department.id);
    if (strangers.length > 0) {
      const names = strangers.map((d) => `${d.department}/${d.name}`).join(', ');
      throw new Error(
        `DepartmentCatalog for "${department.id}" was given other departments' datasets: ${names}.`,
      );
    }
    this.databaseName = databaseName(prefix, department.id);
    if (this.databaseName.length > MAX_DATABASE_NAME) {
      throw new Error(
        `Glue database name "${this.databaseName}" is longer than ${MAX_DATABASE_NAME} characters.`,
      );
    }
    const stack = Stack.of(this);
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: this.databaseName,
        description: clip(
          `${department.name}: datasets published to the public data lake`,
          MAX_TABLE_DESCRIPTION,
        ),
        locationUri: `s3://${props.curatedBucket.bucketName}/${curatedPrefix({ department: department.id })}`,
        parameters: {
          [DATABASE_PARAMETERS.department]: department.id,
          [DATABASE_PARAMETERS.departmentName]: department.name,
        },
        // Tables are governed by Lake Formation alone: no IAMAllowedPrincipals default.
        createTableDefaultPermissions: [],
      },
    });

    const tag = props.tag !== false;
    if (tag) {
      this.databaseTag = new lakeformation.CfnTagAssociation(this, 'DepartmentTag', {
        resource: { database: { catalogId: stack.account, name: this.databaseName } },
        lfTags: [{ catalogId: stack.account, tagKey: LF_TAGS.department, tagValues: [department.id] }],
      });
      this.databaseTag.addResourceDependency(this.database);
      for (const d of props.dependsOn ?? []) this.databaseTag.addResourceDependency(d);
    }
    for (const contract of props.datasets) {
      const table = new DatasetTable(this, `Table-${contract.name}`, {
        contract,
        databaseName: this.databaseName,
        curatedBucket: props.curatedBucket,
        projectionStartDate: props.projectionStartDate,
        tagClassification: tag,
      });
      table.table.addResourceDependency(this.database);
      for (const assoc of table.tagAssociations) {
        for (const d of props.dependsOn ?? []) assoc.addResourceDependency(d);
      }
      this.tables.push(table);
    }
  }
}
