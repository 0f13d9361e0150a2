// The edge worker's ZITADEL routes (/zitadel.user.v2.UserService/*,
// /zitadel.resources.user.v3alpha.ZITADELUsers/*) over real HTTP on loopback, called with
// ZITADEL's own client (@zitadel/client) over Connect JSON, Connect binary and gRPC-web; users
// and tokens come from /admin, SMS from /admin/outbox, as in worker.test.mjs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { createGrpcWebTransport } from '@connectrpc/connect-web';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { createUserServiceClient } from '@zitadel/client/v2';
import { createUserServiceClient as createUsersV3Client } from '@zitadel/client/v3alpha';
import { OwnerType } from '@zitadel/proto/zitadel/object/v3alpha/object_pb.js';
import { bundleWorker, startWorker } from '../../worker/dev.mjs';
import { bearer, failure, phoneFailure, zitadelTransports } from './zitadel-clients.mjs';

const env = { ADMIN_TOKEN: 'admin-test-token', TOKEN_SECRET: 't'.repeat(32), CODE_SECRET: 'c'.repeat(32) };
const MOBILE = '+41 79 123 45 67';
const MOBILE_E164 = '+41791234567';
const CODE = /^[A-Z0-9]{6}$/;

let bundleDir;
let worker;
const tokens = {};

