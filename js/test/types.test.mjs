// The generated TypeScript declarations (pkg/contact_phone.d.ts) spell out the SPEC's interfaces
// without `any`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

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
  for (const member of ['readonly code: number;', 'readonly status: number;', 'readonly id: string;', 'toJSON(): PhoneErrorBody;']) {
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
