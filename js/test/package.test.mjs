// The repository root, once built, is an npm package that other projects install and import as
// `contact-phone`: through a file: dependency (a symlink, as `npm link`) and from a packed
// tarball (which proves `files` lists everything the entries import); and packing a clone
// that was never built fails instead of writing a tarball without the module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = (args, cwd) => execFileSync('npm', [...args, '--offline', '--no-audit', '--no-fund'], { cwd, encoding: 'utf8' });

const app = `
import init, { setPhone, verifyPhone, normalizePhone, PhoneError } from 'contact-phone';
import initPhone, * as phoneOnly from 'contact-phone/phone';
await init(); // a no-op in Node, where the entry instantiates on import
await initPhone();
const users = new Map([['u1', { userId: 'u1', resourceOwner: 'org1', sequence: 1 }]]);
const host = {
  loadUser: (id) => users.get(id) ?? null,
  saveUser(record, expected) {
    if (users.get(record.userId).sequence !== expected) return false;
    users.set(record.userId, record);
    return true;
  },
};
const options = { caller: { userId: 'u1', permissions: ['user.write:org1'] }, codeSecret: 'k'.repeat(32) };
const set = await setPhone('u1', { phone: { number: '079 123 45 67', returnCode: {} } }, host, options);
const verified = await verifyPhone('u1', { verificationCode: set.verificationCode }, host, options);
let error, phoneOnlyError;
try { normalizePhone('PhoneNumber'); } catch (e) { error = e; }
try { phoneOnly.normalizePhone('12'); } catch (e) { phoneOnlyError = e; }
console.log(JSON.stringify({
  number: users.get('u1').phone.number,
  verified: users.get('u1').phone.isVerified,
  sequence: verified.details.sequence,
  e164: normalizePhone('+41 71 123 45 67').e164,
  errorIsPhoneError: error instanceof PhoneError,
  errorId: error.id,
  phoneOnly: phoneOnly.normalizePhone('071 123 45 67').e164,
  phoneOnlyError: phoneOnlyError instanceof phoneOnly.PhoneError && phoneOnlyError.message,
}));
`;

