// normalizePhone and phone numbers (SPEC §4): ZITADEL's cases, what people type, tel: URIs,
// extensions, regions, and the numbering-plan check that goes beyond ZITADEL.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePhone, PhoneError, setPhone } from 'contact-phone';
import { errors, throws } from './support.mjs';

/** What normalizePhone returns for a valid number. */
const number = (e164, region, countryCode, extra = {}) => ({
  e164,
  region,
  type: 'fixedLine',
  valid: true,
  possible: true,
  countryCode,
  nationalNumber: e164.slice(1 + String(countryCode).length),
  ...extra,
});

const SWISS = number('+41711234567', 'CH', 41);
// North American numbers do not say whether they are mobile (libphonenumber's FIXED_LINE_OR_MOBILE).
const US_TYPE = { type: 'fixedLineOrMobile' };

describe("ZITADEL's cases (region CH)", () => {
  const inputs = ['0711234567', '0041711234567', '071 123 45 67', '+4171 123 45 67', '004171 123 45 67'];

  for (const input of inputs) {
    test(`${input} → +41711234567`, () => {
      assert.deepEqual(normalizePhone(input, {}), SWISS);
      assert.deepEqual(normalizePhone(input, { defaultRegion: 'CH' }), SWISS);
      assert.deepEqual(normalizePhone(input, undefined), SWISS);
    });
  }

  test('PhoneNumber → PHONE-so0wa', () => {
    throws(() => normalizePhone('PhoneNumber', {}), errors.phoneInvalid('no digits'));
  });

  test('whitespace only → PHONE-Zt0NV', () => {
    for (const input of ['', ' ', '   ', '\t\n', '\u00a0', '\u3000']) {
      throws(() => normalizePhone(input, {}), errors.phoneEmpty);
    }
  });
});

describe('what people type', () => {
  test('spaces, dashes, dots, brackets, +, 00 and the trunk 0', () => {
    const inputs = [
      '+41 71 123 45 67', '+41-71-123-45-67', '+41.71.123.45.67', '(071) 123-45.67', '+41 (0)71 123 45 67',
      '+41 (71) 123 45 67', '00 41 71 123 45 67', '0041 (0)71 123 45 67', ' 071 123 45 67 ', '+41711234567',
    ];
    for (const input of inputs) assert.deepEqual(normalizePhone(input, {}), SWISS, input);
  });

  test('digits of other scripts', () => {
    for (const input of ['٠٧١١٢٣٤٥٦٧', '０７１ １２３ ４５ ６７', '𝟎𝟕𝟏𝟏𝟐𝟑𝟒𝟓𝟔𝟕']) {
      assert.deepEqual(normalizePhone(input, {}), SWISS, input);
    }
  });

  test('tel: URIs', () => {
    for (const input of ['tel:+41-71-123-45-67', 'tel:+41711234567', 'tel:071-123-45-67;phone-context=+41']) {
      assert.deepEqual(normalizePhone(input, {}), SWISS, input);
    }
  });

  test('extensions are dropped', () => {
    for (const input of ['071 123 45 67 ext. 5', '+41 71 123 45 67 x12', '+41 71 123 45 67;ext=9', 'tel:+41-71-123-45-67;ext=123', '+41 71 123 45 67 extension 12']) {
      assert.deepEqual(normalizePhone(input, {}), SWISS, input);
    }
  });

  test('mobile and service numbers', () => {
    assert.deepEqual(normalizePhone('079 123 45 67', {}), number('+41791234567', 'CH', 41, { type: 'mobile' }));
    assert.deepEqual(normalizePhone('0800 123 456', {}), number('+41800123456', 'CH', 41, { type: 'tollFree' }));
  });
});

describe('not a phone number: PHONE-so0wa with the reason', () => {
  const cases = [
    ['abc', 'no digits'],
    ['+', 'no digits'],
    ['12', 'too short'],
    ['+4112', 'too short'],
    ['+41 71 123 45 6', 'too short'],
    ['+41711234567890123', 'too long'],
    ['9'.repeat(300), 'too long'],
  ];
  for (const [input, why] of cases) {
    test(`${input.length > 30 ? `${input.slice(0, 10)}… (${input.length} characters)` : input} → ${why}`, () => {
      throws(() => normalizePhone(input, {}), errors.phoneInvalid(why));
    });
  }

  test('a number of an impossible length is rejected by default, returned as neither possible nor valid when only parseable is asked', () => {
    throws(() => normalizePhone('+41 71 123 45 678', {}), errors.phoneInvalid('not a possible length for the region'));
    const parseable = normalizePhone('+41 71 123 45 678', { validation: 'parseable' });
    assert.deepEqual(parseable, number('+417112345678', 'CH', 41, { type: 'unknown', valid: false, possible: false }));
  });

  test('vanity letters become digits, as libphonenumber does', () => {
    assert.equal(normalizePhone('+41 71 ABC 45 67', {}).e164, '+41712224567');
  });
});

