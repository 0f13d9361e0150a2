// The host object (SPEC §3): sync and async callbacks, `this`, compare-and-swap with retries,
// foreign record fields, events, and every way a callback can fail.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setPhone, verifyPhone, resendPhoneCode, removePhone, getPhone } from 'contact-phone';
import {
  ADMIN, HOUR, LANDLINE, LANDLINE_E164, MOBILE, MOBILE_E164, MemoryHost, NOW, NOW_ISO, RETURN, SEND, VERIFIED, caught, clock,
  details, errors, iso, issueCode, options, pendingPhone, rejects, setRequest, user, withoutHash,
} from './support.mjs';

/** A full flow: set with a returned code, verify it, read it back. */
async function flow(host) {
  const code = await issueCode(host);
  const verified = await verifyPhone('u1', { verificationCode: code }, host, options());
  const got = await getPhone('u1', host, options());
  return { verified, got, record: host.record(), counters: host.counters() };
}

describe('callbacks', () => {
  test('sync and async callbacks behave alike', async () => {
    const expected = {
      verified: { details: details(7) },
      got: { details: details(7), phone: { number: MOBILE_E164, isVerified: true } },
      record: { ...user(), sequence: 7, changeDate: NOW_ISO, phone: { number: MOBILE_E164, isVerified: true, code: null }, smsLog: [] },
      counters: { loads: 3, saves: 2, sends: 0 },
    };
    assert.deepEqual(await flow(new MemoryHost()), expected);
    assert.deepEqual(await flow(new MemoryHost([user()], { async: true })), expected);
  });

  test('async functions (returning Promises) work as callbacks, sendSms included', async () => {
    const records = new Map([['u1', user()]]);
    const sent = [];
    const host = {
      async loadUser(id) {
        return records.get(id) ?? null;
      },
      async saveUser(record, expected) {
        if (records.get(record.userId).sequence !== expected) return false;
        records.set(record.userId, record);
        return true;
      },
      async sendSms(message) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        sent.push(message);
      },
    };
    const reply = await setPhone('u1', setRequest(MOBILE, SEND), host, options());
    assert.deepEqual(reply, { details: details(6) });
    assert.equal(sent.length, 1);
    assert.equal(sent[0].to, MOBILE_E164);
  });

  test('thenables that are not Promises are awaited; a `then` getter that throws is HOST-storage', async () => {
    const inner = new MemoryHost();
    const thenable = (value) => ({ then: (resolve) => setTimeout(() => resolve(value), 1) });
    const host = {
      loadUser: (id) => thenable(inner.loadUser(id)),
      saveUser: (record, expected, events) => thenable(inner.saveUser(record, expected, events)),
      sendSms: (message) => thenable(inner.sendSms(message)),
    };
    assert.deepEqual(await setPhone('u1', setRequest(MOBILE, SEND), host, options()), { details: details(6) });
    assert.deepEqual(inner.counters(), { loads: 1, saves: 1, sends: 1 });

    const trap = new MemoryHost();
    trap.loadUser = () => ({ get then() { throw new Error('trap'); } });
    await rejects(setPhone('u1', setRequest(MOBILE, SEND), trap, options()), errors.storage('loadUser', 'threw Error: trap'));
  });

  test('a call starts from the microtask queue, and a Promise that settles after timeoutMs is ignored', async () => {
    const inner = new MemoryHost();
    let loads = 0;
    const host = {
      loadUser(id) {
        loads += 1;
        return new Promise((resolve) => setTimeout(() => resolve(inner.loadUser(id)), 60));
      },
      saveUser: (...args) => inner.saveUser(...args),
    };
    const call = setPhone('u1', setRequest(MOBILE, RETURN), host, options({ timeoutMs: 20 }));
    assert.equal(loads, 0, 'no callback runs before setPhone returns');
    await rejects(call, { id: 'HOST-timeout', message: 'Host callback loadUser did not settle within 20 ms' });
    await new Promise((resolve) => setTimeout(resolve, 80)); // the late record arrives
    assert.equal(loads, 1);
    assert.deepEqual(inner.counters(), { loads: 1, saves: 0, sends: 0 });
    assert.deepEqual(inner.record(), user());
  });

  test('every callback is called with the host as `this`', async () => {
    const seen = [];
    const inner = new MemoryHost();
    const host = {
      loadUser(id) {
        seen.push(['loadUser', this]);
        return inner.loadUser(id);
      },
      saveUser(...args) {
        seen.push(['saveUser', this]);
        return inner.saveUser(...args);
      },
      sendSms(message) {
        seen.push(['sendSms', this]);
        return inner.sendSms(message);
      },
    };
    await setPhone('u1', setRequest(MOBILE, SEND), host, options());
    assert.deepEqual(seen.map(([name]) => name), ['loadUser', 'saveUser', 'sendSms']);
    for (const [name, self] of seen) assert.equal(self, host, name);
  });

  test('callbacks inherited from a prototype (a class instance) are found', async () => {
    const host = new MemoryHost();
    assert.equal(Object.hasOwn(host, 'loadUser'), false);
    const reply = await setPhone('u1', setRequest(MOBILE, SEND), host, options());
    assert.deepEqual(reply, { details: details(6) });
  });

  test('loadUser returning null or undefined means the user does not exist', async () => {
    for (const missing of [null, undefined]) {
      const host = { loadUser: () => missing, saveUser: () => assert.fail('saveUser called') };
      await rejects(setPhone('u1', setRequest(MOBILE, RETURN), host, options()), errors.notFound);
      await rejects(getPhone('u1', host, options()), errors.notFound);
    }
  });

  test('read-only calls need only loadUser', async () => {
    const stored = user({ phone: { number: MOBILE_E164, isVerified: false } });
    const host = { loadUser: () => stored };
    const reply = await getPhone('u1', host, options());
    assert.deepEqual(reply, { details: details(4, stored.changeDate), phone: { number: MOBILE_E164, isVerified: false } });
  });
});

