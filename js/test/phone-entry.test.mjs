// `contact-phone/phone`: the phone-only module (normalizePhone and PhoneError, built without the
// calls on stored users) answers exactly as the whole module does, errors included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as whole from 'contact-phone';
import * as phoneOnly from 'contact-phone/phone';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpus, decorated } from '../../bench/corpus.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** What a call gives: its result, or the error's class, id, status and message. */
function outcome(api, input, options) {
  try {
    return { result: api.normalizePhone(input, options) };
  } catch (error) {
    const ownClass = error instanceof api.PhoneError;
    return { error: { ownClass, id: error.id, code: error.code, status: error.status, message: error.message } };
  }
}

const OPTIONS = [
  undefined,
  { validation: 'parseable' },
  { validation: 'possible', allowedTypes: ['mobile', 'fixedLineOrMobile'] },
  { allowedRegions: ['CH', 'US', 'DE'] },
];

test('the phone-only module gives the same answer as the whole module on 30 000 corpus inputs', () => {
  const inputs = [...corpus().filter((_, i) => i % 5 === 0), ...decorated().filter((_, i) => i % 5 === 0)];
  assert.ok(inputs.length > 30_000, `only ${inputs.length} inputs`);
  let errors = 0;
  inputs.forEach(({ input, defaultRegion }, i) => {
    const options = { ...OPTIONS[i % OPTIONS.length], defaultRegion };
    const expected = outcome(whole, input, options);
    assert.deepEqual(outcome(phoneOnly, input, options), expected, `${input} ${JSON.stringify(options)}`);
    if (expected.error) errors += 1;
  });
  // Both answers and errors were compared (an all-error run would prove little).
  assert.ok(errors > 1000 && errors < inputs.length - 1000, `${errors} errors`);
});

test('the phone-only module reads the options and other inputs as the whole module does', () => {
  const cases = [
    ['071 123 45 67', { codesecret: 'x' }],
    ['071 123 45 67', { defaultRegion: 'XX' }],
    ['071 123 45 67', { allowedTypes: [] }],
    ['071 123 45 67', { code: { length: 3 } }],
    ['071 123 45 67', () => {}],
    [41711234567, {}],
    ['tel:+41-71-123-45-67;ext=12', {}],
    ['', {}],
  ];
  for (const [input, options] of cases) {
    const expected = outcome(whole, input, options);
    assert.deepEqual(outcome(phoneOnly, input, options), expected, `${input} ${String(options)}`);
    assert.equal(expected.error?.ownClass ?? true, true);
  }
});

test('a worker bundled with the workerd condition runs the phone-only module', async () => {
  const { Miniflare } = await import('miniflare');
  const { bundleWorker, COMPATIBILITY_DATE } = await import('../../worker/dev.mjs');
  const outdir = await bundleWorker(mkdtempSync(join(tmpdir(), 'contact-phone-phone-worker-')), join(root, 'js/test/fixtures/phone-worker.js'));
  // The bundle carries the phone-only module, not the whole one.
  assert.deepEqual(readFileSync(`${outdir}/contact_phone_bg.wasm`), readFileSync(join(root, 'pkg/phone/contact_phone_bg.wasm')));
  const mf = new Miniflare({
    modules: [
      { type: 'ESModule', path: `${outdir}/index.js` },
      { type: 'CompiledWasm', path: `${outdir}/contact_phone_bg.wasm` },
    ],
    modulesRoot: outdir,
    compatibilityDate: COMPATIBILITY_DATE,
  });
  try {
    const valid = await mf.dispatchFetch('http://worker/?n=%2B41%2071%20123%2045%2067');
    assert.deepEqual(await valid.json(), whole.normalizePhone('+41 71 123 45 67'));
    const invalid = await mf.dispatchFetch('http://worker/?n=12');
    assert.equal(invalid.status, 400);
    assert.deepEqual(await invalid.json(), { error: 'PHONE-so0wa' });
  } finally {
    await mf.dispose();
    rmSync(outdir, { recursive: true, force: true });
  }
});
