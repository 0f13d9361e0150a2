// The SMS providers and the retry policy shared by the worker and the Node server (sms/):
// Twilio's exact request, the webhook's signature, which failures are retried, the backoff,
// and the settings read from the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { smsProviderFromEnv, retryPolicyFromEnv, SmsConfigError } from '../../sms/config.js';
import { DeliveryError } from '../../sms/delivery-error.js';
import { afterFailure, retryPolicy } from '../../sms/retry.js';
import { isTwilioSignature, twilioProvider } from '../../sms/twilio.js';
import { webhookProvider } from '../../sms/webhook.js';
import { assertTwilioRequest, assertWebhookRequest, startReceiver, TWILIO, WEBHOOK_SECRET } from './sms-receivers.mjs';

const MESSAGE = Object.freeze({
  id: '5f0c6a7e-1b2c-4d3e-8f90-a1b2c3d4e5f6',
  to: '+41791234567',
  text: 'Your verification code is K7Q2XP',
  userId: 'alice',
  resourceOwner: 'acme',
  expiresAt: '2026-11-28T12:10:00.000Z',
});

test('Twilio: form fields, basic auth and path exactly; the SID and status come back', async (t) => {
  const receiver = await startReceiver({ okBody: () => ({ sid: 'SM87', status: 'queued' }) });
  t.after(receiver.close);
  const twilio = twilioProvider({ ...TWILIO, statusCallback: 'https://phone.example/sms/twilio/status', baseUrl: receiver.url });
  assert.deepEqual(await twilio.send(MESSAGE), { providerId: 'SM87', providerStatus: 'queued' });
  assert.equal(receiver.requests.length, 1);
  assertTwilioRequest(receiver.requests[0], { to: MESSAGE.to, text: MESSAGE.text, statusCallback: 'https://phone.example/sms/twilio/status' });
});

test('Twilio: a messaging service instead of From; neither or both is refused', async (t) => {
  const receiver = await startReceiver();
  t.after(receiver.close);
  await twilioProvider({ ...TWILIO, from: undefined, messagingServiceSid: 'MG0001', baseUrl: receiver.url }).send(MESSAGE);
  assert.deepEqual([...new URLSearchParams(receiver.requests[0].body)],
    [['To', MESSAGE.to], ['MessagingServiceSid', 'MG0001'], ['Body', MESSAGE.text]]);
  assert.throws(() => twilioProvider({ ...TWILIO, from: undefined }), /either a From number or a messaging service SID/);
  assert.throws(() => twilioProvider({ ...TWILIO, messagingServiceSid: 'MG0001' }), /either a From number or a messaging service SID/);
});

test('Twilio: 400 is permanent and keeps only Twilio\'s error code; 429 and 503 are retried', async (t) => {
  const refused = await startReceiver({ failures: Infinity, failStatus: 400, failBody: { code: 21211, message: `The 'To' number ${MESSAGE.to} is not valid.`, status: 400 } });
  t.after(refused.close);
  const error = await twilioProvider({ ...TWILIO, baseUrl: refused.url }).send(MESSAGE).catch((e) => e);
  assert.ok(error instanceof DeliveryError);
  assert.deepEqual({ message: error.message, permanent: error.permanent, status: error.status },
    { message: 'Twilio answered 400 (error 21211)', permanent: true, status: 400 });
  for (const status of [429, 503, 408]) {
    const busy = await startReceiver({ failures: Infinity, failStatus: status });
    const failed = await twilioProvider({ ...TWILIO, baseUrl: busy.url }).send(MESSAGE).catch((e) => e);
    await busy.close();
    assert.deepEqual({ message: failed.message, permanent: failed.permanent, status: failed.status },
      { message: `Twilio answered ${status}`, permanent: false, status });
  }
});

test('an unreachable provider is a transient failure that names neither text nor code', async () => {
  const closed = await startReceiver();
  await closed.close();
  const error = await webhookProvider({ url: closed.url, secret: WEBHOOK_SECRET }).send(MESSAGE).catch((e) => e);
  assert.ok(error instanceof DeliveryError);
  assert.equal(error.permanent, false);
  assert.match(error.message, /^SMS webhook could not be reached: /);
  assert.doesNotMatch(error.message, /K7Q2XP/);
});

test('webhook: Standard Webhooks headers and signature, the same id on every attempt', async (t) => {
  const receiver = await startReceiver({ failures: 1, okStatus: 204, okBody: () => '' });
  t.after(receiver.close);
  // The reference library refuses timestamps more than 5 minutes from its own clock, so this
  // provider runs on the real clock; a fixed one is checked below.
  const webhook = webhookProvider({ url: receiver.url, secret: WEBHOOK_SECRET });
  await assert.rejects(webhook.send(MESSAGE), { name: 'DeliveryError', message: 'SMS webhook answered 503', permanent: false });
  assert.deepEqual(await webhook.send(MESSAGE), { providerId: null, providerStatus: null });
  assert.equal(receiver.requests.length, 2);
  for (const request of receiver.requests) {
    const body = assertWebhookRequest(request, { id: MESSAGE.id });
    assert.equal(body.type, 'sms.send');
    assert.deepEqual(body.data, MESSAGE);
    assert.equal(Math.floor(Date.parse(body.timestamp) / 1000), Number(request.headers['webhook-timestamp']));
  }
  const fixed = await startReceiver({ okStatus: 200 });
  t.after(fixed.close);
  await webhookProvider({ url: fixed.url, secret: WEBHOOK_SECRET, now: () => new Date('2026-11-28T12:00:10.000Z') }).send(MESSAGE);
  assert.equal(fixed.requests[0].headers['webhook-timestamp'], '1795867210');
  assert.equal(JSON.parse(fixed.requests[0].body).timestamp, '2026-11-28T12:00:10.000Z');
});