describe('saveUser: compare-and-swap', () => {
  test('receives a new record, the loaded sequence and the events; the loaded object is not mutated', async () => {
    const loaded = Object.freeze(user());
    const host = new MemoryHost([loaded]);
    await setPhone('u1', setRequest(MOBILE, RETURN), host, options());
    const [{ record, expectedSequence, events }] = host.saveCalls;
    assert.notEqual(record, loaded);
    assert.deepEqual(loaded, user());
    assert.equal(expectedSequence, 4);
    assert.equal(typeof expectedSequence, 'number');
    assert.deepEqual({ ...record, phone: withoutHash(record.phone) }, {
      ...user(), sequence: 6, changeDate: NOW_ISO, phone: pendingPhone(MOBILE_E164), smsLog: [],
    });
    assert.deepEqual(events, [
      { type: 'user.human.phone.changed', sequence: 5, createdAt: NOW_ISO, payload: { phone: MOBILE_E164 } },
      { type: 'user.human.phone.code.added', sequence: 6, createdAt: NOW_ISO, payload: { expiresAt: iso(NOW + HOUR), codeReturned: true } },
    ]);
  });

  test('a saveUser that always returns false is retried, then Aborted after exactly 4 loads and saves', async () => {
    for (const async of [false, true]) {
      const host = new MemoryHost([user()], { async });
      const expected = [];
      host.saveUser = function saveUser(record, expectedSequence) {
        this.saves += 1;
        expected.push(expectedSequence);
        return async ? Promise.resolve(false) : false;
      };
      await rejects(setPhone('u1', setRequest(MOBILE, SEND), host, options()), errors.conflict);
      assert.deepEqual(host.counters(), { loads: 4, saves: 4, sends: 0 });
      assert.deepEqual(expected, [4, 4, 4, 4]);
      assert.deepEqual(host.record(), user());
    }
  });

  test('after a lost swap the library reloads, decides again and keeps the other writer\'s change', async () => {
    const host = new MemoryHost();
    const save = host.saveUser.bind(host);
    let interfered = false;
    host.saveUser = (record, expected, events) => {
      if (!interfered) {
        interfered = true;
        host.put({ ...host.record(), sequence: 9, nickname: 'changed by another writer' });
      }
      return save(record, expected, events);
    };
    const reply = await setPhone('u1', setRequest(MOBILE, RETURN), host, options());
    assert.deepEqual(reply.details, details(11));
    assert.deepEqual(host.saveCalls.map((c) => c.expectedSequence), [4, 9]);
    assert.deepEqual(host.saveCalls[1].events.map((e) => e.sequence), [10, 11]);
    const stored = host.record();
    assert.equal(stored.nickname, 'changed by another writer');
    assert.equal(stored.sequence, 11);
    assert.deepEqual(withoutHash(stored.phone), pendingPhone(MOBILE_E164));
    assert.equal(host.loads, 2);
  });

  test('two concurrent set-phone calls both land, without a lost update', async () => {
    const host = new MemoryHost([user()], { async: true });
    const [first, second] = await Promise.all([
      setPhone('u1', setRequest(LANDLINE, RETURN), host, options()),
      setPhone('u1', setRequest(MOBILE, RETURN), host, options()),
    ]);
    assert.deepEqual([first.details.sequence, second.details.sequence].sort(), ['6', '8']);
    assert.deepEqual(host.events.map((e) => e.sequence), [5, 6, 7, 8]);
    const last = first.details.sequence === '8' ? LANDLINE_E164 : MOBILE_E164;
    assert.equal(host.record().phone.number, last);
    assert.equal(host.record().sequence, 8);
  });
});

