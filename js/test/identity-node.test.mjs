// Identity in Node: the Node server against a real OpenID provider (oidc-provider on loopback)
// over its JSON API and gRPC, and worker/identity/ itself: settings refused with the names to
// fix, a provider that cannot be reached, the roles claim and a configured permissions claim.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { Code } from '@connectrpc/connect';
import { createServerTransport, newSystemToken } from '@zitadel/client/node';
import { createUserServiceClient } from '@zitadel/client/v2';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { IdentityConfigError, identityFromEnv } from '../../worker/identity/index.js';
import { callerFromClaims } from '../../worker/identity/claims.js';
import { migrate } from '../../server/sql-host.js';
import { startServer } from '../../server/server.js';
import { AUDIENCE, INTROSPECTOR, ROLES_CLAIM, startProvider } from './oidc-provider.mjs';
import { SECRET } from './support.mjs';
import { failure } from './zitadel-clients.mjs';

const ACME_ROLES = { 'user.write': { acme: 'acme.example' }, 'user.read': { acme: 'acme.example' } };
const UNAUTHENTICATED = {
  code: 16,
  message: 'The bearer token is not valid (AUTH-unauthenticated)',
  details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: 'AUTH-unauthenticated', message: 'The bearer token is not valid' }],
};

let provider;
before(async () => {
  provider = await startProvider({
    clients: { alice: {}, 'acme-admin': { roles: ACME_ROLES }, 'opaque-admin': { opaque: true, roles: ACME_ROLES } },
  });
});
after(() => provider?.close());

const oidcEnv = () => ({ OIDC_ISSUER: provider.issuer, OIDC_AUDIENCE: AUDIENCE, OIDC_CLIENT_ID: INTROSPECTOR.id, OIDC_CLIENT_SECRET: INTROSPECTOR.secret });

describe('the Node server with an OpenID provider', () => {
  let db;
  let server;

  before(async () => {
    db = new PGlite();
    await migrate(db);
    server = await startServer({ db, env: { CODE_SECRET: SECRET, ...oidcEnv() }, port: 0 });
    for (const userId of ['alice', 'bob']) {
      await server.host.seedUser({ userId, resourceOwner: 'acme', kind: 'human', state: 'active' });
    }
  });
  after(async () => {
    await server?.close();
    await db?.close();
  });

  const put = async (userId, token, phone) => {
    const response = await fetch(`${server.url}/v3alpha/users/${userId}/phone`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ phone }),
    });
    return { status: response.status, body: await response.json() };
  };

  test('valid JWT and opaque tokens work on the JSON API; their sub and roles decide', async () => {
    const alice = await put('alice', await provider.token('acme-admin'), { number: '+41 79 123 45 67', returnCode: {} });
    assert.equal(alice.status, 200);
    assert.match(alice.body.verificationCode, /^[A-Z0-9]{6}$/);
    // alice's own token: a returned code needs user.write (SPEC §2.4).
    assert.equal((await put('alice', await provider.token('alice'), { number: '+41 79 123 45 68', returnCode: {} })).status, 403);
    assert.equal((await put('bob', await provider.token('alice'), { number: '+41 79 123 45 67' })).status, 403);
    assert.equal((await put('bob', await provider.token('acme-admin'), { number: '+41 79 123 45 67', isVerified: true })).status, 200);
    assert.equal((await put('bob', await provider.token('opaque-admin'), { number: '+41 79 765 43 21', isVerified: true })).status, 200);
    assert.deepEqual((await server.host.loadUser('bob')).phone, { number: '+41797654321', isVerified: true, code: null });
  });

  test('expired, wrong audience, unknown key, tampered, revoked: Unauthenticated (16)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { privateKey: strangerKey } = await generateKeyPair('RS256');
    const [header, , signature] = (await provider.token('alice')).split('.');
    const revoked = await provider.token('opaque-admin');
    await provider.revoke('opaque-admin', revoked);
    const claims = { sub: 'alice', iss: provider.issuer, aud: AUDIENCE, iat: now, exp: now + 600 };
    const refused = {
      expired: await provider.mint({ ...claims, iat: now - 900, exp: now - 300 }),
      'wrong audience': await provider.token('alice', { resource: 'urn:other:api' }),
      'wrong issuer': await provider.mint({ ...claims, iss: 'https://issuer.example' }),
      'unknown key': await provider.mint(claims, { key: strangerKey, keyId: 'stranger-key' }),
      tampered: `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'bob' })).toString('base64url')}.${signature}`,
      revoked,
    };
    for (const [name, token] of Object.entries(refused)) {
      assert.deepEqual(await put('alice', token, { number: '+41 79 123 45 67' }), { status: 401, body: UNAUTHENTICATED }, name);
    }
  });

  test("gRPC (h2c) with ZITADEL's client: a valid JWT works, an expired one is Unauthenticated", async () => {
    const client = (token) => createUserServiceClient(createServerTransport(token, { baseUrl: server.url }));
    const reply = await client(await provider.token('acme-admin')).setPhone({
      userId: 'alice',
      phone: '+41 79 555 66 77',
      verification: { case: 'returnCode', value: {} },
    });
    assert.match(reply.verificationCode, /^[A-Z0-9]{6}$/);

    const now = Math.floor(Date.now() / 1000);
    const expired = await provider.mint({ sub: 'acme-admin', iss: provider.issuer, aud: AUDIENCE, iat: now - 900, exp: now - 300 });
    const refused = await failure(client(expired).setPhone({ userId: 'alice', phone: '+41 79 555 66 77' }));
    assert.equal(refused.code, Code.Unauthenticated);
    assert.deepEqual(refused.details.map((d) => d.id), ['AUTH-unauthenticated']);
  });

  test('/admin is not served without DEV_TOKENS=1', async () => {
    const response = await fetch(`${server.url}/admin/users`, { headers: { authorization: 'Bearer anything' } });
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { error: 'the /admin routes are served only with DEV_TOKENS=1 (development)' });
  });
});

