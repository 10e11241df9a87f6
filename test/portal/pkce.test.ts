/**
 * The deployed portal's sign-in logic (web/src/pkce.ts): its settings, PKCE's S256 challenge (RFC 7636's
 * own example), the authorize URL, the token exchange's request, the sign-out URL, and when and how the
 * ID token is renewed with the refresh token.
 */
import { describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  base64url,
  callbackParams,
  codeChallenge,
  logoutUrl,
  needsRefresh,
  parsePortalConfig,
  REFRESH_MARGIN_SECONDS,
  randomToken,
  refreshRequest,
  tokenAnswer,
  tokenExpiry,
  tokenRequest,
} from '../../web/src/pkce.ts';

const CONFIG = {
  signIn: 'cognito',
  signInUrl: 'https://lake-abc123.auth.cn-north-1.amazoncognito.com',
  clientId: '4example0client1id2',
  redirectUri: 'https://d111111abcdef8.cloudfront.net/',
};

describe('portal sign-in settings', () => {
  it('reads the deployed settings, and none from anything else (the local sign-in then)', () => {
    expect(parsePortalConfig(CONFIG)).toEqual(CONFIG);
    expect(parsePortalConfig({ ...CONFIG, signInUrl: `${CONFIG.signInUrl}/` })?.signInUrl).toBe(
      CONFIG.signInUrl,
    );
    expect(parsePortalConfig(null)).toBeNull();
    expect(parsePortalConfig({ ...CONFIG, signIn: 'local' })).toBeNull();
    expect(parsePortalConfig({ ...CONFIG, signInUrl: 'http://lake.example' })).toBeNull();
    expect(parsePortalConfig({ ...CONFIG, signInUrl: 'http://127.0.0.1.lake.example' })).toBeNull();
    expect(parsePortalConfig({ ...CONFIG, signInUrl: 'http://127.0.0.1:9000' })?.signInUrl).toBe(
      'http://127.0.0.1:9000',
    );
    expect(parsePortalConfig({ ...CONFIG, clientId: 'a b' })).toBeNull();
    expect(parsePortalConfig({ ...CONFIG, redirectUri: 'javascript:alert(1)' })).toBeNull();
  });
});

describe('PKCE', () => {
  it('derives the S256 challenge of RFC 7636’s example verifier', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes verifiers of 43 base64url characters, different each time', () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(a);
    // RFC 7636 appendix A: the octets 3, 236, 255, 224, 193.
    expect(base64url(new Uint8Array([3, 236, 255, 224, 193]))).toBe('A-z_4ME');
  });

  it('sends the sign-in button to the authorize endpoint: code flow, openid, S256 challenge, state', () => {
    const cfg = parsePortalConfig(CONFIG);
    if (!cfg) throw new Error('settings not read');
    const url = new URL(authorizeUrl(cfg, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 's-1'));
    expect(`${url.origin}${url.pathname}`).toBe(`${CONFIG.signInUrl}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: CONFIG.clientId,
      redirect_uri: CONFIG.redirectUri,
      scope: 'openid',
      state: 's-1',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
  });

  it('exchanges the code with a form POST carrying the verifier, and signs out through the logout endpoint', () => {
    const cfg = parsePortalConfig(CONFIG);
    if (!cfg) throw new Error('settings not read');
    const { url, init } = tokenRequest(cfg, 'c-1', 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    expect(url).toBe(`${CONFIG.signInUrl}/oauth2/token`);
    expect(init.method).toBe('POST');
    expect(init.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(init.body))).toEqual({
      grant_type: 'authorization_code',
      client_id: CONFIG.clientId,
      code: 'c-1',
      redirect_uri: CONFIG.redirectUri,
      code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
    });
    const out = new URL(logoutUrl(cfg));
    expect(`${out.origin}${out.pathname}`).toBe(`${CONFIG.signInUrl}/logout`);
    expect(Object.fromEntries(out.searchParams)).toEqual({
      client_id: CONFIG.clientId,
      logout_uri: CONFIG.redirectUri,
    });
  });

  it('reads a callback’s code and state, and a token’s expiry', () => {
    expect(callbackParams('?code=c-1&state=s-1')).toEqual({ code: 'c-1', state: 's-1' });
    expect(callbackParams('?code=c-1')).toBeNull();
    expect(callbackParams('')).toBeNull();
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    expect(tokenExpiry(`${enc({ alg: 'RS256' })}.${enc({ exp: 1780000000, sub: 'u' })}.sig`)).toBe(
      1780000000,
    );
    expect(tokenExpiry('not-a-jwt')).toBeNull();
  });
});

describe('portal token renewal', () => {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const jwt = (exp: number) => `${enc({ alg: 'RS256' })}.${enc({ exp, sub: 'u' })}.sig`;
  const now = 1_780_000_000_000;

  it('renews an ID token that is missing, expired or within two minutes of expiry, and no other', () => {
    expect(REFRESH_MARGIN_SECONDS).toBe(120);
    expect(needsRefresh(null, now)).toBe(true);
    expect(needsRefresh(jwt(now / 1000 - 1), now)).toBe(true);
    expect(needsRefresh(jwt(now / 1000 + 119), now)).toBe(true);
    expect(needsRefresh(jwt(now / 1000 + 120), now)).toBe(true);
    expect(needsRefresh(jwt(now / 1000 + 121), now)).toBe(false);
    expect(needsRefresh(jwt(now / 1000 + 3600), now)).toBe(false);
    expect(needsRefresh(jwt(now / 1000 + 600), now, 900)).toBe(true);
    // A token without an expiry is sent as it is: the API judges it.
    expect(needsRefresh('not-a-jwt', now)).toBe(false);
  });

  it('asks the token endpoint with the refresh token, as a public client (no secret)', () => {
    const cfg = parsePortalConfig(CONFIG);
    if (!cfg) throw new Error('the test settings do not parse');
    const { url, init } = refreshRequest(cfg, 'r-1');
    expect(url).toBe(`${CONFIG.signInUrl}/oauth2/token`);
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(Object.fromEntries(new URLSearchParams(init.body))).toEqual({
      grant_type: 'refresh_token',
      client_id: CONFIG.clientId,
      refresh_token: 'r-1',
    });
  });

  it('reads the tokens of the endpoint’s answer: the ID token, and a refresh token when one came', () => {
    expect(tokenAnswer({ id_token: 'i', access_token: 'a', refresh_token: 'r' })).toEqual({
      idToken: 'i',
      refreshToken: 'r',
    });
    expect(tokenAnswer({ id_token: 'i', access_token: 'a' })).toEqual({ idToken: 'i', refreshToken: null });
    expect(tokenAnswer({ error: 'invalid_grant' })).toBeNull();
    expect(tokenAnswer({ id_token: '' })).toBeNull();
    expect(tokenAnswer(null)).toBeNull();
  });
});
