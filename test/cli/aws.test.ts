/**
 * The deployed lake: S3 against a local S3 server (uploads as the department's role, reports), STS, Glue,
 * Athena and CloudFormation mocked with aws-sdk-client-mock, asserting the exact requests.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetDatabaseCommand, GetTableCommand, GetTablesCommand, GlueClient } from '@aws-sdk/client-glue';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3Bucket from 'aws-cdk-lib/aws-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DepartmentCatalog } from '../../lib/catalog/department-catalog.ts';
import type { ColumnInfo } from '../../src/cli/backend.ts';
import type { RunHooks } from '../../src/cli/context.ts';
import { EXIT } from '../../src/cli/errors.ts';
import { columnInfo } from '../../src/cli/local-backend.ts';
import { datasetSchema, loadDatasets } from '../../src/contracts/index.ts';
import type { IngestReport } from '../../src/engine/report.ts';
import { LOCAL_BUCKETS, LOCAL_CREDENTIALS, type LocalS3, startLocalS3 } from '../../src/ingest/local-s3.ts';
import { processUpload } from '../../src/ingest/process-upload.ts';
import { catalogueFromParameters } from '../../src/lake/catalogue-parameters.ts';
import { datasetModel, tableColumns } from '../../src/lake/dataset-model.ts';
import { fastStack } from '../cdk/helpers.ts';
import { lake, ROOT, tempLakeDir } from './helpers.ts';

const OWNER_NAME = '贵州省卫生健康委员会 (Provincial Health Commission)';

const sts = mockClient(STSClient);
const athena = mockClient(AthenaClient);
const glue = mockClient(GlueClient);
const cfn = mockClient(CloudFormationClient);
const sqs = mockClient(SQSClient);

const HEALTH_ROLE = 'arn:aws-cn:iam::111122223333:role/PublicDataLake-Health-UploadRole';
const department = (id: string, role: string) =>
  JSON.stringify({
    id,
    database: id,
    uploadRoleArn: role,
    reportsTopicArn: `arn:aws-cn:sns:cn-north-1:111122223333:${id}-reports`,
  });
const OUTPUTS = {
  PublicDataLake: {
    LandingBucket: LOCAL_BUCKETS.landing,
    RawBucket: LOCAL_BUCKETS.raw,
    CuratedBucket: LOCAL_BUCKETS.curated,
    QuarantineBucket: LOCAL_BUCKETS.quarantine,
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
  PublicDataLakeHealth: { DepartmentHealth: department('health', HEALTH_ROLE) },
  PublicDataLakeCivilAffairs: {
    DepartmentCivilAffairs: department(
      'civil_affairs',
      'arn:aws-cn:iam::111122223333:role/civil-affairs-upload',
    ),
  },
};

let dir: string;
let remove: () => Promise<void>;
let s3: LocalS3;
let hooks: RunHooks;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify(OUTPUTS, null, 2));
  s3 = await startLocalS3({ dir: join(dir, 's3') });
  hooks = {
    awsPollMs: 50,
    awsClients: () => ({
      // The department's credentials from STS go to the local server (which knows only its own key).
      s3: (credentials) =>
        new S3Client({
          endpoint: s3.endpoint,
          region: 'cn-north-1',
          credentials: credentials
            ? {
                ...credentials,
                accessKeyId: LOCAL_CREDENTIALS.accessKeyId,
                secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey,
              }
            : LOCAL_CREDENTIALS,
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }),
      sts: () => new STSClient({ region: 'cn-north-1' }),
      glue: () => new GlueClient({ region: 'cn-north-1' }),
      athena: () => new AthenaClient({ region: 'cn-north-1' }),
      sqs: () => new SQSClient({ region: 'cn-north-1' }),
    }),
    cloudFormation: () => new CloudFormationClient({ region: 'cn-north-1' }),
  };
});
afterAll(async () => {
  await s3.stop();
  await remove();
});
afterEach(() => {
  sts.reset();
  athena.reset();
  glue.reset();
  cfn.reset();
  sqs.reset();
});

function assumable() {
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIATEST',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3600_000),
    },
  });
}

const CLINICS = join(ROOT, 'examples/health/clinics/clinics-2026-11.csv');
const datasets = ['--datasets', join(ROOT, 'datasets')];

describe('uploads and reports, as the department', () => {
  it("uploads to the landing bucket as the department's upload role", async () => {
    assumable();
    const r = await lake(
      ['upload', CLINICS, '--dataset', 'health/clinics', '--name', 'up.csv', '--json', ...datasets],
      {
        cwd: dir,
        hooks,
        env: { USER: 'steward one' },
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      bucket: 'lake-landing',
      key: 'landing/health/clinics/up.csv',
      bytes: 71712,
    });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: HEALTH_ROLE, RoleSessionName: 'lake-cli-steward-one', DurationSeconds: 3600 },
    ]);
    const head = await s3
      .client()
      .send(new HeadObjectCommand({ Bucket: 'lake-landing', Key: 'landing/health/clinics/up.csv' }));
    expect(head.ContentLength).toBe(71712);
    expect(head.ContentType).toBe('text/csv');
  });

  it('ingests: uploads, then finds the report the transformer writes', async () => {
    assumable();
    const key = 'landing/health/clinics/ingest.csv';
    const ingest = lake(
      ['ingest', CLINICS, '--dataset', 'health/clinics', '--name', 'ingest.csv', '--json', ...datasets],
      {
        cwd: dir,
        hooks,
      },
    );
    // The transformer (here called directly, as the Lambda would be) picks the file up once it lands.
    const client = s3.client();
    for (;;) {
      const there = await client.send(new HeadObjectCommand({ Bucket: 'lake-landing', Key: key })).then(
        () => true,
        () => false,
      );
      if (there) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const processed = await processUpload(
      {
        s3: client,
        buckets: s3.buckets,
        contracts: loadDatasets(join(ROOT, 'datasets')),
        hashKey: Buffer.alloc(32, 7),
      },
      { bucket: 'lake-landing', key },
    );
    const r = await ingest;
    expect(r.code).toBe(0);
    const report = r.json<IngestReport>();
    expect(report).toEqual(processed.report);
    expect(report).toMatchObject({ status: 'accepted', rows: { accepted: 521 } });

    // status and report find it with the department's role too.
    assumable();
    const status = await lake(['status', '--dataset', 'health/clinics', '--json'], { cwd: dir, hooks });
    expect(status.json<{ uploads: { uploadId: string }[] }>().uploads.map((u) => u.uploadId)).toEqual([
      report.uploadId,
    ]);
    const shown = await lake(['report', report.uploadId, '--json'], { cwd: dir, hooks });
    expect(shown.json()).toEqual(report);
  });

  it('says so when the role cannot be assumed', async () => {
    sts.on(AssumeRoleCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), {
        name: 'AccessDenied',
      }),
    );
    const r = await lake(['upload', CLINICS, '--dataset', 'health/clinics', ...datasets], {
      cwd: dir,
      hooks,
    });
    expect(r.code).toBe(EXIT.failure);
    expect(r.stderr).toContain(
      `lake: cannot act as the health department's upload role (${HEALTH_ROLE}): User is not authorized`,
    );
    expect(r.stderr).toContain("add your principal to the health department's uploaders in departments.yaml");
  });

  it('refuses a department the stack does not have', async () => {
    const r = await lake(
      [
        'upload',
        join(ROOT, 'examples/education/schools/schools-2026.xlsx'),
        '--dataset',
        'education/schools',
        ...datasets,
      ],
      {
        cwd: dir,
        hooks,
      },
    );
    expect(r.code).toBe(EXIT.config);
    expect(r.stderr).toContain('lake: the deployed lake has no department "education"');
    expect(r.stderr).toContain('Departments deployed: civil_affairs, health.');
  });
});

describe('queries on Athena', () => {
  const header = {
    Data: [{ VarCharValue: 'county_code' }, { VarCharValue: 'clinics' }, { VarCharValue: 'beds' }],
  };
  const row = (c: string, n: string, b?: string) => ({
    Data: [{ VarCharValue: c }, { VarCharValue: n }, b === undefined ? {} : { VarCharValue: b }],
  });
  const metadata = {
    ColumnInfo: [
      { Name: 'county_code', Label: 'county_code', Type: 'varchar' },
      { Name: 'clinics', Label: 'clinics', Type: 'bigint' },
      { Name: 'beds', Label: 'beds', Type: 'double' },
    ],
  };

  it('starts the query in the workgroup, polls it, pages through the results and types the values', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({
        QueryExecution: { QueryExecutionId: 'q-1', StatementType: 'DML', Status: { State: 'RUNNING' } },
      })
      .resolves({
        QueryExecution: {
          QueryExecutionId: 'q-1',
          StatementType: 'DML',
          Status: { State: 'SUCCEEDED' },
          Statistics: { DataScannedInBytes: 2048 },
        },
      });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: undefined })
      .resolves({
        ResultSet: {
          ResultSetMetadata: metadata,
          Rows: [header, row('520102', '18', '402.0'), row('520103', '17')],
        },
        NextToken: 'page-2',
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: 'page-2' })
      .resolves({ ResultSet: { ResultSetMetadata: metadata, Rows: [row('520111', '12', '1.5')] } });
    const sql = 'SELECT county_code, count(*) AS clinics, sum(beds) AS beds FROM health.clinics GROUP BY 1';

    const r = await lake(['query', sql, '--json'], { cwd: dir, hooks });

    expect(r.stderr).toBe('');
    expect(r.json()).toEqual({
      columns: [
        { name: 'county_code', type: 'varchar' },
        { name: 'clinics', type: 'bigint' },
        { name: 'beds', type: 'double' },
      ],
      rows: [
        { county_code: '520102', clinics: 18, beds: 402 },
        { county_code: '520103', clinics: 17, beds: null },
        { county_code: '520111', clinics: 12, beds: 1.5 },
      ],
    });
    expect(athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { QueryString: sql, WorkGroup: 'publicdatalake-query-workgroup' },
    ]);
    expect(athena.commandCalls(GetQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: 'q-1' },
      { QueryExecutionId: 'q-1' },
    ]);
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: 'q-1', NextToken: undefined, MaxResults: 1000 },
      { QueryExecutionId: 'q-1', NextToken: 'page-2', MaxResults: 1000 },
    ]);
  });

  it('exports page by page as Athena gives them, decimals beyond a double exact', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { QueryExecutionId: 'q-3', StatementType: 'DML', Status: { State: 'SUCCEEDED' } },
    });
    const money = {
      ColumnInfo: [
        { Name: 'n', Label: 'n', Type: 'bigint' },
        { Name: 'fee', Label: 'fee', Type: 'decimal', Precision: 38, Scale: 2 },
      ],
    };
    const cells = (...v: string[]) => ({ Data: v.map((VarCharValue) => ({ VarCharValue })) });
    /** Three pages of 1,000, 1,000 and 500 rows (the first after the labels row). */
    const page = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => cells(String(from + i), `${from + i}.50`));
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-3', NextToken: undefined })
      .resolves({
        ResultSet: { ResultSetMetadata: money, Rows: [cells('n', 'fee'), ...page(0, 999)] },
        NextToken: 'p2',
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-3', NextToken: 'p2' })
      .resolves({ ResultSet: { ResultSetMetadata: money, Rows: page(999, 1000) }, NextToken: 'p3' })
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-3', NextToken: 'p3' })
      .resolves({
        ResultSet: {
          ResultSetMetadata: money,
          Rows: [...page(1999, 500), cells('9007199254740993', '12345678901234567.89')],
        },
      });
    const file = join(dir, 'athena-export.csv');

    const r = await lake(['query', 'SELECT n, fee FROM health.fees', '--output', file, '--json'], {
      cwd: dir,
      hooks,
    });

    expect(r.stderr).toBe('');
    expect(r.json()).toEqual({
      output: file,
      format: 'csv',
      columns: [
        { name: 'n', type: 'bigint' },
        { name: 'fee', type: 'decimal(38,2)' },
      ],
      rows: 2500,
    });
    const lines = readFileSync(file, 'utf8').split('\r\n');
    expect(lines).toHaveLength(2502);
    expect(lines[0]).toBe('\ufeffn,fee');
    expect(lines.slice(1, -2).every((l, i) => l === `${i},${i}.50`)).toBe(true);
    expect(lines.at(-2)).toBe('9007199254740993,12345678901234567.89');
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      'p2',
      'p3',
    ]);
  });

  it("reports a failed query with Athena's reason and a non-zero exit code", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-2' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        QueryExecutionId: 'q-2',
        Status: {
          State: 'FAILED',
          StateChangeReason:
            "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.health.clinic' does not exist",
        },
      },
    });
    const r = await lake(['query', 'SELECT * FROM health.clinic'], { cwd: dir, hooks });
    expect(r.code).toBe(EXIT.failure);
    expect(r.stderr).toContain(
      "lake: the query failed: TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.health.clinic' does not exist",
    );
    expect(r.stderr).toContain("Fix the SQL (Athena's dialect)");
    expect(r.stderr).toContain('Query id q-2.');
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('says the quarantine cannot be queried on a deployed lake, and starts no query', async () => {
    const r = await lake(['query', '--zone', 'quarantine', 'SELECT 1', '--json'], { cwd: dir, hooks });
    expect(r.code).toBe(EXIT.failure);
    expect(r.error()).toMatchObject({
      code: 'zone_unavailable',
      message: '--zone quarantine is not available on a deployed lake',
    });
    expect(r.error().hint).toContain('lake report <uploadId> --all');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });
});

