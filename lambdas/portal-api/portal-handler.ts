/**
 * The portal API behind API Gateway: the same Hono app as `lake serve` (src/portal/app.ts), with the
 * Cognito identity resolver and the deployed lake's services, built for each request (the services carry
 * the user's opaque id into the role sessions they open). The request is seen as CloudFront's viewers see
 * it: the portal's CloudFront function copies the viewer's Host into X-Lake-Viewer-Host, and the event's host
 * becomes that, so the same-origin check compares a browser's Origin with the portal's own address.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { principalText } from '../../src/access/principal.ts';
import type { AwsClientFactory } from '../../src/cli/aws/aws-clients.ts';
import type { DatasetContract } from '../../src/contracts/schema.ts';
import { portalApp } from '../../src/portal/app.ts';
import { type AwsPortalConfig, awsPortalServices } from '../../src/portal/aws-services.ts';
import { cognitoIdentity, principalsOf } from '../../src/portal/cognito-identity.ts';
import { type KeySource, verifiedIdClaims } from '../../src/portal/cognito-token.ts';
import type { PortalEnv } from '../../src/portal/env.ts';
import { VIEWER_HOST_HEADER } from './config.ts';

const HOST = /^[a-z0-9.-]{1,253}(:\d{1,5})?$/i;

export interface PortalHandlerDeps {
  config: AwsPortalConfig;
  contracts: ReadonlyMap<string, DatasetContract>;
  clients: AwsClientFactory;
  db: DynamoDBClient;
  fetch?: typeof fetch;
  now?: () => Date;
  onError?: (e: unknown) => void;
  /** The access API's base URL (a steward's inbox and decisions); absent: decisions answer 501. */
  accessApiUrl?: string | null;
  /** The region the access API's requests are signed for. @default - the URL's */
  region?: string;
  /** The user pool whose ID tokens the public routes read (they have no authorizer). */
  signIn?: { issuer: string; keys: KeySource };
}

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === name && v) return v;
  return undefined;
}

/** The event as the viewer sent it to CloudFront: its Host is the portal's, not API Gateway's. */
export function asViewerSaw(event: APIGatewayProxyEvent): APIGatewayProxyEvent {
  const host = header(event, VIEWER_HOST_HEADER);
  if (!host || !HOST.test(host)) return event;
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).filter(([k]) => k.toLowerCase() !== 'host'),
  );
  const multi = Object.fromEntries(
    Object.entries(event.multiValueHeaders ?? {}).filter(([k]) => k.toLowerCase() !== 'host'),
  );
  return {
    ...event,
    headers: { ...headers, host },
    multiValueHeaders: { ...multi, host: [host] },
    requestContext: { ...event.requestContext, domainName: host },
  };
}

/** The deployed sign-in's session: who the user acts as and whom else their groups let them act as. */
function sessionRoute(app: Hono<PortalEnv>, departments: readonly string[]): void {
  app.get('/api/session', (c) => {
    const who = c.get('who');
    return c.json({
      who: who ? principalText(who) : null,
      identities: principalsOf(c, departments).map(principalText),
      signIn: 'cognito',
    });
  });
}

/**
 * The event with the claims of a valid ID token sent to a route without an authorizer (the open
 * catalogue); unchanged when API Gateway verified it already, or when there is none or it is not valid.
 */
export async function withPublicRouteClaims(
  event: APIGatewayProxyEvent,
  signIn: PortalHandlerDeps['signIn'],
  now: Date,
): Promise<APIGatewayProxyEvent> {
  const token = header(event, 'authorization')?.replace(/^Bearer\s+/i, '');
  if (!signIn || !token || event.requestContext?.authorizer?.claims) return event;
  const claims = await verifiedIdClaims(token, { ...signIn, now }).catch(() => null);
  if (!claims) return event;
  return { ...event, requestContext: { ...event.requestContext, authorizer: { claims } } };
}

export function portalHandler(deps: PortalHandlerDeps) {
  const departments = deps.config.departments.map((d) => d.id);
  return async (original: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const event = await withPublicRouteClaims(original, deps.signIn, deps.now?.() ?? new Date());
    const claims = event.requestContext?.authorizer?.claims as Record<string, unknown> | undefined;
    const sub = typeof claims?.sub === 'string' && /^[\w-]{1,128}$/.test(claims.sub) ? claims.sub : null;
    const app = portalApp({
      services: awsPortalServices(deps.config, {
        clients: deps.clients,
        db: deps.db,
        contracts: deps.contracts,
        user: sub,
        fetch: deps.fetch,
        now: deps.now,
        accessApiUrl: deps.accessApiUrl,
        region: deps.region,
      }),
      identity: cognitoIdentity(departments),
      hosts: null,
      onError: deps.onError,
    });
    sessionRoute(app, departments);
    // hono's event types are its own copies of @types/aws-lambda's (the same shapes).
    const result = await handle(app)(asViewerSaw(event) as never, context as never);
    return result as unknown as APIGatewayProxyResult;
  };
}