describe('foreign record fields', () => {
  test('fields the library does not own are kept exactly, non-JSON values by reference', async () => {
    const created = new Date(Date.UTC(2020, 0, 1));
    const profile = { name: 'Ada', tags: ['a', { b: 1 }] };
    const method = () => 'kept';
    const symbol = Symbol('kept');
    const loaded = {
      ...user(),
      created,
      profile,
      method,
      nothing: null,
      missing: undefined,
      count: 0,
      [symbol]: 'symbol-keyed',
    };
    const host = new MemoryHost([loaded]);
    await setPhone('u1', setRequest(MOBILE, RETURN), host, options());
    const saved = host.record();
    assert.notEqual(saved, loaded);
    assert.equal(saved.created, created);
    assert.equal(saved.profile, profile);
    assert.equal(saved.method, method);
    assert.equal(saved[symbol], 'symbol-keyed');
    assert.ok(Object.hasOwn(saved, 'missing'));
    assert.deepEqual(
      Object.keys(saved).sort(),
      ['changeDate', 'count', 'created', 'method', 'missing', 'nothing', 'phone', 'profile', 'resourceOwner', 'sequence', 'smsLog', 'userId'],
    );
    assert.deepEqual(
      { ...saved, phone: withoutHash(saved.phone) },
      { ...loaded, sequence: 6, changeDate: NOW_ISO, phone: pendingPhone(MOBILE_E164), smsLog: [] },
    );
    assert.deepEqual(profile, { name: 'Ada', tags: ['a', { b: 1 }] });
  });

  test('a foreign BigInt field is kept as it was', async () => {
    const host = new MemoryHost([{ ...user(), balance: 10n }]);
    await setPhone('u1', setRequest(MOBILE, RETURN), host, options());
    assert.equal(host.record().balance, 10n);
    assert.equal(host.record().phone.number, MOBILE_E164);
  });

  test('a foreign field with a cycle (e.g. a back-reference) is kept as it was', async () => {
    const org = { id: 'org1', members: [] };
    const loaded = { ...user(), org };
    org.members.push(loaded);
    const host = new MemoryHost([loaded]);
    await setPhone('u1', setRequest(MOBILE, RETURN), host, options());
    assert.equal(host.record().org, org);
    assert.equal(host.record().phone.number, MOBILE_E164);
  });
});