describe('the catalog from Glue', () => {
  const OWNER = '贵州省卫生健康委员会 (Provincial Health Commission)';
  const table = (name: string, params: Record<string, string>, partition = false) => ({
    Name: name,
    DatabaseName: 'health',
    Description: `${name} description`,
    Parameters: {
      classification: 'parquet',
      'lake.column.license_holder_id.pii': 'cn_resident_id',
      'lake.column.license_holder_id.protect': 'mask',
      'lake.column.license_holder_id.classification': 'restricted',
      ...params,
    },
    PartitionKeys: partition
      ? [{ Name: 'ingest_date', Type: 'string', Comment: 'Day the upload was ingested (UTC).' }]
      : [],
    StorageDescriptor: {
      Location: `s3://lake-curated/curated/health/${name}/_current/`,
      Columns: [
        { Name: 'clinic_id', Type: 'string' },
        // The comment is for people; the facts are the table's parameters.
        { Name: 'license_holder_id', Type: 'string', Comment: 'Licence holder' },
        { Name: 'beds', Type: 'bigint' },
      ],
    },
  });

  it('lists every table of every department database, page by page, owned as the database says', async () => {
    glue
      .on(GetDatabaseCommand, { Name: 'health' })
      .resolves({ Database: { Name: 'health', Parameters: { 'lake.department_name': OWNER } } })
      .on(GetTablesCommand, { DatabaseName: 'health', NextToken: undefined })
      .resolves({
        TableList: [
          table('clinics', {
            'lake.title': 'Licensed medical clinics',
            'lake.classification': 'public',
            'lake.mode': 'replace',
          }),
        ],
        NextToken: 'n2',
      })
      .on(GetTablesCommand, { DatabaseName: 'health', NextToken: 'n2' })
      .resolves({
        TableList: [
          table(
            'pharmacies',
            { 'lake.title': 'Pharmacies', 'lake.classification': 'internal', 'lake.mode': 'append' },
            true,
          ),
        ],
      })
      .on(GetTablesCommand, { DatabaseName: 'civil_affairs' })
      .resolves({ TableList: [] });
    const r = await lake(['catalog', '--json', ...datasets], { cwd: dir, hooks });
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({
      datasets: [
        {
          dataset: 'health/clinics',
          department: 'health',
          name: 'clinics',
          title: 'Licensed medical clinics',
          owner: OWNER,
          classification: 'public',
          mode: 'replace',
          rows: null,
          lastIngested: null,
          lastIngestedKnown: false,
          // No catalogue parameters on the table: the defaults (shared unconditionally, not opened).
          catalogue: catalogueFromParameters({}),
        },
        {
          dataset: 'health/pharmacies',
          department: 'health',
          name: 'pharmacies',
          title: 'Pharmacies',
          owner: OWNER,
          classification: 'internal',
          mode: 'append',
          rows: null,
          lastIngested: null,
          lastIngestedKnown: false,
          // No catalogue parameters on the table: the defaults (shared unconditionally, not opened).
          catalogue: catalogueFromParameters({}),
        },
      ],
    });
    expect(glue.commandCalls(GetTablesCommand).map((c) => c.args[0].input)).toEqual([
      { DatabaseName: 'civil_affairs', NextToken: undefined },
      { DatabaseName: 'health', NextToken: undefined },
      { DatabaseName: 'health', NextToken: 'n2' },
    ]);
    // Asked once per department that has tables, not once per table.
    expect(glue.commandCalls(GetDatabaseCommand).map((c) => c.args[0].input)).toEqual([{ Name: 'health' }]);
  });

  it('describes one table from Glue alone: columns, personal data, and its rows from Athena', async () => {
    glue.on(GetTableCommand, { DatabaseName: 'health', Name: 'clinics' }).resolves({
      Table: table('clinics', {
        'lake.title': 'Licensed medical clinics',
        'lake.classification': 'public',
        'lake.mode': 'replace',
        'lake.primary_key': 'clinic_id',
        'lake.format': 'csv',
      }),
    });
    glue
      .on(GetDatabaseCommand, { Name: 'health' })
      .resolves({ Database: { Name: 'health', Parameters: { 'lake.department_name': OWNER } } });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { QueryExecutionId: 'q-3', StatementType: 'DML', Status: { State: 'SUCCEEDED' } },
    });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: {
          ColumnInfo: [
            { Name: 'n', Label: 'n', Type: 'bigint' },
            { Name: 'last', Label: 'last', Type: 'timestamp' },
          ],
        },
        Rows: [
          { Data: [{ VarCharValue: 'n' }, { VarCharValue: 'last' }] },
          { Data: [{ VarCharValue: '521' }, { VarCharValue: '2026-11-28 08:00:00.000' }] },
        ],
      },
    });
    // No contract files: a deployed table is described from what Glue stores.
    const r = await lake(['catalog', 'health/clinics', '--json', '--datasets', join(dir, 'none')], {
      cwd: dir,
      hooks,
    });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      table: 'health.clinics',
      owner: OWNER,
      format: 'csv',
      rows: 521,
      lastIngested: '2026-11-28 08:00:00.000',
      primaryKey: ['clinic_id'],
      location: 's3://lake-curated/curated/health/clinics/_current/',
      columns: [
        { name: 'clinic_id', type: 'string', classification: 'public', pii: null },
        {
          name: 'license_holder_id',
          type: 'string',
          classification: 'restricted',
          pii: 'cn_resident_id',
          protect: 'mask',
        },
        { name: 'beds', type: 'bigint', classification: 'public', pii: null },
      ],
    });
    // What Glue and one count query cannot tell is null, and the page says so (this table is from a
    // stack that stored no header spellings: its parameters have no column descriptions).
    expect(r.json()).toMatchObject({ period: null, lastUpload: null, quarantinedRows: null, sample: null });
    expect(r.json<{ columns: { headers: unknown }[] }>().columns.map((c) => c.headers)).toEqual([
      null,
      null,
      null,
    ]);
    const human = await lake(['catalog', 'health/clinics', '--datasets', join(dir, 'none')], {
      cwd: dir,
      hooks,
    });
    expect(human.stdout).toMatch(/^period: +not shown for a deployed lake$/m);
    expect(human.stdout).toMatch(
      /^in quarantine: +not shown for a deployed lake: `lake status --dataset health\/clinics`$/m,
    );
    expect(human.stdout).toContain(
      'original headers: ? = not kept by this deployment (deploy again to keep them)',
    );
    expect(athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input).toEqual({
      QueryString: 'SELECT count(*) AS n, max(_ingested_at) AS last FROM "health"."clinics"',
      WorkGroup: 'publicdatalake-query-workgroup',
    });
  });
});

