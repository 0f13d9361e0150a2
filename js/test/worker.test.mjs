// The edge worker over real HTTP on loopback: every route, status and error body; concurrent
// writers; a restart on the same state folder; auth; the wrangler config. SMS delivery has its
// own suite, sms-delivery-worker.test.mjs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorker, startWorker } from '../../worker/dev.mjs';
import { postUnfinished } from './support.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const env = { ADMIN_TOKEN: 'admin-test-token', TOKEN_SECRET: 't'.repeat(32), CODE_SECRET: 'c'.repeat(32) };
/** A per-client limit that the suite's own /admin and API calls stay under. */
const GENEROUS = { limit: 100_000, period: 60 };
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let bundleDir;
let stateDir;
let worker;
let tokens;

/** One request; the reply with its JSON body parsed. */
async function call(method, path, { token, body, type = 'application/json', raw } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
  if (payload !== undefined && type) headers['content-type'] = type;
  const response = await fetch(`${worker.url}${path}`, { method, headers, body: payload });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

const admin = (method, path, body) => call(method, path, { token: env.ADMIN_TOKEN, body });

function errorBody(code, id, message, field) {
  return {
    code,
    message: `${message} (${id})`,
    details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id, message }],
    ...(field === undefined ? {} : { field }),
  };
}

async function stored(userId) {
  const { body } = await admin('GET', `/admin/users/${userId}`);
  return body;
}

async function lastSms(userId) {
  const { body } = await admin('GET', `/admin/outbox?userId=${userId}&limit=1`);
  return body.messages[0];
}

before(async () => {
  bundleDir = await bundleWorker(mkdtempSync(join(tmpdir(), 'contact-phone-bundle-')));
  stateDir = mkdtempSync(join(tmpdir(), 'contact-phone-state-'));
  worker = await startWorker({ port: 0, persistDir: stateDir, env, bundleDir, rateLimit: GENEROUS });
  const { status, body } = await admin('POST', '/admin/users', [
    { userId: 'alice', resourceOwner: 'acme' },
    { userId: 'bob', resourceOwner: 'acme' },
    { userId: 'racer', resourceOwner: 'acme' },
    { userId: 'machine', resourceOwner: 'acme', kind: 'machine' },
  ]);
  assert.equal(status, 201);
  tokens = Object.fromEntries(body.users.map((u) => [u.userId, u.token]));
});

after(async () => {
  await worker?.dispose();
});

describe('the five routes', () => {
  test('sendCode, the outbox, a wrong and a right code, get', async () => {
    const set = await call('PUT', '/v3alpha/users/alice/phone', { token: tokens.alice, body: { phone: { number: '+41 79 123 45 67' } } });
    assert.equal(set.status, 200);
    assert.equal(set.headers.get('content-type'), 'application/json');
    assert.deepEqual(Object.keys(set.body), ['details']);
    assert.equal(set.body.details.sequence, '3');
    assert.equal(set.body.details.resourceOwner, 'acme');
    assert.match(set.body.details.changeDate, ISO_MS);

    const sms = await lastSms('alice');
    assert.equal(sms.to, '+41791234567');
    assert.match(sms.code, /^[A-Z0-9]{6}$/);
    assert.equal(sms.text, `Your verification code is ${sms.code}`);

    const got = await call('GET', '/v3alpha/users/alice/phone', { token: tokens.alice });
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.phone, { number: '+41791234567', isVerified: false });

    const wrongCode = sms.code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
    const wrong = await call('POST', '/v3alpha/users/alice/phone/verify', { token: tokens.alice, body: { verificationCode: wrongCode } });
    assert.equal(wrong.status, 400);
    assert.deepEqual(wrong.body, errorBody(3, 'CODE-woT0xc', 'Code is invalid'));

    const right = await call('POST', '/v3alpha/users/alice/phone/verify', { token: tokens.alice, body: { verificationCode: sms.code } });
    assert.equal(right.status, 200);
    assert.equal(right.body.details.sequence, '5');
    const record = await stored('alice');
    assert.deepEqual(record.user.phone, { number: '+41791234567', isVerified: true, code: null });
    assert.deepEqual(record.events.map((e) => [e.sequence, e.type]), [
      [2, 'user.human.phone.changed'],
      [3, 'user.human.phone.code.added'],
      [4, 'user.human.phone.verification.failed'],
      [5, 'user.human.phone.verified'],
    ]);
  });

  test('returnCode, resend cooldown, remove, and an admin setting a verified phone', async () => {
    // A returned code needs user.write, even for one's own phone (SPEC §2.4).
    const mine = await call('PUT', '/v3alpha/users/bob/phone', { token: tokens.bob, body: { phone: { number: '079 765 43 21', return_code: {} } } });
    assert.deepEqual([mine.status, mine.body], [403, errorBody(7, 'AUTH-AWfge', 'No matching permissions found')]);
    const set = await call('PUT', '/v3alpha/users/bob/phone', { token: env.ADMIN_TOKEN, body: { phone: { number: '079 765 43 21', return_code: {} } } });
    assert.equal(set.status, 200);
    assert.match(set.body.verificationCode, /^[A-Z0-9]{6}$/);

    const resend = await call('POST', '/v3alpha/users/bob/phone/resend', { token: env.ADMIN_TOKEN, body: { returnCode: {} } });
    assert.equal(resend.status, 429);
    assert.equal(resend.body.details[0].id, 'PHONE-throttled');
    assert.ok(Number(resend.headers.get('retry-after')) >= 1);

    const removed = await call('DELETE', '/v3alpha/users/bob/phone', { token: tokens.bob });
    assert.equal(removed.status, 200);
    assert.equal(removed.body.details.sequence, '4');
    const again = await call('DELETE', '/v3alpha/users/bob/phone', { token: tokens.bob });
    assert.equal(again.status, 400);
    assert.deepEqual(again.body, errorBody(9, 'COMMAND-ieJ2e', 'Phone not found'));
    const none = await call('GET', '/v3alpha/users/bob/phone', { token: tokens.bob });
    assert.deepEqual(none.body.phone, null);

    const selfVerified = await call('PUT', '/v3alpha/users/bob/phone', { token: tokens.bob, body: { phone: { number: '0797654321', isVerified: true } } });
    assert.equal(selfVerified.status, 403);
    assert.deepEqual(selfVerified.body, errorBody(7, 'AUTH-AWfge', 'No matching permissions found'));
    const byAdmin = await call('PUT', '/v3alpha/users/bob/phone', { token: env.ADMIN_TOKEN, body: { phone: { number: '0797654321', isVerified: true } } });
    assert.equal(byAdmin.status, 200);
    assert.deepEqual((await stored('bob')).user.phone, { number: '+41797654321', isVerified: true, code: null });
  });
});

