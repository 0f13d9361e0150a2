// The bad-input matrix: every export × every argument position × hostile values. Every cell
// ends in a PhoneError of the right code (or, for handleHttp, a response with the right
// status), nothing is written to storage, and the module keeps working afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PhoneError, getPhone, handleHttp, normalizePhone, removePhone, resendPhoneCode, setPhone, verifyPhone,
} from 'contact-phone';

const secret = 'k'.repeat(32);
const okOptions = () => ({ caller: { userId: 'u1', permissions: ['user.write'] }, codeSecret: secret, timeoutMs: 50 });

/** A working host over one user with a pending code, counting writes. */
function goodHost() {
  const host = {
    saves: 0,
    record: null,
    loadUser: (id) => (id === 'u1' ? host.record : null),
    saveUser(record, expected) {
      if (host.record.sequence !== expected) return false;
      host.saves += 1;
      host.record = record;
      return true;
    },
    sendSms() {},
    authenticate: (token) => (token === 'ok' ? { userId: 'u1', permissions: ['user.write'] } : null),
  };
  return host;
}

async function seeded() {
  const host = goodHost();
  host.record = { userId: 'u1', resourceOwner: 'o', sequence: 1 };
  await setPhone('u1', { phone: { number: '0711234567', returnCode: {} } }, host, { ...okOptions(), resendCooldownSeconds: 0 });
  host.saves = 0;
  return host;
}

// Hostile values, each a fresh instance per use.
const thrower = () => { throw new Error('trap'); };
const hostile = {
  undefined: () => undefined,
  null: () => null,
  zero: () => 0,
  negative: () => -1,
  NaN: () => NaN,
  Infinity: () => Infinity,
  true: () => true,
  false: () => false,
  'MB string': () => '7'.repeat(1 << 20),
  'lone surrogate and NUL': () => '\uD800\u0000x',
  'empty array': () => [],
  array: () => [1, 'two', { three: 3 }],
  'throwing getter': () => Object.defineProperty({}, 'phone', { enumerable: true, get: thrower }),
  'throwing Proxy': () => new Proxy({}, { get: thrower, ownKeys: thrower, getOwnPropertyDescriptor: thrower, has: thrower }),
  BigInt: () => ({ phone: { number: 41711234567n } }),
  symbol: () => Symbol('s'),
  function: () => () => 1,
};

// Valid arguments of each export (as factories), and which code a hostile value at each
// position must give. `null`: the call succeeds (a permitted default).
const calls = {
  setPhone: {
    run: (a) => setPhone(...a),
    valid: (host) => ['u1', { phone: { number: '079 765 43 21', returnCode: {} } }, host, okOptions()],
  },
  verifyPhone: {
    run: (a) => verifyPhone(...a),
    valid: (host) => ['u1', { verificationCode: 'WRONG1' }, host, okOptions()],
  },
  resendPhoneCode: {
    run: (a) => resendPhoneCode(...a),
    valid: (host) => ['u1', { returnCode: {} }, host, { ...okOptions(), resendCooldownSeconds: 0 }],
  },
  removePhone: { run: (a) => removePhone(...a), valid: (host) => ['u1', host, okOptions()] },
  getPhone: { run: (a) => getPhone(...a), valid: (host) => ['u1', host, okOptions()] },
};

/** The gRPC code a hostile value at argument `index` must give, or 'ok'. */
function expected(name, index, kind) {
  const positions = name === 'removePhone' || name === 'getPhone' ? ['userId', 'host', 'options'] : ['userId', 'request', 'host', 'options'];
  const position = positions[index];
  if (position === 'userId') return kind === 'lone surrogate and NUL' ? 5 : 3; // a real (unknown) id
  if (position === 'request') {
    if (name === 'resendPhoneCode' && ['undefined', 'null'].includes(kind)) return 'ok'; // no request = sendCode
    if (name === 'verifyPhone' && kind === 'lone surrogate and NUL') return 3;
    return 3;
  }
  if (position === 'host') return 13;
  // options: missing means defaults, and the defaults have no caller
  if (['undefined', 'null'].includes(kind)) return name === 'getPhone' || name === 'removePhone' ? 16 : 13;
  return 13;
}

for (const [name, { run, valid }] of Object.entries(calls)) {
  test(`${name}: every hostile argument gives the right PhoneError and writes nothing`, async () => {
    const arity = valid(null).length;
    for (let index = 0; index < arity; index += 1) {
      for (const [kind, make] of Object.entries(hostile)) {
        const host = await seeded();
        const args = valid(host);
        args[index] = make();
        const want = expected(name, index, kind);
        const label = `${name} argument ${index} = ${kind}`;
        let result;
        let error;
        try {
          result = await run(args);
        } catch (e) {
          error = e;
        }
        if (want === 'ok') {
          assert.equal(error, undefined, `${label}: ${error?.message}`);
          assert.ok(result.details, label);
          continue;
        }
        assert.ok(error instanceof PhoneError, `${label}: ${error}`);
        assert.equal(error.code, want, `${label}: ${error.id} ${error.message}`);
        assert.equal(JSON.stringify(error), JSON.stringify(error.toJSON()));
        if (name !== 'verifyPhone' || index !== 1) assert.equal(host.saves, 0, `${label} wrote to storage`);
      }
    }
  });
}

