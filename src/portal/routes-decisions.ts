/**
 * The owning steward's decisions on access requests: approve (optionally until an earlier date), deny
 * and revoke, each with a reason where the access service asks one. The access service checks that the
 * steward's department owns the dataset; another department's request answers 404.
 */
import type { Hono } from 'hono';
import { type Principal, principalText } from '../access/principal.ts';
import type { Actor } from '../access/service.ts';
import { type PortalEnv, signedIn } from './env.ts';
import type { PortalServices } from './services.ts';

export function actorOf(p: Principal): Actor {
  return { principal: p, name: principalText(p) };
}

/** A body's text field, or undefined. */
export function textField(body: unknown, name: string): string | undefined {
  const v = (body as Record<string, unknown> | null)?.[name];
  return typeof v === 'string' ? v : undefined;
}

export function decisionRoutes(app: Hono<PortalEnv>, s: PortalServices): void {
  app.post('/api/requests/:id/:decision{approve|deny|revoke}', async (c) => {
    const who = actorOf(signedIn(c.get('who'), ['steward']));
    const id = c.req.param('id');
    const body = await c.req.json().catch(() => ({}));
    const reason = textField(body, 'reason') ?? '';
    const decision = c.req.param('decision');
    const d =
      decision === 'approve'
        ? await s.access.approve(who, id, { until: textField(body, 'until') || undefined })
        : decision === 'deny'
          ? await s.access.deny(who, id, reason)
          : await s.access.revoke(who, id, reason);
    return c.json(d);
  });
}
