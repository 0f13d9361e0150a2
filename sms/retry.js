// The one retry policy of SMS delivery, for the worker's queue consumer and the Node server's
// sender loop alike: exponential backoff with a cap, a maximum number of attempts, and no retry
// at all for a refusal that a retry cannot change.

/**
 * Defaults: 6 attempts, 10 s after the first failure, doubling, at most 600 s apart. The five
 * retries span 10 + 20 + 40 + 80 + 160 = 310 s, well inside a code's validity (1 hour by
 * default): past that, a late SMS would only carry a dead code.
 */
export const DEFAULT_RETRY = Object.freeze({ maxAttempts: 6, baseDelaySeconds: 10, maxDelaySeconds: 600 });

/** A policy `{maxAttempts, baseDelaySeconds, maxDelaySeconds, delayAfter(attempt)}`. */
export function retryPolicy({ maxAttempts, baseDelaySeconds, maxDelaySeconds } = {}) {
  const policy = {
    maxAttempts: maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    baseDelaySeconds: baseDelaySeconds ?? DEFAULT_RETRY.baseDelaySeconds,
    maxDelaySeconds: maxDelaySeconds ?? DEFAULT_RETRY.maxDelaySeconds,
  };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1 || policy.maxAttempts > 100) {
    throw new RangeError('maxAttempts must be an integer from 1 to 100');
  }
  for (const name of ['baseDelaySeconds', 'maxDelaySeconds']) {
    if (!Number.isInteger(policy[name]) || policy[name] < 0 || policy[name] > 43200) {
      throw new RangeError(`${name} must be an integer from 0 to 43200`);
    }
  }
  return {
    ...policy,
    /** Seconds to wait after failed attempt number `attempt` (1-based). */
    delayAfter: (attempt) => Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** (attempt - 1)),
  };
}

/**
 * What follows failed attempt `attempt` (1-based): `{state: 'retrying', delaySeconds}`,
 * `{state: 'dead'}` once the attempts are used up, or `{state: 'failed'}` at once for a
 * permanent refusal (`error.permanent`, e.g. Twilio's 400 for a number it cannot reach).
 */
export function afterFailure(policy, attempt, error) {
  if (error?.permanent) return { state: 'failed' };
  if (attempt >= policy.maxAttempts) return { state: 'dead' };
  return { state: 'retrying', delaySeconds: policy.delayAfter(attempt) };
}

/**
 * A failed delivery attempt of `message` (`{id, userId}`), as both senders record and log it:
 * what follows (`next`, see afterFailure), the `reason`, and the log `line` at `level` ('warn'
 * for a retry, else 'error'). Ids and errors only, never the text, which holds the code.
 */
export function failedAttempt(policy, { id, userId }, attempt, error) {
  const next = afterFailure(policy, attempt, error);
  const reason = String(error?.message ?? error);
  const failed = `SMS ${id} (user ${userId}), attempt ${attempt} of ${policy.maxAttempts} failed: ${reason}`;
  if (next.state === 'retrying') return { next, reason, level: 'warn', line: `${failed}; retrying in ${next.delaySeconds} s` };
  const ending = next.state === 'dead' ? 'no attempts left (dead)' : 'refused for good (failed)';
  return { next, reason, level: 'error', line: `${failed}; ${ending}` };
}