/** An /admin request with the admin token; the JSON reply. */
async function admin(method, path, body) {
  const response = await fetch(`${worker.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const outbox = async (userId) => (await admin('GET', `/admin/outbox?userId=${userId}&limit=10`)).body.messages;
const stored = async (userId) => (await admin('GET', `/admin/users/${userId}`)).body.user;

/** The phone as the worker's JSON API answers it (GET /v3alpha/users/:id/phone). */
async function jsonPhone(userId) {
  const response = await fetch(`${worker.url}/v3alpha/users/${userId}/phone`, { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } });
  assert.equal(response.status, 200);
  return (await response.json()).phone;
}

/** Transports by protocol, against the running worker (workerd serves no h2c: no gRPC). */
const transports = zitadelTransports({ http1: () => worker.url });
const slug = (protocol) => protocol.toLowerCase().replace(/[^a-z]/g, '');

/** zitadel.object.v2.Details of `userId` at `sequence`, the stored one, changed just now. */
async function assertDetails(details, userId, sequence) {
  assert.equal(details.$typeName, 'zitadel.object.v2.Details');
  assert.equal(details.sequence, BigInt(sequence));
  const record = await stored(userId);
  assert.equal(details.sequence, BigInt(record.sequence), 'not the stored sequence');
  assert.equal(details.changeDate.$typeName, 'google.protobuf.Timestamp');
  assert.equal(timestampMs(details.changeDate), Date.parse(record.changeDate));
  assert.ok(Math.abs(timestampMs(details.changeDate) - Date.now()) < 60_000);
  assert.equal(details.resourceOwner, 'acme');
}

/** A user whose pending code was issued ten minutes ago (past the 30 s resend cooldown). */
function withOldCode(userId) {
  const minutes = (n) => new Date(Date.now() + n * 60_000).toISOString();
  return {
    userId,
    resourceOwner: 'acme',
    sequence: 1,
    phone: { number: MOBILE_E164, isVerified: false, code: { hash: '0'.repeat(64), createdAt: minutes(-10), expiresAt: minutes(50), failedAttempts: 0 } },
  };
}

before(async () => {
  bundleDir = await bundleWorker(mkdtempSync(join(tmpdir(), 'contact-phone-bundle-')));
  worker = await startWorker({ port: 0, env, bundleDir });
  const users = [];
  for (const protocol of Object.keys(transports)) {
    const s = slug(protocol);
    for (const name of ['send', 'ret', 'verified', 'remove', 'self']) users.push({ userId: `${name}-${s}`, resourceOwner: 'acme' });
    users.push(withOldCode(`resend-${s}`));
  }
  users.push({ userId: 'v3', resourceOwner: 'acme' });
  const { status, body } = await admin('POST', '/admin/users', users);
  assert.equal(status, 201);
  for (const { userId, token } of body.users) tokens[userId] = token;
});

after(async () => {
  await worker?.dispose();
});

for (const [protocol, transport] of Object.entries(transports)) {
  const s = slug(protocol);
  describe(`the worker's UserService v2 over ${protocol}`, () => {
    const client = (token) => createUserServiceClient(transport(token));
    const asAdmin = () => client(env.ADMIN_TOKEN);

    test('SetPhone with sendCode: the SMS is in the outbox; VerifyPhone: a wrong code, then the right one', async () => {
      const user = `send-${s}`;
      const self = client(tokens[user]);
      const set = await self.setPhone({ userId: user, phone: MOBILE, verification: { case: 'sendCode', value: {} } });
      await assertDetails(set.details, user, 3);
      assert.equal(set.verificationCode, undefined);
      const sms = await outbox(user);
      assert.equal(sms.length, 1);
      assert.equal(sms[0].to, MOBILE_E164);
      assert.match(sms[0].code, CODE);
      assert.equal(sms[0].text, `Your verification code is ${sms[0].code}`);
      assert.deepEqual(await jsonPhone(user), { number: MOBILE_E164, isVerified: false });

      const wrong = sms[0].code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
      assert.deepEqual(
        await failure(self.verifyPhone({ userId: user, verificationCode: wrong })),
        phoneFailure(Code.InvalidArgument, 'CODE-woT0xc', 'Code is invalid'),
      );
      const verified = await self.verifyPhone({ userId: user, verificationCode: sms[0].code });
      await assertDetails(verified.details, user, 5);
      assert.deepEqual(await jsonPhone(user), { number: MOBILE_E164, isVerified: true });
    });

    test('SetPhone with returnCode returns a 6-character code and sends nothing', async () => {
      const user = `ret-${s}`;
      const set = await asAdmin().setPhone({ userId: user, phone: '079 123 45 67', verification: { case: 'returnCode', value: {} } });
      await assertDetails(set.details, user, 3);
      assert.match(set.verificationCode, CODE);
      assert.deepEqual(await outbox(user), []);
      const verified = await client(tokens[user]).verifyPhone({ userId: user, verificationCode: set.verificationCode });
      await assertDetails(verified.details, user, 4);
      assert.deepEqual(await jsonPhone(user), { number: MOBILE_E164, isVerified: true });
    });

    test('SetPhone with isVerified and the admin token stores the phone verified', async () => {
      const user = `verified-${s}`;
      const set = await asAdmin().setPhone({ userId: user, phone: MOBILE, verification: { case: 'isVerified', value: true } });
      await assertDetails(set.details, user, 3);
      assert.equal(set.verificationCode, undefined);
      assert.deepEqual((await stored(user)).phone, { number: MOBILE_E164, isVerified: true, code: null });
      assert.deepEqual(await outbox(user), []);
    });

    test('ResendPhoneCode with returnCode returns a new code, which verifies', async () => {
      const user = `resend-${s}`;
      const self = client(tokens[user]);
      const resent = await self.resendPhoneCode({ userId: user, verification: { case: 'returnCode', value: {} } });
      await assertDetails(resent.details, user, 2);
      assert.match(resent.verificationCode, CODE);
      assert.deepEqual(await outbox(user), []);
      const verified = await self.verifyPhone({ userId: user, verificationCode: resent.verificationCode });
      await assertDetails(verified.details, user, 3);
      assert.deepEqual(await jsonPhone(user), { number: MOBILE_E164, isVerified: true });
    });

    test('RemovePhone removes the stored phone', async () => {
      const user = `remove-${s}`;
      await asAdmin().setPhone({ userId: user, phone: MOBILE, verification: { case: 'isVerified', value: true } });
      const removed = await client(tokens[user]).removePhone({ userId: user });
      await assertDetails(removed.details, user, 4);
      assert.equal(await jsonPhone(user), null);
      assert.deepEqual(
        await failure(client(tokens[user]).removePhone({ userId: user })),
        phoneFailure(Code.FailedPrecondition, 'COMMAND-ieJ2e', 'Phone not found'),
      );
    });

    test('an unknown user is NotFound', async () => {
      assert.deepEqual(
        await failure(asAdmin().removePhone({ userId: 'nobody' })),
        phoneFailure(Code.NotFound, 'COMMAND-b33QAVgel6', 'User could not be found'),
      );
    });

    test('no token, or a forged one, is Unauthenticated and changes nothing', async () => {
      const user = `self-${s}`;
      const before = await stored(user);
      assert.deepEqual(
        await failure(client(null).setPhone({ userId: user, phone: MOBILE })),
        phoneFailure(Code.Unauthenticated, 'AUTH-unauthenticated', 'No bearer token: send Authorization: Bearer <token>'),
      );
      assert.deepEqual(
        await failure(client(`${tokens[user].split('.')[0]}.${tokens[`send-${s}`].split('.')[1]}`).setPhone({ userId: user, phone: MOBILE })),
        phoneFailure(Code.Unauthenticated, 'AUTH-unauthenticated', 'The bearer token is not valid'),
      );
      assert.deepEqual(await stored(user), before);
    });

    test("isVerified with the user's own token is PermissionDenied", async () => {
      const user = `self-${s}`;
      assert.deepEqual(
        await failure(client(tokens[user]).setPhone({ userId: user, phone: MOBILE, verification: { case: 'isVerified', value: true } })),
        phoneFailure(Code.PermissionDenied, 'AUTH-AWfge', 'No matching permissions found'),
      );
      assert.equal((await stored(user)).sequence, 1);
    });

    test('an invalid number is InvalidArgument PHONE-so0wa', async () => {
      const user = `self-${s}`;
      assert.deepEqual(
        await failure(client(tokens[user]).setPhone({ userId: user, phone: 'PhoneNumber' })),
        phoneFailure(Code.InvalidArgument, 'PHONE-so0wa', 'Phone is invalid: no digits'),
      );
      assert.equal((await stored(user)).sequence, 1);
    });

    test('other UserService methods are Unimplemented', async () => {
      const error = await failure(asAdmin().getUserByID({ userId: `self-${s}` }));
      assert.equal(error.code, Code.Unimplemented);
      assert.equal(error.rawMessage, 'zitadel.user.v2.UserService.GetUserByID is not implemented');
    });
  });
}

