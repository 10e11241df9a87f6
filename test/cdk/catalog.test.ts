import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { DatasetTable, PARQUET_FORMAT, SYMLINK_FORMAT } from '../../lib/catalog/dataset-table.ts';
import { DepartmentCatalog } from '../../lib/catalog/department-catalog.ts';
import { LAKE_DEFAULTS } from '../../lib/config/lake-config.ts';
import { contractHash, type DatasetContract } from '../../src/contracts/index.ts';
import { columnFactKey, MAX_COLUMN_FACT, TABLE_PARAMETERS } from '../../src/lake/glue-table.ts';
import { CURRENT_MANIFEST_DIR, currentManifestKey } from '../../src/lake/layout.ts';
import { buildFixtureLake, fastStack, fixtureInputs } from './helpers.ts';

const inputs = fixtureInputs();
const contract = (name: string) => inputs.datasets.find((d) => d.name === name) as DatasetContract;

describe('DatasetTable', () => {
  const lake = buildFixtureLake();
  const health = lake.templates.get('Lake-health') as Template;
  const curated = { Ref: Match.anyValue() };
  void curated;
  const tables = health.findResources('AWS::Glue::Table');
  const table = (name: string) =>
    Object.values(tables).find((t) => t.Properties.TableInput.Name === name)?.Properties;

  it('makes an append dataset a Parquet table with ingest_date partition projection (no crawler)', () => {
    const visits = table('visits');
    expect(visits.DatabaseName).toBe('lake_health');
    expect(visits.CatalogId).toBe('111122223333');
    const input = visits.TableInput;
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(input.PartitionKeys).toEqual([
      { Name: 'ingest_date', Type: 'string', Comment: 'Day the upload was ingested (UTC), YYYY-MM-DD.' },
    ]);
    expect(input.StorageDescriptor).toMatchObject({
      InputFormat: PARQUET_FORMAT.inputFormat,
      OutputFormat: PARQUET_FORMAT.outputFormat,
      SerdeInfo: { SerializationLibrary: PARQUET_FORMAT.serde },
      Location: { 'Fn::Join': ['', ['s3://', expect.anything(), '/curated/health/visits/']] },
    });
    expect(input.Parameters).toMatchObject({
      EXTERNAL: 'TRUE',
      classification: 'parquet',
      'projection.enabled': 'true',
      'projection.ingest_date.type': 'date',
      'projection.ingest_date.format': 'yyyy-MM-dd',
      'projection.ingest_date.range': '2024-06-01,NOW',
      'projection.ingest_date.interval': '1',
      'projection.ingest_date.interval.unit': 'DAYS',
      'storage.location.template': {
        'Fn::Join': ['', ['s3://', expect.anything(), `/curated/health/visits/ingest_date=\${ingest_date}/`]],
      },
      [TABLE_PARAMETERS.classification]: 'internal',
      [TABLE_PARAMETERS.owner]: 'health',
      [TABLE_PARAMETERS.mode]: 'append',
      [TABLE_PARAMETERS.contractHash]: contractHash(contract('visits')),
      [TABLE_PARAMETERS.title]: 'Outpatient visits',
      [TABLE_PARAMETERS.format]: 'csv',
      // Each column's facts, read back by the AWS backend (CloudFormation cannot set column Parameters).
      [columnFactKey('patient_id', 'pii')]: 'cn_resident_id',
      [columnFactKey('patient_id', 'protect')]: 'hash',
      [columnFactKey('patient_id', 'classification')]: 'internal',
      [columnFactKey('_upload_id', 'classification')]: 'internal',
      [columnFactKey('ingest_date', 'classification')]: 'internal',
    });
    expect(input.Parameters[columnFactKey('ingest_date', 'description')]).toBe(
      'Day the upload was ingested (UTC), YYYY-MM-DD.',
    );
    expect(input.Parameters[columnFactKey('visit_id', 'headers')]).toBeUndefined();
    expect(input.Parameters[columnFactKey('visit_id', 'pii')]).toBeUndefined();
    expect(input.Parameters[columnFactKey('patient_mobile', 'classification')]).toBeUndefined();
    expect(input.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).not.toContain(
      'patient_mobile',
    );
  });

  it('makes a replace dataset a symlink table over its current-upload manifest folder', () => {
    const clinics = table('clinics');
    const input = clinics.TableInput;
    expect(input.PartitionKeys).toEqual([]);
    expect(input.StorageDescriptor).toMatchObject({
      InputFormat: SYMLINK_FORMAT.inputFormat,
      OutputFormat: SYMLINK_FORMAT.outputFormat,
      SerdeInfo: { SerializationLibrary: PARQUET_FORMAT.serde },
      Location: {
        'Fn::Join': ['', ['s3://', expect.anything(), `/curated/health/clinics/${CURRENT_MANIFEST_DIR}/`]],
      },
    });
    // The same folder the transformer writes the manifest to.
    expect(currentManifestKey({ department: 'health', dataset: 'clinics' })).toBe(
      `curated/health/clinics/${CURRENT_MANIFEST_DIR}/manifest`,
    );
    expect(input.Parameters['projection.enabled']).toBeUndefined();
    expect(input.Parameters[TABLE_PARAMETERS.primaryKey]).toBe('clinic_id');
    expect(input.Description).toBe(
      'Licensed medical clinics. All clinics licensed by the provincial health commission.',
    );
  });

  it('tags the table with its classification and differently classified columns with theirs', () => {
    const clinicsTags = health.findResources('AWS::LakeFormation::TagAssociation', {
      Metadata: { 'aws:cdk:path': Match.stringLikeRegexp('Table-clinics/') },
    });
    const byPath = Object.fromEntries(
      Object.values(clinicsTags).map((r) => [
        String(r.Metadata['aws:cdk:path']).split('/').at(-1),
        r.Properties,
      ]),
    );
    const lfTag = (value: string) => [
      { CatalogId: '111122223333', TagKey: 'classification', TagValues: [value] },
    ];
    const ref = { CatalogId: '111122223333', DatabaseName: 'lake_health', Name: 'clinics' };
    expect(byPath).toEqual({
      // The table also carries its sharing type (its columns inherit it).
      ClassificationTag: {
        Resource: { Table: ref },
        LFTags: [
          ...lfTag('public'),
          { CatalogId: '111122223333', TagKey: 'sharing', TagValues: ['unconditional'] },
        ],
      },
      InternalColumnsTag: {
        Resource: { TableWithColumns: { ...ref, ColumnNames: ['rating'] } },
        LFTags: lfTag('internal'),
      },
      RestrictedColumnsTag: {
        Resource: { TableWithColumns: { ...ref, ColumnNames: ['owner_id_number'] } },
        LFTags: lfTag('restricted'),
      },
    });
    // Column tags apply after the table's, and after the LF-tags exist (core stack).
    const columnTag = Object.values(clinicsTags).find((r) =>
      String(r.Metadata['aws:cdk:path']).endsWith('RestrictedColumnsTag'),
    );
    expect(columnTag?.DependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/ClassificationTag/)]),
    );
  });

  it('defaults the projection start and skips tags when asked', () => {
    const stack = fastStack();
    const bucket = new s3.Bucket(stack, 'Curated');
    new DatasetTable(stack, 'T', {
      contract: contract('visits'),
      databaseName: 'db',
      curatedBucket: bucket,
      tagClassification: false,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: {
        Parameters: Match.objectLike({
          'projection.ingest_date.range': `${LAKE_DEFAULTS.projectionStartDate},NOW`,
        }),
      },
    });
    template.resourceCountIs('AWS::LakeFormation::TagAssociation', 0);
  });

  it("keeps each field's header spellings and whole description, within the size a parameter may take", () => {
    const stack = fastStack();
    const bucket = new s3.Bucket(stack, 'Curated');
    const clinics = contract('clinics');
    const many = Array.from({ length: 200 }, (_, i) => `诊所名称${i}`);
    const fields = clinics.fields.map((f) =>
      f.name === 'clinic_id'
        ? { ...f, headers: ['许可证号', 'licence no.'] }
        : f.name === 'clinic_name'
          ? { ...f, headers: many, description: '名'.repeat(MAX_COLUMN_FACT + 50) }
          : f,
    );
    new DatasetTable(stack, 'T', {
      contract: { ...clinics, fields },
      databaseName: 'db',
      curatedBucket: bucket,
      tagClassification: false,
    });
    const [table] = Object.values(Template.fromStack(stack).findResources('AWS::Glue::Table'));
    const p = table.Properties.TableInput.Parameters as Record<string, string>;
    expect(JSON.parse(p[columnFactKey('clinic_id', 'headers')])).toEqual(['许可证号', 'licence no.']);
    expect(p[columnFactKey('clinic_id', 'description')]).toBe('Clinic licence number');
    // As many whole spellings as fit; the description cut with an ellipsis.
    const kept = JSON.parse(p[columnFactKey('clinic_name', 'headers')]) as string[];
    expect(kept).toEqual(many.slice(0, kept.length));
    expect(kept.length).toBeGreaterThan(10);
    expect(p[columnFactKey('clinic_name', 'headers')].length).toBeLessThanOrEqual(MAX_COLUMN_FACT);
    expect([...p[columnFactKey('clinic_name', 'description')]]).toHaveLength(MAX_COLUMN_FACT);
    expect(p[columnFactKey('beds', 'headers')]).toBeUndefined();
  });

  it('carries the catalogue metadata as lake.* parameters, with the defaults of a contract without it', () => {
    // Prepare
    const stack = fastStack();
    const bucket = new s3.Bucket(stack, 'Curated');
    const catalogued: DatasetContract = {
      ...contract('visits'),
      sharing: { type: 'conditional', conditions: '仅用于统计分析', basis: '《个人信息保护法》第十三条' },
      updateFrequency: 'weekly',
      keywords: ['门诊', 'visits'],
      theme: ['HEAL', 'SOCI'],
      spatial: '520100',
      temporal: { start: '2024-01-01', end: '2024-12-31' },
      contactPoint: { name: '医政医管处', telephone: '0851-00000000' },
    };
    // Act
    new DatasetTable(stack, 'T', { contract: catalogued, databaseName: 'db', curatedBucket: bucket });
    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Glue::Table', {
      TableInput: {
        Parameters: Match.objectLike({
          'lake.sharing': 'conditional',
          'lake.sharing_conditions': '仅用于统计分析',
          'lake.sharing_basis': '《个人信息保护法》第十三条',
          'lake.update_frequency': 'weekly',
          'lake.keywords': '["门诊","visits"]',
          'lake.theme': 'HEAL,SOCI',
          'lake.spatial': '520100',
          'lake.temporal': '{"start":"2024-01-01","end":"2024-12-31"}',
          'lake.contact_point': '{"name":"医政医管处","email":null,"telephone":"0851-00000000"}',
        }),
      },
    });
    // A contract without catalogue keys: shared unconditionally (the rule), not opened, nothing else said.
    const plain = table('visits')?.TableInput.Parameters as Record<string, string>;
    expect(plain['lake.sharing']).toBe('unconditional');
    expect(
      Object.keys(plain).filter((k) => /^lake\.(opening|update_frequency|keywords|theme|spatial)/.test(k)),
    ).toEqual([]);
  });

  it('rejects a malformed projection start date', () => {
    const stack = fastStack();
    const bucket = new s3.Bucket(stack, 'Curated');
    expect(
      () =>
        new DatasetTable(stack, 'T', {
          contract: contract('visits'),
          databaseName: 'db',
          curatedBucket: bucket,
          projectionStartDate: '1/6/2024',
        }),
    ).toThrow(/projectionStartDate "1\/6\/2024" must be written YYYY-MM-DD/);
  });
});

