/**
 * How the page signs in. Served by `lake serve` there is no `/portal-config.json`: the local sign-in
 * (an identity kept in an HttpOnly cookie). Deployed, the file names the hosted sign-in: the button goes
 * there (code flow with PKCE, pkce.ts), the callback's code is exchanged for an ID token and a refresh
 * token, kept in this tab's sessionStorage (never localStorage: they end with the tab); the ID token is
 * sent bare in `Authorization` on API calls, with `X-Lake-As` when the user picked one of their
 * identities. Before a call whose ID token has expired or is about to, the refresh token renews it (one
 * renewal at a time); when that fails, the tokens are dropped and the sign-in page says why.
 */
import {
  authorizeUrl,
  callbackParams,
  codeChallenge,
  logoutUrl,
  needsRefresh,
  type PortalConfig,
  parsePortalConfig,
  randomToken,
  refreshRequest,
  tokenAnswer,
  tokenExpiry,
  tokenRequest,
} from './pkce.ts';
import { navigate } from './router.ts';

const KEYS = {
  verifier: 'lake-portal-pkce-verifier',
  state: 'lake-portal-pkce-state',
  token: 'lake-portal-id-token',
  refresh: 'lake-portal-refresh-token',
  actAs: 'lake-portal-act-as',
  ended: 'lake-portal-sign-in-ended',
} as const;

let config: PortalConfig | null = null;
/** The renewal under way, which every call waiting for a fresh token shares. */
let renewing: Promise<void> | null = null;

/** The deployed sign-in's settings, once startSignInFlow has read them (null: the local sign-in). */
export function portalConfig(): PortalConfig | null {
  return config;
}

/**
 * The headers API calls carry: the ID token, renewed first when it has expired or is about to, and the
 * chosen identity (deployed only).
 */
export async function authHeaders(): Promise<Record<string, string>> {
  if (!config) return {};
  const cfg = config;
  if (sessionStorage.getItem(KEYS.refresh) && needsRefresh(sessionStorage.getItem(KEYS.token), Date.now())) {
    renewing ??= renew(cfg).finally(() => {
      renewing = null;
    });
    await renewing;
  }
  const token = sessionStorage.getItem(KEYS.token);
  if (!token) return {};
  const as = sessionStorage.getItem(KEYS.actAs);
  return { Authorization: token, ...(as ? { 'X-Lake-As': as } : {}) };
}

/** A new ID token for the refresh token; on failure the tokens go and the sign-in page says why. */
async function renew(cfg: PortalConfig): Promise<void> {
  const refresh = sessionStorage.getItem(KEYS.refresh) ?? '';
  const { url, init } = refreshRequest(cfg, refresh);
  const answer = await fetch(url, init).catch(() => null);
  const tokens = answer?.ok ? tokenAnswer(await answer.json().catch(() => null)) : null;
  if (!tokens) {
    for (const k of [KEYS.token, KEYS.refresh, KEYS.actAs]) sessionStorage.removeItem(k);
    sessionStorage.setItem(KEYS.ended, '1');
    navigate('/signin');
    throw new Error(
      `your sign-in has ended and could not be renewed (the sign-in service answered ${answer?.status ?? 'nothing'}): sign in again`,
    );
  }
  sessionStorage.setItem(KEYS.token, tokens.idToken);
  if (tokens.refreshToken) sessionStorage.setItem(KEYS.refresh, tokens.refreshToken);
}

/** Whether the sign-in ended because it could not be renewed (read once: the sign-in page says so). */
export function signInEnded(): boolean {
  const ended = sessionStorage.getItem(KEYS.ended) === '1';
  sessionStorage.removeItem(KEYS.ended);
  return ended;
}

/**
 * Whether the page holds an ID token that has not expired, or a refresh token to renew it with (deployed
 * only).
 */
export function hasToken(): boolean {
  const token = sessionStorage.getItem(KEYS.token);
  const exp = token ? tokenExpiry(token) : null;
  if (token && exp !== null && exp * 1000 > Date.now()) return true;
  if (sessionStorage.getItem(KEYS.refresh)) return true;
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
  const tokens = answer.ok ? tokenAnswer(await answer.json().catch(() => null)) : null;
  if (!tokens) throw new Error(`the sign-in service answered ${answer.status}: sign in again`);
  sessionStorage.setItem(KEYS.token, tokens.idToken);
  if (tokens.refreshToken) sessionStorage.setItem(KEYS.refresh, tokens.refreshToken);
  else sessionStorage.removeItem(KEYS.refresh);
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