describe('HTTP errors change nothing', () => {
  test('404, 405, 413, 415, 400, 401, 403 and user not found, each with its body', async () => {
    const before = await stored('alice');
    const put = (options) => call('PUT', '/v3alpha/users/alice/phone', { token: tokens.alice, body: { phone: { number: '0711234567' } }, ...options });
    const cases = [
      [await call('GET', '/v3alpha/users/alice', { token: tokens.alice }), 404, errorBody(5, 'HTTP-not-found', 'No such route')],
      [await call('POST', '/v3alpha/users/alice/phone', { token: tokens.alice, body: {} }), 405, errorBody(12, 'HTTP-method', 'Method not allowed: use GET, PUT, DELETE')],
      [await put({ raw: JSON.stringify({ phone: { number: 'x'.repeat(17 * 1024) } }) }), 413, errorBody(8, 'HTTP-too-large', 'Request body is over 16384 bytes')],
      [await put({ type: 'text/plain' }), 415, errorBody(3, 'HTTP-media-type', 'Request body must be JSON (Content-Type: application/json)')],
      [await put({ raw: '{"phone": {"number": "0711234567",}}' }), 400, errorBody(3, 'REQUEST-invalid', 'Request is invalid: body could not be read as JSON: trailing comma at line 1 column 35', 'body')],
      [await put({ body: { phone: { phone: '0711234567' } } }), 400, errorBody(3, 'REQUEST-invalid', 'Request is invalid: phone.phone is not a known field (the field is `number`)', 'phone.phone')],
      [await put({ token: null }), 401, errorBody(16, 'AUTH-unauthenticated', 'No bearer token: send Authorization: Bearer <token>')],
      [await put({ token: 'forged.token' }), 401, errorBody(16, 'AUTH-unauthenticated', 'The bearer token is not valid')],
      [await put({ token: `${tokens.alice.split('.')[0]}.${tokens.bob.split('.')[1]}` }), 401, errorBody(16, 'AUTH-unauthenticated', 'The bearer token is not valid')],
      [await put({ token: tokens.bob }), 403, errorBody(7, 'AUTH-AWfge', 'No matching permissions found')],
      [await call('PUT', '/v3alpha/users/nobody/phone', { token: env.ADMIN_TOKEN, body: { phone: { number: '0711234567' } } }), 404, errorBody(5, 'COMMAND-b33QAVgel6', 'User could not be found')],
      [await call('GET', '/v3alpha/users/machine/phone', { token: env.ADMIN_TOKEN }), 404, errorBody(5, 'COMMAND-b33QAVgel6', 'User could not be found')],
    ];
    for (const [reply, status, body] of cases) {
      assert.equal(reply.status, status, JSON.stringify(reply.body));
      assert.deepEqual(reply.body, body);
      assert.equal(reply.headers.get('content-type'), 'application/json');
    }
    assert.equal(cases[1][0].headers.get('allow'), 'GET, PUT, DELETE');
    assert.equal(cases[6][0].headers.get('www-authenticate'), 'Bearer');
    assert.deepEqual(await stored('alice'), before);
  });

  test('admin routes need the admin token', async () => {
    const reply = await call('GET', '/admin/outbox', { token: tokens.alice });
    assert.equal(reply.status, 401);
    assert.equal((await call('GET', '/admin/users', { token: tokens.alice })).status, 401);
    const created = await call('POST', '/admin/users', { token: tokens.alice, body: { userId: 'mallory', resourceOwner: 'acme' } });
    assert.equal(created.status, 401);
    // Small refused bodies are read to their end: behind the assets router an unread body made
    // workerd reset the connection now and then (ECONNRESET instead of the reply).
    for (let i = 0; i < 30; i += 1) {
      assert.equal((await call('POST', '/admin/users', { token: tokens.alice, body: { userId: 'mallory', resourceOwner: 'acme' } })).status, 401);
      assert.equal((await call('POST', '/admin/nope', { token: env.ADMIN_TOKEN, body: {} })).status, 404);
    }
    assert.equal((await admin('GET', '/admin/users/mallory')).status, 404);
  });

  test('a refused /admin request is answered without its body read to the end', { timeout: 30_000 }, async () => {
    // 1 MiB of a body that never ends: reading it all would never answer.
    const headers = { authorization: `Bearer ${tokens.alice}` };
    for (const path of ['/admin/users', '/admin/tokens']) {
      assert.deepEqual(await postUnfinished(`${worker.url}${path}`, { bytes: 1024 * 1024, headers }), {
        status: 401,
        body: { error: 'admin token required (Authorization: Bearer $ADMIN_TOKEN)' },
      });
    }
    const unknown = await postUnfinished(`${worker.url}/admin/nope`, { bytes: 1024 * 1024, headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } });
    assert.deepEqual(unknown, { status: 404, body: { error: 'no such admin route' } });
  });
});

