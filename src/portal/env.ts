/**
 * What every route handler shares: the Hono environment (the principal the request is made as, set by
 * the app from its identity resolver) and the sign-in check that names what to do when it fails.
 */
import type { Principal } from '../access/principal.ts';
import { ApiError } from './api-error.ts';

export interface PortalEnv {
  Variables: { who: Principal | null };
}

/** The signed-in principal, of one of the kinds `as` names when given; else a 401 or 403 that says what to do. */
export function signedIn(who: Principal | null, as?: Principal['kind'][]): Principal {
  if (!who)
    throw new ApiError(401, 'not_signed_in', 'this page needs a signed-in identity', 'Sign in first (登录).');
  if (as && !as.includes(who.kind))
    throw new ApiError(
      403,
      'forbidden',
      `this page is for ${as.join(' or ')}s; you are signed in as ${who.kind}:${who.id}`,
      `Sign in as ${as.map((k) => `${k}:<department>`).join(' or ')}.`,
    );
  return who;
}