function runApp(dependency) {
  const dir = mkdtempSync(join(tmpdir(), 'contact-phone-app-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  writeFileSync(join(dir, 'app.mjs'), app);
  npm(['install', dependency], dir);
  return JSON.parse(execFileSync(process.execPath, ['app.mjs'], { cwd: dir, encoding: 'utf8' }));
}

const expected = {
  number: '+41791234567',
  verified: true,
  sequence: '4',
  e164: '+41711234567',
  errorIsPhoneError: true,
  errorId: 'PHONE-so0wa',
  phoneOnly: '+41711234567',
  phoneOnlyError: 'Phone is invalid: too short',
};

test('a file: dependency on the repository root imports and works in Node ESM', () => {
  assert.deepEqual(runApp(`file:${root}`), expected);
});

test('the packed tarball holds every file the entries import', () => {
  const out = mkdtempSync(join(tmpdir(), 'contact-phone-pack-'));
  npm(['pack', '--pack-destination', out], root);
  const [tarball] = readdirSync(out).filter((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote no tarball');
  assert.deepEqual(runApp(join(out, tarball)), expected);
});

test('npm pack refuses, saying what to run, when pkg/ is not built and the toolchain is missing', () => {
  // A fresh clone: package.json and the prepack script, no pkg/, no node_modules, and a PATH
  // and HOME without cargo or wasm-bindgen.
  const clone = mkdtempSync(join(tmpdir(), 'contact-phone-clone-'));
  mkdirSync(join(clone, 'scripts'));
  mkdirSync(join(clone, 'home'));
  copyFileSync(join(root, 'package.json'), join(clone, 'package.json'));
  copyFileSync(join(root, 'scripts/prepack.mjs'), join(clone, 'scripts/prepack.mjs'));
  const result = spawnSync('npm', ['pack', '--offline', '--no-update-notifier'], {
    cwd: clone,
    encoding: 'utf8',
    env: { PATH: `${dirname(process.execPath)}${delimiter}/usr/bin${delimiter}/bin`, HOME: join(clone, 'home') },
  });
  assert.notEqual(result.status, 0, 'npm pack succeeded without pkg/');
  assert.match(result.stderr, /prepack: pkg\/ is not built \(pkg\/contact_phone\.js and \d+ more are missing\)/);
  assert.match(result.stderr, /toolchain to build it is missing: cargo/);
  assert.match(result.stderr, /run `bash scripts\/setup\.sh` \(or `npm start`\)/);
  assert.deepEqual(readdirSync(clone).filter((f) => f.endsWith('.tgz')), [], 'a tarball was written');
});

test('the entries export the public API and nothing internal', async () => {
  const api = await import('contact-phone');
  assert.deepEqual(Object.keys(api).sort(), [
    'PhoneError', 'createFetchHandler', 'default', 'getPhone', 'handleHttp', 'initSync', 'normalizePhone',
    'rateLimitedResponse', 'removePhone', 'resendPhoneCode', 'setPhone', 'verifyPhone',
  ]);
  const dts = readFileSync(join(root, 'pkg/contact_phone.d.ts'), 'utf8');
  assert.doesNotMatch(dts, /PendingCall/, 'the types name the internal class');
});

test('the phone-only entry exports normalizePhone and PhoneError alone', async () => {
  const api = await import('contact-phone/phone');
  assert.deepEqual(Object.keys(api).sort(), ['PhoneError', 'default', 'initSync', 'normalizePhone']);
  const dts = readFileSync(join(root, 'pkg/phone/contact_phone.d.ts'), 'utf8');
  assert.match(dts, /export function normalizePhone\(input: string, options\?: NormalizeOptions\): NormalizedPhone;/);
  assert.match(dts, /export class PhoneError extends Error/);
  assert.doesNotMatch(dts, /setPhone|PhoneHost|handleHttp|PendingCall/, 'the phone types name the calls');
});

// The browser entries (the `default` condition) need `await init()` first; a call before that
// must say so rather than fail inside the glue ("Cannot read properties of undefined").
for (const [name, dir] of [['contact-phone', 'pkg'], ['contact-phone/phone', 'pkg/phone']]) {
  test(`${name}'s browser entry asks for \`await init()\` before use, then works`, async () => {
    const api = await import(new URL(`../../${dir}/index.js`, import.meta.url));
    assert.deepEqual(Object.keys(api).sort(), Object.keys(await import(name)).sort(), 'the browser and Node entries differ');
    const early = /call `await init\(\)` \(the package's default export\) once before (\w+)\(\)/;
    assert.throws(() => api.normalizePhone('079 123 45 67'), (error) => error.message.match(early)?.[1] === 'normalizePhone');
    if (api.setPhone) {
      await assert.rejects(api.setPhone('u1', { phone: { number: '079 123 45 67' } }, {}, {}), (error) => error.message.match(early)?.[1] === 'setPhone');
      const handle = api.createFetchHandler({});
      await assert.rejects(handle(new Request('http://localhost/v3alpha/users/u1/phone')), (error) => error.message.match(early)?.[1] === 'createFetchHandler');
    }
    await api.default({ module_or_path: readFileSync(join(root, dir, 'contact_phone_bg.wasm')) });
    assert.equal(api.normalizePhone('079 123 45 67').e164, '+41791234567');
    assert.throws(() => api.normalizePhone('PhoneNumber'), (error) => error instanceof api.PhoneError && error.id === 'PHONE-so0wa');
    if (api.handleHttp) {
      const reply = await api.handleHttp({ method: 'GET', path: '/nowhere', headers: {}, body: null }, {}, {});
      assert.equal(reply.status, 404);
    }
  });
}
