// Twilio Programmable Messaging: one REST call per SMS.
//   POST {baseUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json
//   Authorization: Basic base64(AccountSid:AuthToken)
//   application/x-www-form-urlencoded: To, From or MessagingServiceSid, Body, StatusCallback?
// Twilio answers 201 with the message resource ({sid, status, …}) or an error
// {code, message, more_info, status}.
import { post } from './delivery-error.js';

export const TWILIO_API = 'https://api.twilio.com';

/**
 * A provider `{name, send(message)}` for Twilio. Exactly one of `from` (a number in E.164) and
 * `messagingServiceSid`. `statusCallback`: the URL Twilio reports the message's status to.
 * `baseUrl` and `fetch` are for tests.
 */
export function twilioProvider({ accountSid, authToken, from, messagingServiceSid, statusCallback, baseUrl = TWILIO_API, fetch = globalThis.fetch }) {
  if (!accountSid || !authToken) throw new TypeError('Twilio needs an account SID and an auth token');
  if (Boolean(from) === Boolean(messagingServiceSid)) throw new TypeError('Twilio needs either a From number or a messaging service SID');
  const url = `${baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
  const authorization = `Basic ${btoa(`${accountSid}:${authToken}`)}`;
  return {
    name: 'twilio',
    /** Sends `{to, text}`; resolves to `{providerId: the message SID, providerStatus}`. */
    async send(message) {
      const form = new URLSearchParams({ To: message.to });
      if (from) form.set('From', from);
      else form.set('MessagingServiceSid', messagingServiceSid);
      form.set('Body', message.text);
      if (statusCallback) form.set('StatusCallback', statusCallback);
      const response = await post(fetch, 'Twilio', url, {
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      }, twilioErrorCode);
      const resource = await response.json().catch(() => ({}));
      return { providerId: typeof resource.sid === 'string' ? resource.sid : null, providerStatus: resource.status ?? null };
    },
    // With a status callback: reads one (readTwilioStatus), null if not signed for it.
    ...(statusCallback ? { readStatus: (body, signature) => readTwilioStatus({ authToken, callbackUrl: statusCallback, body, signature }) } : {}),
  };
}

/** Twilio's numeric error code, the part of its error body safe to keep (no number, no text). */
async function twilioErrorCode(response) {
  const body = await response.json();
  return Number.isInteger(body?.code) ? ` (error ${body.code})` : '';
}

/**
 * Checks Twilio's `X-Twilio-Signature` on a status callback: base64 of HMAC-SHA1 under the auth
 * token over the full callback URL followed by each form parameter's name and value, sorted by
 * name. WebCrypto, so it runs on workerd and Node alike.
 */
export async function isTwilioSignature({ authToken, url, params, signature }) {
  if (typeof signature !== 'string' || !signature) return false;
  const data = url + [...params.keys()].sort().map((key) => key + params.getAll(key).join('')).join('');
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(authToken), { name: 'HMAC', hash: 'SHA-1' }, false, ['verify']);
  let given;
  try {
    given = Uint8Array.from(atob(signature), (c) => c.charCodeAt(0));
  } catch {
    return false;
  }
  return crypto.subtle.verify('HMAC', key, given, new TextEncoder().encode(data));
}

/** Where both servers take Twilio's status callbacks; TWILIO_STATUS_CALLBACK must end with it. */
export const TWILIO_STATUS_PATH = '/sms/twilio/status';

/**
 * Reads a status callback (form body) that Twilio signed for `callbackUrl`, the URL it was
 * given (behind a proxy the request's own URL may differ). Resolves to `{providerId,
 * providerStatus}`, e.g. `{providerId: 'SM…', providerStatus: 'undelivered (error 30003)'}`,
 * or null if the signature or the fields are wrong.
 */
export async function readTwilioStatus({ authToken, callbackUrl, body, signature }) {
  const params = new URLSearchParams(body ?? '');
  if (!(await isTwilioSignature({ authToken, url: callbackUrl, params, signature }))) return null;
  const providerId = params.get('MessageSid');
  const status = params.get('MessageStatus');
  if (!providerId || !status) return null;
  const error = params.get('ErrorCode');
  return { providerId, providerStatus: error ? `${status} (error ${error})` : status };
}
