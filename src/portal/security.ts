/**
 * The portal's security middleware: response headers that keep pages to their own scripts and styles
 * (a CSP without inline scripts), out of frames and without referrers; a Host check against DNS
 * rebinding (the local server answers only to the loopback names it is bound to); and the same-origin
 * check on every state-changing request, on top of the SameSite=Strict identity cookie.
 */
import type { MiddlewareHandler } from 'hono';
import { apiError } from './api-error.ts';

/** What pages may load: their own origin only, nothing inline, no frames, no plugins. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
    if (c.req.path.startsWith('/api/')) c.res.headers.set('Cache-Control', 'no-store');
  };
}

/** Requests whose Host is not one of `hosts()` (e.g. `127.0.0.1:8080`) are refused; null: any host. */
export function hostCheck(allowed: (() => readonly string[]) | null): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host') ?? '';
    const hosts = allowed?.();
    if (hosts && !hosts.includes(host.toLowerCase()))
      return apiError(
        c,
        421,
        'wrong_host',
        `this portal does not answer to the host "${host.slice(0, 80)}"`,
        {
          hint: `Open it at http://${hosts[0]}/.`,
        },
      );
    await next();
  };
}

/**
 * A state-changing request must come from the portal's own pages: an Origin header, when sent, is the
 * portal's; a browser's Sec-Fetch-Site, when sent, says same-origin. Clients that send neither (curl)
 * carry no ambient cookie of a victim, so the cookie's SameSite=Strict covers browsers.
 */
export function sameOrigin(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    const site = c.req.header('sec-fetch-site');
    const expected = new URL(c.req.url).origin;
    const host = c.req.header('host');
    const ok =
      (origin === undefined || origin === expected || (host !== undefined && origin === `http://${host}`)) &&
      (site === undefined || site === 'same-origin' || site === 'none');
    if (!ok)
      return apiError(c, 403, 'cross_origin', 'this request came from another site and was refused', {
        hint: 'Use the portal’s own pages to change anything.',
      });
    await next();
  };
}
