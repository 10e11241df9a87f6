/**
 * Checks a Cognito ID token where API Gateway does not: the open catalogue's routes have no authorizer
 * (anyone may read them), yet a signed-in government user sends their token there too and should be seen
 * as who they are (government-only datasets, their access). The token counts only when its RS256
 * signature verifies against the pool's published keys, it was issued by that pool (`iss`), it is an ID
 * token, and it has not expired; anything else is the public, never an error.
 */
import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';

/** The pool's keys (its `/.well-known/jwks.json`), fetched once per function instance. */
export type KeySource = () => Promise<readonly JsonWebKey[]>;

export function poolKeys(issuer: string, fetchFn: typeof fetch = fetch): KeySource {
  let keys: Promise<readonly JsonWebKey[]> | undefined;
  return () => {
    keys ??= fetchFn(`${issuer}/.well-known/jwks.json`)
      .then((r) => {
        if (!r.ok) throw new Error(`the user pool's keys answered ${r.status}`);
        return r.json() as Promise<{ keys: JsonWebKey[] }>;
      })
      .then((body) => body.keys)
      .catch((e) => {
        keys = undefined; // Asked again by the next request.
        throw e;
      });
    return keys;
  };
}

function part(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    return value && typeof value === 'object' ? value : null;
  } catch {
    return null;
  }
}

/** The token's claims when it is a valid ID token of `issuer` at `now`, else null. */
export async function verifiedIdClaims(
  token: string,
  opts: { issuer: string; keys: KeySource; now: Date },
): Promise<Record<string, unknown> | null> {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [head, body, signature] = parts;
  const header = part(head);
  const claims = part(body);
  if (!header || !claims || header.alg !== 'RS256' || typeof header.kid !== 'string') return null;
  const jwk = (await opts.keys()).find((k) => (k as { kid?: string }).kid === header.kid);
  if (!jwk) return null;
  const valid = verify(
    'RSA-SHA256',
    Buffer.from(`${head}.${body}`),
    createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signature, 'base64url'),
  );
  if (!valid) return null;
  if (claims.iss !== opts.issuer || claims.token_use !== 'id') return null;
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= opts.now.getTime()) return null;
  return claims;
}
