/**
 * The portal's HTTP application: the JSON API under /api (public, steward, analyst and enterprise routes) behind
 * the security middleware, and, locally, the built web app. The same Hono app runs in `lake serve` and
 * could run in a Lambda behind API Gateway (hono/aws-lambda): only the identity resolver (cookie or
 * Cognito claims) and the services (local lake or deployed stack) differ.
 */
import { Hono } from 'hono';
import { errorResponse } from './api-error.ts';
import type { PortalEnv } from './env.ts';
import type { IdentityResolver } from './identity.ts';
import { analystRoutes } from './routes-analyst.ts';
import { enterpriseRoutes } from './routes-enterprise.ts';
import { publicRoutes } from './routes-public.ts';
import { stewardRoutes } from './routes-steward.ts';
import { hostCheck, sameOrigin, securityHeaders } from './security.ts';
import type { PortalServices } from './services.ts';

export type { PortalEnv };
export type PortalApp = Hono<PortalEnv>;

export interface PortalAppOptions {
  services: PortalServices;
  identity: IdentityResolver;
  /** The Host values the app answers to (null: any, behind API Gateway). */
  hosts: (() => readonly string[]) | null;
  /** Runs each API call (the local server refreshes its view of the catalog between calls). */
  aroundApi?: (call: () => Promise<void>) => Promise<void>;
  /** Called with unexpected errors (the response says only that something failed). */
  onError?: (e: unknown) => void;
}

export function portalApp(opts: PortalAppOptions): PortalApp {
  const app = new Hono<PortalEnv>();
  app.use('*', securityHeaders());
  app.use('*', hostCheck(opts.hosts));
  app.use('/api/*', sameOrigin());
  app.use('/api/*', async (c, next) => {
    c.set('who', opts.identity(c));
    if (opts.aroundApi) await opts.aroundApi(next);
    else await next();
  });
  publicRoutes(app, opts.services);
  stewardRoutes(app, opts.services);
  analystRoutes(app, opts.services);
  enterpriseRoutes(app, opts.services);
  app.onError((e, c) => {
    const res = errorResponse(c, e);
    // What the person can fix is answered; anything else is also told to whoever runs the portal.
    if (res.status >= 500) opts.onError?.(e);
    return res;
  });
  return app;
}