describe('events', () => {
  const at = (sequence, type, payload, createdAt = NOW_ISO) => ({ type, sequence, createdAt, payload });

  test('one event per sequence step, with type, sequence, createdAt and payload', async () => {
    const c = clock();
    const host = new MemoryHost();
    const opts = () => options({ now: c.now });
    const code = await issueCode(host, opts());
    await caught(verifyPhone('u1', { verificationCode: code === 'WRONG1' ? 'WRONG2' : 'WRONG1' }, host, opts()));
    c.advance(30);
    const resent = await resendPhoneCode('u1', { returnCode: {} }, host, opts());
    await verifyPhone('u1', { verificationCode: resent.verificationCode }, host, opts());
    c.advance(1);
    await removePhone('u1', host, opts());
    await setPhone('u1', setRequest(LANDLINE, VERIFIED), host, options({ caller: ADMIN, now: c.now }));
    c.advance(1);
    await setPhone('u1', setRequest(MOBILE, SEND), host, opts());
    const t30 = iso(NOW + 30_000);
    const t31 = iso(NOW + 31_000);
    const t32 = iso(NOW + 32_000);
    assert.deepEqual(host.saveCalls.map((c) => c.events), [
      [
        at(5, 'user.human.phone.changed', { phone: MOBILE_E164 }),
        at(6, 'user.human.phone.code.added', { expiresAt: iso(NOW + HOUR), codeReturned: true }),
      ],
      [at(7, 'user.human.phone.verification.failed', {})],
      [at(8, 'user.human.phone.code.added', { expiresAt: iso(NOW + 30_000 + HOUR), codeReturned: true }, t30)],
      [at(9, 'user.human.phone.verified', {}, t30)],
      [at(10, 'user.human.phone.removed', {}, t31)],
      [at(11, 'user.human.phone.changed', { phone: LANDLINE_E164 }, t31), at(12, 'user.human.phone.verified', {}, t31)],
      [
        at(13, 'user.human.phone.changed', { phone: MOBILE_E164 }, t32),
        at(14, 'user.human.phone.code.added', { expiresAt: iso(NOW + 32_000 + HOUR), codeReturned: false }, t32),
      ],
    ]);
    assert.equal(host.record().sequence, 14);
  });

  test('no event and no stored field ever holds a code', async () => {
    const c = clock();
    const host = new MemoryHost();
    const codes = [await issueCode(host, options({ now: c.now }))];
    c.advance(30);
    codes.push((await resendPhoneCode('u1', { returnCode: {} }, host, options({ now: c.now }))).verificationCode);
    c.advance(30);
    await resendPhoneCode('u1', { sendCode: {} }, host, options({ now: c.now }));
    codes.push(host.sent[0].code);
    const everything = JSON.stringify({ events: host.saveCalls.map((s) => s.events), records: host.saveCalls.map((s) => s.record) });
    for (const code of codes) assert.ok(!everything.includes(code), `code ${code} leaked: ${everything}`);
  });
});