describe('the same dataset model, locally and deployed', () => {
  // A hashed resident ID with a description long enough to cut the Glue comment.
  const contract = datasetSchema.parse({
    name: 'residents',
    department: 'health',
    title: 'Residents served',
    classification: 'internal',
    mode: 'append',
    fields: [
      {
        name: 'resident_key',
        type: 'string',
        title: 'Resident key',
        headers: ['居民编号', 'resident no.'],
        constraints: { required: true },
      },
      {
        name: 'resident_id',
        pii: 'cn_resident_id',
        protect: 'hash',
        classification: 'restricted',
        description: `居民身份证号码，经密钥哈希处理后仍可跨数据集关联。${'x'.repeat(400)}`,
      },
      { name: 'mobile', pii: 'cn_mobile' },
      { name: 'bank_card', pii: 'bank_card', protect: 'drop' },
      { name: 'birth_year', type: 'year', pii: 'other', protect: 'keep', classification: 'public' },
      { name: 'visits', type: 'integer' },
    ],
  });

  /** The Glue database and table the stack synthesizes for the contract (as CloudFormation would create them). */
  function synthesized() {
    const stack = fastStack();
    new DepartmentCatalog(stack, 'Catalog', {
      department: { id: 'health', name: OWNER_NAME, uploaders: [] },
      datasets: [contract],
      curatedBucket: s3Bucket.Bucket.fromBucketName(stack, 'Curated', 'lake-curated'),
      tag: false,
    });
    const template = Template.fromStack(stack);
    const [database] = Object.values(template.findResources('AWS::Glue::Database'));
    const [table] = Object.values(template.findResources('AWS::Glue::Table'));
    return { database: database.Properties.DatabaseInput, table: table.Properties.TableInput };
  }

  it('describes every column with the same personal data, protection and classification', async () => {
    // Prepare
    const { database, table } = synthesized();
    const local = tableColumns(datasetModel(contract)).map(columnInfo);
    glue.on(GetDatabaseCommand, { Name: 'health' }).resolves({ Database: database });
    glue.on(GetTableCommand, { DatabaseName: 'health', Name: 'residents' }).resolves({ Table: table });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-9' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { QueryExecutionId: 'q-9', StatementType: 'DML', Status: { State: 'SUCCEEDED' } },
    });
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { Rows: [] } });
    // Act
    const r = await lake(['catalog', 'health/residents', '--json', '--datasets', join(dir, 'none')], {
      cwd: dir,
      hooks,
    });
    // Assess
    expect(r.code).toBe(0);
    const deployed = r.json<{ owner: string; columns: ColumnInfo[] }>();
    const facts = (columns: ColumnInfo[]) =>
      columns.map((c) => [c.name, c.type, c.pii, c.protect, c.classification, c.partition ?? false]);
    expect(facts(deployed.columns)).toEqual(facts(local));
    expect(facts(local)).toEqual([
      ['resident_key', 'string', null, null, 'internal', false],
      ['resident_id', 'string', 'cn_resident_id', 'hash', 'restricted', false],
      ['mobile', 'string', 'cn_mobile', 'mask', 'internal', false],
      ['birth_year', 'int', 'other', 'keep', 'public', false],
      ['visits', 'bigint', null, null, 'internal', false],
      ['_upload_id', 'string', null, null, 'internal', false],
      ['_source_line', 'bigint', null, null, 'internal', false],
      ['_ingested_at', 'timestamp', null, null, 'internal', false],
      ['ingest_date', 'string', null, null, 'internal', true],
    ]);
    // The header spellings and the whole description, as the contract gives them.
    const about = (columns: ColumnInfo[]) => columns.map((c) => [c.name, c.headers, c.description]);
    const headers = (name: string) => contract.fields.find((f) => f.name === name)?.headers ?? [];
    expect(about(deployed.columns)).toEqual(local.map((c) => [c.name, headers(c.name), c.description]));
    expect(deployed.columns[0]).toMatchObject({
      headers: ['居民编号', 'resident no.'],
      description: 'Resident key',
    });
    expect(deployed.columns[1].description).toHaveLength(contract.fields[1].description?.length ?? 0);
    // The comment was cut (Glue's 255 characters): the facts did not depend on it.
    const comment = table.StorageDescriptor.Columns[1].Comment as string;
    expect([...comment]).toHaveLength(255);
    expect(comment).not.toContain('personal data');
    expect(deployed.owner).toBe(OWNER_NAME);
  });
});