describe('beyond ZITADEL: the numbering plan', () => {
  test('+41 12 345 67 89 has a possible length but is not a valid Swiss number', () => {
    throws(() => normalizePhone('+41 12 345 67 89', {}), errors.phoneInvalid('not a valid number for the region'));
    assert.deepEqual(normalizePhone('+41 12 345 67 89', { validation: 'possible' }), number('+41123456789', 'CH', 41, { type: 'unknown', valid: false }));
  });

  test('a national number starting with 0 is not a valid US number', () => {
    throws(() => normalizePhone('0711234567', { defaultRegion: 'US' }), errors.phoneInvalid('not a valid number for the region'));
    assert.deepEqual(normalizePhone('0711234567', { defaultRegion: 'US', validation: 'parseable' }), number('+10711234567', 'US', 1, { type: 'unknown', valid: false }));
  });
});

describe('regions', () => {
  test('defaultRegion null requires the international form', () => {
    const noRegion = { defaultRegion: null };
    for (const input of ['071 123 45 67', '0711234567', '0041711234567']) {
      throws(() => normalizePhone(input, noRegion), errors.phoneInvalid('national number without a default region'));
    }
    assert.deepEqual(normalizePhone('+41 71 123 45 67', noRegion), SWISS);
    assert.deepEqual(normalizePhone('+41 71 123 45 67', { default_region: null }), SWISS);
    throws(() => normalizePhone('071 123 45 67', { default_region: null }), errors.phoneInvalid('national number without a default region'));
  });

  test('region codes are case-insensitive; unknown ones are configuration errors', () => {
    assert.deepEqual(normalizePhone('071 123 45 67', { defaultRegion: 'ch' }), SWISS);
    for (const defaultRegion of ['XX', 'CHE', '', 41]) {
      throws(() => normalizePhone('071 123 45 67', { defaultRegion }), errors.config('defaultRegion must be a known ISO 3166 alpha-2 region such as "CH"'));
    }
  });

  test('allowedRegions accepts only numbers of those regions', () => {
    assert.deepEqual(normalizePhone('071 123 45 67', { allowedRegions: ['CH'] }), SWISS);
    assert.deepEqual(normalizePhone('071 123 45 67', { allowedRegions: ['de', 'ch'] }), SWISS);
    throws(() => normalizePhone('071 123 45 67', { allowedRegions: ['DE', 'AT'] }), errors.phoneInvalid('region not allowed'));
    throws(() => normalizePhone('+41 71 123 45 67', { allowedRegions: ['LI'] }), errors.phoneInvalid('region not allowed'));
  });

  test('malformed allowedRegions are configuration errors', () => {
    const cases = [
      [[], 'allowedRegions must list at least one region'],
      ['CH', 'allowedRegions must be an array of region codes'],
      [['CH', 'XX'], 'allowedRegions[1] must be a known ISO 3166 alpha-2 region such as "CH"'],
      [[41], 'allowedRegions[0] must be a known ISO 3166 alpha-2 region such as "CH"'],
    ];
    for (const [allowedRegions, message] of cases) {
      throws(() => normalizePhone('071 123 45 67', { allowedRegions }), errors.config(message));
    }
  });

  test('options other than the phone ones are not read, but unknown keys are errors', () => {
    assert.deepEqual(normalizePhone('071 123 45 67', { caller: { userId: 'u1' }, codeSecret: 'k'.repeat(32) }), SWISS);
    // Only the four phone options are read: a code policy setPhone would reject does not matter here.
    assert.deepEqual(normalizePhone('071 123 45 67', { code: { length: 3 }, smsTemplate: 'hi', maxAttempts: 0 }), SWISS);
    throws(() => normalizePhone('071 123 45 67', { region: 'CH' }), errors.config('region is not a known field'));
    throws(() => normalizePhone('071 123 45 67', { smstemplate: 'hi' }), errors.config('smstemplate is not a known field'));
  });
});

