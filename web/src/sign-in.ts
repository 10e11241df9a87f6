/**
 * How the page signs in. Served by `lake serve` there is no `/portal-config.json`: the local sign-in
 * (an identity kept in an HttpOnly cookie). Deployed, the file names the hosted sign-in: the button goes
 * there (code flow with PKCE, pkce.ts), the callback's code is exchanged for an ID token, kept in this
 * tab's sessionStorage (never localStorage: it ends with the tab) and sent bare in `Authorization` on API
 * calls, with `X-Lake-As` when the user picked one of their identities.
 */
import {
  authorizeUrl,
  callbackParams,
  codeChallenge,
  logoutUrl,
  type PortalConfig,
  parsePortalConfig,
  randomToken,
  tokenExpiry,
  tokenRequest,
} from './pkce.ts';

const KEYS = {
  verifier: 'lake-portal-pkce-verifier',
  state: 'lake-portal-pkce-state',
  token: 'lake-portal-id-token',
  actAs: 'lake-portal-act-as',
} as const;

let config: PortalConfig | null = null;

/** The deployed sign-in's settings, once startSignInFlow has read them (null: the local sign-in). */
export function portalConfig(): PortalConfig | null {
  return config;
}

/** The headers API calls carry: the ID token and the chosen identity (deployed only). */
export function authHeaders(): Record<string, string> {
  if (!config) return {};
  const token = sessionStorage.getItem(KEYS.token);
  if (!token) return {};
  const as = sessionStorage.getItem(KEYS.actAs);
  return { Authorization: token, ...(as ? { 'X-Lake-As': as } : {}) };
}

/** Whether the page holds an ID token that has not expired (deployed only). */
export function hasToken(): boolean {
  const token = sessionStorage.getItem(KEYS.token);
  if (!token) return false;
  const exp = tokenExpiry(token);
  if (exp !== null && exp * 1000 > Date.now()) return true;
  sessionStorage.removeItem(KEYS.token);
  return false;
}

/**
 * At start: reads `/portal-config.json` (absent: the local sign-in) and, on the callback from the hosted
 * sign-in, exchanges its code for the ID token. Throws with what to do when the exchange fails.
 */
export async function startSignInFlow(): Promise<PortalConfig | null> {
  const res = await fetch('/portal-config.json', { headers: { Accept: 'application/json' } });
  config = res.ok ? parsePortalConfig(await res.json().catch(() => null)) : null;
  if (!config) return null;
  const callback = callbackParams(location.search);
  if (!callback) return config;
  // The code and state leave the address bar whatever happens next.
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  const verifier = sessionStorage.getItem(KEYS.verifier);
  const state = sessionStorage.getItem(KEYS.state);
  sessionStorage.removeItem(KEYS.verifier);
  sessionStorage.removeItem(KEYS.state);
  if (!verifier || !state || state !== callback.state)
    throw new Error('this sign-in was not started on this page: sign in again');
  const { url, init } = tokenRequest(config, callback.code, verifier);
  const answer = await fetch(url, init);
  const doc = (await answer.json().catch(() => null)) as { id_token?: unknown } | null;
  if (!answer.ok || typeof doc?.id_token !== 'string')
    throw new Error(`the sign-in service answered ${answer.status}: sign in again`);
  sessionStorage.setItem(KEYS.token, doc.id_token);
  return config;
}

/** Goes to the hosted sign-in, keeping the verifier and state for the callback. */
export async function signInDeployed(cfg: PortalConfig): Promise<void> {
  const verifier = randomToken();
  const state = randomToken();
  sessionStorage.setItem(KEYS.verifier, verifier);
  sessionStorage.setItem(KEYS.state, state);
  location.assign(authorizeUrl(cfg, await codeChallenge(verifier), state));
}

/** Forgets the token and goes through the hosted sign-in's logout back to the portal. */
export function signOutDeployed(cfg: PortalConfig): void {
  for (const k of Object.values(KEYS)) sessionStorage.removeItem(k);
  location.assign(logoutUrl(cfg));
}

/** Acts as another of the user's identities (their groups): sent as `X-Lake-As`. */
export function actAs(principal: string): void {
  sessionStorage.setItem(KEYS.actAs, principal);
}
