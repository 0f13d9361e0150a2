// The host side of `reserveSms`: the per-number SMS limit across ALL users, which no single
// user's record can enforce. The library calls `reserveSms({to, userId, at, limit,
// windowSeconds})` before it saves a code that will be sent; the host answers `true` (the SMS is
// reserved) or `{retryAfterSeconds}` (the library then fails with PHONE-throttled).
//
// This module is the rule only, as a pure function; each host runs it atomically over its own
// storage (the worker's SmsQuota Durable Object, the SQL host in one locked transaction, the
// tests' in-memory host): read the number's reservations, decide, store the new one.

/** How long a reservation is kept at least, whatever the window: a later call may ask for more. */
const KEEP_AT_LEAST_MS = 24 * 3600 * 1000;

/**
 * Decides `reservation` against the times (epoch ms) of the reservations stored for its number.
 *
 * The window ends at the later of `at` and the newest stored reservation, so a caller whose
 * clock steps back frees nothing; every reservation in the window counts, those dated after
 * `at` included. Returns `{reply, storeAt, pruneBefore}`: `reply` is what reserveSms answers,
 * `storeAt` the time to store when `reply` is true, and reservations before `pruneBefore` may
 * be deleted. `storeAt` is the window's end rather than `at`: a reservation dated in the past
 * by a clock that stepped back more than a window would otherwise never count.
 */
export function decideReservation(storedTimes, reservation) {
  const { atMs, limit, windowMs } = parseReservation(reservation);
  const end = storedTimes.reduce((latest, time) => Math.max(latest, time), atMs);
  const counted = storedTimes.filter((time) => time > end - windowMs);
  const pruneBefore = end - Math.max(windowMs, KEEP_AT_LEAST_MS);
  if (counted.length < limit) return { reply: true, storeAt: end, pruneBefore };
  const oldest = Math.min(...counted);
  const retryAfterSeconds = Math.max(1, Math.ceil((oldest + windowMs - end) / 1000));
  return { reply: { retryAfterSeconds }, storeAt: end, pruneBefore };
}

/** The reservation's numbers, checked: a malformed one is the host's error, not a free pass. */
function parseReservation({ to, userId, at, limit, windowSeconds } = {}) {
  const atMs = Date.parse(at);
  if (typeof to !== 'string' || typeof userId !== 'string' || typeof at !== 'string' || Number.isNaN(atMs)) {
    throw new TypeError('reserveSms needs {to, userId, at (RFC 3339)}');
  }
  if (!Number.isSafeInteger(limit) || limit < 1 || !(Number.isFinite(windowSeconds) && windowSeconds > 0)) {
    throw new TypeError('reserveSms needs a limit >= 1 and windowSeconds > 0');
  }
  return { atMs, limit, windowMs: windowSeconds * 1000 };
}
