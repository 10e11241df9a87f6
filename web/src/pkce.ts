/**
 * The deployed portal's sign-in, as pure functions: its settings (`/portal-config.json`, written by the
 * stack), and the OAuth 2.0 authorization-code flow with PKCE (RFC 7636, S256) against the hosted
 * sign-in: the authorize URL, the token exchange's request, when and how the ID token is renewed with
 * the refresh token, the sign-out URL. No storage or page here
 * (sign-in.ts keeps the state); only what a browser and Node both have (Web Crypto, URL, btoa).
 */

/** `/portal-config.json` as lib/portal/portal.ts deploys it. */
export interface PortalConfig {
  signIn: 'cognito';
  /** The hosted sign-in's base URL (`https://<prefix>.auth.<region>.amazoncognito.com`). */
  signInUrl: string;
  clientId: string;
  /** The portal's own URL: the web client's only callback and sign-out URL. */
  redirectUri: string;
}

/** The settings when `doc` is a deployed portal's, else null (then the local sign-in applies). */
export function parsePortalConfig(doc: unknown): PortalConfig | null {
  const d = doc as Partial<Record<keyof PortalConfig, unknown>> | null;
  if (!d || typeof d !== 'object' || d.signIn !== 'cognito') return null;
  const { signInUrl, clientId, redirectUri } = d;
  if (typeof signInUrl !== 'string' || typeof clientId !== 'string' || typeof redirectUri !== 'string')
    return null;
  // HTTPS, or plain HTTP on this machine only (a local stand-in for the hosted sign-in).
  const secure =
    /^https:\/\//.test(signInUrl) || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(signInUrl);
  if (!secure || !/^[\w-]{1,128}$/.test(clientId)) return null;
  if (!/^https?:\/\//.test(redirectUri)) return null;
  return { signIn: 'cognito', signInUrl: signInUrl.replace(/\/+$/, ''), clientId, redirectUri };
}

/** Base64url without padding (RFC 7636 appendix A). */
export function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A random value of 32 bytes, base64url: a code verifier (43 characters) or a `state`. */
export function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** Where the sign-in button goes: the hosted sign-in's authorize endpoint, code flow with PKCE. */
export function authorizeUrl(cfg: PortalConfig, challenge: string, state: string): string {
  const url = new URL(`${cfg.signInUrl}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: cfg.clientId,
    redirect_uri: cfg.redirectUri,
    scope: 'openid',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

/** A request to the hosted sign-in's token endpoint, as fetch() takes it. */
export interface TokenRequest {
  url: string;
  init: { method: 'POST'; headers: Record<string, string>; body: string };
}

/** A form POST of `fields` to the token endpoint, as the public web client (no secret). */
function tokenEndpointPost(cfg: PortalConfig, fields: Record<string, string>): TokenRequest {
  return {
    url: `${cfg.signInUrl}/oauth2/token`,
    init: {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, client_id: cfg.clientId }).toString(),
    },
  };
}

/** The token exchange of the callback's code: a form POST to the token endpoint, with the verifier. */
export function tokenRequest(cfg: PortalConfig, code: string, verifier: string): TokenRequest {
  return tokenEndpointPost(cfg, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: cfg.redirectUri,
    code_verifier: verifier,
  });
}

/** Seconds before an ID token's expiry at which the page renews it (refresh_token grant). */
export const REFRESH_MARGIN_SECONDS = 120;

/**
 * Whether an ID token must be renewed before an API call at `nowMs`: it is missing, expired, or within
 * `marginSeconds` of its expiry. A token without an `exp` is sent as it is (the API judges it).
 */
export function needsRefresh(
  idToken: string | null,
  nowMs: number,
  marginSeconds: number = REFRESH_MARGIN_SECONDS,
): boolean {
  if (!idToken) return true;
  const exp = tokenExpiry(idToken);
  return exp !== null && exp * 1000 - marginSeconds * 1000 <= nowMs;
}

/** The renewal of the tokens: a refresh_token grant at the token endpoint (a public client: no secret). */
export function refreshRequest(cfg: PortalConfig, refreshToken: string): TokenRequest {
  return tokenEndpointPost(cfg, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

/**
 * The tokens in the token endpoint's answer: the ID token, and the refresh token when one came (the code
 * exchange sends one; a renewal keeps the one it was given). Null when there is no ID token.
 */
export function tokenAnswer(doc: unknown): { idToken: string; refreshToken: string | null } | null {
  const d = doc as { id_token?: unknown; refresh_token?: unknown } | null;
  if (!d || typeof d !== 'object' || typeof d.id_token !== 'string' || d.id_token === '') return null;
  return {
    idToken: d.id_token,
    refreshToken: typeof d.refresh_token === 'string' && d.refresh_token !== '' ? d.refresh_token : null,
  };
}

/** Where signing out goes: the hosted sign-in's logout, back to the portal. */
export function logoutUrl(cfg: PortalConfig): string {
  const url = new URL(`${cfg.signInUrl}/logout`);
  url.search = new URLSearchParams({ client_id: cfg.clientId, logout_uri: cfg.redirectUri }).toString();
  return url.toString();
}

/** The callback's `code` and `state` in a query string, or null when it is not a callback. */
export function callbackParams(search: string): { code: string; state: string } | null {
  const q = new URLSearchParams(search);
  const code = q.get('code');
  const state = q.get('state');
  return code && state ? { code, state } : null;
}

/** Seconds since the epoch at which a JWT expires (its `exp`), or null when it has none or is no JWT. */
export function tokenExpiry(jwt: string): number | null {
  const part = jwt.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : null;
  } catch {
    return null;
  }
}
