// The send limits (options.sendLimit: per user, per number) under a clock that steps back and
// under concurrency, against the built package: an asynchronous compare-and-swap host whose
// callbacks settle after random delays, an admin caller, and a clock that goes BACK 60 s on
// every read, so no limit may rely on time moving forward.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setPhone, resendPhoneCode } from 'contact-phone';
import { decideReservation } from '../../worker/sms-quota.js';
import { ADMIN, NOW, SECRET } from './support.mjs';

/** Settles after 0 to 5 ms, so concurrent calls interleave differently on every run. */
const jitter = () => new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 6)));

/**
 * An in-memory host: loadUser, saveUser (compare-and-swap on `sequence`) and sendSms each
 * settle after a random delay; reserveSms runs worker/sms-quota.js's rule, atomically (the
 * decision and the store happen in one synchronous step after the delay).
 */
class JitteryHost {
  #users = new Map();
  #reservations = new Map();

  constructor(userIds) {
    for (const userId of userIds) this.#users.set(userId, { userId, resourceOwner: 'org1', sequence: 1 });
    /** Messages passed to sendSms, in order. */
    this.sent = [];
    /** Every reserveSms argument, in order. */
    this.reservations = [];
  }

  record(userId) {
    return this.#users.get(userId);
  }

  async loadUser(userId) {
    await jitter();
    return structuredClone(this.#users.get(userId) ?? null);
  }

  async saveUser(record, expectedSequence) {
    await jitter();
    if (this.#users.get(record.userId)?.sequence !== expectedSequence) return false;
    this.#users.set(record.userId, structuredClone(record));
    return true;
  }

  async sendSms(message) {
    await jitter();
    this.sent.push(message);
  }

  async reserveSms(reservation) {
    await jitter();
    this.reservations.push(reservation);
    const times = this.#reservations.get(reservation.to) ?? [];
    const { reply, storeAt } = decideReservation(times, reservation);
    if (reply === true) this.#reservations.set(reservation.to, [...times, storeAt]);
    return reply;
  }
}

/** Options with an admin caller and a clock that returns 60 s less on every call; the times. */
function steppingBack() {
  const handedOut = [];
  let next = NOW;
  const now = () => {
    const time = next;
    next -= 60_000;
    handedOut.push(time);
    return time;
  };
  return { options: { caller: ADMIN, codeSecret: SECRET, now }, handedOut };
}

/** A distinct valid Swiss mobile number per index. */
const mobile = (i) => `+41 79 123 ${String(10 + Math.floor(i / 90)).padStart(2, '0')} ${String(10 + (i % 90))}`;
const e164 = (number) => number.replace(/ /g, '');

/** `{id, code}` of each rejected call, `ok` for each fulfilled one. */
const outcomes = (settled) => settled.map((r) => (r.status === 'fulfilled' ? 'ok' : { id: r.reason.id, code: r.reason.code }));
const THROTTLED = { id: 'PHONE-throttled', code: 8 };
const CONFLICT = { id: 'COMMAND-conflict', code: 10 };

/** The stored smsLog's numbers and the sent SMS's numbers, each sorted, must be the same. */
function assertLogMatchesSent(host, userId) {
  const logged = (host.record(userId).smsLog ?? []).map((entry) => entry.to).sort();
  const sent = host.sent.filter((m) => m.userId === userId).map((m) => m.to).sort();
  assert.deepEqual(logged, sent);
}

test('30 sequential sets on one user, the clock stepping back: 10 SMS, then PHONE-throttled', async () => {
  const host = new JitteryHost(['u1']);
  const { options } = steppingBack();
  const settled = [];
  for (let i = 0; i < 30; i += 1) {
    settled.push(...(await Promise.allSettled([setPhone('u1', { phone: { number: mobile(i), sendCode: {} } }, host, options)])));
  }
  assert.deepEqual(outcomes(settled), [...Array(10).fill('ok'), ...Array(20).fill(THROTTLED)]);
  assert.equal(host.sent.length, 10);
  assert.deepEqual(host.sent.map((m) => m.to), Array.from({ length: 10 }, (_, i) => e164(mobile(i))));
  assertLogMatchesSent(host, 'u1');
  assert.equal(host.record('u1').phone.number, e164(mobile(9)));
});

test('40 concurrent sets on one user: at most 10 SMS, the rest throttled or conflicts', async (t) => {
  const host = new JitteryHost(['u1']);
  const { options } = steppingBack();
  const settled = await Promise.allSettled(
    Array.from({ length: 40 }, (_, i) => setPhone('u1', { phone: { number: mobile(i), sendCode: {} } }, host, options)),
  );
  const results = outcomes(settled);
  const succeeded = results.filter((r) => r === 'ok').length;
  t.diagnostic(`${succeeded} sent, ${results.filter((r) => r.id === THROTTLED.id).length} throttled, ${results.filter((r) => r.id === CONFLICT.id).length} conflicts`);
  assert.ok(succeeded >= 1 && succeeded <= 10, `${succeeded} SMS went out`);
  assert.deepEqual(results.filter((r) => r !== 'ok' && r.id !== THROTTLED.id && r.id !== CONFLICT.id), []);
  assert.deepEqual(results.filter((r) => r !== 'ok').map((r) => r.code).filter((code) => code !== 8 && code !== 10), []);
  // One SMS per successful call, each logged in the record that the last save left.
  assert.equal(host.sent.length, succeeded);
  assertLogMatchesSent(host, 'u1');
  assert.equal(host.record('u1').sequence, 1 + 2 * succeeded);
});

test('8 users, one number, the host reserving SMS: 5 go out, 3 are PHONE-throttled', async () => {
  const users = Array.from({ length: 8 }, (_, i) => `user-${i}`);
  const host = new JitteryHost(users);
  const { options, handedOut } = steppingBack();
  const number = '+41 79 555 12 34';
  const settled = await Promise.allSettled(users.map((userId) => setPhone(userId, { phone: { number, sendCode: {} } }, host, options)));
  const results = outcomes(settled);
  assert.equal(results.filter((r) => r === 'ok').length, 5);
  assert.deepEqual(results.filter((r) => r !== 'ok'), Array(3).fill(THROTTLED));
  assert.deepEqual(host.sent.map((m) => m.to), Array(5).fill('+41795551234'));
  // The package asked once per call, with the defaults and the call's own time.
  assert.deepEqual(host.reservations.map((r) => r.userId).sort(), [...users].sort());
  for (const reservation of host.reservations) {
    assert.deepEqual(Object.keys(reservation).sort(), ['at', 'limit', 'to', 'userId', 'windowSeconds']);
    assert.equal(reservation.to, '+41795551234');
    assert.equal(reservation.limit, 5);
    assert.equal(reservation.windowSeconds, 3600);
    assert.ok(handedOut.includes(Date.parse(reservation.at)), `${reservation.at} is no time the clock gave`);
  }
  // Every user that was refused has no code waiting and no SMS logged.
  for (const [i, userId] of users.entries()) {
    if (results[i] === 'ok') continue;
    assert.equal(host.record(userId).sequence, 1);
    assert.equal(host.record(userId).phone, undefined);
  }
});

test('resends while the clock steps back: each is PHONE-throttled, one SMS in all', async () => {
  const host = new JitteryHost(['u1']);
  const { options } = steppingBack();
  await setPhone('u1', { phone: { number: mobile(0), sendCode: {} } }, host, options);
  const settled = [];
  for (let i = 0; i < 12; i += 1) settled.push(...(await Promise.allSettled([resendPhoneCode('u1', { sendCode: {} }, host, options)])));
  assert.deepEqual(outcomes(settled), Array(12).fill(THROTTLED));
  assert.equal(host.sent.length, 1);
  assertLogMatchesSent(host, 'u1');
});
