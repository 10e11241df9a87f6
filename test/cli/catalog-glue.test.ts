/**
 * The catalogue metadata on a deployed lake: the stack writes each contract's catalogue keys as `lake.*`
 * parameters of its Glue table, and `lake catalog` reads them back from Glue alone (no contract files),
 * the same entry the local lake shows; search finds a deployed dataset by its keywords and theme.
 * Glue and Athena answer through aws-sdk-client-mock with the table of the real synthesized template.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { GetDatabaseCommand, GetTableCommand, GetTablesCommand, GlueClient } from '@aws-sdk/client-glue';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3Bucket from 'aws-cdk-lib/aws-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DepartmentCatalog } from '../../lib/catalog/department-catalog.ts';
import type { DatasetDetail, DatasetInfo } from '../../src/cli/backend.ts';
import type { RunHooks } from '../../src/cli/context.ts';
import { loadDatasets } from '../../src/contracts/index.ts';
import { catalogueEntry } from '../../src/lake/catalogue.ts';
import { CATALOGUE_PARAMETERS } from '../../src/lake/catalogue-parameters.ts';
import { fastStack } from '../cdk/helpers.ts';
import { lake, ROOT, tempLakeDir } from './helpers.ts';

const athena = mockClient(AthenaClient);
const glue = mockClient(GlueClient);

const OUTPUTS = {
  PublicDataLake: {
    LandingBucket: 'lake-landing',
    RawBucket: 'lake-raw',
    CuratedBucket: 'lake-curated',
    QuarantineBucket: 'lake-quarantine',
    QueryResultsBucket: 'lake-results',
    QueryResultsLocation: 's3://lake-results/athena/',
    WorkGroup: 'publicdatalake-query-workgroup',
    AnalystPolicyArn: 'arn:aws-cn:iam::111122223333:policy/lake-analyst',
    TransformerFunction: 'PublicDataLake-Transformer',
    QueueUrl: 'https://sqs.cn-north-1.amazonaws.com.cn/111122223333/lake-uploads',
    DeadLetterQueueUrl: 'https://sqs.cn-north-1.amazonaws.com.cn/111122223333/lake-uploads-dlq',
    HashKeySecretArn: 'arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:lake-hash-key',
    AlarmTopicArn: 'arn:aws-cn:sns:cn-north-1:111122223333:lake-alarms',
    DatabasePrefix: '',
  },
  PublicDataLakeHealth: {
    DepartmentHealth: JSON.stringify({
      id: 'health',
      database: 'health',
      uploadRoleArn: 'arn:aws-cn:iam::111122223333:role/health-upload',
      reportsTopicArn: 'arn:aws-cn:sns:cn-north-1:111122223333:health-reports',
    }),
  },
};

const contracts = loadDatasets(join(ROOT, 'datasets'));
const clinics = contracts.get('health/clinics');
if (!clinics) throw new Error('datasets/health/clinics.yaml is missing');

let dir: string;
let remove: () => Promise<void>;
let hooks: RunHooks;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify(OUTPUTS));
  hooks = {
    awsPollMs: 10,
    awsClients: () => ({
      s3: () => {
        throw new Error('the catalog reads no S3 object');
      },
      sts: () => {
        throw new Error('the catalog assumes no role');
      },
      glue: () => new GlueClient({ region: 'cn-north-1' }),
      athena: () => new AthenaClient({ region: 'cn-north-1' }),
      sqs: () => {
        throw new Error('the catalog sends no SQS request');
      },
    }),
  } as unknown as RunHooks;
});
afterAll(async () => {
  await remove();
});
afterEach(() => {
  glue.reset();
  athena.reset();
});

/** The health database and the clinics table as the stack synthesizes them from the shipped contract. */
function synthesized() {
  const stack = fastStack();
  new DepartmentCatalog(stack, 'Catalog', {
    department: { id: 'health', name: '贵州省卫生健康委员会', uploaders: [] },
    datasets: [clinics as NonNullable<typeof clinics>],
    curatedBucket: s3Bucket.Bucket.fromBucketName(stack, 'Curated', 'lake-curated'),
    tag: false,
  });
  const template = Template.fromStack(stack);
  const [database] = Object.values(template.findResources('AWS::Glue::Database'));
  const [table] = Object.values(template.findResources('AWS::Glue::Table'));
  return { database: database.Properties.DatabaseInput, table: table.Properties.TableInput };
}