test('frozen arguments are fine: nothing is mutated', async () => {
  const seed = await seeded();
  const host = Object.freeze({ loadUser: () => seed.record, saveUser: (record) => { seed.record = record; return true; } });
  const request = Object.freeze({ phone: Object.freeze({ number: '079 765 43 21', returnCode: Object.freeze({}) }) });
  const options = Object.freeze(okOptions());
  const reply = await setPhone('u1', request, host, options);
  assert.match(reply.verificationCode, /^[A-Z0-9]{6}$/);
});

test('hosts whose callbacks return wrong shapes, plain values or never settle', async () => {
  const cases = [
    ['loadUser', () => 42, 13, 'HOST-storage'],
    ['loadUser', () => ({ userId: 'u1' }), 13, 'HOST-storage'],
    ['loadUser', () => new Promise(() => {}), 14, 'HOST-timeout'],
    ['saveUser', () => 'true', 13, 'HOST-storage'],
    ['saveUser', () => undefined, 13, 'HOST-storage'],
    ['saveUser', () => new Promise(() => {}), 14, 'HOST-timeout'],
    ['sendSms', () => new Promise(() => {}), 14, 'HOST-timeout'],
    ['sendSms', thrower, 14, 'HOST-sms'],
  ];
  for (const [member, callback, code, id] of cases) {
    const host = await seeded();
    const original = host.saveUser;
    host[member] = member === 'saveUser' ? function (...args) { original.apply(host, args); host.saves = 0; return callback(); } : callback;
    const before = JSON.stringify(host.record);
    const error = await setPhone('u1', { phone: { number: '079 765 43 21', sendCode: {} } }, host, okOptions()).catch((e) => e);
    assert.ok(error instanceof PhoneError, `${member}: ${error}`);
    assert.deepEqual([error.code, error.id], [code, id], `${member}: ${error.message}`);
    assert.match(error.message, new RegExp(member));
    if (member === 'loadUser') assert.equal(JSON.stringify(host.record), before);
  }
});

test('normalizePhone: every hostile input or options throws a PhoneError of the right code', () => {
  for (const [kind, make] of Object.entries(hostile)) {
    for (const index of [0, 1]) {
      const args = ['0711234567', { defaultRegion: 'CH' }];
      args[index] = make();
      let error;
      try {
        normalizePhone(...args);
      } catch (e) {
        error = e;
      }
      const label = `normalizePhone argument ${index} = ${kind}`;
      if (index === 1 && ['undefined', 'null'].includes(kind)) {
        assert.equal(error, undefined, `${label}: ${error?.message}`); // defaults
        continue;
      }
      assert.ok(error instanceof PhoneError, `${label}: ${error}`);
      const want = index === 1 ? 13 : 3;
      assert.equal(error.code, want, `${label}: ${error.id} ${error.message}`);
    }
  }
});

test('handleHttp: hostile requests, hosts and options give responses, never rejections', async () => {
  const request = () => ({ method: 'GET', path: '/v3alpha/users/u1/phone', headers: { authorization: 'Bearer ok' } });
  for (const [kind, make] of Object.entries(hostile)) {
    for (const index of [0, 1, 2]) {
      const host = await seeded();
      const args = [request(), host, okOptions()];
      args[index] = make();
      const response = await handleHttp(...args);
      const label = `handleHttp argument ${index} = ${kind}`;
      const noOptions = index === 2 && ['undefined', 'null'].includes(kind);
      const want = index === 0 ? 400 : index === 1 ? 500 : noOptions ? 200 : 500;
      assert.equal(response.status, want, `${label}: ${response.body}`);
      assert.equal(host.saves, 0, label);
      assert.equal(response.headers['content-type'], 'application/json');
      JSON.parse(response.body);
    }
  }
});

test('the module keeps working after the whole matrix', async () => {
  const host = await seeded();
  const code = (await resendPhoneCode('u1', { returnCode: {} }, host, { ...okOptions(), resendCooldownSeconds: 0 })).verificationCode;
  const verified = await verifyPhone('u1', { verificationCode: code }, host, okOptions());
  assert.equal(verified.details.sequence, '5');
  assert.equal(normalizePhone('+41 71 123 45 67').e164, '+41711234567');
});
