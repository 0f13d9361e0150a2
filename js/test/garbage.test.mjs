// Hostile and malformed arguments to every export: each gives a PhoneError with the right code,
// nothing is written or sent, and the module keeps working.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setPhone, verifyPhone, resendPhoneCode, removePhone, getPhone, normalizePhone, PhoneError } from 'contact-phone';
import {
  MOBILE, MOBILE_E164, MemoryHost, NOW, RETURN, SEND, details, issueCode, options, setRequest,
} from './support.mjs';

const MB = '9'.repeat(1 << 20);

function revokedProxy() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function cyclic() {
  const value = { phone: { number: MOBILE } };
  value.phone.self = value;
  return value;
}

/**
 * Garbage values. `kind`: 'absent' (null, undefined), 'unreadable' (JSON cannot hold it:
 * JSON.stringify throws), 'vanishing' (JSON.stringify gives undefined: functions, Symbols),
 * 'date' (JSON.stringify gives a string), or 'value' (a readable value of the wrong type).
 * Vanishing values and Dates have their own tests below, where JSON conversion must not make
 * them look like a missing argument or a string.
 */
const garbage = [
  ['null', () => null, 'absent'],
  ['undefined', () => undefined, 'absent'],
  ['0', () => 0, 'value'],
  ['-1', () => -1, 'value'],
  ['NaN', () => NaN, 'unreadable'],
  ['Infinity', () => Infinity, 'unreadable'],
  ['true', () => true, 'value'],
  ['false', () => false, 'value'],
  ['empty string', () => '', 'value'],
  ['1 MB string', () => MB, 'value'],
  ['empty array', () => [], 'value'],
  ['array', () => [1, 'two', { three: 3 }], 'value'],
  ['Date', () => new Date(NOW), 'date'],
  ['function', () => function phone() {}, 'vanishing'],
  ['Symbol', () => Symbol('phone'), 'vanishing'],
  ['BigInt', () => 41791234567n, 'unreadable'],
  ['object with a throwing getter', () => ({ get phone() { throw new Error('getter exploded'); } }), 'unreadable'],
  ['Proxy whose traps throw', () => new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } }), 'unreadable'],
  ['revoked Proxy', revokedProxy, 'unreadable'],
  ['cyclic object', cyclic, 'unreadable'],
];

/** What the error of each garbage value in each argument should be. */
const expect = {
  userId: (value) => ({
    id: 'REQUEST-invalid',
    code: 3,
    status: 400,
    message: typeof value === 'string'
      ? 'Request is invalid: userId must be 1 to 200 characters long'
      : 'Request is invalid: userId must be a string',
  }),
  request: (value, kind) => ({
    id: 'REQUEST-invalid',
    code: 3,
    status: 400,
    message: kind === 'unreadable' || kind === 'vanishing' ? /^Request is invalid: request could not be read as JSON: \S/ : 'Request is invalid: request must be an object',
  }),
  options: (value, kind) => ({
    id: 'CONFIG-invalid',
    code: 13,
    status: 500,
    message: kind === 'unreadable' || kind === 'vanishing' ? /^Options are invalid: options could not be read as JSON: \S/ : 'Options are invalid: options must be an object',
  }),
  host: (value) => {
    const isObject = (typeof value === 'object' && value !== null) || typeof value === 'function';
    let message = 'Host callback host failed: must be an object with loadUser, saveUser and sendSms';
    if (isObject) {
      let reading;
      try {
        void value.loadUser;
      } catch (e) {
        reading = `${e.name}: ${e.message}`;
      }
      message = reading ? `Host callback loadUser failed: reading host.loadUser threw ${reading}` : 'Host callback loadUser failed: host.loadUser must be a function';
    }
    return { id: 'HOST-storage', code: 13, status: 500, message };
  },
};

/** A host whose u1 has a pending code old enough to be resent: any accepted call would write. */
async function victim() {
  const host = new MemoryHost();
  await issueCode(host, options({ now: () => NOW - 120_000 }));
  host.loads = 0;
  host.saves = 0;
  host.sends = 0;
  return host;
}

/** `args[key]` if given (even if null or undefined), else `fallback`. */
const arg = (args, key, fallback) => (key in args ? args[key] : fallback);

