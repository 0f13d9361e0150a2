// setPhone from the user's side: SPEC §1 (request, modes, keys, reply) and §2 (order of checks,
// same-number rule).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setPhone, getPhone, removePhone } from 'contact-phone';
import {
  ADMIN, HOUR, LANDLINE, LANDLINE_E164, MOBILE, MOBILE_E164, MemoryHost, NOW, NOW_ISO, RETURN, SELF, SEND,
  VERIFIED, details, errors, iso, options, pendingPhone, rejects, setRequest, user, withoutHash,
} from './support.mjs';

describe('SPEC §1: modes', () => {
  test('sendCode: one save, then one SMS; the reply has no code', async () => {
    const host = new MemoryHost();
    const reply = await setPhone('u1', setRequest(MOBILE, SEND), host, options());
    assert.deepEqual(reply, { details: details(6) });
    assert.deepEqual(host.counters(), { loads: 1, saves: 1, sends: 1 });
    const [sms] = host.sent;
    assert.match(sms.code, /^[A-Z0-9]{6}$/);
    assert.deepEqual(sms, {
      to: MOBILE_E164,
      code: sms.code,
      text: `Your verification code is ${sms.code}`,
      userId: 'u1',
      resourceOwner: 'org1',
      expiresAt: iso(NOW + HOUR),
    });
    const stored = host.record();
    assert.deepEqual(withoutHash(stored.phone), pendingPhone(MOBILE_E164));
    assert.equal(stored.sequence, 6);
    assert.equal(stored.changeDate, NOW_ISO);
    assert.deepEqual(stored.smsLog, [{ to: MOBILE_E164, at: NOW_ISO }]);
  });

  test('no mode means sendCode', async () => {
    const host = new MemoryHost();
    const reply = await setPhone('u1', setRequest(MOBILE), host, options());
    assert.deepEqual(reply, { details: details(6) });
    assert.equal(host.sends, 1);
    assert.deepEqual(withoutHash(host.record().phone), pendingPhone(MOBILE_E164));
  });

  test('returnCode: the code is in the reply and nothing is sent', async () => {
    const host = new MemoryHost();
    const reply = await setPhone('u1', setRequest(MOBILE, RETURN), host, options());
    assert.deepEqual(Object.keys(reply), ['details', 'verificationCode']);
    assert.match(reply.verificationCode, /^[A-Z0-9]{6}$/);
    assert.deepEqual(reply.details, details(6));
    assert.deepEqual(host.counters(), { loads: 1, saves: 1, sends: 0 });
    assert.deepEqual(withoutHash(host.record().phone), pendingPhone(MOBILE_E164));
  });

  test('returnCode needs no sendSms callback', async () => {
    const host = new MemoryHost();
    const bare = { loadUser: (id) => host.loadUser(id), saveUser: (...args) => host.saveUser(...args) };
    const reply = await setPhone('u1', setRequest(MOBILE, RETURN), bare, options());
    assert.deepEqual(reply.details, details(6));
  });

  test('isVerified: true stores a verified phone without a code, for a user.write caller', async () => {
    const host = new MemoryHost();
    const reply = await setPhone('u1', setRequest(MOBILE, VERIFIED), host, options({ caller: ADMIN }));
    assert.deepEqual(reply, { details: details(6) });
    assert.deepEqual(host.record().phone, { number: MOBILE_E164, isVerified: true, code: null });
    assert.deepEqual(host.counters(), { loads: 1, saves: 1, sends: 0 });
  });

  test('isVerified needs no codeSecret', async () => {
    const host = new MemoryHost();
    const reply = await setPhone('u1', setRequest(MOBILE, VERIFIED), host, { caller: ADMIN, now: () => NOW });
    assert.deepEqual(reply, { details: details(6) });
  });

  test('isVerified: false is an InvalidArgument error', async () => {
    const host = new MemoryHost();
    await rejects(
      setPhone('u1', setRequest(MOBILE, { isVerified: false }), host, options({ caller: ADMIN })),
      errors.request('phone.isVerified can only be true (omit it instead)'),
    );
    assert.deepEqual(host.counters(), { loads: 0, saves: 0, sends: 0 });
  });

  test('two modes at once are an error naming both', async () => {
    const cases = [
      [{ sendCode: {}, returnCode: {} }, 'phone.returnCode cannot be combined with phone.sendCode'],
      [{ sendCode: {}, isVerified: true }, 'phone.isVerified cannot be combined with phone.sendCode'],
      [{ returnCode: {}, isVerified: true }, 'phone.isVerified cannot be combined with phone.returnCode'],
      [{ send_code: {}, is_verified: true }, 'phone.isVerified cannot be combined with phone.sendCode'],
    ];
    for (const [mode, message] of cases) {
      const host = new MemoryHost();
      await rejects(setPhone('u1', setRequest(MOBILE, mode), host, options({ caller: ADMIN })), errors.request(message));
      assert.equal(host.loads, 0);
    }
  });

  test('a mode must be an empty object', async () => {
    const cases = [
      [{ sendCode: true }, 'phone.sendCode must be an object'],
      [{ returnCode: [] }, 'phone.returnCode must be an object'],
      [{ sendCode: { urlTemplate: 'x' } }, 'phone.sendCode.urlTemplate is not a known field'],
      [{ isVerified: 'true' }, 'phone.isVerified must be true or false'],
    ];
    for (const [mode, message] of cases) {
      await rejects(setPhone('u1', setRequest(MOBILE, mode), new MemoryHost(), options()), errors.request(message));
    }
  });
});

