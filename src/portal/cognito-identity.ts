/**
 * Who asks the deployed portal: API Gateway's Cognito authorizer has verified the caller's ID token and
 * passes its claims in the Lambda event (`requestContext.authorizer.claims`); the user's `cognito:groups`
 * map to principals (cognito-groups.ts). A user in several groups picks one with the `X-Lake-As` header
 * (the portal's identity switcher); without it the first by precedence acts. A group the user is not in
 * is refused, never granted. No claims (a public route, or no token): the public.
 */
import type { Context } from 'hono';
import { type Principal, principalText } from '../access/principal.ts';
import { ApiError } from './api-error.ts';
import { principalsOfGroups } from './cognito-groups.ts';
import type { IdentityResolver } from './identity.ts';

/** The header a user in several groups names the principal they act as with (`analyst:health`). */
export const ACT_AS_HEADER = 'x-lake-as';

/** The verified claims API Gateway passes (REST API Cognito authorizer, or an HTTP API JWT authorizer). */
export function claimsOf(c: Context): Record<string, unknown> | null {
  const authorizer = (
    c.env as { event?: { requestContext?: { authorizer?: Record<string, unknown> } } } | undefined
  )?.event?.requestContext?.authorizer;
  const claims = authorizer?.claims ?? (authorizer?.jwt as { claims?: unknown } | undefined)?.claims;
  return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : null;
}

/**
 * The `cognito:groups` claim as a list. API Gateway flattens a list claim into text: `a,b` (REST API),
 * `[a b]` (HTTP API); a test or another authorizer may pass the list itself.
 */
export function groupsClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value !== 'string') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[,\s]+/)
    .filter(Boolean);
}

/** The principals the signed-in user may act as, by precedence (empty: not signed in, or in no portal group). */
export function principalsOf(c: Context, departments: readonly string[]): Principal[] {
  const claims = claimsOf(c);
  return claims ? principalsOfGroups(groupsClaim(claims['cognito:groups']), departments) : [];
}

/** The Cognito user's opaque id (`sub`), for session names and audit records; never their name or email. */
export function cognitoSubject(c: Context): string | null {
  const sub = claimsOf(c)?.sub;
  return typeof sub === 'string' && /^[\w-]{1,128}$/.test(sub) ? sub : null;
}

/** The deployed resolver: the user's principal as their groups and `X-Lake-As` say. */
export function cognitoIdentity(departments: readonly string[]): IdentityResolver {
  return (c) => {
    const mine = principalsOf(c, departments);
    const asked = c.req.header(ACT_AS_HEADER)?.trim();
    if (!asked) return mine[0] ?? null;
    const chosen = mine.find((p) => principalText(p) === asked);
    if (!chosen)
      throw new ApiError(
        403,
        'not_your_group',
        `you cannot act as "${asked.slice(0, 60)}": your sign-in is not in its group`,
        mine.length > 0
          ? `Act as one of: ${mine.map(principalText).join(', ')}; or ask the platform team to add you to its group.`
          : 'Sign in first (登录); the platform team adds you to your department’s group.',
      );
    return chosen;
  };
}