const noContracts = () => ['--datasets', join(dir, 'none')];

describe('catalogue metadata from Glue', () => {
  it('writes the catalogue keys as lake.* table parameters', () => {
    const p = synthesized().table.Parameters as Record<string, string>;
    expect(p).toMatchObject({
      [CATALOGUE_PARAMETERS.sharing]: 'unconditional',
      [CATALOGUE_PARAMETERS.opening]: 'conditional',
      [CATALOGUE_PARAMETERS.updateFrequency]: 'monthly',
      [CATALOGUE_PARAMETERS.license]: 'CC-BY-4.0',
      [CATALOGUE_PARAMETERS.theme]: 'HEAL',
      [CATALOGUE_PARAMETERS.spatial]: '520000',
    });
    expect(JSON.parse(p[CATALOGUE_PARAMETERS.keywords])).toEqual(clinics?.keywords);
    expect(JSON.parse(p[CATALOGUE_PARAMETERS.contactPoint])).toMatchObject({
      name: clinics?.contactPoint?.name,
    });
    expect(p[CATALOGUE_PARAMETERS.openingBasis]).toBe(clinics?.opening?.basis);
    expect(p).not.toHaveProperty(CATALOGUE_PARAMETERS.sharingBasis);
  });

  it('shows the same catalogue entry as the contract, read from Glue alone', async () => {
    // Prepare
    const { database, table } = synthesized();
    glue.on(GetDatabaseCommand, { Name: 'health' }).resolves({ Database: database });
    glue.on(GetTableCommand, { DatabaseName: 'health', Name: 'clinics' }).resolves({ Table: table });
    glue.on(GetTablesCommand, { DatabaseName: 'health' }).resolves({ TableList: [table] });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { QueryExecutionId: 'q-1', StatementType: 'DML', Status: { State: 'SUCCEEDED' } },
    });
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { Rows: [] } });

    // Act
    const page = await lake(['catalog', 'health/clinics', '--json', ...noContracts()], { cwd: dir, hooks });
    const human = await lake(['catalog', 'health/clinics', ...noContracts()], { cwd: dir, hooks });
    const list = await lake(['catalog', '--json', ...noContracts()], { cwd: dir, hooks });
    const found = await lake(['catalog', '--search', '卫生院', '--json', ...noContracts()], {
      cwd: dir,
      hooks,
    });

    // Assess
    expect(page.code, page.stderr).toBe(0);
    const d = page.json<DatasetDetail>();
    expect(d.catalogue).toEqual(catalogueEntry(clinics as NonNullable<typeof clinics>));
    // Reports are the department's to read: the deployed page points to `lake status --overdue`.
    expect(d.freshness).toBeNull();
    expect(human.stdout).toMatch(/^overdue: +not shown for a deployed lake: `lake status --overdue`$/m);
    expect(human.stdout).toMatch(/^opening: +conditional \(有条件开放\)$/m);
    expect(list.json<{ datasets: DatasetInfo[] }>().datasets[0].catalogue.updateFrequency).toBe('monthly');
    const hits = found.json<{
      datasets: { dataset: string; matches: { where: string; text: string }[] }[];
    }>();
    expect(hits.datasets.map((h) => h.dataset)).toEqual(['health/clinics']);
    expect(hits.datasets[0].matches[0]).toEqual({ where: 'keyword', text: '卫生院' });
  });
});
