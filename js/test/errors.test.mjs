// The PhoneError class and every error id of the SPEC (§2, §6) with its gRPC code, HTTP status,
// message and JSON body, each produced by a real call.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setPhone, verifyPhone, resendPhoneCode, removePhone, getPhone, normalizePhone, PhoneError } from 'contact-phone';
import {
  MOBILE, MOBILE_E164, MemoryHost, NOW, RETURN, SEND, caught, errors, issueCode, options, setRequest, user,
} from './support.mjs';

const ERROR_DETAIL = 'type.googleapis.com/zitadel.v1.ErrorDetail';

/** The SPEC §2 body of an error with this code, id, message and field at fault (if any). */
const body = ({ code, id, message, field }) => ({
  code,
  message: `${message} (${id})`,
  details: [{ '@type': ERROR_DETAIL, id, message }],
  ...(field === undefined ? {} : { field }),
});

/** Asserts everything a user can see of `error`. */
function assertError(error, expected) {
  assert.ok(error instanceof PhoneError);
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'PhoneError');
  const seen = { code: error.code, status: error.status, id: error.id, message: error.message };
  if ('field' in error) seen.field = error.field;
  assert.deepEqual(seen, expected);
  assert.deepEqual(error.details, body(expected).details);
  assert.deepEqual(error.toJSON(), body(expected));
  assert.equal(JSON.stringify(error), JSON.stringify(body(expected)));
}

describe('the PhoneError class', () => {
  test('instances are PhoneError and Error, with code, status, id, message, details and a stack', async () => {
    const error = await caught(getPhone('u1', new MemoryHost([]), options()));
    assert.equal(Object.getPrototypeOf(error), PhoneError.prototype);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'PhoneError');
    assert.equal(typeof error.stack, 'string');
    assert.match(error.stack, /^PhoneError: User could not be found/);
    assert.equal(String(error), 'PhoneError: User could not be found');
    assertError(error, errors.notFound);
  });

  test('toJSON() is the SPEC §2 body, with its keys in order; JSON.stringify gives the same', () => {
    let error;
    try {
      normalizePhone('PhoneNumber', {});
    } catch (e) {
      error = e;
    }
    const expected = {
      code: 3,
      message: 'Phone is invalid: no digits (PHONE-so0wa)',
      details: [{ '@type': ERROR_DETAIL, id: 'PHONE-so0wa', message: 'Phone is invalid: no digits' }],
    };
    assert.deepEqual(error.toJSON(), expected);
    assert.deepEqual(Object.keys(error.toJSON()), ['code', 'message', 'details']);
    assert.deepEqual(Object.keys(error.toJSON().details[0]), ['@type', 'id', 'message']);
    assert.equal(JSON.stringify(error), JSON.stringify(expected));
    assert.deepEqual(JSON.parse(JSON.stringify({ error })), { error: expected });
  });

  test('toJSON() returns a fresh copy each time', () => {
    let error;
    try {
      normalizePhone(' ', {});
    } catch (e) {
      error = e;
    }
    const first = error.toJSON();
    first.details[0].id = 'tampered';
    first.code = 99;
    assert.deepEqual(error.toJSON(), body(errors.phoneEmpty));
  });

  test('users can build one from a body and a status, e.g. to rethrow a remote error', () => {
    const remote = body(errors.denied);
    const error = new PhoneError(remote, 403);
    assertError(error, errors.denied);
  });

  test('the async calls never throw synchronously: they return Promises that reject', async () => {
    const calls = [
      () => setPhone(undefined, undefined, undefined, undefined),
      () => verifyPhone(),
      () => resendPhoneCode(),
      () => removePhone(),
      () => getPhone(),
    ];
    for (const call of calls) {
      const result = call();
      assert.ok(result instanceof Promise);
      await caught(result);
    }
  });
});

