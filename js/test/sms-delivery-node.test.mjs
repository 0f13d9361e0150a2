// SMS delivery from the Node server (server/sms*.js) on PGlite in memory, against local
// receivers standing in for Twilio and a signed webhook: delivered after failures, dead after
// the last attempt, failed at once when refused, the backoff on a fake clock, no provider,
// the text cleared once done, and no code in any log line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import { migrate } from '../../server/sql-host.js';
import { startServer } from '../../server/server.js';
import { retryPolicy } from '../../sms/retry.js';
import { twilioProvider } from '../../sms/twilio.js';
import { webhookProvider } from '../../sms/webhook.js';
import { assertTwilioRequest, assertWebhookRequest, eventually, startReceiver, TWILIO, twilioCallback, WEBHOOK_SECRET } from './sms-receivers.mjs';
import { SECRET, jsonClient } from './support.mjs';

const SECRETS = { ADMIN_TOKEN: 'admin-test-token-0123456789', TOKEN_SECRET: 'token-secret-0123456789abcdef0123', CODE_SECRET: SECRET };
const TEXT = /^Your verification code is ([0-9A-Z]{6})$/;

/** A migrated PGlite and a server on it with `sms`, alice created; closed after the test. */
async function serverWith(t, sms) {
  const db = new PGlite();
  await migrate(db);
  const lines = [];
  const log = { warn: (line) => lines.push(line), error: (line) => lines.push(line) };
  const server = await startServer({ db, env: { ...SECRETS, DEV_TOKENS: '1' }, port: 0, sms: sms && !sms.devOutbox ? { log, ...sms } : sms });
  t.after(async () => {
    await server.close();
    await db.close();
  });
  const call = jsonClient(server.url, SECRETS.ADMIN_TOKEN);
  assert.equal((await call('POST', '/admin/users', { userId: 'alice', resourceOwner: 'acme' })).status, 201);
  const sendCode = () => call('PUT', '/v3alpha/users/alice/phone', { phone: { number: '+41 79 123 45 67', sendCode: {} } });
  const deliveries = async () => (await call('GET', '/admin/deliveries?userId=alice')).body.deliveries;
  return { db, server, call, sendCode, deliveries, lines };
}

const settled = (deliveries) => async () => {
  const list = await deliveries();
  return list.length > 0 && ['sent', 'failed', 'dead'].includes(list[0].state) && list;
};

test('Twilio fails twice with 503, then takes it: sent after 3 attempts, the code verifies', async (t) => {
  const receiver = await startReceiver({ failures: 2, failStatus: 503 });
  t.after(receiver.close);
  const provider = twilioProvider({ ...TWILIO, baseUrl: receiver.url });
  const { db, call, sendCode, deliveries, lines } = await serverWith(t, { provider, policy: retryPolicy({ maxAttempts: 5, baseDelaySeconds: 0 }) });

  assert.equal((await sendCode()).status, 200);
  const [delivery] = await eventually(settled(deliveries));
  assert.equal(receiver.requests.length, 3);
  const text = new URLSearchParams(receiver.requests[0].body).get('Body');
  const [, code] = TEXT.exec(text);
  for (const request of receiver.requests) assertTwilioRequest(request, { to: '+41791234567', text });
  assert.deepEqual({ ...delivery, id: typeof delivery.id, createdAt: typeof delivery.createdAt, updatedAt: typeof delivery.updatedAt }, {
    id: 'string', userId: 'alice', to: '+41791234567', provider: 'twilio', state: 'sent', attempts: 3,
    lastError: 'Twilio answered 503', providerId: 'SM3', providerStatus: 'queued', createdAt: 'string', updatedAt: 'string',
  });
  const { rows } = await db.query('SELECT text FROM sms_delivery WHERE id = $1', [delivery.id]);
  assert.deepEqual(rows, [{ text: null }], 'the text (and its code) is gone once sent');
  assert.equal((await call('POST', '/v3alpha/users/alice/phone/verify', { verificationCode: code })).status, 200);
  assert.equal(lines.length, 2);
  for (const line of lines) {
    assert.match(line, new RegExp(`^SMS ${delivery.id} \\(user alice\\), attempt [12] of 5 failed: Twilio answered 503; retrying in 0 s$`));
  }
  assert.deepEqual(await call('GET', '/admin/outbox'), { status: 200, body: { messages: [] } }, 'no dev outbox next to a provider');
});