test('retry policy: doubling delays up to the cap; permanent failures and the last attempt stop', () => {
  const policy = retryPolicy({ maxAttempts: 8, baseDelaySeconds: 10, maxDelaySeconds: 300 });
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(policy.delayAfter), [10, 20, 40, 80, 160, 300, 300]);
  const transient = new DeliveryError('x', { permanent: false });
  assert.deepEqual(afterFailure(policy, 1, transient), { state: 'retrying', delaySeconds: 10 });
  assert.deepEqual(afterFailure(policy, 7, transient), { state: 'retrying', delaySeconds: 300 });
  assert.deepEqual(afterFailure(policy, 8, transient), { state: 'dead' });
  assert.deepEqual(afterFailure(policy, 1, new DeliveryError('x', { permanent: true })), { state: 'failed' });
  assert.deepEqual(afterFailure(policy, 1, new Error('a bug, not a refusal')), { state: 'retrying', delaySeconds: 10 });
  const defaults = retryPolicy();
  assert.deepEqual([defaults.maxAttempts, [1, 2, 3, 4, 5].map(defaults.delayAfter)], [6, [10, 20, 40, 80, 160]]);
  assert.throws(() => retryPolicy({ maxAttempts: 0 }), /maxAttempts must be an integer from 1 to 100/);
});

test('settings from the environment: the provider, the retry policy, and half-set ones refused', async (t) => {
  assert.equal(smsProviderFromEnv({}), null);
  assert.equal(smsProviderFromEnv({ TWILIO_ACCOUNT_SID: TWILIO.accountSid, TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+1' }).name, 'twilio');
  assert.equal(smsProviderFromEnv({ SMS_WEBHOOK_URL: 'https://hooks.example/sms', SMS_WEBHOOK_SECRET: WEBHOOK_SECRET }).name, 'webhook');
  const refused = [
    [{ TWILIO_ACCOUNT_SID: 'AC1' }, 'TWILIO_ACCOUNT_SID needs TWILIO_AUTH_TOKEN'],
    [{ TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't' }, 'Twilio needs exactly one of TWILIO_FROM and TWILIO_MESSAGING_SERVICE_SID'],
    [{ SMS_WEBHOOK_URL: 'https://hooks.example/sms' }, 'SMS_WEBHOOK_URL needs SMS_WEBHOOK_SECRET (whsec_ and a base64 key)'],
    [{ SMS_WEBHOOK_URL: 'https://hooks.example/sms', SMS_WEBHOOK_SECRET: 'whsec_', TWILIO_ACCOUNT_SID: 'AC1' }, 'set either TWILIO_ACCOUNT_SID or SMS_WEBHOOK_URL, not both'],
    // SMS texts carry codes: never in clear, except to a receiver on loopback.
    [{ SMS_WEBHOOK_URL: 'http://hooks.example/sms', SMS_WEBHOOK_SECRET: WEBHOOK_SECRET }, 'SMS_WEBHOOK_URL must be https (plain http only on loopback): http://hooks.example/sms'],
    [{ SMS_WEBHOOK_URL: 'hooks.example/sms', SMS_WEBHOOK_SECRET: WEBHOOK_SECRET }, 'SMS_WEBHOOK_URL is not a URL: hooks.example/sms'],
  ];
  for (const [env, message] of refused) assert.throws(() => smsProviderFromEnv(env), { name: 'SmsConfigError', message });
  assert.equal(smsProviderFromEnv({ SMS_WEBHOOK_URL: 'http://127.0.0.1:9/sms', SMS_WEBHOOK_SECRET: WEBHOOK_SECRET }).name, 'webhook');
  const policy = retryPolicyFromEnv({ SMS_MAX_ATTEMPTS: '3', SMS_RETRY_BASE_SECONDS: '0' });
  assert.deepEqual([policy.maxAttempts, policy.baseDelaySeconds, policy.maxDelaySeconds], [3, 0, 600]);
  assert.throws(() => retryPolicyFromEnv({ SMS_MAX_ATTEMPTS: 'three' }), new SmsConfigError('SMS_MAX_ATTEMPTS must be an integer'));
  // TWILIO_API_BASE points the provider at a local receiver.
  const receiver = await startReceiver();
  t.after(receiver.close);
  await smsProviderFromEnv({ TWILIO_ACCOUNT_SID: TWILIO.accountSid, TWILIO_AUTH_TOKEN: TWILIO.authToken, TWILIO_FROM: TWILIO.from, TWILIO_API_BASE: receiver.url }).send(MESSAGE);
  assertTwilioRequest(receiver.requests[0], { to: MESSAGE.to, text: MESSAGE.text });
});

test('Twilio status callback signature: Twilio\'s documented example verifies, a changed one does not', async () => {
  // The example of Twilio's "Webhooks security" page: auth token 12345, this URL and form.
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = new URLSearchParams({ CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' });
  const signature = '0/KCTR6DLpKmkAf8muzZqo1nDgQ=';
  assert.equal(await isTwilioSignature({ authToken: '12345', url, params, signature }), true);
  params.set('Digits', '1235');
  assert.equal(await isTwilioSignature({ authToken: '12345', url, params, signature }), false);
  assert.equal(await isTwilioSignature({ authToken: '12345', url, params, signature: 'not base64!' }), false);
});
