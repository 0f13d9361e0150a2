// The sibling calls (SPEC §6): verifyPhone, resendPhoneCode, removePhone, getPhone: requests,
// replies, errors and permissions.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setPhone, verifyPhone, resendPhoneCode, removePhone, getPhone } from 'contact-phone';
import {
  ADMIN, LANDLINE_E164, MOBILE, MOBILE_E164, MemoryHost, NOW, NOW_ISO, RETURN, SEND, details, errors, iso,
  issueCode, options, pendingPhone, rejects, setRequest, user, withoutHash,
} from './support.mjs';

const LATER = NOW + 60_000;
const later = (extra = {}) => options({ now: () => LATER, ...extra });

const verified = () => user({ phone: { number: MOBILE_E164, isVerified: true } });
const unverifiedWithoutCode = () => user({ phone: { number: MOBILE_E164, isVerified: false, code: null } });

/** A host whose u1 has MOBILE pending with a returned code; resolves to [host, code]. */
async function pending() {
  const host = new MemoryHost();
  return [host, await issueCode(host)];
}

describe('verifyPhone', () => {
  test('the right code verifies the phone: {details}, one verified event', async () => {
    const [host, code] = await pending();
    const reply = await verifyPhone('u1', { verificationCode: code }, host, later());
    assert.deepEqual(reply, { details: details(7, iso(LATER)) });
    assert.deepEqual(host.record().phone, { number: MOBILE_E164, isVerified: true, code: null });
    assert.deepEqual(host.saveCalls.at(-1).events, [
      { type: 'user.human.phone.verified', sequence: 7, createdAt: iso(LATER), payload: {} },
    ]);
  });

  test('verification_code (snake_case) is accepted', async () => {
    const [host, code] = await pending();
    assert.deepEqual(await verifyPhone('u1', { verification_code: code }, host, options()), { details: details(7) });
  });

  test('no pending code: FailedPrecondition COMMAND-2M9fs', async () => {
    for (const record of [user(), verified(), unverifiedWithoutCode()]) {
      const host = new MemoryHost([record]);
      await rejects(verifyPhone('u1', { verificationCode: 'ABC123' }, host, options()), errors.noPendingCode);
      assert.equal(host.saves, 0);
    }
  });

  test('expired: CODE-QvUQ4P; wrong: CODE-woT0xc, counted; locked: CODE-locked', async () => {
    const [host, code] = await pending();
    const bad = code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
    await rejects(verifyPhone('u1', { verificationCode: bad }, host, options({ maxAttempts: 1 })), errors.codeInvalid);
    assert.equal(host.record().phone.code.failedAttempts, 1);
    assert.deepEqual(host.saveCalls.at(-1).events, [
      { type: 'user.human.phone.verification.failed', sequence: 7, createdAt: NOW_ISO, payload: {} },
    ]);
    await rejects(verifyPhone('u1', { verificationCode: code }, host, options({ maxAttempts: 1 })), errors.codeLocked);
    const expired = options({ now: () => NOW + 3_600_000 });
    await rejects(verifyPhone('u1', { verificationCode: code }, host, expired), errors.codeExpired);
  });

  test('the request: verificationCode of 1 to 20 characters', async () => {
    const cases = [
      [{}, 'verificationCode is required'],
      [{ verificationCode: null }, 'verificationCode is required'],
      [{ verificationCode: '' }, 'verificationCode must be 1 to 20 characters long'],
      [{ verificationCode: 'x'.repeat(21) }, 'verificationCode must be 1 to 20 characters long'],
      [{ verificationCode: 123456 }, 'verificationCode must be a string'],
      [{ code: 'ABC123' }, 'code is not a known field (the field is `verificationCode`)'],
      [{ verificationCode: 'A', verification_code: 'A' }, 'verificationCode is given twice (camelCase and snake_case)'],
      [null, 'request must be an object'],
      ['ABC123', 'request must be an object'],
    ];
    for (const [request, message] of cases) {
      const [host] = await pending();
      await rejects(verifyPhone('u1', request, host, options()), errors.request(message));
      assert.equal(host.saves, 1);
    }
    const [host] = await pending();
    await rejects(verifyPhone('u1', { verificationCode: 'é'.repeat(20) }, host, options()), errors.codeInvalid);
  });
});

