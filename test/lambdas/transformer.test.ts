import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeEventKey } from '../../lambdas/transformer/events.ts';
import { type HandlerDeps, handleEvent } from '../../lambdas/transformer/handle-event.ts';
import { secretHashKey } from '../../lambdas/transformer/hash-key-secret.ts';
import { CONTRACTS_BUNDLE_VERSION } from '../../src/ingest/contracts-bundle.ts';
import { TRANSFORMER_ENV } from '../../src/ingest/env.ts';
import { IngestConfigError } from '../../src/ingest/errors.ts';
import { hashKeyFingerprint } from '../../src/ingest/hash-key.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/ingest/local-s3.ts';
import { TRANSFORMER_METRICS as METRICS } from '../../src/ingest/metrics.ts';
import { readReport } from '../../src/ingest/process-upload.ts';
import { withdrawRequestObject } from '../../src/ingest/withdraw-request.ts';
import { curatedKey, uploadIdOf, withdrawRequestKey } from '../../src/lake/layout.ts';
import { hmacHex } from '../../src/privacy/protect.ts';
import {
  clinicsContract,
  contractsOf,
  fixture,
  getBytes,
  HASH_KEY,
  instrumentedClient,
  putFile,
  readParquetObject,
  startTestLake,
  type TestLake,
} from '../ingest/helpers.ts';

const CLINICS = { department: 'health', dataset: 'clinics' };
const SECRET_VERSION = 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE';