/** The calls, with valid arguments; the keys of `a` (userId, request, host, options) replace them. */
const calls = {
  setPhone: (a) => setPhone(arg(a, 'userId', 'u1'), arg(a, 'request', setRequest(MOBILE, SEND)), a.host, arg(a, 'options', options())),
  verifyPhone: (a) => verifyPhone(arg(a, 'userId', 'u1'), arg(a, 'request', { verificationCode: 'ABC123' }), a.host, arg(a, 'options', options())),
  resendPhoneCode: (a) => resendPhoneCode(arg(a, 'userId', 'u1'), arg(a, 'request', SEND), a.host, arg(a, 'options', options())),
  removePhone: (a) => removePhone(arg(a, 'userId', 'u1'), a.host, arg(a, 'options', options())),
  getPhone: (a) => getPhone(arg(a, 'userId', 'u1'), a.host, arg(a, 'options', options())),
};

/** What a call gave: the error's fields, or the fact that it succeeded. */
async function outcome(promise) {
  try {
    return { succeeded: await promise };
  } catch (e) {
    if (!(e instanceof PhoneError)) return { notAPhoneError: String(e) };
    return { id: e.id, code: e.code, status: e.status, message: e.message };
  }
}

/** Whether `actual` matches `expected` (a message may be a RegExp). */
function matches(actual, expected) {
  return Object.entries(expected).every(([key, want]) =>
    want instanceof RegExp ? typeof actual[key] === 'string' && want.test(actual[key]) : actual[key] === want);
}

/** Runs `cases` ([label, promise-returning fn, expected]) and asserts they all match, listing every mismatch. */
async function checkAll(cases) {
  const mismatches = [];
  for (const [label, run, expected] of cases) {
    const actual = await outcome(run());
    if (!matches(actual, expected)) mismatches.push({ label, expected: String(expected.message), actual });
  }
  assert.deepEqual(mismatches, []);
}

/** A full flow on a fresh host: the module still works. */
async function assertStillWorks() {
  const host = new MemoryHost();
  const code = await issueCode(host);
  assert.deepEqual(await verifyPhone('u1', { verificationCode: code }, host, options()), { details: details(7) });
  assert.deepEqual(await getPhone('u1', host, options()), { details: details(7), phone: { number: MOBILE_E164, isVerified: true } });
  assert.equal(normalizePhone(MOBILE, {}).e164, MOBILE_E164);
}

describe('garbage in every argument of every call', () => {
  for (const [name, call] of Object.entries(calls)) {
    const slots = ['userId', ...(['removePhone', 'getPhone'].includes(name) ? [] : ['request']), 'host', 'options'];
    for (const slot of slots) {
      test(`${name}: garbage as ${slot}`, async () => {
        const host = await victim();
        const cases = [];
        for (const [label, make, kind] of garbage) {
          // A missing request means sendCode for resend, and missing options mean the defaults.
          const optional = slot === 'options' || (slot === 'request' && name === 'resendPhoneCode');
          if (kind === 'absent' && optional) continue;
          // Tested on their own below.
          if ((kind === 'vanishing' && optional) || (kind === 'date' && slot === 'userId')) continue;
          const value = make();
          const args = slot === 'host' ? { host: value } : { host, [slot]: value };
          cases.push([label, () => call(args), expect[slot](value, kind)]);
        }
        await checkAll(cases);
        assert.deepEqual(host.counters(), { loads: 0, saves: 0, sends: 0 });
        await assertStillWorks();
      });
    }
  }
});

