/**
 * Who is asking the portal: the principals the CLI's `--as` takes (src/access/principal.ts:
 * `steward:<department>`, `analyst:<department>`, `enterprise:<name>`), or nobody (the public). Locally
 * the sign-in page picks one and the server keeps it in an HttpOnly, SameSite=Strict cookie; deployed,
 * Cognito groups map to the same strings. Route handlers see only the parsed principal, never where it
 * came from.
 */

import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { type Principal, parsePrincipal } from '../access/principal.ts';

export type { Principal };

/** The cookie that holds the local sign-in. */
export const IDENTITY_COOKIE = 'lake_portal_as';

/** How the portal learns who asks: from a cookie locally, from Cognito's claims when deployed. */
export type IdentityResolver = (c: Context) => Principal | null;

/** Every identity the local sign-in offers: a steward and an analyst of each department, and the enterprises. */
export function localIdentities(
  departments: readonly { id: string }[],
  enterprises: readonly string[] = [],
): string[] {
  return [
    ...departments.flatMap((d) => [`steward:${d.id}`, `analyst:${d.id}`]),
    ...enterprises.map((e) => `enterprise:${e}`),
  ];
}

/**
 * Whether the local sign-in accepts `text`: one of the identities it offers, or an enterprise by any
 * name the CLI's `--as enterprise:<name>` takes (enterprises are not declared anywhere).
 */
export function mayActAs(text: string, offered: readonly string[]): boolean {
  return offered.includes(text) || /^enterprise:[a-z][a-z0-9_]*$/.test(text);
}

/** The local resolver: the cookie's principal when the sign-in accepts it, else the public. */
export function cookieIdentity(offered: readonly string[], departments: readonly string[]): IdentityResolver {
  return (c) => {
    const text = getCookie(c, IDENTITY_COOKIE);
    if (!text || !mayActAs(text, offered)) return null;
    try {
      return parsePrincipal(text, departments);
    } catch {
      return null;
    }
  };
}