describe('every error id, with its code, HTTP status, message and body', () => {
  const host = () => new MemoryHost();
  const mobile = (mode = RETURN) => setRequest(MOBILE, mode);
  const cases = [
    ['REQUEST-invalid', () => setPhone('u1', { phone: { phone: MOBILE } }, host(), options()),
      { ...errors.request('phone.phone is not a known field (the field is `number`)'), field: 'phone.phone' }],
    ['AUTH-unauthenticated', () => setPhone('u1', mobile(), host(), options({ caller: undefined })),
      errors.unauthenticated],
    ['COMMAND-b33QAVgel6', () => setPhone('u1', mobile(), new MemoryHost([user({ kind: 'machine' })]), options()),
      errors.notFound],
    ['COMMAND-uz0Uu', () => setPhone('u1', mobile(), new MemoryHost([user({ state: 'initial' })]), options()),
      errors.notReady],
    ['AUTH-AWfge', () => setPhone('u1', setRequest(MOBILE, { isVerified: true }), host(), options()),
      errors.denied],
    ['PHONE-Zt0NV', () => setPhone('u1', setRequest('  '), host(), options()),
      errors.phoneEmpty],
    ['PHONE-so0wa', () => setPhone('u1', setRequest('PhoneNumber'), host(), options()),
      errors.phoneInvalid('no digits')],
    ['COMMAND-2M9fs', () => verifyPhone('u1', { verificationCode: 'ABC123' }, host(), options()),
      errors.noPendingCode],
    ['CODE-QvUQ4P', async () => {
      const h = host();
      const code = await issueCode(h);
      return verifyPhone('u1', { verificationCode: code }, h, options({ now: () => NOW + 7_200_000 }));
    }, errors.codeExpired],
    ['CODE-woT0xc', async () => {
      const h = host();
      const code = await issueCode(h);
      return verifyPhone('u1', { verificationCode: code.startsWith('A') ? 'B' : 'A' }, h, options());
    }, errors.codeInvalid],
    ['CODE-locked', async () => {
      const h = host();
      const code = await issueCode(h, options({ maxAttempts: 1 }));
      await caught(verifyPhone('u1', { verificationCode: code.startsWith('A') ? 'B' : 'A' }, h, options({ maxAttempts: 1 })));
      return verifyPhone('u1', { verificationCode: code }, h, options({ maxAttempts: 1 }));
    }, errors.codeLocked],
    ['PHONE-5xrra88eq8', () => resendPhoneCode('u1', SEND, new MemoryHost([user({ phone: { number: MOBILE_E164, isVerified: true } })]), options()),
      errors.nothingToResend],
    ['COMMAND-ieJ2e', () => removePhone('u1', host(), options()),
      errors.noPhone],
    ['PHONE-throttled', async () => {
      const h = host();
      await issueCode(h);
      return resendPhoneCode('u1', RETURN, h, options({ now: () => NOW + 12_500 }));
    }, errors.throttled(18)],
    ['COMMAND-conflict', () => {
      const h = host();
      h.saveUser = () => false;
      return setPhone('u1', mobile(), h, options());
    }, errors.conflict],
    ['CONFIG-codeSecret', () => setPhone('u1', mobile(), host(), options({ codeSecret: 'too short' })),
      errors.secretShort],
    ['HOST-storage', () => setPhone('u1', mobile(), { loadUser: () => Promise.reject(new Error('db down')), saveUser: () => true }, options()),
      errors.storage('loadUser', 'rejected with Error: db down')],
    ['HOST-sms', () => {
      const h = host();
      h.sendSms = () => Promise.reject(new Error('gateway down'));
      return setPhone('u1', mobile(SEND), h, options());
    }, { ...errors.sms, message: 'SMS could not be sent (sendSms failed: rejected with Error: gateway down); the phone and its code are saved, resend to deliver a code' }],
    ['CONFIG-invalid', () => getPhone('u1', host(), options({ defaultRegion: 'XX' })),
      { ...errors.config('defaultRegion must be a known ISO 3166 alpha-2 region such as "CH"'), field: 'defaultRegion' }],
  ];

  for (const [id, produce, expected] of cases) {
    test(`${id}: gRPC ${expected.code}, HTTP ${expected.status}`, async () => {
      assert.equal(expected.id, id);
      assertError(await caught(produce), expected);
    });
  }

  test('HTTP status by gRPC code follows SPEC §2', () => {
    const statusByCode = { 3: 400, 5: 404, 7: 403, 8: 429, 9: 400, 10: 409, 13: 500, 14: 503, 16: 401 };
    for (const [, , { code, status }] of cases) assert.equal(status, statusByCode[code]);
    assert.deepEqual(new Set(cases.map(([, , e]) => e.code)), new Set([3, 5, 7, 8, 9, 10, 13, 14, 16]));
  });

  test('the ids of the SPEC are all covered', () => {
    const spec = [
      'PHONE-so0wa', 'PHONE-Zt0NV', 'COMMAND-b33QAVgel6', 'COMMAND-uz0Uu', 'COMMAND-2M9fs', 'CODE-QvUQ4P',
      'CODE-woT0xc', 'PHONE-5xrra88eq8', 'COMMAND-ieJ2e', 'REQUEST-invalid', 'AUTH-unauthenticated', 'AUTH-AWfge',
      'COMMAND-conflict', 'CODE-locked', 'PHONE-throttled', 'CONFIG-codeSecret', 'HOST-storage', 'HOST-sms',
    ];
    const covered = new Set(cases.map(([id]) => id));
    for (const id of spec) assert.ok(covered.has(id), id);
  });
});