describe('wrong field types inside requests and options', () => {
  test('setPhone and verifyPhone requests', async () => {
    const host = await victim();
    const req = (message) => ({ id: 'REQUEST-invalid', code: 3, status: 400, message });
    const notJson = req(/^Request is invalid: request could not be read as JSON: \S/);
    await checkAll([
      ['number BigInt', () => setPhone('u1', { phone: { number: 41791234567n } }, host, options()), notJson],
      ['number object', () => setPhone('u1', { phone: { number: {} } }, host, options()), req('Request is invalid: phone.number must be a string')],
      ['number 1 MB', () => setPhone('u1', { phone: { number: MB } }, host, options()), req('Request is invalid: phone.number must be 1 to 20 characters long')],
      ['phone array', () => setPhone('u1', { phone: [MOBILE] }, host, options()), req('Request is invalid: phone must be an object')],
      ['sendCode string', () => setPhone('u1', setRequest(MOBILE, { sendCode: 'yes' }), host, options()), req('Request is invalid: phone.sendCode must be an object')],
      ['throwing mode getter', () => setPhone('u1', { phone: { number: MOBILE, get returnCode() { throw new Error('boom'); } } }, host, options()), notJson],
      ['nested cycle', () => setPhone('u1', cyclic(), host, options()), notJson],
      ['code BigInt', () => verifyPhone('u1', { verificationCode: 123456n }, host, options()), notJson],
      ['code array', () => verifyPhone('u1', { verificationCode: ['ABC123'] }, host, options()), req('Request is invalid: verificationCode must be a string')],
      ['code 1 MB', () => verifyPhone('u1', { verificationCode: MB }, host, options()), req('Request is invalid: verificationCode must be 1 to 20 characters long')],
      ['resend mode number', () => resendPhoneCode('u1', { returnCode: 1 }, host, options()), req('Request is invalid: returnCode must be an object')],
    ]);
    assert.deepEqual(host.counters(), { loads: 0, saves: 0, sends: 0 });
    await assertStillWorks();
  });

  test('options', async () => {
    const host = await victim();
    const config = (message) => ({ id: 'CONFIG-invalid', code: 13, status: 500, message: `Options are invalid: ${message}` });
    const cases = [
      [{ caller: 'u1' }, 'caller must be an object'],
      [{ caller: { userId: 5 } }, 'caller.userId must be a string'],
      [{ caller: { permissions: 'user.write' } }, 'caller.permissions must be an array of strings'],
      [{ caller: { permissions: [5] } }, 'caller.permissions[0] must be a string'],
      [{ caller: { userId: 'u1', role: 'admin' } }, 'caller.role is not a known field'],
      [{ codesecret: 'x' }, 'codesecret is not a known field'],
      [{ maxAttempts: '5' }, 'maxAttempts must be a number'],
      [{ maxAttempts: 2.5 }, 'maxAttempts must be an integer from 1 to 100'],
      [{ defaultRegion: 41 }, 'defaultRegion must be a known ISO 3166 alpha-2 region such as "CH"'],
      [{ defaultRegion: MB }, 'defaultRegion must be a known ISO 3166 alpha-2 region such as "CH"'],
      [{ allowedRegions: 'CH' }, 'allowedRegions must be an array of region codes'],
      [{ code: 'short' }, 'code must be an object'],
      [{ smsTemplate: MB }, 'smsTemplate must be 1 to 1000 characters long'],
      [{ now: 5 }, 'now must be a function'],
      [{ now: () => 'noon' }, 'now must return epoch milliseconds or a Date'],
      [{ now: () => { throw new Error('clock'); } }, 'now threw'],
      [{ now: () => NaN }, 'now returned a time outside years 0000 to 9999'],
      [{ now: () => new Date(NaN) }, 'now returned a time outside years 0000 to 9999'],
    ];
    const runs = [];
    for (const [extra, message] of cases) {
      for (const [name, call] of Object.entries(calls)) {
        runs.push([`${name} ${JSON.stringify(extra)}`, () => call({ host, options: options(extra) }), config(message)]);
      }
    }
    await checkAll(runs);
    assert.deepEqual(host.counters(), { loads: 0, saves: 0, sends: 0 });
    await assertStillWorks();
  });
});

