// The sender loop of the SMS outbox: claim the due messages, hand each to the provider, record
// what happened, and schedule retries by the shared policy (sms/retry.js). `runOnce()` is one
// pass, which tests call directly; `start()` repeats it every `pollMs` and at once on `wake()`.
import { failedAttempt } from '../sms/retry.js';

/**
 * `outbox`: an SmsOutbox; `provider`: `{name, send(message)}`; `policy`: a retry policy;
 * `now`: the clock; `log`: where one line per failed attempt goes (ids and errors only: never
 * the text, which holds the code).
 */
export function smsSender({ outbox, provider, policy, now = () => new Date(), pollMs = 1000, leaseSeconds = 60, log = console }) {
  let timer = null;
  let running = null;
  let stopped = true;
  let woken = false;

  async function deliver(message) {
    try {
      const result = await provider.send(message);
      await outbox.markSent(message.id, result, now());
    } catch (error) {
      const { next, reason, level, line } = failedAttempt(policy, message, message.attempts, error);
      log[level](line);
      if (next.state === 'retrying') await outbox.markRetrying(message.id, reason, next.delaySeconds, now());
      else await outbox.markGivenUp(message.id, next.state, reason, now());
    }
  }

  /** One pass over the due messages; resolves to how many it handled. */
  async function runOnce() {
    const messages = await outbox.claimDue(now(), { leaseSeconds });
    for (const message of messages) await deliver(message);
    return messages.length;
  }

  function schedule(delay) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delay);
  }

  function tick() {
    if (running) return;
    running = (async () => {
      let handled = 0;
      try {
        handled = await runOnce();
      } catch (error) {
        log.error(`SMS sender: ${error?.message ?? error}`);
      } finally {
        running = null;
        // Messages handled may mean more are due, and a wake() during the pass may have
        // enqueued one after the claim: go on at once.
        schedule(handled > 0 || woken ? 0 : pollMs);
        woken = false;
      }
    })();
  }

  return {
    runOnce,
    start() {
      stopped = false;
      schedule(0);
    },
    /** Runs a pass now (after sendSms enqueued), rather than at the next poll. */
    wake() {
      if (running) woken = true;
      else schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
