// SMS delivery from the edge worker (worker/sms.js) through Cloudflare Queues as miniflare runs
// them, against local receivers standing in for Twilio and a signed webhook: delivered after
// failures, dead-lettered after the last attempt, failed at once when refused, and no provider.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorker, startWorker } from '../../worker/dev.mjs';
import { assertTwilioRequest, assertWebhookRequest, eventually, startReceiver, TWILIO, twilioCallback, WEBHOOK_SECRET } from './sms-receivers.mjs';
import { jsonClient } from './support.mjs';

const SECRETS = { ADMIN_TOKEN: 'admin-test-token', TOKEN_SECRET: 't'.repeat(32), CODE_SECRET: 'c'.repeat(32) };
const TEXT = /^Your verification code is ([0-9A-Z]{6})$/;
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let bundleDir;
before(async () => {
  bundleDir = await bundleWorker(mkdtempSync(join(tmpdir(), 'contact-phone-sms-bundle-')));
});

/** A worker with `env` on top of the secrets, alice created; disposed after the test. */
async function workerWith(t, env) {
  const worker = await startWorker({ port: 0, env: { ...SECRETS, ...env }, bundleDir });
  t.after(() => worker.dispose());
  const call = jsonClient(worker.url, SECRETS.ADMIN_TOKEN);
  assert.equal((await call('POST', '/admin/users', { userId: 'alice', resourceOwner: 'acme' })).status, 201);
  const sendCode = () => call('PUT', '/v3alpha/users/alice/phone', { phone: { number: '+41 79 123 45 67', sendCode: {} } });
  const deliveries = async () => (await call('GET', '/admin/deliveries?userId=alice')).body.deliveries;
  return { worker, call, sendCode, deliveries };
}

/** Waits for the newest delivery to reach `state` (and `deadLettered`, if asked). */
const reaches = (deliveries, state, { deadLettered = false } = {}) => eventually(async () => {
  const [delivery] = await deliveries();
  return delivery?.state === state && (!deadLettered || delivery.deadLetteredAt) && delivery;
});

const twilioEnv = (receiver) => ({
  TWILIO_ACCOUNT_SID: TWILIO.accountSid,
  TWILIO_AUTH_TOKEN: TWILIO.authToken,
  TWILIO_FROM: TWILIO.from,
  TWILIO_API_BASE: receiver.url,
  SMS_RETRY_BASE_SECONDS: '0',
});

test('Twilio fails twice with 503, then takes it: sent after 3 queue attempts, the code verifies', async (t) => {
  const receiver = await startReceiver({ failures: 2, failStatus: 503 });
  t.after(receiver.close);
  const { call, sendCode, deliveries } = await workerWith(t, twilioEnv(receiver));

  assert.equal((await sendCode()).status, 200, 'answered once queued');
  const delivery = await reaches(deliveries, 'sent');
  assert.equal(receiver.requests.length, 3);
  const text = new URLSearchParams(receiver.requests[0].body).get('Body');
  for (const request of receiver.requests) assertTwilioRequest(request, { to: '+41791234567', text });
  assert.match(delivery.id, /^[0-9a-f-]{36}$/);
  assert.match(delivery.createdAt, ISO_MS);
  assert.match(delivery.updatedAt, ISO_MS);
  assert.deepEqual({ ...delivery, id: 0, createdAt: 0, updatedAt: 0 }, {
    id: 0, userId: 'alice', to: '+41791234567', provider: 'twilio', state: 'sent', attempts: 3,
    lastError: 'Twilio answered 503', providerId: 'SM3', providerStatus: 'queued', deadLetteredAt: null, createdAt: 0, updatedAt: 0,
  });
  const [, code] = TEXT.exec(text);
  assert.equal((await call('POST', '/v3alpha/users/alice/phone/verify', { verificationCode: code })).status, 200);
  assert.deepEqual(await call('GET', '/admin/outbox'), { status: 200, body: { messages: [] } }, 'no dev outbox next to a provider');
});

