// The edge worker's identity over real HTTP: development tokens and their expiry (DEV_TOKENS=1),
// then the same state served as deployed, against a real OpenID provider (oidc-provider on
// loopback): JWT access tokens, opaque tokens by introspection, ZITADEL system-API tokens, and
// every kind of bad token refused with Unauthenticated; a worker with no identity settings.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { newSystemToken } from '@zitadel/client/node';
import { issueToken } from '../../worker/auth.js';
import { bundleWorker, startWorker } from '../../worker/dev.mjs';
import { AUDIENCE, INTROSPECTOR, startProvider } from './oidc-provider.mjs';

const DEV = { ADMIN_TOKEN: 'admin-identity-test', TOKEN_SECRET: 't'.repeat(32), CODE_SECRET: 'c'.repeat(32) };
const ACME_ROLES = { 'user.write': { acme: 'acme.example' }, 'user.read': { acme: 'acme.example' } };
const SYSTEM_USER = 'system-user-1';
const NUMBER = '+41 79 123 45 67';
const HOUR = 3600;

let bundleDir;
let stateDir;
let worker;

async function call(method, path, { token, body } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${worker.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

const setPhone = (userId, token, mode = { returnCode: {} }, number = NUMBER) =>
  call('PUT', `/v3alpha/users/${userId}/phone`, { token, body: { phone: { number, ...mode } } });
/** A call any user may make on itself (returned codes need user.write, SPEC §2.4). */
const getPhone = (userId, token) => call('GET', `/v3alpha/users/${userId}/phone`, { token });

const UNAUTHENTICATED = {
  code: 16,
  message: 'The bearer token is not valid (AUTH-unauthenticated)',
  details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: 'AUTH-unauthenticated', message: 'The bearer token is not valid' }],
};

/** The JSON payload of a dev token or a JWT. */
const payloadOf = (token) => JSON.parse(Buffer.from(token.split('.').at(-2), 'base64url').toString('utf8'));

before(async () => {
  bundleDir = await bundleWorker(mkdtempSync(join(tmpdir(), 'contact-phone-identity-bundle-')));
  stateDir = mkdtempSync(join(tmpdir(), 'contact-phone-identity-state-'));
});

after(async () => {
  await worker?.dispose();
});

describe('development tokens (DEV_TOKENS=1)', () => {
  const admin = (method, path, body) => call(method, path, { token: DEV.ADMIN_TOKEN, body });

  before(async () => {
    worker = await startWorker({ port: 0, persistDir: stateDir, env: DEV, bundleDir });
    const { status } = await admin('POST', '/admin/users', [
      { userId: 'alice', resourceOwner: 'acme' },
      { userId: 'bob', resourceOwner: 'acme' },
      { userId: 'carol', resourceOwner: 'globex' },
    ]);
    assert.equal(status, 201);
  });

  after(async () => {
    await worker.dispose();
    worker = null;
  });

  test('issued tokens expire: 12 h by default, expiresInSeconds on /admin/tokens', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { body: { users: [created] } } = await admin('POST', '/admin/users', { userId: 'dave', resourceOwner: 'acme' });
    const exp = payloadOf(created.token).exp;
    assert.ok(exp >= before + 12 * HOUR && exp <= Math.floor(Date.now() / 1000) + 12 * HOUR, `exp ${exp}`);

    const issued = await admin('POST', '/admin/tokens', { userId: 'alice', expiresInSeconds: 120 });
    assert.equal(issued.status, 201);
    assert.deepEqual(Object.keys(issued.body), ['token', 'expiresAt']);
    const claims = payloadOf(issued.body.token);
    assert.deepEqual(claims, { userId: 'alice', permissions: [], exp: claims.exp });
    assert.equal(issued.body.expiresAt, new Date(claims.exp * 1000).toISOString());
    assert.ok(claims.exp >= before + 120 && claims.exp <= Math.floor(Date.now() / 1000) + 120);
    assert.equal((await getPhone('alice', issued.body.token)).status, 200);

    for (const expiresInSeconds of [0, -5, 1.5, '60', 30 * 24 * HOUR + 1]) {
      const refused = await admin('POST', '/admin/tokens', { userId: 'alice', expiresInSeconds });
      assert.equal(refused.status, 400, `expiresInSeconds ${expiresInSeconds}`);
      assert.equal(refused.body.error, 'a token is for {userId?: string, permissions?: string[], expiresInSeconds?: 1 to 2592000}');
    }
  });

  test('an expired token, or one without exp, is Unauthenticated', async () => {
    const { token: expired } = await issueToken(DEV, { userId: 'alice' }, { expiresInSeconds: 60, now: Date.now() - 61_000 });
    assert.deepEqual(await setPhone('alice', expired), { status: 401, body: UNAUTHENTICATED });

    // The format before expiry: the caller JSON and its MAC, no exp.
    const payload = Buffer.from(JSON.stringify({ userId: 'alice' })).toString('base64url');
    const mac = createHmac('sha256', DEV.TOKEN_SECRET).update(payload).digest('base64url');
    assert.deepEqual(await setPhone('alice', `${payload}.${mac}`), { status: 401, body: UNAUTHENTICATED });

    const { token: valid } = await issueToken(DEV, { userId: 'alice' }, { expiresInSeconds: 60 });
    assert.equal((await getPhone('alice', valid)).status, 200);
  });
});