test('GET /admin/users lists the created users by id; a replacement updates the entry', async () => {
  const listed = async () => {
    const { status, headers, body } = await admin('GET', '/admin/users');
    assert.equal(status, 200);
    assert.equal(headers.get('content-type'), 'application/json');
    return body.users;
  };
  assert.deepEqual(await listed(), [
    { userId: 'alice', resourceOwner: 'acme', kind: 'human', state: 'active' },
    { userId: 'bob', resourceOwner: 'acme', kind: 'human', state: 'active' },
    { userId: 'machine', resourceOwner: 'acme', kind: 'machine', state: 'active' },
    { userId: 'racer', resourceOwner: 'acme', kind: 'human', state: 'active' },
  ]);
  assert.equal((await admin('POST', '/admin/users', { userId: 'erin', resourceOwner: 'globex', state: 'initial' })).status, 201);
  assert.deepEqual((await listed()).find((u) => u.userId === 'erin'), { userId: 'erin', resourceOwner: 'globex', kind: 'human', state: 'initial' });
  assert.equal((await admin('POST', '/admin/users', { userId: 'erin', resourceOwner: 'globex' })).status, 201);
  assert.deepEqual((await listed()).find((u) => u.userId === 'erin'), { userId: 'erin', resourceOwner: 'globex', kind: 'human', state: 'active' });
  assert.deepEqual((await listed()).map((u) => u.userId), ['alice', 'bob', 'erin', 'machine', 'racer']);
  assert.equal((await stored('erin')).user.sequence, 2);
});

test('20 parallel PUTs on one user: each 200 or 409, and no lost update', async () => {
  const start = (await stored('racer')).user.sequence;
  const numbers = Array.from({ length: 20 }, (_, i) => `+41 79 000 00 ${String(i).padStart(2, '0')}`);
  const replies = await Promise.all(numbers.map((number) =>
    call('PUT', '/v3alpha/users/racer/phone', { token: env.ADMIN_TOKEN, body: { phone: { number, returnCode: {} } } })));
  const applied = replies.filter((r) => r.status === 200);
  for (const reply of replies) {
    assert.ok(reply.status === 200 || reply.status === 409, `status ${reply.status}: ${JSON.stringify(reply.body)}`);
    if (reply.status === 409) assert.equal(reply.body.details[0].id, 'COMMAND-conflict');
  }
  assert.ok(applied.length >= 1);
  const { user, events } = await stored('racer');
  const requested = numbers.map((n) => `+${n.replace(/\D/g, '')}`);
  assert.ok(requested.includes(user.phone.number), user.phone.number);
  // Every applied PUT is one save of two events (changed + code.added); nothing else moved.
  assert.equal(user.sequence, start + 2 * applied.length);
  assert.deepEqual(events.map((e) => e.sequence), Array.from({ length: 2 * applied.length }, (_, i) => start + 1 + i));
  const sequences = applied.map((r) => Number(r.body.details.sequence)).sort((a, b) => a - b);
  assert.deepEqual(sequences, Array.from({ length: applied.length }, (_, i) => start + 2 * (i + 1)));
  // The number of the last applied PUT is the stored one.
  const last = applied.find((r) => Number(r.body.details.sequence) === user.sequence);
  assert.ok(last);
});