test('a webhook that always fails: dead after the last attempt and in the dead-letter queue', async (t) => {
  const receiver = await startReceiver({ failures: Infinity, failStatus: 500 });
  t.after(receiver.close);
  const { sendCode, deliveries } = await workerWith(t, {
    SMS_WEBHOOK_URL: `${receiver.url}/sms`,
    SMS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SMS_MAX_ATTEMPTS: '3',
    SMS_RETRY_BASE_SECONDS: '0',
  });
  assert.equal((await sendCode()).status, 200);
  const delivery = await reaches(deliveries, 'dead', { deadLettered: true });
  assert.deepEqual([delivery.attempts, delivery.lastError, delivery.provider], [3, 'SMS webhook answered 500', 'webhook']);
  assert.match(delivery.deadLetteredAt, ISO_MS);
  assert.equal(receiver.requests.length, 3);
  for (const request of receiver.requests) {
    const body = assertWebhookRequest(request, { id: delivery.id });
    assert.equal(request.path, '/sms');
    assert.deepEqual([body.type, body.data.id, body.data.to, body.data.userId, body.data.resourceOwner], ['sms.send', delivery.id, '+41791234567', 'alice', 'acme']);
    assert.match(body.data.text, TEXT);
  }
});

test('a permanent refusal (Twilio 400) fails at once and is dead-lettered', async (t) => {
  const receiver = await startReceiver({ failures: Infinity, failStatus: 400, failBody: { code: 21211, message: 'invalid To', status: 400 } });
  t.after(receiver.close);
  const { sendCode, deliveries } = await workerWith(t, twilioEnv(receiver));
  assert.equal((await sendCode()).status, 200);
  const delivery = await reaches(deliveries, 'failed', { deadLettered: true });
  assert.deepEqual([delivery.attempts, delivery.lastError], [1, 'Twilio answered 400 (error 21211)']);
  assert.equal(receiver.requests.length, 1);
});

test('Twilio\'s signed status callback records "delivered"; a bad signature is 403', async (t) => {
  const receiver = await startReceiver();
  t.after(receiver.close);
  const callbackUrl = 'https://phone.example/sms/twilio/status';
  const { worker, sendCode, deliveries } = await workerWith(t, { ...twilioEnv(receiver), TWILIO_STATUS_CALLBACK: callbackUrl });
  assert.equal((await sendCode()).status, 200);
  await reaches(deliveries, 'sent');
  assertTwilioRequest(receiver.requests[0], { to: '+41791234567', text: new URLSearchParams(receiver.requests[0].body).get('Body'), statusCallback: callbackUrl });
  const post = ({ body, signature }) => fetch(`${worker.url}/sms/twilio/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body,
  });
  const delivered = twilioCallback(callbackUrl, { MessageSid: 'SM1', MessageStatus: 'delivered', AccountSid: TWILIO.accountSid });
  assert.equal((await post({ body: delivered.body, signature: twilioCallback(callbackUrl, { MessageSid: 'SM1', MessageStatus: 'failed' }).signature })).status, 403);
  assert.equal((await deliveries())[0].providerStatus, 'queued');
  assert.equal((await post(delivered)).status, 204);
  // A body larger than any callback is refused at the byte past 16 KiB, unread beyond.
  assert.equal((await post({ body: `${delivered.body}&x=${'y'.repeat(17 * 1024)}`, signature: delivered.signature })).status, 413);
  const [delivery] = await deliveries();
  assert.deepEqual([delivery.state, delivery.providerId, delivery.providerStatus], ['sent', 'SM1', 'delivered']);
});

test('deployed without a provider: sendCode answers 503 HOST-sms, nothing stored with the code', async (t) => {
  for (const env of [{ DEV_OUTBOX: 'false' }, { DEV_OUTBOX: 'false', SMS_WEBHOOK_URL: 'http://127.0.0.1:9/sms' }]) {
    const { call, sendCode, deliveries } = await workerWith(t, env);
    const reply = await sendCode();
    assert.equal(reply.status, 503);
    assert.equal(reply.body.details[0].id, 'HOST-sms');
    assert.equal((await call('GET', '/admin/users/alice')).body.user.phone.number, '+41791234567', 'the phone is saved for a resend');
    assert.deepEqual(await deliveries(), []);
    assert.deepEqual(await call('GET', '/admin/outbox'), { status: 200, body: { messages: [] } });
  }
});
