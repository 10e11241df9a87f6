/**
 * `lake withdraw` and `lake erase` against the deployed lake: S3 on a local S3 server, STS and Secrets
 * Manager mocked with aws-sdk-client-mock. The withdrawal is a request the department's upload role writes
 * under its landing prefix and the transformer (processUpload, called as the Lambda would be) carries out;
 * a request naming another department's upload changes nothing. The erasure runs as the erasure role the
 * outputs name, with the hash key read from Secrets Manager, past raw's governance retention.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GlueClient } from '@aws-sdk/client-glue';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunHooks } from '../../src/cli/context.ts';
import { loadDatasets } from '../../src/contracts/index.ts';
import type { IngestReport } from '../../src/engine/report.ts';
import type { ErasureReceipt } from '../../src/ingest/erase-receipt.ts';
import { LOCAL_BUCKETS, LOCAL_CREDENTIALS, type LocalS3, startLocalS3 } from '../../src/ingest/local-s3.ts';
import { processUpload } from '../../src/ingest/process-upload.ts';
import { withdrawRequestKey } from '../../src/lake/layout.ts';
import { lake, ROOT, tempLakeDir } from './helpers.ts';

const sts = mockClient(STSClient);
const secrets = mockClient(SecretsManagerClient);

const CIVIL_ROLE = 'arn:aws-cn:iam::111122223333:role/civil-affairs-upload';
const HEALTH_ROLE = 'arn:aws-cn:iam::111122223333:role/health-upload';
const ERASURE_ROLE = 'arn:aws-cn:iam::111122223333:role/PublicDataLake-ErasureRole';
const HASH_KEY = Buffer.alloc(32, 7);
const department = (id: string, role: string) =>
  JSON.stringify({
    id,
    database: id,
    uploadRoleArn: role,
    reportsTopicArn: `arn:aws-cn:sns:cn-north-1:1:${id}`,
  });
const OUTPUTS = {
  PublicDataLake: {
    LandingBucket: LOCAL_BUCKETS.landing,
    RawBucket: LOCAL_BUCKETS.raw,
    CuratedBucket: LOCAL_BUCKETS.curated,
    QuarantineBucket: LOCAL_BUCKETS.quarantine,
    QueueUrl: 'https://sqs.cn-north-1.amazonaws.com.cn/111122223333/lake-uploads',
    HashKeySecretArn: 'arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:lake-hash-key',
    ErasureRoleArn: ERASURE_ROLE,
  },
  PublicDataLakeHealth: { DepartmentHealth: department('health', HEALTH_ROLE) },
  PublicDataLakeCivilAffairs: { DepartmentCivilAffairs: department('civil_affairs', CIVIL_ROLE) },
};
const SEPTEMBER = join(ROOT, 'examples/civil_affairs/assistance_payments/assistance-payments-2026-09.csv');
const PERSON = '520102194311069776'; // September's first recipient
const datasets = ['--datasets', join(ROOT, 'datasets')];

let dir: string;
let remove: () => Promise<void>;
let s3: LocalS3;
let hooks: RunHooks;
let client: S3Client;
const contracts = loadDatasets(join(ROOT, 'datasets'));
/** The transformer, as the Lambda runs it. */
const transform = (key: string) =>
  processUpload(
    { s3: client, buckets: s3.buckets, contracts, hashKey: HASH_KEY },
    { bucket: 'lake-landing', key },
  );

beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify(OUTPUTS, null, 2));
  s3 = await startLocalS3({ dir: join(dir, 's3') });
  client = s3.client();
  hooks = {
    awsPollMs: 20,
    awsClients: () => ({
      s3: () =>
        new S3Client({
          endpoint: s3.endpoint,
          region: 'cn-north-1',
          credentials: LOCAL_CREDENTIALS,
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
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIATEST',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3600_000),
    },
  });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: HASH_KEY.toString('hex') });
});
afterAll(async () => {
  sts.restore();
  secrets.restore();
  await s3.stop();
  await remove();
});

async function uploadSeptember(name: string): Promise<IngestReport> {
  const key = `landing/civil_affairs/assistance_payments/${name}`;
  await client.send(
    new PutObjectCommand({ Bucket: 'lake-landing', Key: key, Body: readFileSync(SEPTEMBER) }),
  );
  const r = await transform(key);
  expect(r.report?.status).toBe('accepted');
  return r.report as IngestReport;
}

