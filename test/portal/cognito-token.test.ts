/**
 * ID tokens read on the routes without an authorizer (src/portal/cognito-token.ts): signed by the pool's
 * key, issued by the pool, an ID token, unexpired; anything else is the public.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolKeys, verifiedIdClaims } from '../../src/portal/cognito-token.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** A JWT signed with `key` (RS256). */
function idToken(claims: Record<string, unknown>, key: KeyObject = privateKey, kid = 'k1'): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${enc({ alg: 'RS256', kid, typ: 'JWT' })}.${enc(claims)}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), key).toString('base64url')}`;
}

let server: Server;
let issuer: string;
let requests = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    if (req.url === '/cn-north-1_pool/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }],
        }),
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cn-north-1_pool`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const valid = () => ({
  sub: 'u-1',
  iss: issuer,
  token_use: 'id',
  exp: NOW.getTime() / 1000 + 600,
  'cognito:groups': ['steward-health'],
});

describe('ID tokens on public routes', () => {
  it('accepts a valid ID token of the pool, fetching its keys once', async () => {
    const keys = poolKeys(issuer);
    const before = requests;
    expect(await verifiedIdClaims(idToken(valid()), { issuer, keys, now: NOW })).toMatchObject({
      sub: 'u-1',
    });
    expect(await verifiedIdClaims(idToken(valid()), { issuer, keys, now: NOW })).not.toBeNull();
    expect(requests - before).toBe(1);
  });

  it('refuses a token signed by another key, or with an unknown key id', async () => {
    const keys = poolKeys(issuer);
    expect(await verifiedIdClaims(idToken(valid(), other.privateKey), { issuer, keys, now: NOW })).toBeNull();
    expect(await verifiedIdClaims(idToken(valid(), privateKey, 'k2'), { issuer, keys, now: NOW })).toBeNull();
  });

  it('refuses a changed payload', async () => {
    const [head, , sig] = idToken(valid()).split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...valid(), 'cognito:groups': ['steward-education'] }),
    ).toString('base64url');
    expect(
      await verifiedIdClaims(`${head}.${forged}.${sig}`, { issuer, keys: poolKeys(issuer), now: NOW }),
    ).toBeNull();
  });

  it('refuses another issuer, an access token and an expired token', async () => {
    const keys = poolKeys(issuer);
    const check = (claims: Record<string, unknown>) =>
      verifiedIdClaims(idToken(claims), { issuer, keys, now: NOW });
    expect(await check({ ...valid(), iss: `${issuer}x` })).toBeNull();
    expect(await check({ ...valid(), token_use: 'access' })).toBeNull();
    expect(await check({ ...valid(), exp: NOW.getTime() / 1000 - 1 })).toBeNull();
    expect(await check({ ...valid(), exp: undefined })).toBeNull();
  });

  it('refuses what is not a JWT, or not RS256', async () => {
    const keys = poolKeys(issuer);
    expect(await verifiedIdClaims('abc', { issuer, keys, now: NOW })).toBeNull();
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const none = `${enc({ alg: 'none', kid: 'k1' })}.${enc(valid())}.`;
    expect(await verifiedIdClaims(none, { issuer, keys, now: NOW })).toBeNull();
  });

  it('asks for the keys again after a failed fetch', async () => {
    const keys = poolKeys(`${issuer.replace(/\/[^/]+$/, '')}/missing`);
    const before = requests;
    await expect(keys()).rejects.toThrow(/answered 404/);
    await expect(keys()).rejects.toThrow(/answered 404/);
    expect(requests - before).toBe(2);
  });
});