describe('resendPhoneCode', () => {
  test('sendCode (also {}, undefined and null): a new code by SMS, {details}, one code.added event', async () => {
    for (const request of [{ sendCode: {} }, { send_code: {} }, {}, undefined, null]) {
      const [host] = await pending();
      const reply = await resendPhoneCode('u1', request, host, later());
      assert.deepEqual(reply, { details: details(7, iso(LATER)) });
      assert.equal(host.sent.length, 1);
      assert.equal(host.sent[0].to, MOBILE_E164);
      assert.equal(host.sent[0].expiresAt, iso(LATER + 3_600_000));
      assert.deepEqual(withoutHash(host.record().phone), pendingPhone(MOBILE_E164, LATER));
      assert.deepEqual(host.saveCalls.at(-1).events, [
        {
          type: 'user.human.phone.code.added',
          sequence: 7,
          createdAt: iso(LATER),
          payload: { expiresAt: iso(LATER + 3_600_000), codeReturned: false },
        },
      ]);
    }
  });

  test('returnCode: the new code in the reply, no SMS', async () => {
    for (const request of [{ returnCode: {} }, { return_code: {} }]) {
      const [host] = await pending();
      const reply = await resendPhoneCode('u1', request, host, later());
      assert.deepEqual(Object.keys(reply), ['details', 'verificationCode']);
      assert.deepEqual(reply.details, details(7, iso(LATER)));
      assert.match(reply.verificationCode, /^[A-Z0-9]{6}$/);
      assert.equal(host.sends, 0);
      await verifyPhone('u1', { verificationCode: reply.verificationCode }, host, later());
    }
  });

  test('no pending code (no phone, verified, or no code): FailedPrecondition PHONE-5xrra88eq8', async () => {
    for (const record of [user(), verified(), unverifiedWithoutCode()]) {
      const host = new MemoryHost([record]);
      await rejects(resendPhoneCode('u1', SEND, host, later()), errors.nothingToResend);
      assert.deepEqual(host.counters(), { loads: 1, saves: 0, sends: 0 });
    }
  });

  test('the request shape', async () => {
    const cases = [
      [{ sendCode: {}, returnCode: {} }, 'returnCode cannot be combined with sendCode'],
      [{ send: {} }, 'send is not a known field'],
      [{ returnCode: { a: 1 } }, 'returnCode.a is not a known field'],
      [{ returnCode: true }, 'returnCode must be an object'],
      [5, 'request must be an object'],
      [[], 'request must be an object'],
    ];
    for (const [request, message] of cases) {
      const [host] = await pending();
      await rejects(resendPhoneCode('u1', request, host, later()), errors.request(message));
      assert.equal(host.loads, 1);
    }
  });
});

describe('removePhone', () => {
  test('removes a pending or verified phone: {details}, one removed event, other fields kept', async () => {
    for (const record of [verified(), unverifiedWithoutCode()]) {
      const host = new MemoryHost([{ ...record, displayName: 'Ada' }]);
      const reply = await removePhone('u1', host, later());
      assert.deepEqual(reply, { details: details(5, iso(LATER)) });
      assert.deepEqual(host.record(), { ...user(), displayName: 'Ada', sequence: 5, changeDate: iso(LATER), phone: null, smsLog: [] });
      assert.deepEqual(host.saveCalls[0].events, [
        { type: 'user.human.phone.removed', sequence: 5, createdAt: iso(LATER), payload: {} },
      ]);
    }
    const [host, code] = await pending();
    await removePhone('u1', host, later());
    await rejects(verifyPhone('u1', { verificationCode: code }, host, later()), errors.noPendingCode);
  });

  test('no phone: FailedPrecondition COMMAND-ieJ2e', async () => {
    for (const phone of [undefined, null]) {
      const host = new MemoryHost([user({ phone })]);
      await rejects(removePhone('u1', host, options()), errors.noPhone);
      assert.equal(host.saves, 0);
    }
  });
});

describe('getPhone', () => {
  test('{details, phone: {number, isVerified}} from the stored record, nothing saved', async () => {
    const cases = [
      [user(), null],
      [user({ phone: null }), null],
      [unverifiedWithoutCode(), { number: MOBILE_E164, isVerified: false }],
      [verified(), { number: MOBILE_E164, isVerified: true }],
    ];
    for (const [record, phone] of cases) {
      const host = new MemoryHost([record]);
      const reply = await getPhone('u1', host, options());
      assert.deepEqual(reply, { details: details(4, '2026-11-01T00:00:00.000Z'), phone });
      assert.deepEqual(Object.keys(reply), ['details', 'phone']);
      assert.equal(host.saves, 0);
    }
  });

  test('a pending code is not revealed', async () => {
    const [host] = await pending();
    const reply = await getPhone('u1', host, options());
    assert.deepEqual(reply, { details: details(6), phone: { number: MOBILE_E164, isVerified: false } });
  });

  test('without a stored changeDate the details carry now', async () => {
    const host = new MemoryHost([user({ changeDate: undefined })]);
    assert.deepEqual(await getPhone('u1', host, later()), { details: details(4, iso(LATER)), phone: null });
  });

  test('reads users in state initial (it changes nothing)', async () => {
    const host = new MemoryHost([user({ state: 'initial', phone: { number: LANDLINE_E164, isVerified: true } })]);
    const reply = await getPhone('u1', host, options());
    assert.deepEqual(reply.phone, { number: LANDLINE_E164, isVerified: true });
  });
});

