// The generated TypeScript declarations (pkg/contact_phone.d.ts) spell out the SPEC's interfaces
// without `any`, and compile in a user's project: a Node-only one under --strict without
// skipLibCheck, and the README's host snippet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const source = readFileSync(new URL('../../pkg/contact_phone.d.ts', import.meta.url), 'utf8');
/** The declarations without comments, whitespace collapsed. */
const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '').replace(/\s+/g, ' ');

/** The body of `export interface name {…}` or `export class name … {…}` (braces matched). */
function body(kind, name) {
  const start = code.search(new RegExp(`export ${kind} ${name}\\b[^{]*\\{`));
  assert.notEqual(start, -1, `${kind} ${name} is not declared`);
  let depth = 0;
  for (let i = code.indexOf('{', start); i < code.length; i += 1) {
    if (code[i] === '{') depth += 1;
    if (code[i] === '}') depth -= 1;
    if (depth === 0) return code.slice(code.indexOf('{', start) + 1, i);
  }
  return assert.fail(`${kind} ${name} is not closed`);
}

test('the declarations contain no `any`', () => {
  assert.deepEqual(code.match(/\bany\b/g), null);
});

test('PhoneHost, PhoneOptions, UserRecord, SetPhoneRequest, SetPhoneResponse and PhoneError are declared', () => {
  for (const [kind, name] of [
    ['interface', 'PhoneHost'], ['interface', 'PhoneOptions'], ['interface', 'UserRecord'], ['type', 'SetPhoneRequest'],
    ['interface', 'SetPhoneResponse'], ['class', 'PhoneError'], ['interface', 'StoredCode'], ['type', 'PhoneEvent'],
    ['interface', 'SmsMessage'], ['interface', 'VerifyPhoneRequest'], ['interface', 'GetPhoneResponse'],
  ]) {
    assert.match(code, new RegExp(`export ${kind} ${name}\\b`), `${kind} ${name}`);
  }
});

test('PhoneHost has the three callbacks of SPEC §3', () => {
  const host = body('interface', 'PhoneHost');
  assert.match(host, /loadUser\(userId: string\): UserRecord \| null (\| undefined )?\| Promise<UserRecord \| null( \| undefined)?>;/);
  assert.match(host, /saveUser\(record: UserRecord, expectedSequence: number, events: PhoneEvent\[\]\): boolean \| Promise<boolean>;/);
  assert.match(host, /sendSms\??\(message: SmsMessage\): void \| Promise<void>;/);
});

test('UserRecord has the fields of SPEC §3 and keeps other fields as unknown', () => {
  const record = body('interface', 'UserRecord');
  for (const field of ['userId: string;', 'resourceOwner: string;', 'sequence: number;', 'changeDate?: string', 'kind?: "human" | "machine";',
    'state?: "active" | "initial" | "inactive" | "locked" | "deleted";', '[other: string]: unknown;']) {
    assert.ok(record.includes(field), field);
  }
});

test('PhoneOptions has every option of SPEC §3', () => {
  const opts = code.includes('interface PhoneOptions extends NormalizeOptions')
    ? body('interface', 'PhoneOptions') + body('interface', 'NormalizeOptions')
    : body('interface', 'PhoneOptions');
  for (const option of ['caller?:', 'defaultRegion?: string | null;', 'codeSecret?: string;', 'code?:', 'maxAttempts?: number;',
    'resendCooldownSeconds?: number;', 'allowedRegions?: string[];', 'smsTemplate?: string;', 'now?: () => number | Date;']) {
    assert.ok(opts.includes(option), option);
  }
});

test('SetPhoneResponse and PhoneError have the shapes of SPEC §1 and §2', () => {
  const reply = body('interface', 'SetPhoneResponse');
  assert.ok(reply.includes('details: Details;'));
  assert.ok(reply.includes('verificationCode?: string;'));
  const details = body('interface', 'Details');
  for (const field of ['sequence: string;', 'changeDate: string;', 'resourceOwner: string;']) assert.ok(details.includes(field), field);
  assert.match(code, /export class PhoneError extends Error\b/);
  const error = body('class', 'PhoneError');
  for (const member of ['readonly code: number;', 'readonly status: number;', 'readonly id: PhoneErrorId;', 'toJSON(): PhoneErrorBody;']) {
    assert.ok(error.includes(member), member);
  }
});

test('the calls are declared with the signatures of SPEC §3 and §6', () => {
  const signatures = [
    'export function setPhone(userId: string, request: SetPhoneRequest, host: PhoneHost, options: PhoneOptions): Promise<SetPhoneResponse>;',
    'export function verifyPhone(userId: string, request: VerifyPhoneRequest, host: PhoneHost, options: PhoneOptions): Promise<PhoneDetailsResponse>;',
    'export function resendPhoneCode(userId: string, request: ResendPhoneCodeRequest | undefined, host: PhoneHost, options: PhoneOptions): Promise<SetPhoneResponse>;',
    'export function removePhone(userId: string, host: PhoneHost, options: PhoneOptions): Promise<PhoneDetailsResponse>;',
    'export function getPhone(userId: string, host: PhoneHost, options: PhoneOptions): Promise<GetPhoneResponse>;',
  ];
  const missing = signatures.filter((signature) => !code.includes(signature));
  assert.deepEqual(missing, []);
  assert.match(code, /export function normalizePhone\(input: string, options\?: NormalizeOptions\): NormalizedPhone;/);
});

