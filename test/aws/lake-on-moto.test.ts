/**
 * The AWS path against an independent AWS implementation: moto, served on a free loopback port. The
 * fixture lake is synthesized with its real transformer asset and deployed as `cdk deploy` would
 * (deploy-lake.ts); then the upload path runs end to end: `lake ingest` as the department's role (STS
 * AssumeRole) → S3 → EventBridge (moto delivers S3's "Object Created" events to the rule) → SQS → the
 * bundled transformer run with plain node from the asset directory, fed as Lambda's event source mapping
 * would (transformer-poller.ts) → the report; then `status`, `report`, `catalog` (Glue, Athena) and
 * `redrive`. The CLI runs as its own process with the standard endpoint settings and nothing else.
 * Where moto lacks a part, the test says which and does or checks it another way; the summary printed at
 * the end lists the requests made, what was deployed and how, the uploads processed, and those gaps.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient, GetWorkGroupCommand } from '@aws-sdk/client-athena';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import {
  GetBucketCorsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFileKey } from '../../src/ingest/open/build-open.ts';
import { OPEN_CATALOG_KEY, reportKey } from '../../src/lake/layout.ts';
import { FIXTURES } from '../cdk/helpers.ts';
import { type AssetRuntime, startAssetRuntime } from './asset-runtime.ts';
import { queueAthenaResult } from './athena-results.ts';
import { Coverage } from './coverage.ts';
import { deployLake, type LakeDeployment } from './deploy-lake.ts';
import { motoJson, motoQuery, motoRest, motoXml } from './moto-call.ts';
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, MOTO_REGION, type Moto, startMoto } from './moto-server.ts';
import { type LakeRun, runLake } from './run-lake.ts';
import { moveMessages } from './sqs-move-task.ts';
import { type SynthLake, synthLake } from './synth-lake.ts';
import { drainQueue, type MappingSettings } from './transformer-poller.ts';

const coverage = new Coverage();
let moto: Moto;
let lake: SynthLake;
let deployed: LakeDeployment;
let runtime: AssetRuntime;
let cwd: string;
let s3: S3Client;
let sqs: SQSClient;
let mapping: MappingSettings;
let core: Record<string, string>;

/** The CLI's environment: credentials, and one endpoint setting per service, S3 on a host name. */
function cliEnv(): Record<string, string> {
  const port = new URL(moto.endpoint).port;
  return {
    PATH: process.env.PATH ?? '',
    HOME: cwd,
    USER: 'steward',
    NO_COLOR: '1',
    AWS_CONFIG_FILE: join(cwd, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(cwd, 'no-aws-credentials'),
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    // A host name, not an IP: the SDK would address bucket.localhost unless the CLI asks for path-style.
    AWS_ENDPOINT_URL_S3: `http://localhost:${port}`,
    AWS_ENDPOINT_URL_STS: moto.endpoint,
    AWS_ENDPOINT_URL_SQS: moto.endpoint,
    AWS_ENDPOINT_URL_GLUE: moto.endpoint,
    AWS_ENDPOINT_URL_ATHENA: moto.endpoint,
    AWS_ENDPOINT_URL_CLOUDFORMATION: moto.endpoint,
  };
}

const FIXTURE_ARGS = [
  '--datasets',
  join(FIXTURES, 'datasets'),
  '--departments',
  join(FIXTURES, 'departments.yaml'),
];

async function lakeCli(args: string[]): Promise<LakeRun> {
  coverage.command(shown(args));
  return runLake([...args, ...FIXTURE_ARGS], { cwd, env: cliEnv() }).done;
}

/** Runs commands at once while the transformer consumes the queue, as the deployed function would. */
async function whileTransforming(commands: string[][]): Promise<LakeRun[]> {
  const runs = commands.map((args) => {
    coverage.command(shown(args));
    return runLake([...args, ...FIXTURE_ARGS], { cwd, env: cliEnv() });
  });
  while (runs.some((r) => !r.exited())) {
    await drainQueue(sqs, runtime, mapping);
    await new Promise((r) => setTimeout(r, 150));
  }
  return Promise.all(runs.map((r) => r.done));
}

/** A command line as the summary shows it: files by their name only. */
function shown(args: string[]): string {
  return args.map((a) => (a.startsWith('/') ? (a.split('/').pop() ?? a) : a)).join(' ');
}

/** 25 clinics and one row with a bad licence number: published with one row quarantined (partial). */
function clinicsCsv(upload: number): string {
  const rows = Array.from({ length: 25 }, (_, i) => {
    const id = String(upload * 100 + i).padStart(6, '0');
    return `GZ${id},南明区诊所${i},520102199001011234,2015-03-18,${i},4.5`;
  });
  return `clinic_id,clinic_name,owner_id_number,opened_on,beds,rating\n${rows.join('\n')}\nGZ00000X,bad id,,2015-03-18,1,1\n`;
}

beforeAll(async () => {
  // moto boots in its own process while the app is synthesized.
  const starting = startMoto().catch((e: Error) => {
    console.error(`\n\n*** ${e.message} ***\n`);
    throw e;
  });
  let started = Date.now();
  lake = synthLake();
  coverage.phase('synthesis with the bundled transformer asset', Date.now() - started);
  started = Date.now();
  moto = await starting;
  coverage.phase('moto up (after synthesis)', Date.now() - started);
  started = Date.now();
  const config = { endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS };
  s3 = new S3Client({ ...config, forcePathStyle: true });
  sqs = new SQSClient({ ...config, useQueueUrlAsEndpoint: false });
  deployed = await deployLake({ endpoint: moto.endpoint, s3 }, lake, coverage);
  core = deployed.stacks[0].outputs;
  coverage.phase('deployment', Date.now() - started);
  cwd = mkdtempSync(join(tmpdir(), 'lake-moto-cwd-'));
  // What `cdk deploy --all --outputs-file cdk-outputs.json` writes.
  writeFileSync(
    join(cwd, 'cdk-outputs.json'),
    JSON.stringify(Object.fromEntries(deployed.stacks.map((s) => [s.name, s.outputs]))),
  );
  const esm = deployed.eventSourceMappings[0];
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: core.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  mapping = {
    queueUrl: core.QueueUrl,
    queueArn: Attributes?.QueueArn ?? '',
    batchSize: esm?.BatchSize ?? 10,
    reportBatchItemFailures: esm?.FunctionResponseTypes?.includes('ReportBatchItemFailures') ?? false,
  };
  // The function's environment as deployed, and what Lambda's runtime adds; endpoints by AWS_ENDPOINT_URL.
  const fn = deployed.transformer;
  runtime = startAssetRuntime(lake.transformerAsset, {
    PATH: process.env.PATH ?? '',
    ...(fn.Environment?.Variables ?? {}),
    AWS_LAMBDA_FUNCTION_NAME: fn.FunctionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String((fn as { MemorySize?: number }).MemorySize ?? ''),
    LAMBDA_TASK_ROOT: lake.transformerAsset,
    AWS_REGION: MOTO_REGION,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    // A host name here too: the function's S3 client must address it path-style.
    AWS_ENDPOINT_URL: `http://localhost:${new URL(moto.endpoint).port}`,
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
}, 240_000);

afterAll(async () => {
  if (moto) console.log(coverage.render(moto.requests));
  await runtime?.stop();
  s3?.destroy();
  sqs?.destroy();
  await moto?.stop();
  if (lake) rmSync(lake.outdir, { recursive: true, force: true });
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('the lake deployed on moto', () => {
  it('deploys every stack through CloudFormation, and the rest from the same templates', async () => {
    expect(deployed.stacks.map((s) => s.name)).toEqual([
      'Lake',
      'Lake-health',
      'Lake-statistics',
      'Lake-civil-affairs',
    ]);
    // Every resource of every template is accounted for: by CloudFormation, by an API call, or named.
    const templateIds = lake.stacks.flatMap((s) =>
      Object.keys(s.template.Resources).map((id) => `${s.name}/${id}`),
    );
    expect(coverage.resources.map((r) => `${r.stack}/${r.id}`).sort()).toEqual(templateIds.sort());
    const byCfn = coverage.resources.filter((r) => r.how === 'cloudformation');
    expect(new Set(byCfn.map((r) => r.type))).toContain('AWS::Lambda::Function');

    // Glue tables as their TableInput says.
    const glue = new GlueClient({
      endpoint: moto.endpoint,
      region: MOTO_REGION,
      credentials: MOTO_CREDENTIALS,
    });
    const health = lake.stacks.find((s) => s.name === 'Lake-health')?.template;
    const clinics = Object.values(health?.Resources ?? {}).find(
      (r) => r.Type === 'AWS::Glue::Table' && r.Properties?.TableInput.Name === 'clinics',
    );
    const { Table } = await glue.send(new GetTableCommand({ DatabaseName: 'lake_health', Name: 'clinics' }));
    expect(Table?.StorageDescriptor?.Columns?.map((c) => [c.Name, c.Type])).toEqual(
      clinics?.Properties?.TableInput.StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => [
        c.Name,
        c.Type,
      ]),
    );
    expect(Table?.Parameters?.['lake.owner']).toBe('health');
    glue.destroy();

    // Lake Formation: the clinics table's tags (public, and shared on request), and every grant of the
    // templates.
    const tags = await motoRest(moto.endpoint, 'lakeformation', 'POST', '/GetResourceLFTags', {
      Resource: { Table: { CatalogId: MOTO_ACCOUNT, DatabaseName: 'lake_health', Name: 'clinics' } },
    });
    const clinicsTags = Object.values(health?.Resources ?? {}).find(
      (r) =>
        r.Type === 'AWS::LakeFormation::TagAssociation' && r.Properties?.Resource.Table?.Name === 'clinics',
    );
    expect(tags.LFTagsOnTable).toEqual(clinicsTags?.Properties?.LFTags);
    expect(tags.LFTagsOnTable).toContainEqual({
      CatalogId: MOTO_ACCOUNT,
      TagKey: 'classification',
      TagValues: ['public'],
    });
    const grants = await motoRest(moto.endpoint, 'lakeformation', 'POST', '/ListPermissions', {});
    const templateGrants = lake.stacks.flatMap((s) =>
      Object.values(s.template.Resources).filter(
        (r) => r.Type === 'AWS::LakeFormation::PrincipalPermissions',
      ),
    );
    expect(grants.PrincipalResourcePermissions).toHaveLength(templateGrants.length);

    // The alarms, each notifying the alarm topic.
    const alarms = await motoQuery(moto.endpoint, 'monitoring', {
      Action: 'DescribeAlarms',
      Version: '2010-08-01',
    });
    const templateAlarms = Object.values(lake.stacks[0].template.Resources).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm',
    );
    expect(alarms.match(/<AlarmName>/g)).toHaveLength(templateAlarms.length);
    expect(alarms).toContain(`<AlarmActions><member>${core.AlarmTopicArn}</member></AlarmActions>`);

    // The analysts' workgroup with the template's result location, encryption and scan limit.
    const athena = new AthenaClient({
      endpoint: moto.endpoint,
      region: MOTO_REGION,
      credentials: MOTO_CREDENTIALS,
    });
    const { WorkGroup } = await athena.send(new GetWorkGroupCommand({ WorkGroup: core.WorkGroup }));
    expect(WorkGroup?.Configuration?.ResultConfiguration?.OutputLocation).toBe(
      `s3://${core.QueryResultsBucket}/athena/public/`,
    );
    expect(WorkGroup?.Configuration?.EnforceWorkGroupConfiguration).toBe(true);
    athena.destroy();

    // The landing bucket is versioned (its events reaching EventBridge is what the ingest tests show).
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: core.LandingBucket }));
    expect(versioning.Status).toBe('Enabled');

    // The event source mapping as deployed: one upload per invocation, partial batch responses.
    expect(mapping.batchSize).toBe(1);
    expect(mapping.reportBatchItemFailures).toBe(true);
    coverage.gap(
      'Lambda: moto runs functions in Docker only; the event source mapping is deployed, then disabled',
      'test/aws/transformer-poller.ts polls the queue with the mapping as deployed and runs the asset with plain node',
    );
    coverage.gap(
      "EventBridge's S3 events: moto writes the object key as stored, S3 URL-encodes it",
      'the poller encodes it as S3 does (s3EventKey); decodeEventKey in test/lambdas/transformer.test.ts',
    );
  });

  it('deploys the access requests, and the portal API and sign-in, from the same templates', async () => {
    const template = lake.stacks[0].template;
    const physical = deployed.stacks[0].physical;
    const only = (type: string, path: string) => {
      const found = Object.entries(template.Resources).filter(
        ([, r]) => r.Type === type && String(r.Metadata?.['aws:cdk:path'] ?? '').includes(path),
      );
      expect(found.map(([id]) => id)).toHaveLength(1);
      return found[0];
    };

    // The access-requests table, by moto's CloudFormation, with the template's keys.
    const [tableId, table] = only('AWS::DynamoDB::Table', '/Access/');
    const dynamodb = new DynamoDBClient({
      endpoint: moto.endpoint,
      region: MOTO_REGION,
      credentials: MOTO_CREDENTIALS,
    });
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: physical.get(tableId) }));
    dynamodb.destroy();
    expect(Table?.KeySchema).toEqual(table.Properties?.KeySchema);
    expect(Table?.AttributeDefinitions).toEqual(table.Properties?.AttributeDefinitions);
    expect(Table?.DeletionProtectionEnabled).toBe(true);

    // The access API: its URL (an output) names the REST API and stage made through API Gateway, whose
    // routes integrate the access function.
    const url = /^https:\/\/([^.]+)\.execute-api\.eu-west-1\.amazonaws\.com\/([^/]+)\/$/.exec(
      core.AccessApiUrl,
    );
    expect(url).not.toBeNull();
    const [, apiId, stageName] = url ?? [];
    const stages = await motoRest(moto.endpoint, 'apigateway', 'GET', `/restapis/${apiId}/stages`);
    expect(stages.item.map((s: { stageName: string }) => s.stageName)).toEqual([stageName]);
    const resources = await motoRest(moto.endpoint, 'apigateway', 'GET', `/restapis/${apiId}/resources`);
    const byPath = new Map<string, string>(
      resources.item.map((r: { path: string; id: string }) => [r.path, r.id]),
    );
    expect([...byPath.keys()]).toEqual(
      expect.arrayContaining(['/requests', '/log', '/departments/{department}/requests/{id}/{decision}']),
    );
    const integration = await motoRest(
      moto.endpoint,
      'apigateway',
      'GET',
      `/restapis/${apiId}/resources/${byPath.get('/requests')}/methods/POST/integration`,
    );
    const [functionId] = only('AWS::Lambda::Function', '/Access/Function/');
    expect(integration.uri).toContain(`:function:${physical.get(functionId)}/invocations`);
    // The function lets that API (its real id, made before the stack) invoke it, as the template says.
    const { Policy } = await motoRest(
      moto.endpoint,
      'lambda',
      'GET',
      `/2015-03-31/functions/${encodeURIComponent(physical.get(functionId) ?? '')}/policy`,
    );
    const sources = JSON.parse(Policy).Statement.map(
      (s: { Condition?: { ArnLike?: Record<string, string> } }) => s.Condition?.ArnLike?.['AWS:SourceArn'],
    );
    const templatePermissions = Object.values(template.Resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Permission' &&
        JSON.stringify(r.Properties?.FunctionName).includes(functionId),
    );
    expect(sources).toHaveLength(templatePermissions.length);
    for (const source of sources)
      expect(source).toMatch(new RegExp(`^arn:aws:execute-api:eu-west-1:${MOTO_ACCOUNT}:${apiId}/`));

    // The portal API answers only requests that carry the API key CloudFront sends: every method of its
    // template requires the key (the access API's, signed with IAM, do not), the key's value is the origin
    // secret's (the template's dynamic reference), the usage plan puts the key on the portal's stage, and
    // a request without it gets the template's 403.
    const methodsOf = async (restApiId: string) =>
      (await motoRest(moto.endpoint, 'apigateway', 'GET', `/restapis/${restApiId}/resources`)).item.flatMap(
        (r: { resourceMethods?: Record<string, { apiKeyRequired?: boolean }> }) =>
          Object.values(r.resourceMethods ?? {}),
      );
    const [portalApiId] = only('AWS::ApiGateway::RestApi', '/Portal/Api/');
    const portalApi = physical.get(portalApiId) ?? '';
    const templateMethods = (restApiId: string) =>
      Object.values(template.Resources).filter(
        (r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties?.RestApiId?.Ref === restApiId,
      );
    const portalMethods = await methodsOf(portalApi);
    expect(portalMethods.length).toBeGreaterThan(0);
    expect(portalMethods).toHaveLength(templateMethods(portalApiId).length);
    for (const m of portalMethods) expect(m.apiKeyRequired).toBe(true);
    const accessMethods = await methodsOf(apiId);
    expect(accessMethods).toHaveLength(
      templateMethods(only('AWS::ApiGateway::RestApi', '/Access/')[0]).length,
    );
    for (const m of accessMethods) expect(m.apiKeyRequired).toBe(false);
    const [secretId] = only('AWS::SecretsManager::Secret', '/Portal/Api/OriginSecret/');
    const { SecretString } = await motoJson(
      moto.endpoint,
      'secretsmanager',
      'secretsmanager.GetSecretValue',
      {
        SecretId: physical.get(secretId),
      },
    );
    const [keyId] = only('AWS::ApiGateway::ApiKey', '/Portal/Api/OriginSecret/');
    const key = await motoRest(
      moto.endpoint,
      'apigateway',
      'GET',
      `/apikeys/${physical.get(keyId)}?includeValue=true`,
    );
    expect(key.enabled).toBe(true);
    expect(SecretString).toHaveLength(64);
    expect(key.value).toBe(SecretString);
    const [planId] = only('AWS::ApiGateway::UsagePlan', '/Portal/Api/OriginSecret/');
    const plan = await motoRest(moto.endpoint, 'apigateway', 'GET', `/usageplans/${physical.get(planId)}`);
    const [, portalStage] = only('AWS::ApiGateway::Stage', '/Portal/Api/');
    expect(plan.apiStages).toEqual([{ apiId: portalApi, stage: portalStage.Properties?.StageName }]);
    const planKeys = await motoRest(
      moto.endpoint,
      'apigateway',
      'GET',
      `/usageplans/${physical.get(planId)}/keys`,
    );
    expect(planKeys.item.map((k: { id: string }) => k.id)).toEqual([physical.get(keyId)]);
    const [, notThroughPortal] = only('AWS::ApiGateway::GatewayResponse', '/Portal/Api/');
    const answer = await motoRest(
      moto.endpoint,
      'apigateway',
      'GET',
      `/restapis/${portalApi}/gatewayresponses/INVALID_API_KEY`,
    );
    expect(notThroughPortal.Properties?.ResponseType).toBe('INVALID_API_KEY');
    expect(answer.statusCode).toBe('403');
    expect(answer.responseTemplates).toEqual(notThroughPortal.Properties?.ResponseTemplates);

    // The portal's browser uploads: the landing bucket lets the portal's origin (and only it) PUT, as the
    // custom resource's call says (made by API here, see the summary).
    const { CORSRules } = await s3.send(new GetBucketCorsCommand({ Bucket: core.LandingBucket }));
    expect(CORSRules?.map((r) => [r.AllowedOrigins, r.AllowedMethods])).toEqual([
      [[new URL(core.PortalUrl).origin], ['PUT']],
    ]);

    // Sign-in: the user pool with the template's groups; the web client's callback is the portal's URL.
    const groups = await motoJson(
      moto.endpoint,
      'cognito-idp',
      'AWSCognitoIdentityProviderService.ListGroups',
      { UserPoolId: core.PortalUserPoolId },
    );
    const templateGroups = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Cognito::UserPoolGroup')
      .map((r) => r.Properties?.GroupName);
    expect(groups.Groups.map((g: { GroupName: string }) => g.GroupName).sort()).toEqual(
      templateGroups.sort(),
    );
    const client = await motoJson(
      moto.endpoint,
      'cognito-idp',
      'AWSCognitoIdentityProviderService.DescribeUserPoolClient',
      { UserPoolId: core.PortalUserPoolId, ClientId: core.PortalClientId },
    );
    expect(client.UserPoolClient.CallbackURLs).toEqual([core.PortalUrl]);

    // The open-data zone: the transformer writes to the deployed open bucket and names the distribution's
    // URL (a stand-in, see the summary); the origin access controls are made through CloudFront's API.
    const env = deployed.transformer.Environment?.Variables ?? {};
    expect(env.LAKE_OPEN_BUCKET).toBe(core.OpenDataBucket);
    expect(env.LAKE_OPEN_BASE_URL).toBe(core.OpenDataUrl);
    await s3.send(new HeadBucketCommand({ Bucket: core.OpenDataBucket }));
    const controls = await motoXml(moto.endpoint, 'cloudfront', 'GET', '/2020-05-31/origin-access-control');
    const templateControls = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::CloudFront::OriginAccessControl',
    );
    expect(controls.match(/<SigningBehavior>always<\/SigningBehavior>/g)).toHaveLength(
      templateControls.length,
    );
  });

  const NAMES = ['诊所 名录 2026-12.csv', 'clinics+v2 100%.csv'];

  it('ingests as the department role, end to end through S3, EventBridge, SQS and the asset', async () => {
    // Two uploads at once, their keys with spaces, `+`, `%` and Chinese characters.
    const runs = whileTransforming(
      NAMES.map((name, i) => {
        const file = join(cwd, `upload-${i}.csv`);
        writeFileSync(file, clinicsCsv(i + 1));
        return ['ingest', file, '--dataset', 'health/clinics', '--name', name, '--json'];
      }),
    );

    for (const [i, run] of (await runs).entries()) {
      const name = NAMES[i];
      expect(run.code, run.stderr).toBe(0);
      const report = run.json();
      expect(report.status).toBe('partial');
      expect(report.rows).toEqual({ total: 26, accepted: 25, rejected: 1 });
      expect(report.source.key).toBe(`landing/health/clinics/${name}`);
      coverage.upload(report.source.key, report.status, report.rows);
      // The original, byte-identical in raw/, and the outputs the report names, under their exact keys.
      const uploadId = report.uploadId as string;
      const raw = await s3.send(
        new ListObjectsV2Command({ Bucket: core.RawBucket, Prefix: 'raw/health/clinics/' }),
      );
      const copy = raw.Contents?.find((o) => o.Key?.endsWith(`/${uploadId}/${name}`));
      const original = await s3.send(new GetObjectCommand({ Bucket: core.RawBucket, Key: copy?.Key }));
      expect(await original.Body?.transformToString()).toBe(clinicsCsv(i + 1));
      expect(report.outputs.map((o: { kind: string }) => o.kind).sort()).toEqual(['curated', 'quarantine']);
      for (const o of report.outputs as { kind: string; key: string }[]) {
        const bucket = o.kind === 'curated' ? core.CuratedBucket : core.QuarantineBucket;
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: o.key }));
      }
      const ref = { department: 'health', dataset: 'clinics' };
      await s3.send(new HeadObjectCommand({ Bucket: core.QuarantineBucket, Key: reportKey(ref, uploadId) }));
    }
  });

  it('opens an unconditionally open dataset: its files and the DCAT-AP catalogue in the open bucket', async () => {
    const file = join(cwd, 'pharmacies-2026-12.csv');
    const rows = Array.from(
      { length: 12 },
      (_, i) => `YD${String(i + 1).padStart(6, '0')},药店${i},520102,2024-0${(i % 9) + 1}-15`,
    );
    writeFileSync(file, `pharmacy_id,药店名称,county_code,licensed_on\n${rows.join('\n')}\n`);
    const [run] = await whileTransforming([['ingest', file, '--dataset', 'health/pharmacies', '--json']]);
    expect(run.code, run.stderr).toBe(0);
    const report = run.json();
    expect(report.status).toBe('accepted');
    coverage.upload(report.source.key, report.status, report.rows);

    const ref = { department: 'health', dataset: 'pharmacies' };
    const text = async (key: string) => {
      const r = await s3.send(new GetObjectCommand({ Bucket: core.OpenDataBucket, Key: key }));
      return Buffer.from((await r.Body?.transformToByteArray()) ?? []);
    };
    // The CSV opens in Excel (UTF-8 with BOM) and holds every accepted row under the contract's names.
    const csv = await text(openFileKey(ref, 'csv'));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.subarray(3).toString('utf8').trim().split(/\r?\n/);
    expect(lines[0]).toBe('pharmacy_id,pharmacy_name,county_code,licensed_on');
    expect(lines).toHaveLength(13);
    // Parquet (its magic bytes at both ends) and the data dictionary.
    const parquet = await text(openFileKey(ref, 'parquet'));
    expect(parquet.subarray(0, 4).toString()).toBe('PAR1');
    expect(parquet.subarray(-4).toString()).toBe('PAR1');
    const dictionary = JSON.parse((await text(openFileKey(ref, 'dictionary-json'))).toString('utf8'));
    expect(dictionary.columns.map((c: { name: string }) => c.name)).toEqual([
      'pharmacy_id',
      'pharmacy_name',
      'county_code',
      'licensed_on',
    ]);
    // The catalogue names the distribution's URLs (the stack's OpenDataUrl), one per file.
    const catalog = JSON.parse((await text(OPEN_CATALOG_KEY)).toString('utf8'));
    expect(catalog['@type']).toBe('dcat:Catalog');
    const dataset = catalog['dcat:dataset'].find(
      (d: { 'dct:identifier': string }) => d['dct:identifier'] === 'health/pharmacies',
    );
    const urls = dataset['dcat:distribution'].map(
      (d: { 'dcat:downloadURL': { '@id': string } }) => d['dcat:downloadURL']['@id'],
    );
    expect(urls).toContain(`${core.OpenDataUrl}health/pharmacies/pharmacies.csv`);
    for (const url of urls) expect(url.startsWith(core.OpenDataUrl)).toBe(true);
    // Only this dataset is open: the clinics (personal and restricted columns) never reach the bucket.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: core.OpenDataBucket }));
    expect(listed.Contents?.some((o) => o.Key?.includes('clinics'))).toBe(false);
  });

  it('took the department role, and addressed S3 path-style on a host-name endpoint', async () => {
    expect(moto.requests.get('sts AssumeRole')).toBeGreaterThan(0);
    // Path-style: the CLI's and the function's S3 requests came to localhost:<port>, none to
    // <bucket>.localhost:<port>.
    const port = new URL(moto.endpoint).port;
    expect(moto.hosts.get(`localhost:${port}`)).toBeGreaterThan(0);
    expect([...moto.hosts.keys()].filter((h) => h.endsWith(`.localhost:${port}`))).toEqual([]);
    const { Versions } = await s3.send(
      new ListObjectVersionsCommand({ Bucket: core.LandingBucket, Prefix: 'landing/health/clinics/' }),
    );
    expect(Versions?.map((v) => v.Key).sort()).toEqual(
      NAMES.map((n) => `landing/health/clinics/${n}`).sort(),
    );
  });

  it('treats a redelivered event as a duplicate: nothing is written twice', async () => {
    const { Versions } = await s3.send(
      new ListObjectVersionsCommand({ Bucket: core.QuarantineBucket, Prefix: 'reports/' }),
    );
    const body = JSON.stringify({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: core.LandingBucket }, object: { key: `landing/health/clinics/${NAMES[0]}` } },
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: core.QueueUrl, MessageBody: body }));

    const outcome = await drainQueue(sqs, runtime, mapping);

    expect(outcome).toEqual({ batches: 1, succeeded: 1, failed: 0 });
    const after = await s3.send(
      new ListObjectVersionsCommand({ Bucket: core.QuarantineBucket, Prefix: 'reports/' }),
    );
    expect(after.Versions?.length).toBe(Versions?.length);
  });

  it('lists the uploads (status) and reads one (report) as the department', async () => {
    const status = await lakeCli(['status', '--dataset', 'health/clinics', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const uploads = status.json().uploads as { uploadId: string; sourceKey: string }[];
    expect(uploads.map((u) => u.sourceKey).sort()).toEqual(
      NAMES.map((n) => `landing/health/clinics/${n}`).sort(),
    );

    const report = await lakeCli(['report', uploads[0].uploadId, '--json']);
    expect(report.code, report.stderr).toBe(0);
    expect(report.json().uploadId).toBe(uploads[0].uploadId);
    expect(report.json().errors[0].column).toBe('clinic_id');
  });

  it('reads the catalog from Glue, and a dataset with its rows counted on Athena in the workgroup', async () => {
    // moto runs no SQL: the count query's answer is queued on moto's Athena first, as Athena would give it.
    coverage.gap(
      'Athena: moto runs no SQL, it answers the results queued through its /moto-api/',
      'the queries themselves: test/cli/demo.test.ts runs the demo queries on DuckDB',
    );
    await queueAthenaResult(
      moto.direct,
      [
        ['n', 'last'],
        ['25', '2026-12-01 10:00:00.000'],
      ],
      [
        { Name: 'n', Label: 'n', Type: 'bigint' },
        { Name: 'last', Label: 'last', Type: 'timestamp' },
      ],
    );

    const [list, detail] = await Promise.all([
      lakeCli(['catalog', '--json']),
      lakeCli(['catalog', 'health/clinics', '--json']),
    ]);

    expect(list.code, list.stderr).toBe(0);
    const datasets = list.json().datasets as { dataset: string; owner: string }[];
    expect(datasets.map((d) => d.dataset).sort()).toEqual([
      'health/clinics',
      'health/pharmacies',
      'health/visits',
      'statistics/population',
    ]);
    expect(datasets.find((d) => d.dataset === 'health/clinics')?.owner).toBe('Provincial Health Commission');
    expect(detail.code, detail.stderr).toBe(0);
    expect(detail.json().rows).toBe(25);
    expect(detail.json().table).toBe('lake_health.clinics');
    expect(detail.json().columns.map((c: { name: string }) => c.name)).toContain('owner_id_number');
    expect(moto.requests.get('athena StartQueryExecution')).toBe(1);
  });

  it('shows an Athena result that came without column metadata, not "0 rows"', async () => {
    await queueAthenaResult(
      moto.direct,
      [
        ['county', 'clinics'],
        ['南明区', '12'],
      ],
      [],
    );

    const run = await lakeCli([
      'query',
      'SELECT county, count(*) AS clinics FROM lake_health.clinics GROUP BY 1',
      '--json',
    ]);

    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toEqual({
      columns: [
        { name: 'county', type: 'varchar' },
        { name: 'clinics', type: 'varchar' },
      ],
      rows: [{ county: '南明区', clinics: '12' }],
    });
  });

  it('finds the stacks with --stack on CloudFormation, and without a region says to set one', async () => {
    const [found, noRegion] = await Promise.all([
      lakeCli([
        'status',
        '--dataset',
        'health/clinics',
        '--stack',
        'Lake',
        '--region',
        MOTO_REGION,
        '--json',
      ]),
      lakeCli(['status', '--stack', 'Lake', '--json']),
    ]);

    expect(found.code, found.stderr).toBe(0);
    expect(found.json().uploads).toHaveLength(NAMES.length);
    expect(noRegion.code).toBe(4);
    const error = JSON.parse(noRegion.stderr).error;
    expect(error.code).toBe('no_region');
    expect(error.hint).toMatch(/--region/);
    expect(error.hint).toMatch(/AWS_REGION/);
  });

  it('sends a failed upload to the dead-letter queue, and redrive brings it back to be processed', async () => {
    // An S3 outage on one upload: the transformer's reads of it fail, SQS delivers it maxReceiveCount times.
    const file = join(cwd, 'outage.csv');
    writeFileSync(file, clinicsCsv(7));
    const upload = await lakeCli(['upload', file, '--dataset', 'health/clinics', '--json']);
    expect(upload.code, upload.stderr).toBe(0);
    moto.outage = (method, path) => method !== 'PUT' && path.includes('/landing/health/clinics/outage.csv');
    const failing = await drainQueue(sqs, runtime, mapping);
    moto.outage = undefined;
    expect(failing).toEqual({ batches: 3, succeeded: 0, failed: 3 });
    const dlq = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: core.DeadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(dlq.Attributes?.ApproximateNumberOfMessages).toBe('1');

    // lake redrive reaches the dead-letter queue through AWS_ENDPOINT_URL_SQS (its URL names amazonaws.com)
    // and asks for the move task, which moto lacks.
    const redrive = await lakeCli(['redrive', '--json']);
    expect(moto.requests.get('sqs StartMessageMoveTask')).toBeGreaterThan(0);
    expect(redrive.code).toBe(1);
    coverage.gap(
      'SQS StartMessageMoveTask: moto lacks it (lake redrive reaches it and gets an error)',
      'test/cli/aws.test.ts asserts the request and test/faults/poison.test.ts the redrive; here the test moves the messages as the task does',
    );
    expect(await moveMessages(sqs, core.DeadLetterQueueUrl, core.QueueUrl)).toBe(1);

    const processed = await drainQueue(sqs, runtime, mapping);

    expect(processed).toEqual({ batches: 1, succeeded: 1, failed: 0 });
    const [status, empty] = await Promise.all([
      lakeCli(['status', '--dataset', 'health/clinics', '--json']),
      lakeCli(['redrive', '--json']),
    ]);
    const outage = status
      .json()
      .uploads.find((u: { sourceKey: string }) => u.sourceKey.endsWith('outage.csv'));
    expect(outage.status).toBe('partial');
    coverage.upload(outage.sourceKey, outage.status, outage.rows);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.json()).toMatchObject({ mode: 'aws', messages: 0, taskHandle: null });
  });
});
