// Differential test: normalizePhone's `valid` against Google's libphonenumber (npm
// google-libphonenumber, pinned, on the same metadata version) on a deterministic corpus of
// over 100 000 inputs (bench/corpus.mjs). Disagreement on `valid` must stay at or under
// 0.02 %, and every throw must be a PhoneError. The disagreements are printed by category.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { normalizePhone, PhoneError } from 'contact-phone';
import { corpus, decorated } from '../../bench/corpus.mjs';

const require = createRequire(import.meta.url);
const { PhoneNumberUtil } = require('google-libphonenumber');
const util = PhoneNumberUtil.getInstance();

/** Most disagreements allowed, as a fraction of the corpus. */
const BUDGET = 0.0002;

function theirs(input, region) {
  try {
    const n = util.parse(input, region ?? 'ZZ');
    const valid = util.isValidNumber(n);
    return { valid, e164: `+${n.getCountryCode()}${util.getNationalSignificantNumber(n)}`, region: util.getRegionCodeForNumber(n) };
  } catch (e) {
    return { valid: false, error: e.message };
  }
}

function ours(input, region) {
  try {
    const n = normalizePhone(input, { defaultRegion: region, validation: 'parseable' });
    return { valid: n.valid, e164: n.e164, region: n.region };
  } catch (e) {
    if (!(e instanceof PhoneError)) return { thrown: e };
    return { valid: false, error: e.message };
  }
}

/** A name for why the two differ, to group disagreements. */
function category(a, b) {
  if (a.error && !b.error) return `ours rejects (${a.error.replace(/ \(PHONE-\w+\)$/, '')}), libphonenumber ${b.valid ? 'valid' : 'parses'}`;
  if (b.error && !a.error) return `libphonenumber rejects (${b.error}), ours ${a.valid ? 'valid' : 'parses'}`;
  if (a.e164 !== b.e164) return `different E.164 (${a.valid ? 'ours' : 'libphonenumber'} valid)`;
  if (a.region !== b.region && b.region) return `different region (${a.valid ? 'ours' : 'libphonenumber'} valid)`;
  return `${a.valid ? 'ours' : 'libphonenumber'} valid only`;
}

function compare(name, inputs) {
  const categories = new Map();
  const thrown = [];
  let disagreements = 0;
  let differentE164 = 0;
  let valid = 0;
  for (const { input, defaultRegion } of inputs) {
    const a = ours(input, defaultRegion);
    if (a.thrown) {
      thrown.push(`${JSON.stringify(input)} (${defaultRegion}): ${a.thrown}`);
      continue;
    }
    const b = theirs(input, defaultRegion);
    if (a.valid && b.valid && a.e164 !== b.e164) differentE164++;
    if (a.valid) valid++;
    if (a.valid === b.valid) continue;
    disagreements++;
    const key = category(a, b);
    const entry = categories.get(key) ?? { count: 0, example: `${JSON.stringify(input)} with ${defaultRegion ?? 'no default region'}: ours ${a.e164 ?? '-'} ${a.region ?? ''}, libphonenumber ${b.e164 ?? '-'} ${b.region ?? ''}` };
    entry.count++;
    categories.set(key, entry);
  }
  const rate = disagreements / inputs.length;
  console.log(`differential (${name}): ${inputs.length} inputs, ${valid} valid, ${disagreements} disagreements on valid (${(rate * 100).toFixed(4)} %), ${differentE164} valid for both with a different E.164`);
  for (const [key, { count, example }] of [...categories].sort((x, y) => y[1].count - x[1].count)) {
    console.log(`  ${count} × ${key}; e.g. ${example}`);
  }
  assert.deepEqual(thrown, [], 'every throw is a PhoneError');
  assert.ok(rate <= BUDGET, `${disagreements} disagreements (${(rate * 100).toFixed(4)} %) exceed ${BUDGET * 100} %`);
  assert.equal(differentE164, 0, 'numbers valid for both have the same E.164');
}

test('normalizePhone agrees with libphonenumber isValidNumber on the corpus', () => {
  const inputs = corpus();
  assert.ok(inputs.length >= 100_000, `corpus has ${inputs.length} inputs`);
  compare('corpus', inputs);
});

test('and on the corpus dressed with URIs, labels, extensions and odd characters', () => {
  compare('dressed', decorated());
});

test('odd inputs throw only PhoneErrors', () => {
  const odd = ['', ' ', '+', '++', '+0', '00', 'tel:', 'tel:;phone-context=', '1'.repeat(300), '٠١٢٣', '+1 (800) FLOWERS x123',
    '\u0000', '\uFFFF', '😀', '+41 79 123 45 67;ext=', 'x', '#', '*', '+800 1234 5678 ext. 999999999999999999999'];
  for (const input of odd) {
    for (const defaultRegion of [null, 'CH', 'US', 'AR', 'BR']) {
      const a = ours(input, defaultRegion);
      assert.equal(a.thrown, undefined, `${JSON.stringify(input)} threw ${a.thrown}`);
    }
  }
});