describe('redrive', () => {
  const DLQ_ARN = 'arn:aws-cn:sqs:cn-north-1:111122223333:lake-uploads-dlq';

  it("moves the dead-letter queue's messages back with one SQS move task", async () => {
    sqs
      .on(GetQueueAttributesCommand)
      .resolves({ Attributes: { QueueArn: DLQ_ARN, ApproximateNumberOfMessages: '3' } });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    const r = await lake(['redrive', '--json'], { cwd: dir, hooks });
    expect(r.code).toBe(EXIT.ok);
    expect(r.json()).toEqual({ mode: 'aws', deadLetterQueue: DLQ_ARN, messages: 3, taskHandle: 'task-1' });
    expect(sqs.commandCalls(GetQueueAttributesCommand)[0].args[0].input).toEqual({
      QueueUrl: OUTPUTS.PublicDataLake.DeadLetterQueueUrl,
      AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'],
    });
    // Without DestinationArn, SQS sends each message back to the queue it came from.
    expect(sqs.commandCalls(StartMessageMoveTaskCommand).map((c) => c.args[0].input)).toEqual([
      { SourceArn: DLQ_ARN },
    ]);
  });

  it('starts no move task when the dead-letter queue is empty', async () => {
    sqs
      .on(GetQueueAttributesCommand)
      .resolves({ Attributes: { QueueArn: DLQ_ARN, ApproximateNumberOfMessages: '0' } });
    const r = await lake(['redrive'], { cwd: dir, hooks });
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toContain('the dead-letter queue is empty');
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
  });
});

