/**
 * The access API Lambda (behind API Gateway with IAM auth; also the target of the expiry schedules).
 * Set up once per cold start: the configuration, the datasets' access facts (written beside the bundle),
 * the SDK clients. Export: `handler`.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { DynamoAccessStore } from '../../src/access/dynamo-store.ts';
import { AccessService } from '../../src/access/service.ts';
import { type AccessBundle, readAccessApiConfig } from './config.ts';
import { type ExpireEvent, LakeEffects } from './effects.ts';
import { handleAccessEvent } from './handle-request.ts';

const config = readAccessApiConfig(process.env);
const here = import.meta.url
  ? dirname(fileURLToPath(import.meta.url))
  : (process.env.LAMBDA_TASK_ROOT ?? process.cwd());
const file = isAbsolute(config.datasetsFile) ? config.datasetsFile : resolve(here, config.datasetsFile);
const bundle = JSON.parse(readFileSync(file, 'utf8')) as AccessBundle;
const datasets = new Map(bundle.datasets.map((d) => [d.dataset, d]));
const logger = new Logger({ serviceName: 'lake-access-api' });
const db = new DynamoDBClient({});
const lakeFormation = new LakeFormationClient({});
const scheduler = new SchedulerClient({});

export async function handler(event: APIGatewayProxyEvent | ExpireEvent, context: Context) {
  const service = new AccessService({
    store: new DynamoAccessStore(db, config.table),
    datasets,
    effects: new LakeEffects({
      lakeFormation,
      scheduler,
      datasets,
      databasePrefix: config.databasePrefix,
      functionArn: context.invokedFunctionArn.replace(/:[^:]+$/, (m) =>
        /^:\d+$|^:\$LATEST$/.test(m) ? '' : m,
      ),
      schedulerRoleArn: config.schedulerRoleArn,
      scheduleGroup: config.scheduleGroup,
    }),
  });
  return handleAccessEvent(event, {
    service,
    principals: bundle.principals,
    log: (message, extra) => logger.info(message, extra),
  });
}
