// Verification codes (SPEC §5): form, storage as a keyed hash, matching, expiry, single use,
// replacement, lockout, resend cooldown and the codeSecret.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setPhone, verifyPhone, resendPhoneCode, removePhone, getPhone } from 'contact-phone';
import {
  ADMIN, HOUR, LANDLINE, MOBILE, MOBILE_E164, MemoryHost, NOW, RETURN, SEND, VERIFIED, clock, details,
  errors, iso, issueCode, options, pendingPhone, rejects, setRequest, user, withoutHash,
} from './support.mjs';

const verify = (host, code, opts = options()) => verifyPhone('u1', { verificationCode: code }, host, opts);

/** A code that is certainly not `code` (same length and alphabet). */
const wrong = (code) => (code[0] === 'A' ? 'B' : 'A') + code.slice(1);

/** Issues `count` codes in returnCode mode (one set, then resends 30 s apart). */
async function manyCodes(count, extra = {}) {
  const c = clock();
  const opts = () => options({ now: c.now, ...extra });
  const host = new MemoryHost();
  const codes = [await issueCode(host, opts())];
  while (codes.length < count) {
    c.advance(30);
    codes.push((await resendPhoneCode('u1', RETURN, host, opts())).verificationCode);
  }
  return codes;
}

describe('form of the codes', () => {
  test('default: 6 characters of A-Z0-9, every character in use', async () => {
    const codes = await manyCodes(200);
    for (const code of codes) assert.match(code, /^[A-Z0-9]{6}$/);
    assert.ok(new Set(codes).size >= 195, `codes repeat: ${codes.join(' ')}`);
    const used = new Set(codes.join(''));
    assert.deepEqual([...used].sort().join(''), '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  });

  test('custom length and alphabet, in the reply and in the SMS', async () => {
    const cases = [
      [{ length: 8, alphabet: '0-9' }, /^[0-9]{8}$/],
      [{ length: 4 }, /^[A-Z0-9]{4}$/],
      [{ length: 20, alphabet: 'a-z' }, /^[a-z]{20}$/],
      [{ alphabet: 'ACEFHJKLMNPRTXY3479' }, /^[ACEFHJKLMNPRTXY3479]{6}$/],
      [{ length: 20, alphabet: '01-' }, /^[01-]{20}$/],
    ];
    for (const [code, pattern] of cases) {
      for (const returned of await manyCodes(20, { code })) assert.match(returned, pattern, JSON.stringify(code));
      const host = new MemoryHost();
      await setPhone('u1', setRequest(MOBILE, SEND), host, options({ code }));
      assert.match(host.sent[0].code, pattern);
      assert.equal(host.sent[0].text, `Your verification code is ${host.sent[0].code}`);
    }
  });

  test('a custom lifetime sets expiresAt', async () => {
    const host = new MemoryHost();
    await setPhone('u1', setRequest(MOBILE, SEND), host, options({ code: { expiresInSeconds: 600 } }));
    assert.equal(host.sent[0].expiresAt, iso(NOW + 600_000));
    assert.deepEqual(withoutHash(host.record().phone), pendingPhone(MOBILE_E164, NOW, { expiresIn: 600_000 }));
  });

  test('smsTemplate shapes the SMS text', async () => {
    const host = new MemoryHost();
    await setPhone('u1', setRequest(MOBILE, SEND), host, options({ smsTemplate: 'Code {{code}} for Acme' }));
    assert.equal(host.sent[0].text, `Code ${host.sent[0].code} for Acme`);
  });

  test('code policies that are unsafe or malformed are configuration errors', async () => {
    const cases = [
      [{ code: { length: 3 } }, 'code.length must be an integer from 4 to 20'],
      [{ code: { length: 21 } }, 'code.length must be an integer from 4 to 20'],
      [{ code: { length: 5, alphabet: '0-9' } }, 'code gives fewer than 1 000 000 possible codes: use a longer code or a larger alphabet'],
      [{ code: { alphabet: 'AA' } }, 'code.alphabet lists a character twice'],
      [{ code: { expiresInSeconds: 59 } }, 'code.expiresInSeconds must be an integer from 60 to 604800'],
      [{ maxAttempts: 0 }, 'maxAttempts must be an integer from 1 to 100'],
      [{ resendCooldownSeconds: -1 }, 'resendCooldownSeconds must be an integer from 0 to 86400'],
      [{ smsTemplate: 'no placeholder' }, 'smsTemplate must contain {{code}}'],
      [{ smsTemplate: 'Code {{code}} 😀' }, 'smsTemplate must use GSM-7 characters only'],
    ];
    for (const [extra, message] of cases) {
      const host = new MemoryHost();
      await rejects(setPhone('u1', setRequest(MOBILE, SEND), host, options(extra)), errors.config(message));
      assert.deepEqual(host.counters(), { loads: 0, saves: 0, sends: 0 });
    }
  });
});

describe('storage as a keyed hash', () => {
  test('the stored code is only a 64-hex-digit hash with its dates and attempt count', async () => {
    for (const mode of [RETURN, SEND]) {
      const host = new MemoryHost();
      const reply = await setPhone('u1', setRequest(MOBILE, mode), host, options());
      const code = reply.verificationCode ?? host.sent[0].code;
      const stored = host.record();
      assert.deepEqual(Object.keys(stored.phone.code).sort(), ['createdAt', 'expiresAt', 'failedAttempts', 'hash']);
      assert.match(stored.phone.code.hash, /^[0-9a-f]{64}$/);
      const text = JSON.stringify(stored);
      assert.ok(!text.includes(code) && !text.includes(code.toLowerCase()), `the code ${code} is stored: ${text}`);
    }
  });

  test('the hash is bound to the user', async () => {
    const host = new MemoryHost([user(), user({ userId: 'u2' })]);
    const code = await issueCode(host);
    host.put({ ...host.record('u2'), phone: structuredClone(host.record('u1').phone) });
    const asU2 = options({ caller: { userId: 'u2' } });
    await rejects(verifyPhone('u2', { verificationCode: code }, host, asU2), errors.codeInvalid);
    await verify(host, code);
  });

  test('the hash is bound to the number', async () => {
    const host = new MemoryHost();
    const code = await issueCode(host);
    const stored = host.record();
    host.put({ ...stored, phone: { ...stored.phone, number: '+41711234567' } });
    await rejects(verify(host, code), errors.codeInvalid);
  });

  test('the hash is keyed with codeSecret', async () => {
    const host = new MemoryHost();
    const code = await issueCode(host);
    await rejects(verify(host, code, options({ codeSecret: 'another secret of 32 bytes......' })), errors.codeInvalid);
    await verify(host, code);
  });
});

describe('matching', () => {
  test('codes of a single-case alphabet match in either case', async () => {
    const cases = [
      [{}, (code) => code.toLowerCase()],
      [{ code: { alphabet: 'a-z' } }, (code) => code.toUpperCase()],
    ];
    for (const [extra, typed] of cases) {
      const host = new MemoryHost();
      const code = await issueCode(host, options(extra));
      assert.deepEqual(await verify(host, typed(code), options(extra)), { details: details(7) });
    }
  });

  test('codes of a mixed-case alphabet are case-sensitive', async () => {
    const c = clock();
    const extra = { code: { alphabet: 'A-Za-z0-9' } };
    const opts = () => options({ now: c.now, ...extra });
    const host = new MemoryHost();
    let code = await issueCode(host, opts());
    while (!/[A-Za-z]/.test(code)) {
      c.advance(30);
      code = (await resendPhoneCode('u1', RETURN, host, opts())).verificationCode;
    }
    const swapped = [...code].map((ch) => (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase())).join('');
    await rejects(verify(host, swapped, opts()), errors.codeInvalid);
    await verify(host, code, opts());
  });

  test('a code is single-use', async () => {
    const host = new MemoryHost();
    const code = await issueCode(host);
    await verify(host, code);
    await rejects(verify(host, code), errors.noPendingCode);
    assert.deepEqual(host.record().phone, { number: MOBILE_E164, isVerified: true, code: null });
  });

  test('a wrong code is counted and saved', async () => {
    const host = new MemoryHost();
    const code = await issueCode(host);
    await rejects(verify(host, wrong(code)), errors.codeInvalid);
    assert.deepEqual(withoutHash(host.record().phone), pendingPhone(MOBILE_E164, NOW, { failedAttempts: 1 }));
    assert.equal(host.record().sequence, 7);
    assert.deepEqual(await verify(host, code), { details: details(8) });
  });
});

describe('expiry', () => {
  test('a code is valid until just before expiresAt and expired from then on', async () => {
    const host = new MemoryHost();
    const code = await issueCode(host, options({ code: { expiresInSeconds: 600 } }));
    await rejects(verify(host, code, options({ now: () => NOW + 600_000 })), errors.codeExpired);
    assert.equal(host.saves, 1);
    const reply = await verify(host, code, options({ now: () => NOW + 599_999 }));
    assert.deepEqual(reply, { details: details(7, '2026-11-28T12:09:59.999Z') });
  });

  test('the default lifetime is one hour', async () => {
    const host = new MemoryHost();
    const code = await issueCode(host);
    await rejects(verify(host, code, options({ now: () => new Date(NOW + HOUR) })), errors.codeExpired);
    await verify(host, code, options({ now: () => NOW + HOUR - 1 }));
  });

  test('an expired code can be replaced by a resend', async () => {
    const host = new MemoryHost();
    await issueCode(host);
    const later = options({ now: () => NOW + 2 * HOUR });
    const { verificationCode } = await resendPhoneCode('u1', RETURN, host, later);
    await verify(host, verificationCode, later);
    assert.deepEqual(host.record().phone, { number: MOBILE_E164, isVerified: true, code: null });
  });
});

describe('a new code replaces the old one', () => {
  test('after a resend only the new code verifies', async () => {
    const host = new MemoryHost();
    const first = await issueCode(host);
    const later = options({ now: () => NOW + 30_000 });
    const { verificationCode: second } = await resendPhoneCode('u1', RETURN, host, later);
    assert.deepEqual(withoutHash(host.record().phone), pendingPhone(MOBILE_E164, NOW + 30_000));
    if (first !== second) await rejects(verify(host, first, later), errors.codeInvalid);
    await verify(host, second, later);
  });

  test('after a new number the code of the old number does not verify', async () => {
    const host = new MemoryHost();
    const first = await issueCode(host, options(), LANDLINE);
    const second = await issueCode(host, options(), MOBILE);
    if (first !== second) await rejects(verify(host, first), errors.codeInvalid);
    await verify(host, second);
    assert.equal(host.record().phone.number, MOBILE_E164);
  });
});

describe('lockout after maxAttempts', () => {
  test('five wrong codes (the default) lock the code, even against the right one, until a new code', async () => {
    const c = clock();
    const opts = () => options({ now: c.now });
    const host = new MemoryHost();
    const code = await issueCode(host, opts());
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await rejects(verify(host, wrong(code), opts()), errors.codeInvalid);
      assert.equal(host.record().phone.code.failedAttempts, attempt);
    }
    const saves = host.saves;
    await rejects(verify(host, code, opts()), errors.codeLocked);
    await rejects(verify(host, wrong(code), opts()), errors.codeLocked);
    assert.equal(host.saves, saves);
    assert.equal(host.record().phone.code.failedAttempts, 5);

    c.advance(30);
    const { verificationCode } = await resendPhoneCode('u1', RETURN, host, opts());
    assert.equal(host.record().phone.code.failedAttempts, 0);
    await verify(host, verificationCode, opts());
    assert.deepEqual(host.record().phone, { number: MOBILE_E164, isVerified: true, code: null });
  });

  test('maxAttempts: 1 locks after one wrong code', async () => {
    const host = new MemoryHost();
    const opts = options({ maxAttempts: 1 });
    const code = await issueCode(host, opts);
    await rejects(verify(host, wrong(code), opts), errors.codeInvalid);
    await rejects(verify(host, code, opts), errors.codeLocked);
  });

  test('a new number issues a fresh code with no failed attempts', async () => {
    const host = new MemoryHost();
    const opts = options({ maxAttempts: 1 });
    const code = await issueCode(host, opts, LANDLINE);
    await rejects(verify(host, wrong(code), opts), errors.codeInvalid);
    const fresh = await issueCode(host, opts, MOBILE);
    await verify(host, fresh, opts);
  });
});

describe('resend cooldown', () => {
  test('the default cooldown is 30 s from the last code issued by set or resend', async () => {
    const host = new MemoryHost();
    await issueCode(host);
    const at = (seconds) => options({ now: () => NOW + seconds * 1000 });
    await rejects(resendPhoneCode('u1', RETURN, host, at(0)), errors.throttled(30));
    await rejects(resendPhoneCode('u1', RETURN, host, at(10)), errors.throttled(20));
    await rejects(resendPhoneCode('u1', SEND, host, at(29.999)), errors.throttled(1));
    assert.deepEqual(host.counters(), { loads: 4, saves: 1, sends: 0 });
    await resendPhoneCode('u1', RETURN, host, at(30));
    await rejects(resendPhoneCode('u1', RETURN, host, at(45)), errors.throttled(15));
    await resendPhoneCode('u1', SEND, host, at(60));
    assert.deepEqual(host.counters(), { loads: 7, saves: 3, sends: 1 });
  });

  test('resendCooldownSeconds sets the cooldown; 0 allows an immediate resend', async () => {
    const host = new MemoryHost();
    await issueCode(host, options({ resendCooldownSeconds: 120 }));
    await rejects(resendPhoneCode('u1', RETURN, host, options({ resendCooldownSeconds: 120, now: () => NOW + 60_000 })), errors.throttled(60));
    const reply = await resendPhoneCode('u1', RETURN, host, options({ resendCooldownSeconds: 0, now: () => NOW + 60_000 }));
    assert.deepEqual(reply.details, details(7, iso(NOW + 60_000)));
  });

  test('a throttled resend saves and sends nothing', async () => {
    const host = new MemoryHost();
    await issueCode(host);
    const before = host.record();
    await rejects(resendPhoneCode('u1', SEND, host, options()), errors.throttled(30));
    assert.equal(host.record(), before);
    assert.equal(host.sends, 0);
  });
});

describe('send limits', () => {
  const sms = (number, at) => ({ to: number, at: iso(at) });

  test('by default 5 SMS to one number per hour; the 6th waits until the first leaves the window', async () => {
    const c = clock();
    const opts = () => options({ now: c.now });
    const host = new MemoryHost();
    await setPhone('u1', setRequest(MOBILE, SEND), host, opts());
    for (let i = 0; i < 4; i += 1) {
      c.advance(30);
      await resendPhoneCode('u1', SEND, host, opts());
    }
    assert.equal(host.sends, 5);
    assert.deepEqual(host.record().smsLog, [0, 30, 60, 90, 120].map((s) => sms(MOBILE_E164, NOW + s * 1000)));
    c.advance(30);
    const before = host.record();
    await rejects(resendPhoneCode('u1', SEND, host, opts()), errors.throttled(3450));
    assert.equal(host.record(), before);
    assert.equal(host.sends, 5);
    // Codes returned in the reply are not SMS and are not limited by the SMS limits.
    const { verificationCode } = await resendPhoneCode('u1', RETURN, host, opts());
    assert.match(verificationCode, /^[A-Z0-9]{6}$/);
    c.millis = NOW + HOUR;
    await resendPhoneCode('u1', SEND, host, opts());
    assert.equal(host.sends, 6);
    assert.deepEqual(host.record().smsLog, [30, 60, 90, 120, 3600].map((s) => sms(MOBILE_E164, NOW + s * 1000)));
  });

  test('sendLimit.perUser counts SMS to every number of the user', async () => {
    const c = clock();
    const opts = () => options({ now: c.now, sendLimit: { perUser: 3 } });
    const host = new MemoryHost();
    for (const number of ['079 123 45 01', '079 123 45 02', '079 123 45 03']) {
      await setPhone('u1', setRequest(number, SEND), host, opts());
      c.advance(1);
    }
    await rejects(setPhone('u1', setRequest('079 123 45 04', SEND), host, opts()), errors.throttled(3597));
    assert.equal(host.sends, 3);
    assert.equal(host.record().phone.number, '+41791234503');
    await setPhone('u1', setRequest('079 123 45 04', RETURN), host, opts());
    assert.equal(host.record().phone.number, '+41791234504');
  });

  test('sendLimit.perNumber and windowSeconds', async () => {
    const c = clock();
    const opts = () => options({ now: c.now, sendLimit: { perNumber: 1, windowSeconds: 600 } });
    const host = new MemoryHost();
    await setPhone('u1', setRequest(MOBILE, SEND), host, opts());
    c.advance(30);
    await rejects(resendPhoneCode('u1', SEND, host, opts()), errors.throttled(570));
    c.advance(570);
    await resendPhoneCode('u1', SEND, host, opts());
    assert.equal(host.sends, 2);
  });

  test('removing and re-adding the phone does not reset the limits', async () => {
    const c = clock();
    const opts = () => options({ now: c.now, sendLimit: { perNumber: 1 } });
    const host = new MemoryHost();
    await setPhone('u1', setRequest(MOBILE, SEND), host, opts());
    await removePhone('u1', host, opts());
    assert.deepEqual(host.record().smsLog, [sms(MOBILE_E164, NOW)]);
    c.advance(60);
    await rejects(setPhone('u1', setRequest(MOBILE, SEND), host, opts()), errors.throttled(3540));
    assert.equal(host.record().phone, null);
  });

  test('malformed send limits are configuration errors', async () => {
    const cases = [
      [{ perNumber: 0 }, 'sendLimit.perNumber must be an integer from 1 to 100'],
      // The user's SMS log keeps 100 entries: a larger limit could never be reached.
      [{ perUser: 101 }, 'sendLimit.perUser must be an integer from 1 to 100'],
      [{ perUser: '10' }, 'sendLimit.perUser must be a number'],
      [{ windowSeconds: 59 }, 'sendLimit.windowSeconds must be an integer from 60 to 604800'],
      [{ per_hour: 5 }, 'sendLimit.per_hour is not a known field'],
    ];
    for (const [sendLimit, message] of cases) {
      await rejects(setPhone('u1', setRequest(MOBILE, SEND), new MemoryHost(), options({ sendLimit })), errors.config(message));
    }
  });
});

describe('codeSecret', () => {
  const calls = {
    'setPhone sendCode': (host, opts) => setPhone('u1', setRequest(MOBILE, SEND), host, opts),
    'setPhone returnCode': (host, opts) => setPhone('u1', setRequest(MOBILE, RETURN), host, opts),
    verifyPhone: (host, opts) => verifyPhone('u1', { verificationCode: 'ABC123' }, host, opts),
    resendPhoneCode: (host, opts) => resendPhoneCode('u1', RETURN, host, opts),
  };

  test('missing or shorter than 32 bytes is CONFIG-codeSecret naming codeSecret, before anything is loaded', async () => {
    const cases = [
      [undefined, errors.secretMissing],
      [null, errors.secretMissing],
      ['', errors.secretShort],
      ['k'.repeat(31), errors.secretShort],
      ['é'.repeat(15) + 'k', errors.secretShort],
    ];
    for (const [name, call] of Object.entries(calls)) {
      for (const [codeSecret, expected] of cases) {
        const host = new MemoryHost();
        const error = await rejects(call(host, options({ codeSecret })), expected);
        assert.match(error.message, /codeSecret/);
        assert.deepEqual(host.counters(), { loads: 0, saves: 0, sends: 0 }, name);
      }
    }
  });

  test('the length is counted in bytes: 16 two-byte characters are enough', async () => {
    const host = new MemoryHost();
    const opts = options({ codeSecret: 'é'.repeat(16) });
    const code = await issueCode(host, opts);
    await verify(host, code, opts);
  });

  test('a codeSecret that is not a string is a configuration error', async () => {
    await rejects(calls['setPhone returnCode'](new MemoryHost(), options({ codeSecret: 32 })), errors.config('codeSecret must be a string'));
  });

  test('calls without codes do not need it', async () => {
    const host = new MemoryHost();
    const noSecret = options({ codeSecret: undefined });
    await setPhone('u1', setRequest(MOBILE, VERIFIED), host, { ...noSecret, caller: ADMIN });
    assert.deepEqual(await getPhone('u1', host, noSecret), { details: details(6), phone: { number: MOBILE_E164, isVerified: true } });
    assert.deepEqual(await removePhone('u1', host, noSecret), { details: details(7) });
  });
});