describe('users and callers', () => {
  const calls = {
    verifyPhone: (host, opts) => verifyPhone('u1', { verificationCode: 'ABC123' }, host, opts),
    resendPhoneCode: (host, opts) => resendPhoneCode('u1', RETURN, host, opts),
    removePhone: (host, opts) => removePhone('u1', host, opts),
    getPhone: (host, opts) => getPhone('u1', host, opts),
  };

  test('without a caller every call is Unauthenticated, before loading', async () => {
    for (const [name, call] of Object.entries(calls)) {
      const host = new MemoryHost();
      await rejects(call(host, options({ caller: undefined })), errors.unauthenticated);
      assert.equal(host.loads, 0, name);
    }
  });

  test('unknown, deleted and machine users are NotFound', async () => {
    for (const [name, call] of Object.entries(calls)) {
      for (const records of [[], [user({ state: 'deleted' })], [user({ kind: 'machine' })]]) {
        const host = new MemoryHost(records);
        await rejects(call(host, options()), errors.notFound);
        assert.equal(host.saves, 0, name);
      }
    }
  });

  test('users in state initial: FailedPrecondition for verify, resend and remove', async () => {
    for (const name of ['verifyPhone', 'resendPhoneCode', 'removePhone']) {
      const host = new MemoryHost([user({ state: 'initial', phone: { number: MOBILE_E164, isVerified: true } })]);
      await rejects(calls[name](host, options()), errors.notReady);
    }
  });

  // Which callers may call what on u1 of org1 (SPEC §3, last item).
  const permissionCases = [
    // caller, [verify/resend/remove allowed, get allowed]
    [{ userId: 'u1' }, true, true],
    [{ userId: 'u2' }, false, false],
    [{ userId: 'u2', permissions: ['user.write'] }, true, true],
    [{ userId: 'u2', permissions: ['user.write:org1'] }, true, true],
    [{ userId: 'u2', permissions: ['user.write:org2'] }, false, false],
    [{ userId: 'u2', permissions: ['user.read'] }, false, true],
    [{ userId: 'u2', permissions: ['user.read:org1'] }, false, true],
    [{ userId: 'u2', permissions: ['user.read:org2'] }, false, false],
    [{ permissions: ['user.read:org1x', 'user.write:org1x'] }, false, false],
    [{ permissions: [] }, false, false],
  ];

  test('permissions of verify, resend and remove: self or user.write on the organisation', async () => {
    const writes = {
      verifyPhone: async (host, code, opts) => verifyPhone('u1', { verificationCode: code }, host, opts),
      resendPhoneCode: async (host, code, opts) => resendPhoneCode('u1', RETURN, host, opts),
      removePhone: async (host, code, opts) => removePhone('u1', host, opts),
    };
    for (const [caller, allowed] of permissionCases) {
      for (const [name, call] of Object.entries(writes)) {
        const [host, code] = await pending();
        const result = call(host, code, later({ caller }));
        const label = `${name} by ${JSON.stringify(caller)}`;
        if (allowed) {
          assert.deepEqual((await result).details, details(7, iso(LATER)), label);
        } else {
          await rejects(result, errors.denied);
          assert.equal(host.saves, 1, label);
        }
      }
    }
  });

  test('permissions of get: self, user.read or user.write on the organisation', async () => {
    for (const [caller, , allowed] of permissionCases) {
      const host = new MemoryHost([verified()]);
      const result = getPhone('u1', host, options({ caller }));
      if (allowed) {
        assert.deepEqual((await result).phone, { number: MOBILE_E164, isVerified: true }, JSON.stringify(caller));
      } else {
        await rejects(result, errors.denied);
      }
    }
  });

  test('the permission check comes before the state of the phone', async () => {
    const stranger = options({ caller: { userId: 'u2' } });
    for (const name of ['verifyPhone', 'resendPhoneCode', 'removePhone']) {
      await rejects(calls[name](new MemoryHost(), stranger), errors.denied);
    }
  });

  test('an administrator can run the whole flow for another user', async () => {
    const host = new MemoryHost();
    const admin = (extra = {}) => options({ caller: ADMIN, ...extra });
    const { verificationCode } = await setPhone('u1', setRequest(MOBILE, RETURN), host, admin());
    await verifyPhone('u1', { verificationCode }, host, admin());
    assert.deepEqual(await getPhone('u1', host, admin()), { details: details(7), phone: { number: MOBILE_E164, isVerified: true } });
    assert.deepEqual(await removePhone('u1', host, admin()), { details: details(8) });
  });
});