async function reportOf(uploadId: string): Promise<IngestReport> {
  const key = `reports/civil_affairs/assistance_payments/${uploadId}.json`;
  const r = await client.send(new GetObjectCommand({ Bucket: 'lake-quarantine', Key: key }));
  return JSON.parse(await (r.Body?.transformToString() ?? '')) as IngestReport;
}

describe('lake withdraw on the deployed lake', () => {
  it("writes a request as the department's role, and returns once the transformer has withdrawn the upload", async () => {
    // Prepare
    const upload = await uploadSeptember('september.csv');
    sts.resetHistory();

    // Act: the CLI writes the request; the transformer picks it up once it lands
    const withdraw = lake(['withdraw', upload.uploadId, '--reason', 'wrong month', '--json', ...datasets], {
      cwd: dir,
      hooks,
    });
    const requestKey = withdrawRequestKey('civil_affairs', upload.uploadId);
    for (;;) {
      const head = client.send(new HeadObjectCommand({ Bucket: 'lake-landing', Key: requestKey }));
      if (
        await head.then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const processed = await transform(requestKey);
    const r = await withdraw;

    // Assess
    expect(r.code, r.stderr).toBe(0);
    expect(processed).toMatchObject({ outcome: 'withdrawn', uploadId: upload.uploadId });
    expect(r.json<IngestReport>().withdrawal).toMatchObject({
      reason: 'wrong month',
      completedAt: expect.any(String),
    });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toContain(CIVIL_ROLE);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).not.toContain(
      ERASURE_ROLE,
    );
  });

  it("changes nothing when a request names another department's upload", async () => {
    // Prepare: civil affairs' upload; health writes requests under its own prefix (all its role may write)
    const upload = await uploadSeptember('october.csv');
    const key = withdrawRequestKey('health', upload.uploadId);
    const put = (dataset: string) =>
      client.send(
        new PutObjectCommand({
          Bucket: 'lake-landing',
          Key: key,
          Body: JSON.stringify({ uploadId: upload.uploadId, dataset, by: 'health', reason: 'x' }),
        }),
      );

    // Act + Assess: naming civil affairs' dataset, then its own department with civil affairs' upload id
    await put('civil_affairs/assistance_payments');
    expect(await transform(key)).toMatchObject({
      outcome: 'ignored',
      reason: expect.stringContaining('outside department health'),
    });
    await put('health/assistance_payments');
    expect(await transform(key)).toMatchObject({
      outcome: 'ignored',
      reason: expect.stringContaining('no report'),
    });
    expect((await reportOf(upload.uploadId)).withdrawal).toBeUndefined();
  });
});

describe('lake erase on the deployed lake', () => {
  it('runs as the erasure role, reads the hash key from Secrets Manager, and removes the person', async () => {
    sts.resetHistory();
    const r = await lake(
      [
        'erase',
        '--person',
        PERSON,
        '--reason',
        'PIPL request 7',
        '--request',
        'pipl-7',
        '--json',
        ...datasets,
      ],
      {
        cwd: dir,
        hooks,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const receipt = r.json<ErasureReceipt>();
    expect(receipt).toMatchObject({
      requestId: 'pipl-7',
      rawRetention: 'governance retention bypassed by the erasure role',
      completedAt: expect.any(String),
    });
    // both Septembers: the withdrawn one's file in withdrawn/, the other in curated/; each raw copy
    expect(receipt.datasets['civil_affairs/assistance_payments']).toMatchObject({
      curatedRows: 2,
      rawLines: 2,
      rawObjects: 2,
    });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([ERASURE_ROLE]);
    expect(secrets.commandCalls(GetSecretValueCommand)[0].args[0].input.SecretId).toBe(
      OUTPUTS.PublicDataLake.HashKeySecretArn,
    );
    expect(JSON.stringify(receipt)).not.toContain(PERSON);
  });

  it('says what to do when the outputs name no erasure role', async () => {
    const { ErasureRoleArn: _, ...core } = OUTPUTS.PublicDataLake;
    writeFileSync(join(dir, 'old-outputs.json'), JSON.stringify({ ...OUTPUTS, PublicDataLake: core }));
    const r = await lake(
      ['erase', '--person', PERSON, '--reason', 'x', '--outputs', 'old-outputs.json', '--json', ...datasets],
      { cwd: dir, hooks },
    );
    expect(r.code).toBe(4);
    expect(r.error().code).toBe('no_erasure_role');
  });
});