describe('SPEC §1: keys', () => {
  test('snake_case keys are accepted as protobuf JSON does', async () => {
    const cases = [
      [{ send_code: {} }, undefined, 1],
      [{ return_code: {} }, 'string', 0],
    ];
    for (const [mode, codeType, sends] of cases) {
      const host = new MemoryHost();
      const reply = await setPhone('u1', setRequest(MOBILE, mode), host, options());
      assert.equal(typeof reply.verificationCode, codeType ?? 'undefined');
      assert.equal(host.sends, sends);
      assert.deepEqual(withoutHash(host.record().phone), pendingPhone(MOBILE_E164));
    }
    const host = new MemoryHost();
    await setPhone('u1', setRequest(MOBILE, { is_verified: true }), host, options({ caller: ADMIN }));
    assert.deepEqual(host.record().phone, { number: MOBILE_E164, isVerified: true, code: null });
  });

  test('a null mode counts as absent (sendCode)', async () => {
    const host = new MemoryHost();
    const reply = await setPhone('u1', setRequest(MOBILE, { returnCode: null }), host, options());
    assert.deepEqual(reply, { details: details(6) });
    assert.equal(host.sends, 1);
  });

  test('the same field in camelCase and snake_case is an error', async () => {
    await rejects(
      setPhone('u1', setRequest(MOBILE, { returnCode: {}, return_code: {} }), new MemoryHost(), options()),
      errors.request('phone.returnCode is given twice (camelCase and snake_case)'),
    );
  });

  test('unknown keys are InvalidArgument errors naming the key, with hints for likely mistakes', async () => {
    const cases = [
      [{ phone: { phone: MOBILE } }, 'phone.phone is not a known field (the field is `number`)'],
      [{ phone: { number: MOBILE, extra: 1 } }, 'phone.extra is not a known field'],
      [{ phoneNumber: MOBILE }, 'phoneNumber is not a known field'],
      [{ number: MOBILE }, 'number is not a known field (put it inside `phone`: {"phone": {"number": ...}})'],
      [{ phone: { number: MOBILE }, extra: null }, 'extra is not a known field'],
    ];
    for (const [request, message] of cases) {
      const host = new MemoryHost();
      await rejects(setPhone('u1', request, host, options()), errors.request(message));
      assert.deepEqual(host.counters(), { loads: 0, saves: 0, sends: 0 });
    }
  });
});