describe('finding the stack', () => {
  it('reads the outputs from CloudFormation with --stack', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: Object.entries(OUTPUTS).map(([StackName, o]) => ({
        StackName,
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: Object.entries(o).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      })),
    });
    glue.on(GetTablesCommand).resolves({ TableList: [] });
    const r = await lake(['catalog', '--stack', 'PublicDataLake', '--json', ...datasets], {
      cwd: ROOT,
      hooks,
    });
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({ datasets: [] });
    expect(glue.commandCalls(GetTablesCommand).map((c) => c.args[0].input.DatabaseName)).toEqual([
      'civil_affairs',
      'health',
    ]);
  });

  it('says no deployed stack was found when CloudFormation has none of that name', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'SomethingElse', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }],
    });
    const r = await lake(['query', 'SELECT 1', '--stack', 'PublicDataLake'], { cwd: ROOT, hooks });
    expect(r.code).toBe(EXIT.config);
    expect(r.stderr).toContain(
      'lake: no deployed stack found: no CloudFormation stack is named PublicDataLake*',
    );
    expect(r.stderr).toContain('or add --local to use the local lake');
  });

  it('uses the local lake with --local even where cdk-outputs.json is', async () => {
    const local = await tempLakeDir();
    try {
      const r = await lake(
        ['query', 'SELECT 42 AS answer', '--local', '--json', '--lake-dir', local.dir, ...datasets],
        { cwd: dir, hooks },
      );
      expect(r.json()).toEqual({ columns: [{ name: 'answer', type: 'INTEGER' }], rows: [{ answer: 42 }] });
      expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
    } finally {
      await local.remove();
    }
  });
});
