/**
 * The deployed portal acting as one of the lake's roles for a signed-in user: the portal API's role
 * assumes the role in a session named after the user's opaque Cognito id (`lake-cli-portal-<sub>`), which
 * is the only session name the roles trust it for (lib/departments). S3, Athena, the access API and
 * CloudTrail then see the role the user acts as, and the session name tells which user, without their name.
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { SESSION_NAME_PREFIX } from '../cli/aws/aws-backend.ts';
import type { AwsClientFactory } from '../cli/aws/aws-clients.ts';
import { ApiError } from './api-error.ts';

/** Temporary credentials of an assumed role. */
export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The name the portal's sessions give their user (`portal-<sub>`): the CLI prefixes `lake-cli-`. */
export function portalUser(sub: string | null): string {
  return `portal-${sub ?? 'public'}`;
}

/** The role session name of the portal acting for the user `sub` (what the lake's roles trust). */
export function portalSessionName(sub: string): string {
  return `${SESSION_NAME_PREFIX}-${portalUser(sub)}`.slice(0, 64);
}

/** How long the portal's sessions last: STS's shortest, longer than any request the API answers. */
export const PORTAL_SESSION_SECONDS = 900;

/**
 * Credentials of `roleArn` assumed for the user `sub`. Throws what STS throws (the role does not trust the
 * portal, or does not exist): the caller turns it into an answer naming what to fix.
 */
export async function assumeForUser(
  clients: AwsClientFactory,
  roleArn: string,
  sub: string,
): Promise<RoleCredentials> {
  const sts = clients.sts();
  try {
    const r = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: portalSessionName(sub),
        DurationSeconds: PORTAL_SESSION_SECONDS,
      }),
    );
    const c = r.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS returned no credentials');
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  } finally {
    sts.destroy();
  }
}

/**
 * As assumeForUser, but a role the portal cannot act as answers 403 saying `what` role it is (e.g. "the
 * health department’s portal analyst role") and `hint` (what the platform team should fix).
 */
export async function actAs(
  clients: AwsClientFactory,
  roleArn: string,
  sub: string,
  what: string,
  hint: string,
): Promise<RoleCredentials> {
  try {
    return await assumeForUser(clients, roleArn, sub);
  } catch {
    throw new ApiError(403, 'forbidden', `the portal cannot act as ${what}`, hint);
  }
}