describe('as deployed, with an OpenID provider', () => {
  let provider;
  let systemKey;

  before(async () => {
    provider = await startProvider({
      clients: {
        alice: {},
        'acme-admin': { roles: ACME_ROLES },
        'opaque-admin': { opaque: true, roles: ACME_ROLES },
      },
    });
    const system = await generateKeyPair('RS256', { extractable: true });
    systemKey = await exportPKCS8(system.privateKey);
    const env = {
      ...DEV, // ignored without DEV_TOKENS=1
      OIDC_ISSUER: provider.issuer,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_CLIENT_ID: INTROSPECTOR.id,
      OIDC_CLIENT_SECRET: INTROSPECTOR.secret,
      SYSTEM_API_USERS: JSON.stringify({ [SYSTEM_USER]: await exportSPKI(system.publicKey) }),
    };
    worker = await startWorker({ port: 0, persistDir: stateDir, env, bundleDir, devTokens: false });
  });

  after(async () => {
    await provider.close();
  });

  test("a JWT's sub is the caller's user id", async () => {
    const token = await provider.token('alice');
    const own = await getPhone('alice', token);
    assert.equal(own.status, 200);
    assert.equal(own.body.details.resourceOwner, 'acme');
    // A code returned to the user itself needs user.write (SPEC §2.4).
    const returned = await setPhone('alice', token, { returnCode: {} }, '+41 79 111 22 33');
    assert.equal(returned.status, 403);
    assert.equal(returned.body.details[0].id, 'AUTH-AWfge');

    const other = await setPhone('bob', token);
    assert.equal(other.status, 403);
    assert.equal(other.body.details[0].id, 'AUTH-AWfge');
  });

  test("ZITADEL's roles claim grants user.write and user.read for the organisations it lists", async () => {
    const token = await provider.token('acme-admin');
    assert.equal((await setPhone('bob', token, { isVerified: true })).status, 200);
    const got = await call('GET', '/v3alpha/users/bob/phone', { token });
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.phone, { number: '+41791234567', isVerified: true });

    const globex = await setPhone('carol', token, { isVerified: true });
    assert.equal(globex.status, 403);
    assert.equal(globex.body.details[0].id, 'AUTH-AWfge');
  });

  test('expired, wrong audience or issuer, unknown key, tampered: Unauthenticated (16)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'alice', iss: provider.issuer, aud: AUDIENCE, iat: now, exp: now + 600 };
    const valid = await provider.mint(claims);
    assert.equal((await getPhone('alice', valid)).status, 200, 'the minted token itself is valid');

    const { privateKey: strangerKey } = await generateKeyPair('RS256');
    const issued = await provider.token('alice');
    const [header, payload, signature] = issued.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...payloadOf(issued), sub: 'bob' })).toString('base64url');
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const refused = {
      expired: await provider.mint({ ...claims, iat: now - 3600, exp: now - 600 }),
      'not yet valid': await provider.mint({ ...claims, nbf: now + 600 }),
      'without exp': await provider.mint({ sub: 'alice', iss: provider.issuer, aud: AUDIENCE, iat: now }),
      'wrong audience': await provider.token('alice', { resource: 'urn:other:api' }),
      'wrong issuer': await provider.mint({ ...claims, iss: 'https://issuer.example' }),
      'unknown key': await provider.mint(claims, { key: strangerKey, keyId: 'stranger-key' }),
      'unknown key under a known kid': await provider.mint(claims, { key: strangerKey }),
      'tampered payload': `${header}.${forgedPayload}.${signature}`,
      'tampered signature': `${header}.${payload}.${flipped}`,
      'no signature': `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`,
    };
    for (const [name, token] of Object.entries(refused)) {
      assert.deepEqual(await setPhone('alice', token), { status: 401, body: UNAUTHENTICATED }, name);
    }
  });

  test('an opaque token is checked by introspection; a revoked one is Unauthenticated', async () => {
    const token = await provider.token('opaque-admin');
    assert.equal(token.split('.').length, 1, 'opaque');
    assert.equal((await setPhone('bob', token, { isVerified: true })).status, 200);
    assert.equal((await call('GET', '/v3alpha/users/bob/phone', { token })).status, 200);

    const revoked = await provider.token('opaque-admin');
    await provider.revoke('opaque-admin', revoked);
    assert.deepEqual(await setPhone('bob', revoked), { status: 401, body: UNAUTHENTICATED });
    assert.deepEqual(await setPhone('bob', 'not-a-token-the-provider-issued'), { status: 401, body: UNAUTHENTICATED });
  });

  test("a system-API token made by @zitadel/client/node's newSystemToken manages every organisation", async () => {
    const token = await newSystemToken({ audience: provider.issuer, subject: SYSTEM_USER, key: systemKey });
    assert.equal((await setPhone('carol', token, { isVerified: true })).status, 200);
    const got = await call('GET', '/v3alpha/users/carol/phone', { token });
    assert.deepEqual(got.body.phone, { number: '+41791234567', isVerified: true });

    const otherKey = await exportPKCS8((await generateKeyPair('RS256', { extractable: true })).privateKey);
    const refused = {
      'wrong audience': await newSystemToken({ audience: 'https://other.example', subject: SYSTEM_USER, key: systemKey }),
      'another key': await newSystemToken({ audience: provider.issuer, subject: SYSTEM_USER, key: otherKey }),
      expired: await newSystemToken({ audience: provider.issuer, subject: SYSTEM_USER, key: systemKey, expirationTime: Math.floor(Date.now() / 1000) - 600 }),
      'unknown system user': await newSystemToken({ audience: provider.issuer, subject: 'system-user-2', key: systemKey }),
    };
    for (const [name, bad] of Object.entries(refused)) {
      assert.deepEqual(await setPhone('carol', bad), { status: 401, body: UNAUTHENTICATED }, name);
    }
  });

  test("ZITADEL's Connect route takes the provider's tokens too", async () => {
    const connect = async (token) => {
      const response = await fetch(`${worker.url}/zitadel.user.v2.UserService/SetPhone`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ userId: 'alice', phone: '+41 79 444 55 66', returnCode: {} }),
      });
      return { status: response.status, body: await response.json() };
    };
    const ok = await connect(await provider.token('acme-admin'));
    assert.equal(ok.status, 200);
    assert.match(ok.body.verificationCode, /^[A-Z0-9]{6}$/);

    const now = Math.floor(Date.now() / 1000);
    const expired = await connect(await provider.mint({ sub: 'alice', iss: provider.issuer, aud: AUDIENCE, iat: now - 900, exp: now - 300 }));
    assert.equal(expired.status, 401);
    assert.equal(expired.body.code, 'unauthenticated');
  });

  test('the discovery document and the keys were fetched once for all these requests', () => {
    assert.equal(provider.hits('/.well-known/openid-configuration'), 1);
    // The token under an unknown kid did not refetch: jose waits 30 s after a fetch for that.
    assert.equal(provider.hits('/jwks'), 1);
  });

  test('development tokens and /admin are off', async () => {
    const { token } = await issueToken(DEV, { userId: 'alice' });
    assert.deepEqual(await setPhone('alice', token), { status: 401, body: UNAUTHENTICATED });
    assert.deepEqual(await setPhone('alice', DEV.ADMIN_TOKEN), { status: 401, body: UNAUTHENTICATED });
    const listed = await call('GET', '/admin/users', { token: DEV.ADMIN_TOKEN });
    assert.deepEqual(listed, { status: 404, body: { error: 'the /admin routes are served only with DEV_TOKENS=1 (development)' } });
  });
});

test('without identity settings nor DEV_TOKENS=1, every API request is refused with 503', async () => {
  const bare = await startWorker({ port: 0, env: { CODE_SECRET: DEV.CODE_SECRET }, bundleDir, devTokens: false });
  try {
    // Which settings are missing goes to the log: callers are not authenticated.
    const message = 'this server cannot authenticate callers: its identity settings are missing or invalid (see its log)';
    const json = await fetch(`${bare.url}/v3alpha/users/alice/phone`, { headers: { authorization: 'Bearer anything' } });
    assert.equal(json.status, 503);
    assert.deepEqual(await json.json(), { error: message });
    const connect = await fetch(`${bare.url}/zitadel.user.v2.UserService/SetPhone`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'alice', phone: NUMBER }),
    });
    assert.equal(connect.status, 503);
    assert.deepEqual(await connect.json(), { error: message });
  } finally {
    await bare.dispose();
  }
});