describe('SPEC §1: phone.number and the user id', () => {
  test('phone.number is required and a string', async () => {
    const cases = [
      [{}, 'phone is required'],
      [{ phone: null }, 'phone is required'],
      [{ phone: 'x' }, 'phone must be an object'],
      [{ phone: {} }, 'phone.number is required'],
      [{ phone: { number: null } }, 'phone.number is required'],
      [{ phone: { number: 41791234567 } }, 'phone.number must be a string'],
      [{ phone: { number: [MOBILE] } }, 'phone.number must be a string'],
    ];
    for (const [request, message] of cases) {
      await rejects(setPhone('u1', request, new MemoryHost(), options()), errors.request(message));
    }
  });

  test('phone.number is 1 to 20 characters counted as code points', async () => {
    const tooLong = errors.request('phone.number must be 1 to 20 characters long');
    await rejects(setPhone('u1', setRequest(''), new MemoryHost(), options()), tooLong);
    await rejects(setPhone('u1', setRequest(`${LANDLINE}${' '.repeat(8)}`), new MemoryHost(), options()), tooLong);
    // 20 code points: 10 Arabic-Indic digits and 10 ideographic spaces (50 UTF-8 bytes).
    const arabic = '٠٧١١٢٣٤٥٦٧' + '\u3000'.repeat(10);
    // 20 code points, 30 UTF-16 units: mathematical bold digits are outside the BMP.
    const astral = '𝟎𝟕𝟏𝟏𝟐𝟑𝟒𝟓𝟔𝟕' + ' '.repeat(10);
    for (const number of [arabic, astral]) {
      assert.equal([...number].length, 20);
      const host = new MemoryHost();
      await setPhone('u1', setRequest(number, RETURN), host, options());
      assert.equal(host.record().phone.number, LANDLINE_E164);
    }
  });

  test('the user id is 1 to 200 code points', async () => {
    const wrong = errors.request('userId must be 1 to 200 characters long');
    for (const userId of ['', 'u'.repeat(201), 'é'.repeat(201)]) {
      const host = new MemoryHost();
      await rejects(setPhone(userId, setRequest(MOBILE, RETURN), host, options()), wrong);
      assert.equal(host.loads, 0);
    }
    const longId = 'é'.repeat(200);
    const host = new MemoryHost([user({ userId: longId })]);
    const reply = await setPhone(longId, setRequest(MOBILE, RETURN), host, options({ caller: { userId: longId } }));
    assert.deepEqual(reply.details, details(6));
    assert.equal(host.record(longId).phone.number, MOBILE_E164);
  });
});