let lake: TestLake;
beforeAll(async () => {
  lake = await startTestLake();
});
afterAll(async () => {
  await lake?.stop();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** A key encoded the way S3 writes it into events: form-style, segment by segment. */
function eventKey(key: string): string {
  return key
    .split('/')
    .map((s) => encodeURIComponent(s).replaceAll('%20', '+'))
    .join('/');
}

/** The EventBridge event S3 sends for a new object, as an SQS record body. */
function objectCreated(bucket: string, key: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '111122223333',
    time: '2026-11-28T08:00:00Z',
    region: 'cn-northwest-1',
    resources: [`arn:aws-cn:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: {
        key: eventKey(key),
        size: 100,
        etag: 'b1946ac92492d2347c6235b4d2611184',
        sequencer: '617f08299329d189',
      },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '111122223333',
      'source-ip-address': '10.0.0.1',
      reason: 'PutObject',
      ...extra,
    },
  });
}

function sqsBatch(records: { messageId: string; body: string }[]) {
  return {
    Records: records.map((r) => ({
      ...r,
      receiptHandle: `handle-${r.messageId}`,
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws-cn:sqs:cn-northwest-1:111122223333:lake-transformer',
      awsRegion: 'cn-northwest-1',
    })),
  };
}

interface Recorded {
  logs: { level: string; message: string; extra: Record<string, unknown> }[];
  metrics: { dimensions: Record<string, string>; values: Record<string, number> }[];
}

function recorders(): { recorded: Recorded; logger: HandlerDeps['logger']; metrics: HandlerDeps['metrics'] } {
  const recorded: Recorded = { logs: [], metrics: [] };
  let pending = { dimensions: {} as Record<string, string>, values: {} as Record<string, number> };
  const log = (level: string) => (message: string, extra: Record<string, unknown>) =>
    recorded.logs.push({ level, message, extra });
  return {
    recorded,
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    metrics: {
      addDimension: (name, value) => {
        pending.dimensions[name] = value;
      },
      addMetric: (name, _unit, value) => {
        pending.values[name] = value;
      },
      publishStoredMetrics: () => {
        recorded.metrics.push(pending);
        pending = { dimensions: {}, values: {} };
      },
    },
  };
}

/**
 * The clinics fixture with one clinic's name tagged: bytes of their own, so the upload is published rather
 * than found to be a duplicate of an earlier test's upload of the same fixture into health/clinics.
 */
async function distinctClinics(tag: string): Promise<string> {
  return (await fixture('clinics.csv')).toString('utf8').replace('云岩区诊所', `云岩区诊所${tag}`);
}

describe('decodeEventKey', () => {
  it.each([
    ['landing/health/clinics/a.csv', 'landing/health/clinics/a.csv'],
    ['landing/health/clinics/2026+%E8%AF%8A%E6%89%80.csv', 'landing/health/clinics/2026 诊所.csv'],
    ['landing/health/clinics/c%2B%2B+notes.csv', 'landing/health/clinics/c++ notes.csv'],
    ['landing/health/clinics/year%3D2026.csv', 'landing/health/clinics/year=2026.csv'],
  ])('%s -> %s', (encoded, key) => {
    expect(decodeEventKey(encoded)).toBe(key);
  });
});

describe('handleEvent', () => {
  it('processes each record and answers only the failed ones for retry', async () => {
    // Prepare: a good upload (Chinese name with a space), one whose HeadObject fails, a malformed body,
    // an event of another kind
    const s3 = lake.s3.client();
    const goodKey = 'landing/health/clinics/2026年 诊所.csv';
    const badKey = 'landing/health/clinics/unreachable.csv';
    const good = await putFile(s3, lake.s3.buckets.landing, goodKey, await fixture('clinics.csv'));
    await putFile(s3, lake.s3.buckets.landing, badKey, await fixture('clinics.csv'));
    const { client } = instrumentedClient(lake, (r) => r.command === 'HeadObjectCommand' && r.key === badKey);
    const { recorded, logger, metrics } = recorders();
    let keyLoads = 0;
    const deps: HandlerDeps = {
      s3: client,
      buckets: lake.s3.buckets,
      contracts: contractsOf(clinicsContract()),
      hashKey: async () => {
        keyLoads++;
        return HASH_KEY;
      },
      logger,
      metrics,
    };
    const deleted = JSON.stringify({
      ...JSON.parse(objectCreated(lake.s3.buckets.landing, goodKey)),
      'detail-type': 'Object Deleted',
    });
    const event = sqsBatch([
      { messageId: 'm-good', body: objectCreated(lake.s3.buckets.landing, goodKey) },
      { messageId: 'm-throws', body: objectCreated(lake.s3.buckets.landing, badKey) },
      { messageId: 'm-malformed', body: '{"detail-type": "Object Created", "detail": {}' },
      { messageId: 'm-deleted', body: deleted },
    ]);

    // Act
    const response = await handleEvent(event, deps);

    // Assess
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-throws' }, { itemIdentifier: 'm-malformed' }],
    });
    const uploadId = uploadIdOf(goodKey, good.etag.replaceAll('"', ''), good.lastModified);
    const report = await readReport(s3, lake.s3.buckets.quarantine, CLINICS, uploadId);
    expect(report?.rows).toEqual({ total: 5, accepted: 3, rejected: 2 });
    expect(keyLoads).toBeGreaterThanOrEqual(1);

    const processed = recorded.logs.find(
      (l) => l.message === 'upload processed' && l.extra.messageId === 'm-good',
    );
    expect(processed?.extra).toMatchObject({
      uploadId,
      dataset: 'health/clinics',
      status: 'partial',
      rows: { total: 5, accepted: 3, rejected: 2 },
      key: goodKey,
    });
    const errors = recorded.logs.filter((l) => l.level === 'error').map((l) => l.extra.messageId);
    expect(errors).toEqual(['m-throws', 'm-malformed']);
    expect(recorded.metrics).toEqual([
      {
        dimensions: { department: 'health' },
        values: { [METRICS.rowsAccepted]: 3, [METRICS.rowsRejected]: 2, [METRICS.filesRejected]: 0 },
      },
    ]);
  });

  it('counts a rejected file, and nothing for a duplicate delivery', async () => {
    // Prepare
    const s3 = lake.s3.client();
    const key = 'landing/health/unknown/x.csv';
    await putFile(s3, lake.s3.buckets.landing, key, 'a,b\n1,2\n');
    const { recorded, logger, metrics } = recorders();
    const deps: HandlerDeps = {
      s3,
      buckets: lake.s3.buckets,
      contracts: contractsOf(clinicsContract()),
      hashKey: async () => HASH_KEY,
      logger,
      metrics,
    };
    const body = objectCreated(lake.s3.buckets.landing, key);

    // Act
    const response = await handleEvent(
      sqsBatch([
        { messageId: 'a', body },
        { messageId: 'b', body },
      ]),
      deps,
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(recorded.logs.filter((l) => l.message.startsWith('upload ')).map((l) => l.extra.outcome)).toEqual([
      'processed',
      'duplicate',
    ]);
    expect(recorded.metrics).toEqual([
      {
        dimensions: { department: 'health' },
        values: { [METRICS.rowsAccepted]: 0, [METRICS.rowsRejected]: 0, [METRICS.filesRejected]: 1 },
      },
    ]);
  });

  it("carries out a steward's withdrawal request, logged as withdrawn and counted in no metric", async () => {
    // Prepare: an upload of clinics, then health's request to withdraw it (and one naming another department)
    const s3 = lake.s3.client();
    const key = 'landing/health/clinics/to-withdraw.csv';
    // Bytes of its own: the same bytes as another test's upload would be a duplicate, publishing nothing.
    const csv = 'clinic_id,诊所名称,beds,opened_on,owner_name\nGZ009001,花溪区诊所,5,2020-01-02,王五\n';
    await putFile(s3, lake.s3.buckets.landing, key, csv);
    const { recorded, logger, metrics } = recorders();
    const deps: HandlerDeps = {
      s3,
      buckets: lake.s3.buckets,
      contracts: contractsOf(clinicsContract()),
      hashKey: async () => HASH_KEY,
      logger,
      metrics,
    };
    await handleEvent(
      sqsBatch([{ messageId: 'u', body: objectCreated(lake.s3.buckets.landing, key) }]),
      deps,
    );
    const uploadId = recorded.logs.find((l) => l.message === 'upload processed')?.extra.uploadId as string;
    const request = withdrawRequestObject({
      uploadId,
      dataset: 'health/clinics',
      by: 'health-steward',
      reason: 'the wrong file',
      requestedAt: '2026-11-28T09:00:00Z',
    });
    await putFile(s3, lake.s3.buckets.landing, request.key, request.body);
    const foreign = withdrawRequestKey('statistics', uploadId);
    await putFile(s3, lake.s3.buckets.landing, foreign, request.body);
    recorded.metrics.length = 0;

    // Act
    const response = await handleEvent(
      sqsBatch([
        { messageId: 'w', body: objectCreated(lake.s3.buckets.landing, request.key) },
        { messageId: 'x', body: objectCreated(lake.s3.buckets.landing, foreign) },
      ]),
      deps,
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const outcomes = recorded.logs.filter((l) => l.message.startsWith('upload ')).map((l) => l.extra.outcome);
    expect(outcomes.slice(-2)).toEqual(['withdrawn', 'ignored']);
    expect(recorded.logs.find((l) => l.message === 'withdrawal request refused')?.extra.reason).toContain(
      'outside department statistics',
    );
    expect(recorded.metrics).toEqual([]);
    const report = JSON.parse(
      (await getBytes(s3, lake.s3.buckets.quarantine, `reports/health/clinics/${uploadId}.json`)).toString(),
    );
    expect(report.withdrawal).toMatchObject({ by: 'health-steward', reason: 'the wrong file' });
    expect(report.withdrawal.completedAt).toEqual(expect.any(String));
  });

  it("records the secret's version in the report of an upload it hashed", async () => {
    // Prepare
    const s3 = lake.s3.client();
    const key = 'landing/health/clinics/versioned.csv';
    const put = await putFile(s3, lake.s3.buckets.landing, key, await distinctClinics('versioned'));
    const { logger, metrics } = recorders();
    const deps: HandlerDeps = {
      s3,
      buckets: lake.s3.buckets,
      contracts: contractsOf(clinicsContract()),
      hashKey: async () => ({ key: HASH_KEY, version: SECRET_VERSION }),
      logger,
      metrics,
    };

    // Act
    const response = await handleEvent(
      sqsBatch([{ messageId: 'v', body: objectCreated(lake.s3.buckets.landing, key) }]),
      deps,
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const uploadId = uploadIdOf(key, put.etag.replaceAll('"', ''), put.lastModified);
    const report = await readReport(s3, lake.s3.buckets.quarantine, CLINICS, uploadId);
    expect(report?.hashKeyVersion).toBe(SECRET_VERSION);
  });

  it('throws for an event that is not an SQS batch (the whole batch is retried)', async () => {
    const { logger, metrics } = recorders();
    const deps = {
      s3: lake.s3.client(),
      buckets: lake.s3.buckets,
      contracts: new Map(),
      hashKey: async () => HASH_KEY,
      logger,
      metrics,
    };
    await expect(handleEvent({ detail: {} }, deps)).rejects.toThrow();
  });
});

describe('secretHashKey', () => {
  it('reads the secret once, and again only after a failure', async () => {
    // Prepare
    const secrets = mockClient(SecretsManagerClient);
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('throttled'))
      .resolves({ SecretString: `${HASH_KEY.toString('hex')}\n`, VersionId: SECRET_VERSION });
    const load = secretHashKey(
      new SecretsManagerClient({ region: LOCAL_REGION }),
      'arn:aws-cn:secretsmanager:x',
    );

    // Act + Assess
    await expect(load()).rejects.toThrow('throttled');
    expect(await load()).toEqual({ key: HASH_KEY, version: SECRET_VERSION });
    expect(await load()).toEqual({ key: HASH_KEY, version: SECRET_VERSION });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    secrets.restore();
  });

  it('names the key by the fingerprint of its value when the endpoint gives no version id', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: HASH_KEY.toString('hex') });
    const load = secretHashKey(new SecretsManagerClient({ region: LOCAL_REGION }), 'the-secret');
    expect(await load()).toEqual({ key: HASH_KEY, version: hashKeyFingerprint(HASH_KEY) });
    secrets.restore();
  });

  it.each([
    ['not hex', { SecretString: 'not-a-hex-key' }, /hexadecimal/],
    ['too short', { SecretString: 'abcd' }, /at least 32 bytes/],
    ['binary', { SecretBinary: new Uint8Array([1, 2]) }, /no string value/],
  ])('refuses a secret that is %s', async (_what, value, message) => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves(value);
    const load = secretHashKey(new SecretsManagerClient({ region: LOCAL_REGION }), 'the-secret');
    const error = await load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestConfigError);
    expect((error as Error).message).toMatch(message);
    secrets.restore();
  });
});

describe('handler (module scope configuration)', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lake-handler-'));
    const bundle = { bundleVersion: CONTRACTS_BUNDLE_VERSION, datasets: [clinicsContract()] };
    await writeFile(join(work, 'contracts.json'), JSON.stringify(bundle));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  function stubEnvironment(): void {
    vi.stubEnv(TRANSFORMER_ENV.landingBucket, lake.s3.buckets.landing);
    vi.stubEnv(TRANSFORMER_ENV.rawBucket, lake.s3.buckets.raw);
    vi.stubEnv(TRANSFORMER_ENV.curatedBucket, lake.s3.buckets.curated);
    vi.stubEnv(TRANSFORMER_ENV.quarantineBucket, lake.s3.buckets.quarantine);
    vi.stubEnv(
      TRANSFORMER_ENV.hashKeySecretArn,
      'arn:aws-cn:secretsmanager:cn-northwest-1:111122223333:secret:lake-hash',
    );
    vi.stubEnv(TRANSFORMER_ENV.contractsFile, join(work, 'contracts.json'));
    // The SDK's own environment variables point the handler's S3 client at the local endpoint.
    vi.stubEnv('AWS_ENDPOINT_URL_S3', lake.s3.endpoint);
    vi.stubEnv('AWS_REGION', LOCAL_REGION);
    vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey);
    vi.stubEnv('AWS_REQUEST_CHECKSUM_CALCULATION', 'WHEN_REQUIRED');
    vi.stubEnv('AWS_RESPONSE_CHECKSUM_VALIDATION', 'WHEN_REQUIRED');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  }

  it('reads the hash key from Secrets Manager once across two invocations', async () => {
    // Prepare
    stubEnvironment();
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: HASH_KEY.toString('hex') });
    vi.resetModules();
    const { handler } = await import('../../lambdas/transformer/handler.ts');
    const s3 = lake.s3.client();
    const keys = ['landing/health/clinics/first.csv', 'landing/health/clinics/second.csv'];
    const objects = [];
    for (const key of keys)
      objects.push(await putFile(s3, lake.s3.buckets.landing, key, await distinctClinics(key)));

    // Act
    const responses = [];
    for (const [i, key] of keys.entries()) {
      responses.push(
        await handler(sqsBatch([{ messageId: `m${i}`, body: objectCreated(lake.s3.buckets.landing, key) }])),
      );
    }

    // Assess
    expect(responses).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({
      SecretId: 'arn:aws-cn:secretsmanager:cn-northwest-1:111122223333:secret:lake-hash',
    });
    const [first] = objects;
    const uploadId = uploadIdOf(keys[0], first.etag.replaceAll('"', ''), first.lastModified);
    const curated = await readParquetObject(
      s3,
      lake.s3.buckets.curated,
      curatedKey(CLINICS, uploadId, first.lastModified),
    );
    expect(curated.rows[0].owner_name).toBe(hmacHex(HASH_KEY, '张三丰'));
    secrets.restore();
  });

  it('fails its cold start naming every missing variable', async () => {
    stubEnvironment();
    vi.stubEnv(TRANSFORMER_ENV.landingBucket, '');
    vi.stubEnv(TRANSFORMER_ENV.hashKeySecretArn, '');
    vi.resetModules();
    await expect(import('../../lambdas/transformer/handler.ts')).rejects.toThrow(
      /LAKE_LANDING_BUCKET is not set; LAKE_HASH_KEY_SECRET_ARN is not set/,
    );
  });
});