test('a webhook that always fails: dead after the last attempt, one id, every attempt signed', async (t) => {
  const receiver = await startReceiver({ failures: Infinity, failStatus: 500 });
  t.after(receiver.close);
  const provider = webhookProvider({ url: `${receiver.url}/sms`, secret: WEBHOOK_SECRET });
  const { db, sendCode, deliveries, lines } = await serverWith(t, { provider, policy: retryPolicy({ maxAttempts: 3, baseDelaySeconds: 0 }) });

  assert.equal((await sendCode()).status, 200);
  const [delivery] = await eventually(settled(deliveries));
  assert.deepEqual([delivery.state, delivery.attempts, delivery.lastError, delivery.provider], ['dead', 3, 'SMS webhook answered 500', 'webhook']);
  assert.equal(receiver.requests.length, 3);
  for (const request of receiver.requests) {
    const body = assertWebhookRequest(request, { id: delivery.id });
    assert.equal(request.path, '/sms');
    assert.deepEqual(Object.keys(body.data), ['id', 'to', 'text', 'userId', 'resourceOwner', 'expiresAt']);
    assert.deepEqual([body.type, body.data.to, body.data.userId, body.data.resourceOwner], ['sms.send', '+41791234567', 'alice', 'acme']);
    assert.match(body.data.text, TEXT);
  }
  const { rows } = await db.query('SELECT text FROM sms_delivery');
  assert.deepEqual(rows, [{ text: null }]);
  assert.match(lines.at(-1), /attempt 3 of 3 failed: SMS webhook answered 500; no attempts left \(dead\)$/);
  const code = TEXT.exec(JSON.parse(receiver.requests[0].body).data.text)[1];
  assert.ok(lines.every((line) => !line.includes(code)), 'no log line holds the code');
});

test('a permanent refusal (Twilio 400) fails at once, without retries', async (t) => {
  const receiver = await startReceiver({ failures: Infinity, failStatus: 400, failBody: { code: 21211, message: 'invalid To', status: 400 } });
  t.after(receiver.close);
  const provider = twilioProvider({ ...TWILIO, baseUrl: receiver.url });
  const { sendCode, deliveries } = await serverWith(t, { provider, policy: retryPolicy({ maxAttempts: 5, baseDelaySeconds: 0 }) });
  assert.equal((await sendCode()).status, 200);
  const [delivery] = await eventually(settled(deliveries));
  assert.deepEqual([delivery.state, delivery.attempts, delivery.lastError], ['failed', 1, 'Twilio answered 400 (error 21211)']);
  assert.equal(receiver.requests.length, 1);
});

test('the backoff on a fake clock: nothing is claimed before its time, then it is', async (t) => {
  const receiver = await startReceiver({ failures: 2, failStatus: 503 });
  t.after(receiver.close);
  let now = Date.parse('2026-11-28T12:00:00.000Z');
  const { db, sendCode, server } = await serverWith(t, {
    provider: twilioProvider({ ...TWILIO, baseUrl: receiver.url }),
    policy: retryPolicy({ maxAttempts: 4, baseDelaySeconds: 10 }),
    now: () => new Date(now),
    manual: true,
  });
  const { runOnce } = server.sms.sender;
  const row = async () => (await db.query('SELECT state, attempts, next_attempt_at FROM sms_delivery')).rows
    .map((r) => ({ state: r.state, attempts: r.attempts, next: new Date(r.next_attempt_at).toISOString() }));

  assert.equal((await sendCode()).status, 200);
  assert.deepEqual(await row(), [{ state: 'queued', attempts: 0, next: '2026-11-28T12:00:00.000Z' }]);
  assert.equal(await runOnce(), 1);
  assert.deepEqual(await row(), [{ state: 'retrying', attempts: 1, next: '2026-11-28T12:00:10.000Z' }]);
  now += 9_000;
  assert.equal(await runOnce(), 0, 'not due yet');
  now += 1_000;
  assert.equal(await runOnce(), 1);
  assert.deepEqual(await row(), [{ state: 'retrying', attempts: 2, next: '2026-11-28T12:00:30.000Z' }]);
  now += 20_000;
  assert.equal(await runOnce(), 1);
  assert.deepEqual((await row()).map((r) => [r.state, r.attempts]), [['sent', 3]]);
  assert.equal(await runOnce(), 0);
  assert.equal(receiver.requests.length, 3);
});

