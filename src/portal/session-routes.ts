/**
 * The local sign-in: no passwords on the local lake; the sign-in page lists the local identities (a
 * steward and an analyst of each department in departments.yaml, and the enterprises that have asked
 * for access) and the choice is kept in an HttpOnly, SameSite=Strict cookie. Deployed, Cognito's hosted
 * sign-in takes this place and its groups map to the same principals.
 */
import type { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { principalText } from '../access/principal.ts';
import { ApiError } from './api-error.ts';
import type { PortalEnv } from './env.ts';
import { IDENTITY_COOKIE, mayActAs } from './identity.ts';
import { textField } from './routes-decisions.ts';

/** How long a local sign-in lasts. */
const SESSION_SECONDS = 8 * 3600;

export function sessionRoutes(app: Hono<PortalEnv>, identities: () => readonly string[]): void {
  app.get('/api/session', (c) => {
    const who = c.get('who');
    return c.json({ who: who ? principalText(who) : null, identities: identities(), signIn: 'local' });
  });

  app.post('/api/session', async (c) => {
    const as = textField(await c.req.json().catch(() => null), 'as') ?? '';
    if (!mayActAs(as, identities()))
      throw new ApiError(
        400,
        'bad_principal',
        `"${as.slice(0, 60)}" is not a local identity`,
        'Pick one of the identities the sign-in page lists, or name an enterprise (enterprise:<lowercase name>).',
      );
    setCookie(c, IDENTITY_COOKIE, as, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: SESSION_SECONDS,
    });
    return c.json({ who: as });
  });

  app.delete('/api/session', (c) => {
    deleteCookie(c, IDENTITY_COOKIE, { path: '/' });
    return c.json({ who: null });
  });
}
