// A signed webhook in the style of Standard Webhooks (standardwebhooks.com): a JSON POST with
//   webhook-id: the message id, the same on every attempt (the receiver's idempotency key)
//   webhook-timestamp: seconds since the epoch, of this attempt
//   webhook-signature: v1,<base64 HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>
// and the body {"type": "sms.send", "timestamp", "data": {id, to, text, userId, resourceOwner,
// expiresAt}}. Receivers verify it with any Standard Webhooks library.
import { Webhook } from 'standardwebhooks';
import { post } from './delivery-error.js';

/**
 * A provider `{name, send(message)}` posting to `url`, signed with `secret` (`whsec_` and the
 * base64 key, as Standard Webhooks libraries print it). `now` and `fetch` are for tests.
 */
export function webhookProvider({ url, secret, fetch = globalThis.fetch, now = () => new Date() }) {
  if (!url || !secret) throw new TypeError('the SMS webhook needs a URL and a secret');
  const signer = new Webhook(secret);
  return {
    name: 'webhook',
    async send(message) {
      const sentAt = now();
      const body = JSON.stringify({
        type: 'sms.send',
        timestamp: sentAt.toISOString(),
        data: {
          id: message.id,
          to: message.to,
          text: message.text,
          userId: message.userId,
          resourceOwner: message.resourceOwner,
          expiresAt: message.expiresAt,
        },
      });
      await post(fetch, 'SMS webhook', url, {
        headers: {
          'content-type': 'application/json',
          'webhook-id': message.id,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signer.sign(message.id, sentAt, body),
        },
        body,
      });
      return { providerId: null, providerStatus: null };
    },
  };
}
