/**
 * The deployed portal's sign-in logic (web/src/pkce.ts): its settings, PKCE's S256 challenge (RFC 7636's
 * own example), the authorize URL, the token exchange's request and the sign-out URL.
 */
import { describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  base64url,
  callbackParams,
  codeChallenge,
  logoutUrl,
  parsePortalConfig,
  randomToken,
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