test('a restart on the same state folder keeps users, phones and tokens', async () => {
  const before = await stored('alice');
  await worker.dispose();
  worker = await startWorker({ port: 0, persistDir: stateDir, env, bundleDir, rateLimit: GENEROUS });
  assert.deepEqual(await stored('alice'), before);
  const got = await call('GET', '/v3alpha/users/alice/phone', { token: tokens.alice });
  assert.equal(got.status, 200);
  assert.deepEqual(got.body.phone, { number: '+41791234567', isVerified: true });
});

test('wrangler deploys the worker as configured (dry run, offline)', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'contact-phone-wrangler-'));
  const output = execFileSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', outdir], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
  });
  assert.match(output, /env\.USERS \(UserStore\)\s+Durable Object/);
  assert.match(output, /env\.OUTBOX \(Outbox\)\s+Durable Object/);
  assert.match(output, /env\.DIRECTORY \(Directory\)\s+Durable Object/);
  assert.match(output, /env\.SMS_QUOTA \(SmsQuota\)\s+Durable Object/);
  assert.match(output, /env\.DELIVERIES \(Deliveries\)\s+Durable Object/);
  assert.match(output, /env\.SMS_QUEUE \(contact-phone-sms\)\s+Queue/);
  assert.match(output, /env\.SMS_DEAD_LETTERS \(contact-phone-sms-dead\)\s+Queue/);
  assert.match(output, /Read \d+ files from the assets directory \S*\/www\n/);
  assert.match(output, /--dry-run: exiting now/);
});

test('the API and admin routes are rate limited per client (HTTP 429)', async () => {
  const limited = await startWorker({ port: 0, env, bundleDir, rateLimit: { limit: 3, period: 60 } });
  try {
    const get = (ip) => fetch(`${limited.url}/v3alpha/users/nobody/phone`, {
      headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, 'cf-connecting-ip': ip },
    });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await get('192.0.2.1')).status);
    assert.deepEqual(statuses, [404, 404, 404, 429]);
    const refused = await get('192.0.2.1');
    assert.equal(refused.headers.get('retry-after'), '60');
    assert.deepEqual(await refused.json(), {
      code: 8,
      message: 'Too many requests from this client: slow down (HTTP-rate-limited)',
      details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: 'HTTP-rate-limited', message: 'Too many requests from this client: slow down' }],
    });
    // Another client has its own budget; /admin shares it, with or without the admin token.
    assert.equal((await get('192.0.2.2')).status, 404);
    const outbox = (token) => fetch(`${limited.url}/admin/outbox`, {
      headers: { authorization: `Bearer ${token}`, 'cf-connecting-ip': '192.0.2.2' },
    });
    assert.deepEqual([(await outbox(env.ADMIN_TOKEN)).status, (await outbox('guess')).status], [200, 401]);
    const admin = await outbox(env.ADMIN_TOKEN);
    assert.equal(admin.status, 429);
    assert.equal(admin.headers.get('retry-after'), '60');
    assert.equal((await admin.json()).details[0].id, 'HTTP-rate-limited');
    assert.equal((await outbox('guess')).status, 429);
    // A refused request's body is read first (up to 64 KiB): unread, workerd reset connections.
    const refusedPosts = [];
    for (let i = 0; i < 15; i += 1) {
      for (const path of ['/admin/users', '/v3alpha/users/nobody/phone/verify']) {
        const reply = await fetch(`${limited.url}${path}`, {
          method: 'POST',
          headers: { authorization: 'Bearer guess', 'content-type': 'application/json', 'cf-connecting-ip': '192.0.2.2' },
          body: JSON.stringify({ userId: 'x', resourceOwner: 'y', padding: 'p'.repeat(2000) }),
        });
        refusedPosts.push(reply.status);
        await reply.arrayBuffer();
      }
    }
    assert.deepEqual(refusedPosts, Array(30).fill(429));
  } finally {
    await limited.dispose();
  }
});
