// The edge worker's ZITADEL routes (/zitadel.user.v2.UserService/*,
// /zitadel.resources.user.v3alpha.ZITADELUsers/*) over real HTTP on loopback, called with
// ZITADEL's own client (@zitadel/client) over Connect JSON, Connect binary and gRPC-web: the
// shared cases of zitadel-cases.mjs per transport, then what only the worker does (its
// per-client rate limit, the message size limit, curl-style calls, refused bodies).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { createGrpcWebTransport } from '@connectrpc/connect-web';
import { createUserServiceClient } from '@zitadel/client/v2';
import { bundleWorker, startWorker } from '../../worker/dev.mjs';
import { admin, caseTarget, declareZitadelCases, seedCaseUsers } from './zitadel-cases.mjs';
import { bearer, failure, phoneFailure, zitadelTransports } from './zitadel-clients.mjs';

const env = { ADMIN_TOKEN: 'admin-test-token', TOKEN_SECRET: 't'.repeat(32), CODE_SECRET: 'c'.repeat(32) };
/** A per-client limit that the suite's own /admin and API calls stay under. */
const GENEROUS = { limit: 100_000, period: 60 };
const MOBILE = '+41 79 123 45 67';
const CODE = /^[A-Z0-9]{6}$/;

let bundleDir;
let worker;
const target = caseTarget({ url: () => worker.url, adminToken: env.ADMIN_TOKEN, resourceOwner: 'acme' });

/** Transports by protocol, against the running worker (workerd serves no h2c: no gRPC). */
const transports = zitadelTransports({ http1: () => worker.url });

const stored = async (userId) => (await admin(target, 'GET', `/admin/users/${userId}`)).body.user;

before(async () => {
  bundleDir = await bundleWorker(mkdtempSync(join(tmpdir(), 'contact-phone-bundle-')));
  // Every case comes from one loopback client: a budget well above what the cases send, so
  // that only the rate-limit test below (on its own worker) meets the limit.
  worker = await startWorker({ port: 0, env, bundleDir, rateLimit: GENEROUS });
  await seedCaseUsers(target, Object.keys(transports), [{ userId: 'curl', resourceOwner: 'acme' }]);
});

after(async () => {
  await worker?.dispose();
});

for (const [protocol, transport] of Object.entries(transports)) declareZitadelCases(target, protocol, transport);

test('curl-style Connect JSON: the bearer token and a JSON body', async () => {
  const response = await fetch(`${worker.url}/zitadel.user.v2.UserService/SetPhone`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${env.ADMIN_TOKEN}` },
    body: JSON.stringify({ userId: 'curl', phone: '079 765 43 21', returnCode: {} }),
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/json');
  const body = await response.json();
  assert.deepEqual(Object.keys(body), ['details', 'verificationCode']);
  assert.match(body.verificationCode, CODE);
  assert.equal(body.details.resourceOwner, 'acme');
  assert.equal(body.details.sequence, String((await stored('curl')).sequence));
});

test('refused calls with a body, 30 times over, each answer Unauthenticated (no reset connection)', async () => {
  for (let i = 0; i < 30; i += 1) {
    const response = await fetch(`${worker.url}/zitadel.user.v2.UserService/SetPhone`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'curl', phone: MOBILE, padding: 'x'.repeat(4000) }),
    });
    assert.equal(response.status, 401);
    assert.equal((await response.json()).code, 'unauthenticated');
  }
});

test('a message over 16 KiB is ResourceExhausted, as the JSON API refuses such a body', async () => {
  const client = createUserServiceClient(transports['Connect binary'](env.ADMIN_TOKEN));
  const error = await failure(client.setPhone({ userId: 'curl', phone: '1'.repeat(17 * 1024) }));
  assert.equal(error.code, Code.ResourceExhausted);
  assert.match(error.rawMessage, /readMaxBytes 16384/);
  assert.deepEqual(error.details, []);
});

test('gRPC-web text (application/grpc-web-text) is 415: connect-es 2.2.0 does not serve it', async () => {
  const response = await fetch(`${worker.url}/zitadel.user.v2.UserService/SetPhone`, {
    method: 'POST',
    headers: { 'content-type': 'application/grpc-web-text', authorization: `Bearer ${env.ADMIN_TOKEN}` },
    body: 'AAAAAAA=',
  });
  assert.equal(response.status, 415);
  await response.arrayBuffer();
});

test('the ZITADEL routes share the per-client rate limit of the API routes, answered per protocol', async () => {
  const limited = await startWorker({ port: 0, env, bundleDir, rateLimit: { limit: 3, period: 60 } });
  try {
    const ip = (address) => ({ interceptors: [(next) => (request) => { request.header.set('cf-connecting-ip', address); return next(request); }] });
    const connect = (address) => createUserServiceClient(createConnectTransport({
      baseUrl: limited.url, httpVersion: '1.1', interceptors: [...bearer(env.ADMIN_TOKEN), ...ip(address).interceptors],
    }));
    const grpcWeb = (address) => createUserServiceClient(createGrpcWebTransport({
      baseUrl: limited.url, interceptors: [...bearer(env.ADMIN_TOKEN), ...ip(address).interceptors],
    }));
    const notFound = phoneFailure(Code.NotFound, 'COMMAND-b33QAVgel6', 'User could not be found');
    const limitedFailure = phoneFailure(Code.ResourceExhausted, 'HTTP-rate-limited', 'Too many requests from this client: slow down');

    // One budget per client for both kinds of route: a JSON API call, then two Connect calls.
    const json = await fetch(`${limited.url}/v3alpha/users/nobody/phone`, { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, 'cf-connecting-ip': '192.0.2.1' } });
    assert.equal(json.status, 404);
    await json.arrayBuffer();
    assert.deepEqual(await failure(connect('192.0.2.1').removePhone({ userId: 'nobody' })), notFound);
    assert.deepEqual(await failure(grpcWeb('192.0.2.1').removePhone({ userId: 'nobody' })), notFound);
    assert.deepEqual(await failure(connect('192.0.2.1').removePhone({ userId: 'nobody' })), limitedFailure);
    assert.deepEqual(await failure(grpcWeb('192.0.2.1').removePhone({ userId: 'nobody' })), limitedFailure);

    // Over the wire: Connect is HTTP 429 with Retry-After; the JSON API is limited too.
    const raw = await fetch(`${limited.url}/zitadel.user.v2.UserService/RemovePhone`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${env.ADMIN_TOKEN}`, 'cf-connecting-ip': '192.0.2.1' },
      body: JSON.stringify({ userId: 'nobody' }),
    });
    assert.equal(raw.status, 429);
    assert.equal(raw.headers.get('retry-after'), '60');
    assert.equal((await raw.json()).code, 'resource_exhausted');
    const jsonLimited = await fetch(`${limited.url}/v3alpha/users/nobody/phone`, { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, 'cf-connecting-ip': '192.0.2.1' } });
    assert.equal(jsonLimited.status, 429);
    await jsonLimited.arrayBuffer();

    // Another client has its own budget.
    assert.deepEqual(await failure(connect('192.0.2.2').removePhone({ userId: 'nobody' })), notFound);
  } finally {
    await limited.dispose();
  }
});