describe('garbage to normalizePhone', () => {
  test('input', () => {
    const cases = [];
    for (const [label, make, kind] of garbage) {
      if (kind === 'date') continue;
      const value = make();
      let expected;
      if (value === '') expected = { id: 'PHONE-Zt0NV', code: 3, status: 400, message: 'Phone is empty' };
      else if (value === MB) expected = { id: 'PHONE-so0wa', code: 3, status: 400, message: 'Phone is invalid: too long' };
      else if (kind === 'unreadable') expected = { id: 'REQUEST-invalid', code: 3, status: 400, message: /^Request is invalid: \S/ };
      else expected = { id: 'REQUEST-invalid', code: 3, status: 400, message: 'Request is invalid: input must be a string' };
      cases.push([label, value, expected]);
    }
    const mismatches = [];
    for (const [label, value, expected] of cases) {
      let actual;
      try {
        actual = { succeeded: normalizePhone(value, {}) };
      } catch (e) {
        actual = e instanceof PhoneError ? { id: e.id, code: e.code, status: e.status, message: e.message } : { notAPhoneError: String(e) };
      }
      if (!matches(actual, expected)) mismatches.push({ label, expected: String(expected.message), actual });
    }
    assert.deepEqual(mismatches, []);
    assert.equal(normalizePhone(MOBILE, {}).e164, MOBILE_E164);
  });

  test('options', () => {
    const mismatches = [];
    for (const [label, make, kind] of garbage) {
      if (kind === 'absent' || kind === 'vanishing') continue;
      const expected = expect.options(make(), kind);
      let actual;
      try {
        actual = { succeeded: normalizePhone(MOBILE, make()) };
      } catch (e) {
        actual = e instanceof PhoneError ? { id: e.id, code: e.code, status: e.status, message: e.message } : { notAPhoneError: String(e) };
      }
      if (!matches(actual, expected)) mismatches.push({ label, expected: String(expected.message), actual });
    }
    assert.deepEqual(mismatches, []);
    for (const absent of [null, undefined]) assert.equal(normalizePhone(MOBILE, absent).e164, MOBILE_E164);
  });
});

describe('values that JSON turns into nothing or into a string', () => {
  const vanishing = [['function', () => () => options()], ['Symbol', () => Symbol('options')]];
  const readError = (outcomeOf) => {
    try {
      return { succeeded: outcomeOf() };
    } catch (e) {
      return e instanceof PhoneError ? { id: e.id, code: e.code, status: e.status, message: e.message } : { notAPhoneError: String(e) };
    }
  };

  test('a function or a Symbol as options is not taken for missing options', async () => {
    const host = await victim();
    const cases = [];
    for (const [label, make] of vanishing) {
      for (const [name, call] of Object.entries(calls)) {
        cases.push([`${name} with a ${label}`, () => call({ host, options: make() }), expect.options(make(), 'vanishing')]);
      }
      cases.push([`normalizePhone with a ${label}`, async () => normalizePhone(MOBILE, make()), expect.options(make(), 'vanishing')]);
    }
    await checkAll(cases);
    assert.deepEqual(host.counters(), { loads: 0, saves: 0, sends: 0 });
  });

  test('a function or a Symbol as the resend request is not taken for a missing request (no SMS goes out)', async () => {
    const host = await victim();
    await checkAll(vanishing.map(([label, make]) => [label, () => resendPhoneCode('u1', make(), host, options()), expect.request(make(), 'vanishing')]));
    assert.deepEqual(host.counters(), { loads: 0, saves: 0, sends: 0 });
  });

  test('a Date is not a user id, and not a normalizePhone input', async () => {
    const date = new Date(NOW);
    const host = new MemoryHost([{ userId: date.toJSON(), resourceOwner: 'org1', sequence: 1 }]);
    const asCaller = options({ caller: { userId: date.toJSON() } });
    await checkAll(Object.entries(calls).map(([name, call]) => [name, () => call({ userId: date, host, options: asCaller }), expect.userId(date)]));
    assert.deepEqual(host.counters(), { loads: 0, saves: 0, sends: 0 });
    const actual = readError(() => normalizePhone(new Date(NOW), {}));
    assert.deepEqual(actual, { id: 'REQUEST-invalid', code: 3, status: 400, message: 'Request is invalid: input must be a string' });
  });
});

test('resendPhoneCode with a missing request means sendCode', async () => {
  for (const request of [null, undefined]) {
    const host = await victim();
    assert.deepEqual(await resendPhoneCode('u1', request, host, options()), { details: details(7) });
    assert.equal(host.sends, 1);
  }
});

test('a valid returnCode call after all of the above', async () => {
  const host = new MemoryHost();
  const reply = await setPhone('u1', setRequest(MOBILE, RETURN), host, options());
  assert.deepEqual(reply.details, details(6));
});