// --- Compiling against the declarations (TypeScript, as a user's project does) ---

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(root, 'node_modules/typescript/bin/tsc');

/**
 * Compiles `files` ({name: source}) as a Node-only TypeScript project that depends on the
 * package: `--strict`, `lib: ["es2022"]` only (no DOM, no @types/node), no skipLibCheck, so
 * that the package's own .d.ts files are checked too. Returns tsc's diagnostics, one a line.
 */
function compile(files) {
  const dir = mkdtempSync(join(tmpdir(), 'contact-phone-ts-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules/contact-phone'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, lib: ['es2022'], types: [], target: 'es2022',
      module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: false,
    },
    files: Object.keys(files),
  }));
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
  const result = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`.trim();
}

const nodeApp = `
import init, { setPhone, verifyPhone, normalizePhone, createFetchHandler, PhoneError,
  type PhoneHost, type PhoneOptions, type PhoneErrorId, type UserRecord } from 'contact-phone';

await init();
const users = new Map<string, UserRecord>([['u1', { userId: 'u1', resourceOwner: 'org1', sequence: 1 }]]);
const host: PhoneHost = {
  loadUser: (userId) => users.get(userId) ?? null,
  saveUser: (record) => { users.set(record.userId, record); return true; },
};
const options: PhoneOptions = { caller: { userId: 'u1' }, codeSecret: 'k'.repeat(32) };
const { details, verificationCode } = await setPhone('u1', { phone: { number: '079 123 45 67', returnCode: {} } }, host, options);
export const sequence: string = details.sequence;
await verifyPhone('u1', { verificationCode: verificationCode ?? '' }, host, options);
export const e164: string = normalizePhone('079 123 45 67').e164;
export const handler = createFetchHandler(host, options);
export function idOf(error: unknown): PhoneErrorId | undefined {
  return error instanceof PhoneError && error.id !== 'HOST-sms' ? error.id : undefined;
}
`;

const phoneApp = `
import init, { normalizePhone, PhoneError, type NormalizedPhone, type PhoneErrorId } from 'contact-phone/phone';

await init();
export const phone: NormalizedPhone = normalizePhone('+41 71 123 45 67', { allowedTypes: ['mobile'] });
export const id = (error: unknown): PhoneErrorId | undefined => (error instanceof PhoneError ? error.id : undefined);
`;

test('a Node-only project (--strict, lib es2022, no skipLibCheck) compiles against the package', () => {
  // One project per entry: each .d.ts must bring what it needs on its own.
  assert.equal(compile({ 'app.ts': nodeApp }), '');
  assert.equal(compile({ 'phone.ts': phoneApp }), '');
});

test('PhoneError.id is the union of the documented ids, so a misspelt id is a type error', () => {
  const out = compile({
    'typo.ts': "import { PhoneError } from 'contact-phone';\nexport const typo = (e: PhoneError) => e.id === 'PHONE-so0wA';\n",
  });
  assert.match(out, /typo\.ts\(2,\d+\): error TS2367:/);
  // The union lists exactly the ids of src/engine/error.rs.
  const rust = readFileSync(join(root, 'src/engine/error.rs'), 'utf8');
  const idsModule = rust.match(/pub mod ids \{([\s\S]*?)\n\}/)?.[1] ?? assert.fail('src/engine/error.rs has no `mod ids`');
  const rustIds = [...idsModule.matchAll(/pub const \w+: &str = "([^"]+)";/g)].map((m) => m[1]).sort();
  for (const dts of ['pkg/contact_phone.d.ts', 'pkg/phone/contact_phone.d.ts']) {
    const union = readFileSync(join(root, dts), 'utf8').match(/export type PhoneErrorId =([^;]*);/)?.[1] ?? assert.fail(`${dts}: no PhoneErrorId`);
    assert.deepEqual([...union.matchAll(/"([^"]+)"/g)].map((m) => m[1]).sort(), rustIds, dts);
  }
});

test("the README's TypeScript host snippet compiles under --strict", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const snippet = readme.match(/<!-- tsc: host -->\s*```ts\n([\s\S]*?)```/)?.[1] ?? assert.fail('README.md has no `<!-- tsc: host -->` ts block');
  assert.match(snippet, /satisfies PhoneHost/);
  // Names the README leaves to the reader.
  const prelude = 'declare const mySmsGateway: { send(to: string, text: string): Promise<void> };\n';
  assert.equal(compile({ 'host.ts': `${prelude}${snippet}\nexport {};\n` }), '');
});
