/**
 * The portal API Lambda (behind API Gateway, Cognito authorizer on every signed-in route). Set up once
 * per cold start: the configuration (its file beside the handler and its environment), the contracts
 * bundled beside the handler, the SDK clients.
 * Export: `handler`.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { defaultClients } from '../../src/cli/aws/aws-clients.ts';
import { readContractsBundle } from '../../src/ingest/contracts-bundle.ts';
import { poolKeys } from '../../src/portal/cognito-token.ts';
import { readPortalApiConfig } from './config.ts';
import { portalHandler } from './portal-handler.ts';

const here = import.meta.url
  ? dirname(fileURLToPath(import.meta.url))
  : (process.env.LAMBDA_TASK_ROOT ?? process.cwd());
const config = readPortalApiConfig(process.env, here);
const contracts = readContractsBundle(
  isAbsolute(config.contractsFile) ? config.contractsFile : resolve(here, config.contractsFile),
);
const logger = new Logger({ serviceName: 'lake-portal-api' });

export const handler = portalHandler({
  config: config.lake,
  contracts,
  clients: defaultClients({ region: process.env.AWS_REGION }),
  db: new DynamoDBClient({}),
  accessApiUrl: config.accessApiUrl,
  region: process.env.AWS_REGION,
  signIn: config.issuer ? { issuer: config.issuer, keys: poolKeys(config.issuer) } : undefined,
  // The error's kind only: a message may quote what a user sent.
  onError: (e) => logger.error('portal request failed', { error: (e as Error)?.name ?? 'unknown' }),
});