describe('SPEC §1: the reply', () => {
  test('details.sequence is the decimal string of the sequence after the change', async () => {
    const big = 2 ** 53 - 3;
    const host = new MemoryHost([user({ sequence: big })]);
    const reply = await setPhone('u1', setRequest(MOBILE, RETURN), host, options());
    assert.equal(reply.details.sequence, '9007199254740991');
    assert.equal(host.record().sequence, 2 ** 53 - 1);
  });

  test('changeDate is RFC 3339 UTC with milliseconds, from options.now (number or Date)', async () => {
    for (const now of [() => NOW + 123.9, () => new Date(NOW + 123)]) {
      const host = new MemoryHost();
      const reply = await setPhone('u1', setRequest(MOBILE, RETURN), host, options({ now }));
      assert.deepEqual(reply.details, details(6, '2026-11-28T12:00:00.123Z'));
      assert.equal(host.record().changeDate, '2026-11-28T12:00:00.123Z');
    }
  });

  test('without options.now the platform clock is used', async () => {
    const host = new MemoryHost();
    const before = Date.now();
    const reply = await setPhone('u1', setRequest(MOBILE, RETURN), host, options({ now: undefined }));
    const after = Date.now();
    assert.match(reply.details.changeDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const changed = Date.parse(reply.details.changeDate);
    assert.ok(before <= changed && changed <= after, `${reply.details.changeDate} is not between ${iso(before)} and ${iso(after)}`);
    assert.equal(host.record().changeDate, reply.details.changeDate);
  });

  test('details keys are in SPEC order and resourceOwner is the user organisation', async () => {
    const host = new MemoryHost([user({ resourceOwner: 'org-42' })]);
    const reply = await setPhone('u1', setRequest(MOBILE, SEND), host, options());
    assert.deepEqual(Object.keys(reply), ['details']);
    assert.deepEqual(Object.keys(reply.details), ['sequence', 'changeDate', 'resourceOwner']);
    assert.equal(reply.details.resourceOwner, 'org-42');
  });

  test('the changed record keeps its user id, organisation and other fields', async () => {
    const host = new MemoryHost([user({ displayName: 'Ada' })]);
    await setPhone('u1', setRequest(MOBILE, RETURN), host, options());
    const stored = host.record();
    assert.deepEqual(
      { ...stored, phone: withoutHash(stored.phone) },
      {
        userId: 'u1',
        resourceOwner: 'org1',
        sequence: 6,
        changeDate: NOW_ISO,
        displayName: 'Ada',
        phone: pendingPhone(MOBILE_E164),
        smsLog: [],
      },
    );
  });
});

describe('SPEC §2: order of checks', () => {
  test('1. request shape comes before the caller', async () => {
    const host = new MemoryHost();
    await rejects(setPhone('u1', { phone: {} }, host, { codeSecret: 'k'.repeat(32) }), errors.request('phone.number is required'));
    assert.equal(host.loads, 0);
  });

  test('2. no caller is Unauthenticated, before the user is loaded', async () => {
    const host = new MemoryHost([]);
    for (const opts of [{ codeSecret: 'k'.repeat(32) }, options({ caller: undefined }), options({ caller: null })]) {
      await rejects(setPhone('nobody', setRequest('not a number'), host, opts), errors.unauthenticated);
    }
    assert.deepEqual(host.counters(), { loads: 0, saves: 0, sends: 0 });
  });

  test('3. unknown, deleted and machine users are NotFound, before the permission check', async () => {
    const stranger = options({ caller: { userId: 'u2' } });
    const cases = [[], [user({ state: 'deleted' })], [user({ kind: 'machine' })]];
    for (const records of cases) {
      const host = new MemoryHost(records);
      await rejects(setPhone('u1', setRequest('PhoneNumber'), host, stranger), errors.notFound);
      await rejects(setPhone('u1', setRequest(MOBILE, RETURN), host, options()), errors.notFound);
      assert.deepEqual(host.counters(), { loads: 2, saves: 0, sends: 0 });
    }
  });

  test('3. a user still in state initial is FailedPrecondition, before the permission check', async () => {
    const host = new MemoryHost([user({ state: 'initial' })]);
    await rejects(setPhone('u1', setRequest('PhoneNumber'), host, options({ caller: { userId: 'u2' } })), errors.notReady);
    await rejects(setPhone('u1', setRequest(MOBILE, RETURN), host, options()), errors.notReady);
    assert.equal(host.saves, 0);
  });

  test('4. inactive and locked users cannot change their own phone; an admin still can', async () => {
    for (const state of ['inactive', 'locked']) {
      const host = new MemoryHost([user({ state })]);
      await rejects(setPhone('u1', setRequest(MOBILE), host, options()), errors.denied);
      await rejects(removePhone('u1', host, options()), errors.denied);
      assert.equal(host.saves, 0);
      assert.equal((await getPhone('u1', host, options())).phone, null);
      const admin = options({ caller: { userId: 'a1', permissions: ['user.write:org1'] } });
      const reply = await setPhone('u1', setRequest(MOBILE, RETURN), host, admin);
      assert.deepEqual(reply.details, details(6));
      assert.equal(host.record().state, state);
    }
  });

  test('4. permissions: self for sent codes; user.write (all or the org) for others, for isVerified, and for returned codes unless allowSelfReturnCode', async () => {
    const byDefault = { allowSelfReturnCode: undefined };
    const cases = [
      [SELF, SEND, true],
      [SELF, SEND, true, byDefault],
      [SELF, RETURN, true],
      [SELF, RETURN, false, byDefault],
      [SELF, RETURN, false, { allowSelfReturnCode: false }],
      [{ userId: 'u1', permissions: ['user.write:org1'] }, RETURN, true, byDefault],
      [SELF, VERIFIED, false],
      [{ userId: 'u2' }, SEND, false],
      [{ userId: 'u2' }, RETURN, false],
      [{ userId: 'u2', permissions: ['user.read'] }, RETURN, false],
      [{ userId: 'u2', permissions: ['user.write:org2'] }, RETURN, false],
      [{ userId: 'u2', permissions: ['user.write:org1x'] }, RETURN, false],
      [{ userId: 'u2', permissions: ['user.writer'] }, RETURN, false],
      [{ permissions: [] }, RETURN, false],
      [{ userId: 'u2', permissions: ['user.write'] }, RETURN, true],
      [{ userId: 'u2', permissions: ['user.write:org1'] }, SEND, true],
      [{ permissions: ['user.write:org1'] }, VERIFIED, true],
      [{ userId: 'u1', permissions: ['user.write'] }, VERIFIED, true],
      [{ userId: 'u1', permissions: ['user.write:org2'] }, VERIFIED, false],
    ];
    for (const [caller, mode, allowed, extra = {}] of cases) {
      const host = new MemoryHost();
      const call = setPhone('u1', setRequest(MOBILE, mode), host, options({ caller, ...extra }));
      if (allowed) {
        assert.deepEqual((await call).details, details(6), JSON.stringify([caller, mode]));
      } else {
        await rejects(call, errors.denied);
        assert.equal(host.saves, 0);
        assert.equal(host.record().phone, undefined);
      }
    }
  });

  test('4. the permission check comes before the phone check', async () => {
    const host = new MemoryHost();
    await rejects(setPhone('u1', setRequest('PhoneNumber'), host, options({ caller: { userId: 'u2' } })), errors.denied);
    await rejects(setPhone('u1', setRequest('PhoneNumber', VERIFIED), host, options()), errors.denied);
  });

  test('5. phone normalisation: empty after trimming, or not a phone number, saying why', async () => {
    const cases = [
      [' ', errors.phoneEmpty],
      ['\u00a0\t', errors.phoneEmpty],
      ['PhoneNumber', errors.phoneInvalid('no digits')],
      ['71 ### 45', errors.phoneInvalid('not a phone number')],
      ['+999 123', errors.phoneInvalid('unknown country calling code')],
      ['12', errors.phoneInvalid('too short')],
      ['+41 71 123 45 6', errors.phoneInvalid('too short')],
      ['+41 71 123 45 678', errors.phoneInvalid('not a possible length for the region')],
      ['+41 12 345 67 89', errors.phoneInvalid('not a valid number for the region')],
      ['+417112345678901', errors.phoneInvalid('too long')],
    ];
    for (const [number, expected] of cases) {
      const host = new MemoryHost();
      await rejects(setPhone('u1', setRequest(number, RETURN), host, options()), expected);
      assert.deepEqual(host.counters(), { loads: 1, saves: 0, sends: 0 }, number);
    }
  });

  test('5. a number outside options.allowedRegions is rejected', async () => {
    const host = new MemoryHost();
    await rejects(
      setPhone('u1', setRequest(MOBILE, RETURN), host, options({ allowedRegions: ['DE', 'AT'] })),
      errors.phoneInvalid('region not allowed'),
    );
    await setPhone('u1', setRequest(MOBILE, RETURN), host, options({ allowedRegions: ['DE', 'CH'] }));
    assert.equal(host.record().phone.number, MOBILE_E164);
  });

  test('5. beyond ZITADEL: a possible-length number outside the numbering plan is rejected', async () => {
    // +41 12 … has 9 digits like every Swiss number, but no Swiss number starts with 1.
    const host = new MemoryHost();
    await rejects(
      setPhone('u1', setRequest('+41 12 345 67 89', RETURN), host, options()),
      errors.phoneInvalid('not a valid number for the region'),
    );
    assert.equal(host.saves, 0);
  });

  test('5. defaultRegion null requires the international form', async () => {
    const host = new MemoryHost();
    const noRegion = options({ defaultRegion: null });
    await rejects(
      setPhone('u1', setRequest(MOBILE, RETURN), host, noRegion),
      errors.phoneInvalid('national number without a default region'),
    );
    await setPhone('u1', setRequest('+41 79 123 45 67', RETURN), host, noRegion);
    assert.equal(host.record().phone.number, MOBILE_E164);
  });
});

describe('SPEC §2 check 6: the same number', () => {
  const samePhones = {
    pending: () => ({ number: MOBILE_E164, isVerified: false, code: null }),
    verified: () => ({ number: MOBILE_E164, isVerified: true }),
  };

  test('the same number (typed differently) changes nothing and issues no code, in every code mode', async () => {
    for (const [state, phone] of Object.entries(samePhones)) {
      for (const mode of [SEND, RETURN, {}]) {
        const record = user({ phone: phone() });
        const host = new MemoryHost([record]);
        const reply = await setPhone('u1', setRequest('+41 (0)79 123 45 67', mode), host, options());
        assert.deepEqual(reply, { details: details(4, '2026-11-01T00:00:00.000Z') }, state);
        assert.deepEqual(host.counters(), { loads: 1, saves: 0, sends: 0 });
        assert.equal(host.record(), record);
      }
    }
  });

  test('the same number keeps a pending code as it was', async () => {
    const host = new MemoryHost();
    await setPhone('u1', setRequest(MOBILE, RETURN), host, options());
    const before = structuredClone(host.record());
    const reply = await setPhone('u1', setRequest(`+${MOBILE_E164.slice(1)}`, RETURN), host, options({ now: () => NOW + HOUR / 2 }));
    assert.deepEqual(reply, { details: details(6) });
    assert.deepEqual(host.record(), before);
  });

  test('without a stored changeDate the details carry now', async () => {
    const host = new MemoryHost([user({ changeDate: undefined, phone: samePhones.verified() })]);
    const reply = await setPhone('u1', setRequest(MOBILE, SEND), host, options({ now: () => NOW + 5000 }));
    assert.deepEqual(reply, { details: details(4, '2026-11-28T12:00:05.000Z') });
  });

  test('isVerified on the same stored, unverified number marks it verified', async () => {
    const host = new MemoryHost();
    await setPhone('u1', setRequest(MOBILE, RETURN), host, options());
    const reply = await setPhone('u1', setRequest(MOBILE, VERIFIED), host, options({ caller: ADMIN, now: () => NOW + 1000 }));
    assert.deepEqual(reply, { details: details(7, '2026-11-28T12:00:01.000Z') });
    assert.deepEqual(host.record().phone, { number: MOBILE_E164, isVerified: true, code: null });
    assert.deepEqual(host.saveCalls.at(-1).events.map((e) => e.type), ['user.human.phone.verified']);
  });

  test('isVerified on the same verified number is a no-op', async () => {
    const record = user({ phone: samePhones.verified() });
    const host = new MemoryHost([record]);
    const reply = await setPhone('u1', setRequest(MOBILE, VERIFIED), host, options({ caller: ADMIN }));
    assert.deepEqual(reply, { details: details(4, '2026-11-01T00:00:00.000Z') });
    assert.equal(host.saves, 0);
    assert.equal(host.record(), record);
  });
});

describe('SPEC §2 check 7: a new number', () => {
  test('replaces a verified number with an unverified one and a new code', async () => {
    const host = new MemoryHost([user({ phone: { number: LANDLINE_E164, isVerified: true, code: null } })]);
    const reply = await setPhone('u1', setRequest(MOBILE, RETURN), host, options());
    assert.deepEqual(reply.details, details(6));
    assert.deepEqual(withoutHash(host.record().phone), pendingPhone(MOBILE_E164));
    const got = await getPhone('u1', host, options());
    assert.deepEqual(got, { details: details(6), phone: { number: MOBILE_E164, isVerified: false } });
  });

  test('isVerified on a new number drops a pending code of the old one', async () => {
    const host = new MemoryHost();
    await setPhone('u1', setRequest(LANDLINE, RETURN), host, options());
    const reply = await setPhone('u1', setRequest(MOBILE, VERIFIED), host, options({ caller: ADMIN }));
    assert.deepEqual(reply, { details: details(8) });
    assert.deepEqual(host.record().phone, { number: MOBILE_E164, isVerified: true, code: null });
  });
});
