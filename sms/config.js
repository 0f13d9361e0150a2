// The SMS settings, read from a flat map of strings: the worker's `env` or Node's `process.env`.
//
//   Twilio:  TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, and TWILIO_FROM or
//            TWILIO_MESSAGING_SERVICE_SID; TWILIO_STATUS_CALLBACK (optional); TWILIO_API_BASE
//            (tests)
//   webhook: SMS_WEBHOOK_URL, SMS_WEBHOOK_SECRET (whsec_…)
//   retries: SMS_MAX_ATTEMPTS, SMS_RETRY_BASE_SECONDS, SMS_RETRY_MAX_SECONDS
import { retryPolicy } from './retry.js';
import { twilioProvider } from './twilio.js';
import { webhookProvider } from './webhook.js';

/** A setting that cannot work; its message names the variables to fix. */
export class SmsConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SmsConfigError';
  }
}

/**
 * Refuses a URL that would carry SMS texts, codes included, in clear: https only, except on
 * loopback, where a local receiver runs in development and tests.
 */
function secureUrl(name, text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new SmsConfigError(`${name} is not a URL: ${text}`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new SmsConfigError(`${name} must be https (plain http only on loopback): ${text}`);
  }
}

/** The configured provider, or null if none is configured. Throws SmsConfigError if half set. */
export function smsProviderFromEnv(env, { fetch } = {}) {
  const twilio = Boolean(env.TWILIO_ACCOUNT_SID);
  const webhook = Boolean(env.SMS_WEBHOOK_URL);
  if (twilio && webhook) throw new SmsConfigError('set either TWILIO_ACCOUNT_SID or SMS_WEBHOOK_URL, not both');
  if (twilio) {
    if (!env.TWILIO_AUTH_TOKEN) throw new SmsConfigError('TWILIO_ACCOUNT_SID needs TWILIO_AUTH_TOKEN');
    if (Boolean(env.TWILIO_FROM) === Boolean(env.TWILIO_MESSAGING_SERVICE_SID)) {
      throw new SmsConfigError('Twilio needs exactly one of TWILIO_FROM and TWILIO_MESSAGING_SERVICE_SID');
    }
    return twilioProvider({
      accountSid: env.TWILIO_ACCOUNT_SID,
      authToken: env.TWILIO_AUTH_TOKEN,
      from: env.TWILIO_FROM,
      messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID,
      statusCallback: env.TWILIO_STATUS_CALLBACK,
      ...(env.TWILIO_API_BASE ? { baseUrl: env.TWILIO_API_BASE } : {}),
      ...(fetch ? { fetch } : {}),
    });
  }
  if (webhook) {
    secureUrl('SMS_WEBHOOK_URL', env.SMS_WEBHOOK_URL);
    if (!env.SMS_WEBHOOK_SECRET) throw new SmsConfigError('SMS_WEBHOOK_URL needs SMS_WEBHOOK_SECRET (whsec_ and a base64 key)');
    try {
      return webhookProvider({ url: env.SMS_WEBHOOK_URL, secret: env.SMS_WEBHOOK_SECRET, ...(fetch ? { fetch } : {}) });
    } catch (error) {
      throw new SmsConfigError(`SMS_WEBHOOK_SECRET is not a Standard Webhooks secret: ${error.message}`);
    }
  }
  return null;
}

/** The retry policy, defaults (retry.js) for unset variables. */
export function retryPolicyFromEnv(env) {
  const number = (name) => {
    if (env[name] === undefined || env[name] === '') return undefined;
    const value = Number(env[name]);
    if (!Number.isInteger(value)) throw new SmsConfigError(`${name} must be an integer`);
    return value;
  };
  try {
    return retryPolicy({
      maxAttempts: number('SMS_MAX_ATTEMPTS'),
      baseDelaySeconds: number('SMS_RETRY_BASE_SECONDS'),
      maxDelaySeconds: number('SMS_RETRY_MAX_SECONDS'),
    });
  } catch (error) {
    if (error instanceof SmsConfigError) throw error;
    throw new SmsConfigError(`SMS retry settings: ${error.message}`);
  }
}

/**
 * sendSms without a provider: one log line for the operator, then the error that the library
 * answers as HOST-sms (the phone and code stay saved; a resend delivers once one is set).
 */
export function refuseWithoutProvider(log = console) {
  log.error('SMS not sent: no SMS provider is configured (set TWILIO_* or SMS_WEBHOOK_URL, see docs/sms-delivery.md)');
  throw new Error('no SMS provider is configured');
}