describe('DepartmentCatalog', () => {
  const lake = buildFixtureLake();
  const health = lake.templates.get('Lake-health') as Template;

  it('creates one database per department, named with the prefix, Lake Formation only, tagged with the department', () => {
    health.resourceCountIs('AWS::Glue::Database', 1);
    health.hasResourceProperties('AWS::Glue::Database', {
      CatalogId: '111122223333',
      DatabaseInput: {
        Name: 'lake_health',
        Description: 'Provincial Health Commission: datasets published to the public data lake',
        CreateTableDefaultPermissions: [],
        Parameters: { 'lake.department': 'health', 'lake.department_name': 'Provincial Health Commission' },
      },
    });
    health.hasResourceProperties('AWS::LakeFormation::TagAssociation', {
      Resource: { Database: { CatalogId: '111122223333', Name: 'lake_health' } },
      LFTags: [{ CatalogId: '111122223333', TagKey: 'department', TagValues: ['health'] }],
    });
    health.resourceCountIs('AWS::Glue::Table', 3);
  });

  it('names the database after the department when no prefix is configured', () => {
    const stack = fastStack();
    const catalog = new DepartmentCatalog(stack, 'C', {
      department: inputs.departments[1],
      datasets: inputs.datasets.filter((d) => d.department === 'statistics'),
      curatedBucket: new s3.Bucket(stack, 'B'),
    });
    expect(catalog.databaseName).toBe('statistics');
  });

  it("rejects a bad prefix and other departments' datasets", () => {
    const stack = fastStack();
    const curatedBucket = new s3.Bucket(stack, 'B');
    expect(
      () =>
        new DepartmentCatalog(stack, 'C1', {
          department: inputs.departments[0],
          datasets: [],
          curatedBucket,
          databasePrefix: 'Lake-',
        }),
    ).toThrow(/databasePrefix "Lake-" must be lowercase/);
    expect(
      () =>
        new DepartmentCatalog(stack, 'C2', {
          department: inputs.departments[1],
          datasets: [contract('clinics')],
          curatedBucket,
        }),
    ).toThrow(/other departments' datasets: health\/clinics/);
  });
});