describe('failing callbacks', () => {
  const sendCode = (host) => setPhone('u1', setRequest(MOBILE, SEND), host, options());

  /** A MemoryHost whose `name` member is replaced by `value`. */
  function hostWith(name, value) {
    const host = new MemoryHost();
    host[name] = value;
    return host;
  }

  test('storage callbacks that throw, reject, are missing or return the wrong shape are HOST-storage naming them', async () => {
    const cases = [
      ['loadUser', () => { throw new Error('db down'); }, 'threw Error: db down'],
      ['loadUser', () => Promise.reject(new TypeError('bad')), 'rejected with TypeError: bad'],
      ['loadUser', () => Promise.reject('plain'), 'rejected with plain'],
      ['loadUser', () => Promise.reject(undefined), 'rejected with a value of type undefined'],
      ['loadUser', undefined, 'host.loadUser must be a function'],
      ['loadUser', 'loadUser', 'host.loadUser must be a function'],
      ['loadUser', () => 'u1', 'must return a record object or null'],
      ['loadUser', () => 42, 'must return a record object or null'],
      ['loadUser', () => Promise.resolve(true), 'must return a record object or null'],
      ['loadUser', () => [], 'must return a record object or null'],
      ['loadUser', () => ({ userId: 'u1', resourceOwner: 'org1' }), 'returned a record whose sequence is required'],
      ['loadUser', () => ({ ...user(), sequence: '4' }), 'returned a record whose sequence must be a number'],
      ['loadUser', () => ({ ...user(), sequence: -1 }), 'returned a record whose sequence must be an integer from 0 to 9007199254740991'],
      ['loadUser', () => ({ ...user(), resourceOwner: 7 }), 'returned a record whose resourceOwner must be a string'],
      ['loadUser', () => ({ ...user(), changeDate: 'yesterday' }), 'returned a record whose changeDate must be an RFC 3339 date string'],
      ['loadUser', () => ({ ...user(), phone: { isVerified: true } }), 'returned a record whose phone.number is required'],
      ['loadUser', () => ({ ...user(), userId: 'u2' }), 'returned the record of another user'],
      ['loadUser', () => ({ ...user(), sequence: 2 ** 53 - 1 }), 'returned a sequence too large to grow'],
      ['saveUser', () => { throw new Error('disk full'); }, 'threw Error: disk full'],
      ['saveUser', () => Promise.reject(new Error('disk full')), 'rejected with Error: disk full'],
      ['saveUser', () => 'yes', 'must return true (saved) or false (sequence changed)'],
      ['saveUser', () => undefined, 'must return true (saved) or false (sequence changed)'],
      ['saveUser', () => 1, 'must return true (saved) or false (sequence changed)'],
      ['saveUser', () => Promise.resolve(null), 'must return true (saved) or false (sequence changed)'],
      ['saveUser', undefined, 'host.saveUser must be a function'],
      ['saveUser', {}, 'host.saveUser must be a function'],
    ];
    for (const [name, value, cause] of cases) {
      const host = hostWith(name, value);
      const callback = cause === 'returned a sequence too large to grow' ? 'loadUser' : name;
      await rejects(sendCode(host), errors.storage(callback, cause));
      assert.deepEqual(host.record(), user(), `${name}: ${cause}`);
      assert.equal(host.sends, 0);
    }
  });

  test('a host whose members cannot be read is HOST-storage naming loadUser', async () => {
    const cases = [
      [{ get loadUser() { throw new Error('no peeking'); } }, 'reading host.loadUser threw Error: no peeking'],
      [new Proxy({}, { get() { throw new Error('trap'); } }), 'reading host.loadUser threw Error: trap'],
    ];
    for (const [host, cause] of cases) {
      await rejects(sendCode(host), errors.storage('loadUser', cause));
    }
  });

  test('sendSms that throws or rejects after the save: HOST-sms, phone and code stay saved, the error says so', async () => {
    const cases = [
      [() => { throw new Error('gateway down'); }, 'threw Error: gateway down'],
      [() => Promise.reject(new Error('gateway down')), 'rejected with Error: gateway down'],
    ];
    for (const [sendSms, cause] of cases) {
      const host = new MemoryHost();
      const attempted = [];
      host.sendSms = (message) => {
        attempted.push(message);
        return sendSms();
      };
      await rejects(sendCode(host), {
        ...errors.sms,
        message: `SMS could not be sent (sendSms failed: ${cause}); the phone and its code are saved, resend to deliver a code`,
      });
      assert.equal(attempted.length, 1);
      assert.deepEqual(withoutHash(host.record().phone), pendingPhone(MOBILE_E164));
      assert.equal(host.record().sequence, 6);
    }
  });

  /** A host whose first sendSms fails; returns it and the message it failed to send. */
  async function afterFailedSms(c) {
    const host = new MemoryHost();
    const failed = [];
    host.sendSms = (message) => {
      failed.push(message);
      throw new Error('gateway down');
    };
    await rejects(setPhone('u1', setRequest(MOBILE, SEND), host, options({ now: c.now })), errors.sms);
    host.sendSms = MemoryHost.prototype.sendSms;
    return { host, failed: failed[0] };
  }

  test('after a failed SMS the saved code is the one the SMS carried', async () => {
    const c = clock();
    const { host, failed } = await afterFailedSms(c);
    const reply = await verifyPhone('u1', { verificationCode: failed.code }, host, options({ now: c.now }));
    assert.deepEqual(reply, { details: details(7) });
    assert.deepEqual(host.record().phone, { number: MOBILE_E164, isVerified: true, code: null });
  });

  test('after a failed SMS a resend (once the cooldown has passed) delivers a new code that verifies', async () => {
    const c = clock();
    const { host, failed } = await afterFailedSms(c);
    c.advance(30);
    const reply = await resendPhoneCode('u1', { sendCode: {} }, host, options({ now: c.now }));
    assert.deepEqual(reply, { details: details(7, iso(NOW + 30_000)) });
    assert.equal(host.sent.length, 1);
    const [delivered] = host.sent;
    assert.equal(delivered.to, MOBILE_E164);
    if (delivered.code !== failed.code) {
      await rejects(verifyPhone('u1', { verificationCode: failed.code }, host, options({ now: c.now })), errors.codeInvalid);
    }
    await verifyPhone('u1', { verificationCode: delivered.code }, host, options({ now: c.now }));
    assert.deepEqual(host.record().phone, { number: MOBILE_E164, isVerified: true, code: null });
  });

  test('a missing sendSms is HOST-sms before anything is saved, and the error does not claim a save', async () => {
    for (const sendSms of [undefined, {}, 'sendSms']) {
      const host = hostWith('sendSms', sendSms);
      const error = await rejects(sendCode(host), errors.sms);
      assert.match(error.message, /sendSms/);
      assert.equal(host.saves, 0);
      assert.deepEqual(host.record(), user());
      assert.doesNotMatch(error.message, /saved/, `nothing was saved, but the message says: ${error.message}`);
    }
  });

  test('a missing sendSms is HOST-sms for resend in sendCode mode too, with nothing saved', async () => {
    const c = clock();
    const host = new MemoryHost();
    await issueCode(host, options({ now: c.now }));
    const before = host.record();
    host.sendSms = undefined;
    c.advance(30);
    await rejects(resendPhoneCode('u1', { sendCode: {} }, host, options({ now: c.now })), errors.sms);
    assert.equal(host.record(), before);
  });

  test('a storage callback whose Promise never settles is HOST-timeout after timeoutMs, naming it', async () => {
    for (const name of ['loadUser', 'saveUser']) {
      const host = hostWith(name, () => new Promise(() => {}));
      await rejects(setPhone('u1', setRequest(MOBILE, SEND), host, options({ timeoutMs: 20 })), {
        id: 'HOST-timeout',
        code: 14,
        status: 503,
        message: `Host callback ${name} did not settle within 20 ms`,
      });
      assert.deepEqual(host.record(), user());
      assert.equal(host.sends, 0);
    }
  });

  test('an SMS that never settles after the save: Unavailable, phone and code stay saved, and the error says so', async () => {
    const host = hostWith('sendSms', () => new Promise(() => {}));
    const error = await rejects(setPhone('u1', setRequest(MOBILE, SEND), host, options({ timeoutMs: 20 })), { code: 14, status: 503 });
    assert.match(error.message, /sendSms/);
    assert.deepEqual(withoutHash(host.record().phone), pendingPhone(MOBILE_E164));
    assert.match(error.message, /saved/, `the phone and its code are saved, but the message does not say so: ${error.message}`);
  });

  test('a storage failure leaves the module usable', async () => {
    const host = hostWith('loadUser', () => { throw new Error('db down'); });
    await caught(sendCode(host));
    const working = new MemoryHost();
    assert.deepEqual(await sendCode(working), { details: details(6) });
  });
});
