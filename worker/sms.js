// SMS from the worker through Cloudflare Queues. sendSms records the message in the delivery
// log and puts it on SMS_QUEUE; the queue's consumer (consumeSms) hands it to the configured
// provider (sms/), retries by the shared policy with message.retry({delaySeconds}), and on
// giving up sends a dead letter without the text to SMS_DEAD_LETTERS. The dead-letter queue's
// consumer (consumeDeadLetters) marks the message dead in the log, including messages the
// platform moved there itself after the consumer threw too often.
import { refuseWithoutProvider, retryPolicyFromEnv, smsProviderFromEnv } from '../sms/config.js';
import { failedAttempt } from '../sms/retry.js';
import { discardBody, readBounded } from './body.js';
import { deliveries } from './deliveries.js';

/** The largest Twilio status callback read (they are form fields of under 2 KiB). */
const STATUS_MAX_BYTES = 16 * 1024;

/**
 * The provider of `env` (or null), built once per env object, which lives as long as the
 * isolate's settings: every sendCode and callback would otherwise read the settings again.
 */
const providers = new WeakMap();
function providerOf(env) {
  if (!providers.has(env)) providers.set(env, smsProviderFromEnv(env));
  return providers.get(env);
}

/** The queues, as named in wrangler.jsonc and worker/dev.mjs. */
export const SMS_QUEUE_NAME = 'contact-phone-sms';
export const SMS_DEAD_LETTER_QUEUE_NAME = 'contact-phone-sms-dead';

/**
 * Whether SMS go to the development Outbox: only in dev mode (DEV_OUTBOX, set by worker/dev.mjs
 * for npm start and the tests) and only without a provider, since the outbox keeps codes.
 */
export const usesDevOutbox = (env) => env.DEV_OUTBOX === 'true' && !env.TWILIO_ACCOUNT_SID && !env.SMS_WEBHOOK_URL;

/**
 * Queues `message` for delivery; resolves once it is durably on the queue, so the library
 * answers at once and the provider's hiccups never reach the caller. Without a provider it
 * fails, with one log line, and sendCode answers Unavailable: the library keeps the phone and
 * code, and a resend can deliver once a provider is set.
 */
export async function enqueueSms(env, message) {
  const provider = providerOf(env);
  if (!provider) refuseWithoutProvider();
  if (!env.SMS_QUEUE) throw new Error('SMS_QUEUE is not bound (see wrangler.jsonc)');
  const id = crypto.randomUUID();
  const log = deliveries(env);
  await log.queued({ id, userId: message.userId, to: message.to, provider: provider.name });
  const { to, text, userId, resourceOwner, expiresAt } = message;
  try {
    await env.SMS_QUEUE.send({ id, to, text, userId, resourceOwner, expiresAt }, { contentType: 'json' });
  } catch (error) {
    await log.attempted(id, { state: 'failed', attempts: 0, lastError: `could not be queued: ${error.message}` });
    throw error;
  }
}

/** The SMS queue's consumer: one delivery attempt per message. */
export async function consumeSms(batch, env) {
  const provider = providerOf(env);
  const policy = retryPolicyFromEnv(env);
  const log = deliveries(env);
  for (const message of batch.messages) {
    const sms = message.body;
    const attempts = message.attempts;
    try {
      const { providerId, providerStatus } = await provider.send(sms);
      await log.attempted(sms.id, { state: 'sent', attempts, providerId, providerStatus });
      message.ack();
      continue;
    } catch (error) {
      const { next, reason, level, line } = failedAttempt(policy, sms, attempts, error);
      await log.attempted(sms.id, { state: next.state, attempts, lastError: reason });
      console[level](line);
      if (next.state === 'retrying') {
        message.retry({ delaySeconds: next.delaySeconds });
      } else {
        await env.SMS_DEAD_LETTERS.send({ id: sms.id, userId: sms.userId, state: next.state, attempts, lastError: reason }, { contentType: 'json' });
        message.ack();
      }
    }
  }
}

/**
 * The dead-letter queue's consumer: records the arrival and acknowledges, so that a message the
 * platform moved there with its text (after the consumer threw) does not keep its code.
 */
export async function consumeDeadLetters(batch, env) {
  const log = deliveries(env);
  for (const message of batch.messages) {
    const { id, lastError } = message.body ?? {};
    if (typeof id === 'string') await log.deadLettered(id, lastError ?? 'the consumer failed on every attempt');
    message.ack();
  }
}

/**
 * Twilio's status callback (POST TWILIO_STATUS_PATH, signed with the auth token): records the
 * message's later status (delivered, undelivered, …) in the delivery log. 204, or 403 if the
 * signature does not hold, or 404 without Twilio's callback configured.
 */
export async function handleTwilioStatus(request, env) {
  const provider = providerOf(env);
  if (request.method !== 'POST' || !provider?.readStatus) {
    await discardBody(request);
    return new Response(null, { status: 404 });
  }
  // Twilio's callbacks are a few hundred bytes of form fields; a larger body is not one.
  const body = await readBounded(request, STATUS_MAX_BYTES);
  if (body === null) return new Response(null, { status: 413 });
  const status = await provider.readStatus(body, request.headers.get('x-twilio-signature'));
  if (!status) return new Response(null, { status: 403 });
  await deliveries(env).providerReported(status.providerId, status.providerStatus);
  return new Response(null, { status: 204 });
}