test('ZITADELUsers v3alpha: SetContactPhone with returnCode, then VerifyContactPhone', async () => {
  const client = (token) => createUsersV3Client(transports['Connect JSON'](token));
  const set = await client(env.ADMIN_TOKEN).setContactPhone({
    id: 'v3',
    phone: { number: MOBILE, verification: { case: 'returnCode', value: {} } },
  });
  assert.match(set.verificationCode, CODE);
  assert.equal(set.details.id, 'v3');
  assert.equal(set.details.owner.type, OwnerType.ORG);
  assert.equal(set.details.owner.id, 'acme');
  const verified = await client(tokens.v3).verifyContactPhone({ id: 'v3', verificationCode: set.verificationCode });
  assert.equal(verified.details.id, 'v3');
  assert.deepEqual(await jsonPhone('v3'), { number: MOBILE_E164, isVerified: true });
});

test('curl-style Connect JSON: the bearer token and a JSON body', async () => {
  const response = await fetch(`${worker.url}/zitadel.user.v2.UserService/SetPhone`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${env.ADMIN_TOKEN}` },
    body: JSON.stringify({ userId: 'v3', phone: '079 765 43 21', returnCode: {} }),
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/json');
  const body = await response.json();
  assert.deepEqual(Object.keys(body), ['details', 'verificationCode']);
  assert.match(body.verificationCode, CODE);
  assert.equal(body.details.resourceOwner, 'acme');
  assert.equal(body.details.sequence, String((await stored('v3')).sequence));
});

test('refused calls with a body, 30 times over, each answer Unauthenticated (no reset connection)', async () => {
  for (let i = 0; i < 30; i += 1) {
    const response = await fetch(`${worker.url}/zitadel.user.v2.UserService/SetPhone`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'v3', phone: MOBILE, padding: 'x'.repeat(4000) }),
    });
    assert.equal(response.status, 401);
    assert.equal((await response.json()).code, 'unauthenticated');
  }
});

test('a message over 16 KiB is ResourceExhausted, as the JSON API refuses such a body', async () => {
  const client = createUserServiceClient(transports['Connect binary'](env.ADMIN_TOKEN));
  const error = await failure(client.setPhone({ userId: 'v3', phone: '1'.repeat(17 * 1024) }));
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