test('a sender that dies mid-delivery: the claimed message comes back after its lease', async (t) => {
  let now = Date.parse('2026-11-28T12:00:00.000Z');
  const hung = { name: 'twilio', send: () => new Promise(() => {}) };
  const { db, sendCode, server } = await serverWith(t, { provider: hung, now: () => new Date(now), manual: true });
  assert.equal((await sendCode()).status, 200);
  const outbox = server.sms.outbox;
  assert.equal((await outbox.claimDue(new Date(now), { leaseSeconds: 60 })).length, 1);
  assert.equal((await outbox.claimDue(new Date(now + 59_000))).length, 0, 'leased to the first sender');
  const [again] = await outbox.claimDue(new Date(now + 60_000));
  assert.deepEqual([again.attempts, again.userId, again.to], [2, 'alice', '+41791234567']);
  assert.match(again.text, TEXT);
  assert.equal((await db.query('SELECT count(*)::int AS n FROM sms_delivery')).rows[0].n, 1);
});

test('Twilio\'s signed status callback records "delivered"; a bad signature is 403', async (t) => {
  const receiver = await startReceiver();
  t.after(receiver.close);
  const callbackUrl = 'https://phone.example/sms/twilio/status';
  const provider = twilioProvider({ ...TWILIO, statusCallback: callbackUrl, baseUrl: receiver.url });
  const { server, sendCode, deliveries } = await serverWith(t, { provider, policy: retryPolicy({ baseDelaySeconds: 0 }) });
  assert.equal((await sendCode()).status, 200);
  await eventually(settled(deliveries));
  assertTwilioRequest(receiver.requests[0], { to: '+41791234567', text: new URLSearchParams(receiver.requests[0].body).get('Body'), statusCallback: callbackUrl });
  const post = ({ body, signature }) => fetch(`${server.url}/sms/twilio/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body,
  });
  const delivered = twilioCallback(callbackUrl, { MessageSid: 'SM1', MessageStatus: 'delivered', AccountSid: TWILIO.accountSid });
  assert.equal((await post({ ...delivered, signature: delivered.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })).status, 403);
  assert.equal((await deliveries())[0].providerStatus, 'queued');
  assert.equal((await post(delivered)).status, 204);
  const undelivered = twilioCallback(callbackUrl, { MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '30003' });
  assert.equal((await post(undelivered)).status, 204);
  const [delivery] = await deliveries();
  assert.deepEqual([delivery.state, delivery.providerId, delivery.providerStatus], ['sent', 'SM1', 'undelivered (error 30003)']);
});

test('no provider: sendCode answers 503 HOST-sms with the phone saved, no outbox, nothing queued', async (t) => {
  const errors = [];
  t.mock.method(console, 'error', (line) => errors.push(line));
  const { db, call, sendCode } = await serverWith(t, undefined);
  const reply = await sendCode();
  assert.equal(reply.status, 503);
  // The client gets the id and a generic message; the cause goes to the server's log.
  assert.deepEqual(reply.body.details[0], {
    '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail',
    id: 'HOST-sms',
    message: 'SMS could not be sent; the phone and its code are saved, resend to deliver a code',
  });
  assert.deepEqual(errors, [
    'SMS not sent: no SMS provider is configured (set TWILIO_* or SMS_WEBHOOK_URL, see docs/sms-delivery.md)',
    'contact-phone: SMS could not be sent (sendSms failed: rejected with Error: no SMS provider is configured); the phone and its code are saved, resend to deliver a code',
  ]);
  assert.equal((await call('GET', '/admin/users/alice')).body.user.phone.number, '+41791234567');
  assert.deepEqual(await call('GET', '/admin/outbox'), { status: 200, body: { messages: [] } });
  assert.deepEqual((await call('GET', '/admin/deliveries')).body, { deliveries: [] });
  assert.deepEqual((await db.query('SELECT * FROM outbox')).rows, []);
});

test('the dev outbox (npm run start:node without a provider) keeps the SMS for GET /admin/outbox', async (t) => {
  const { call, sendCode } = await serverWith(t, { devOutbox: true });
  assert.equal((await sendCode()).status, 200);
  const { messages } = (await call('GET', '/admin/outbox?userId=alice')).body;
  assert.deepEqual([messages.length, messages[0].to, messages[0].userId], [1, '+41791234567', 'alice']);
  assert.match(messages[0].text, TEXT);
  assert.deepEqual((await call('GET', '/admin/deliveries')).body, { deliveries: [] });
});