describe('numbers of other countries (the full normaliser)', () => {
  const cases = [
    ['+1 415 555 2671', {}, number('+14155552671', 'US', 1, US_TYPE)],
    ['(415) 555-2671', { defaultRegion: 'US' }, number('+14155552671', 'US', 1, US_TYPE)],
    ['+1 416 555 0123', {}, number('+14165550123', 'CA', 1, US_TYPE)],
    ['+44 20 7946 0958', {}, number('+442079460958', 'GB', 44)],
    ['020 7946 0958', { defaultRegion: 'GB' }, number('+442079460958', 'GB', 44)],
    ['030 123456', { defaultRegion: 'DE' }, number('+4930123456', 'DE', 49)],
    ['011 41 71 123 45 67', { defaultRegion: 'US' }, SWISS],
    ['+1 415 555 2671', { defaultRegion: null }, number('+14155552671', 'US', 1, US_TYPE)],
    ['+800 1234 5678', {}, number('+80012345678', '001', 800, { type: 'tollFree' })],
  ];
  for (const [input, options, expected] of cases) {
    test(`${input} ${JSON.stringify(options)} → ${expected.e164} (${expected.region})`, () => {
      assert.deepEqual(normalizePhone(input, options), expected);
    });
  }

  test('+999 123: unknown country calling code → PHONE-so0wa', () => {
    throws(() => normalizePhone('+999 123', {}), errors.phoneInvalid('unknown country calling code'));
    throws(() => normalizePhone('+999 123 456 789', {}), errors.phoneInvalid('unknown country calling code'));
  });

  test('allowedRegions applies to foreign numbers', () => {
    throws(() => normalizePhone('+1 415 555 2671', { allowedRegions: ['CH'] }), errors.phoneInvalid('region not allowed'));
    assert.deepEqual(normalizePhone('+1 415 555 2671', { allowedRegions: ['US', 'CH'] }), number('+14155552671', 'US', 1, US_TYPE));
  });
});

describe('options are remembered by their JSON text', () => {
  // normalizePhone reads each distinct options text once (src/wasm/normalize.rs); these calls
  // go through more texts than it keeps (8), in orders that evict and return.
  test('every call sees its own options, whatever came before', () => {
    const regions = ['GB', 'DE', 'US', 'FR', 'IT', 'ES', 'NL', 'AT', 'BE', 'SE'];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 80; i++) {
        const defaultRegion = regions[i % regions.length];
        // allowedRegions makes each text distinct; the region decides the result.
        const options = { defaultRegion, allowedRegions: [defaultRegion, ...regions.slice(0, i % 7)], validation: 'parseable' };
        assert.equal(normalizePhone('12345', options).region, defaultRegion, `${round}/${i}`);
      }
    }
  });

  test('a mutated options object is read again', () => {
    const options = { defaultRegion: 'GB' };
    assert.equal(normalizePhone('020 7946 0958', options).e164, '+442079460958');
    options.defaultRegion = 'US';
    throws(() => normalizePhone('020 7946 0958', options), errors.phoneInvalid('too long'));
    options.allowedTypes = ['mobile'];
    throws(() => normalizePhone('+44 20 7946 0958', options), errors.phoneInvalid('type not allowed'));
    delete options.allowedTypes;
    assert.equal(normalizePhone('+44 20 7946 0958', options).type, 'fixedLine');
  });

  test('options that fail to serialise fail each time, and good ones work after them', () => {
    const bad = { get defaultRegion() { throw new Error('no region today'); } };
    for (let i = 0; i < 2; i++) {
      throws(() => normalizePhone('071 123 45 67', bad), errors.config('options could not be read as JSON: Error: no region today'));
    }
    assert.deepEqual(normalizePhone('071 123 45 67', undefined), SWISS);
    assert.deepEqual(normalizePhone('071 123 45 67', {}), SWISS);
  });
});

describe('an invalid number is an answer, not a fault', () => {
  test("normalizePhone's PhoneError has no stack trace; the calls' errors keep theirs", async () => {
    let error;
    try {
      normalizePhone('PhoneNumber');
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof PhoneError);
    assert.deepEqual(
      { id: error.id, code: error.code, status: error.status, message: error.message },
      { id: 'PHONE-so0wa', code: 3, status: 400, message: 'Phone is invalid: no digits' },
    );
    assert.equal(error.stack, 'PhoneError: Phone is invalid: no digits');
    const limit = Error.stackTraceLimit;
    assert.ok(limit > 0, 'the global limit is restored');
    const failed = await setPhone('u1', {}, {}, {}).catch((e) => e);
    assert.ok(failed instanceof PhoneError);
    assert.match(failed.stack, /\n\s+at /);
  });
});
