// How the Node server sends SMS, from startServer's `sms` option:
//   {provider, policy?, pollMs?, now?, log?}  the SQL outbox and its sender loop
//   {devOutbox: true}                         the development outbox (keeps the codes)
//   undefined                                 none: sendSms fails, sendCode answers Unavailable
import { refuseWithoutProvider } from '../sms/config.js';
import { retryPolicy } from '../sms/retry.js';
import { SmsOutbox } from './sms-outbox.js';
import { smsSender } from './sms-sender.js';

/**
 * Resolves the option into `{mode, hostOptions, outbox?, sender?}`: `hostOptions` goes to
 * SqlHost; `sender` is started and stopped by the server.
 */
export function smsDelivery(db, sms) {
  if (!sms) return { mode: 'none', hostOptions: { sms: async () => refuseWithoutProvider() } };
  if (sms.devOutbox) return { mode: 'dev outbox', hostOptions: { devOutbox: true } };
  const outbox = new SmsOutbox(db, sms.provider.name);
  const sender = smsSender({
    outbox,
    provider: sms.provider,
    policy: sms.policy ?? retryPolicy(),
    ...(sms.now ? { now: sms.now } : {}),
    ...(sms.pollMs !== undefined ? { pollMs: sms.pollMs } : {}),
    ...(sms.log ? { log: sms.log } : {}),
  });
  // The library calls sendSms after saving the record, so success here means "durably queued":
  // the row is committed, and the sender is woken to deliver it now rather than at its next poll.
  const enqueue = async (message) => {
    await outbox.enqueue(message, sms.now?.() ?? new Date());
    sender.wake();
  };
  /** Twilio's status callback: 204 recorded, 403 not signed for us, 404 no callback configured. */
  const providerReported = async (body, signature) => {
    if (!sms.provider.readStatus) return 404;
    const status = await sms.provider.readStatus(body, signature);
    if (!status) return 403;
    await outbox.recordProviderStatus(status.providerId, status.providerStatus, sms.now?.() ?? new Date());
    return 204;
  };
  return { mode: sms.provider.name, hostOptions: { sms: enqueue }, outbox, sender, providerReported };
}