test('the Node server does not start without identity settings', async () => {
  const db = new PGlite();
  try {
    await assert.rejects(startServer({ db, env: { CODE_SECRET: SECRET }, port: 0 }), {
      name: 'IdentityConfigError',
      message: /^identity settings: no identity provider is configured: set OIDC_ISSUER and OIDC_AUDIENCE/,
    });
  } finally {
    await db.close();
  }
});

describe('worker/identity/', () => {
  test('settings that cannot work are refused, each named', () => {
    const refused = (env) => {
      try {
        identityFromEnv(env);
      } catch (error) {
        assert.ok(error instanceof IdentityConfigError);
        return error.message;
      }
      return assert.fail('accepted');
    };
    assert.equal(refused({ DEV_TOKENS: '1' }),
      'identity settings: ADMIN_TOKEN is not set (DEV_TOKENS=1 needs it); TOKEN_SECRET is not set (DEV_TOKENS=1 needs it)');
    assert.equal(refused({ OIDC_ISSUER: 'https://id.example' }), 'identity settings: OIDC_AUDIENCE is not set (OIDC_ISSUER needs it)');
    assert.equal(refused({ OIDC_ISSUER: 'http://id.example', OIDC_AUDIENCE: 'api' }),
      'identity settings: OIDC_ISSUER must be an https URL (http only on 127.0.0.1, localhost or [::1])');
    assert.equal(refused({ OIDC_ISSUER: 'https://id.example', OIDC_AUDIENCE: 'api', OIDC_CLIENT_ID: 'x' }),
      'identity settings: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together (introspection of opaque tokens)');
    assert.equal(refused({ OIDC_AUDIENCE: 'api' }), 'identity settings: OIDC_AUDIENCE is set but OIDC_ISSUER is not');
    assert.equal(refused({ SYSTEM_API_USERS: '{"su": "not a key"}', SYSTEM_API_AUDIENCE: 'https://id.example' }),
      'identity settings: SYSTEM_API_USERS.su needs a PEM public key (-----BEGIN PUBLIC KEY-----)');
    assert.equal(refused({ SYSTEM_API_USERS: '{' }).startsWith('identity settings: SYSTEM_API_USERS is not JSON: '), true);
    assert.equal(refused({ OIDC_ISSUER: 'https://id.example', OIDC_AUDIENCE: 'api', OIDC_CLOCK_TOLERANCE_SECONDS: '1h' }),
      'identity settings: OIDC_CLOCK_TOLERANCE_SECONDS must be a whole number of seconds from 0 to 300');
  });

  test('a provider that cannot be reached refuses the token and logs why, never the token', async () => {
    const closed = createServer();
    await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address();
    await new Promise((resolve) => closed.close(resolve));
    const logged = [];
    const identity = identityFromEnv(
      { OIDC_ISSUER: `http://127.0.0.1:${port}`, OIDC_AUDIENCE: AUDIENCE, OIDC_CLIENT_ID: 'rs', OIDC_CLIENT_SECRET: 's' },
      { log: { error: (line) => logged.push(line) } },
    );
    const jwt = await provider.token('alice');
    assert.equal(await identity.authenticate(jwt), null);
    assert.equal(await identity.authenticate('opaque-token-value'), null);
    assert.equal(logged.length, 2);
    for (const line of logged) {
      assert.match(line, /^identity: a token could not be checked: TypeError: fetch failed$/);
      assert.ok(!line.includes(jwt) && !line.includes('opaque-token-value'));
    }
  });

  test('a refused token is not logged; an answer from introspection is reused', async () => {
    const logged = [];
    const identity = identityFromEnv(oidcEnv(), { log: { error: (line) => logged.push(line) } });
    const now = Math.floor(Date.now() / 1000);
    assert.equal(await identity.authenticate(await provider.mint({ sub: 'a', iss: provider.issuer, aud: AUDIENCE, exp: now - 60 })), null);
    assert.deepEqual(logged, []);

    const token = await provider.token('opaque-admin');
    const before = provider.hits('/token/introspection');
    const caller = { permissions: ['user.write:acme', 'user.read:acme'] };
    assert.deepEqual(await identity.authenticate(token), caller);
    assert.deepEqual(await identity.authenticate(token), caller);
    assert.equal(provider.hits('/token/introspection'), before + 1);
  });

  test('a system user given with its permissions gets those; one given by its key alone, all', async () => {
    const keys = await generateKeyPair('RS256', { extractable: true });
    const publicKey = await exportSPKI(keys.publicKey);
    const identity = identityFromEnv({
      SYSTEM_API_AUDIENCE: 'https://zitadel.example',
      SYSTEM_API_USERS: JSON.stringify({ reader: { publicKey, permissions: ['user.read'] }, owner: publicKey }),
    });
    const key = await exportPKCS8(keys.privateKey);
    const token = (subject) => newSystemToken({ audience: 'https://zitadel.example', subject, key });
    assert.deepEqual(await identity.authenticate(await token('reader')), { userId: 'reader', permissions: ['user.read'] });
    assert.deepEqual(await identity.authenticate(await token('owner')), { userId: 'owner', permissions: ['user.write', 'user.read'] });
    assert.equal(identity.devTokens, false);
  });

  test("ZITADEL's roles claim, or the configured permissions claim", () => {
    const claims = {
      sub: '2100',
      [ROLES_CLAIM]: { 'user.write': { 111: 'acme.example', 222: 'globex.example' }, 'user.read': { 111: 'acme.example' }, odd: 'x' },
      perms: 'user.write user.read',
      list: ['user.read:111', 7, ''],
    };
    assert.deepEqual(callerFromClaims(claims, null), { userId: '2100', permissions: ['user.write:111', 'user.write:222', 'user.read:111'] });
    assert.deepEqual(callerFromClaims(claims, 'perms'), { userId: '2100', permissions: ['user.write', 'user.read'] });
    assert.deepEqual(callerFromClaims(claims, 'list'), { userId: '2100', permissions: ['user.read:111'] });
    assert.deepEqual(callerFromClaims({ sub: '' }, null), { permissions: [] });
  });
});
