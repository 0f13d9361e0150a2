// A pure-JS reference of the same set-phone and verify flow, kept only as a benchmark
// baseline: libphonenumber-js/max for parsing and validity, node:crypto for the CSPRNG, the
// keyed hash and the constant-time comparison, and the same host contract (load, decide,
// compare-and-swap save with events). It is deliberately lean: no option parsing, fewer checks.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function fail(code, id, message) {
  return Object.assign(new Error(message), { code, id });
}

function hash(secret, userId, number, code) {
  const mac = createHmac('sha256', secret);
  for (const part of [userId, number, code]) mac.update(`${part.length}:${part}`);
  return mac.digest();
}

function details(record) {
  return { sequence: String(record.sequence), changeDate: record.changeDate, resourceOwner: record.resourceOwner };
}

export async function setPhone(userId, request, host, options) {
  const input = request?.phone?.number;
  if (typeof userId !== 'string' || typeof input !== 'string' || input.length === 0 || input.length > 20) {
    throw fail(3, 'REQUEST-invalid', 'Request is invalid');
  }
  if (!options?.caller) throw fail(16, 'AUTH-unauthenticated', 'No caller');
  const parsed = parsePhoneNumberFromString(input, options.defaultRegion ?? 'CH');
  if (!parsed || !parsed.isValid()) throw fail(3, 'PHONE-so0wa', 'Phone is invalid');
  const number = parsed.number;
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const user = await host.loadUser(userId);
    if (!user) throw fail(5, 'COMMAND-b33QAVgel6', 'User could not be found');
    if (user.phone?.number === number) return { details: details(user) };
    let code = '';
    for (let i = 0; i < 6; i += 1) code += ALPHABET[randomInt(ALPHABET.length)];
    const now = new Date();
    const changeDate = now.toISOString();
    const expiresAt = new Date(now.getTime() + 3_600_000).toISOString();
    const sequence = user.sequence + 2;
    const record = {
      ...user,
      sequence,
      changeDate,
      phone: { number, isVerified: false, code: { hash: hash(options.codeSecret, userId, number, code).toString('hex'), createdAt: changeDate, expiresAt, failedAttempts: 0 } },
    };
    const events = [
      { type: 'user.human.phone.changed', sequence: sequence - 1, createdAt: changeDate, payload: { phone: number } },
      { type: 'user.human.phone.code.added', sequence, createdAt: changeDate, payload: { expiresAt, codeReturned: true } },
    ];
    if (await host.saveUser(record, user.sequence, events)) return { details: details(record), verificationCode: code };
  }
  throw fail(10, 'COMMAND-conflict', 'Conflict');
}

export async function verifyPhone(userId, request, host, options) {
  const code = request?.verificationCode;
  if (typeof code !== 'string' || code.length === 0 || code.length > 20) throw fail(3, 'REQUEST-invalid', 'Request is invalid');
  const user = await host.loadUser(userId);
  const pending = user?.phone?.code;
  if (!pending) throw fail(9, 'COMMAND-2M9fs', 'No code');
  if (Date.now() >= Date.parse(pending.expiresAt)) throw fail(9, 'CODE-QvUQ4P', 'Code is expired');
  const ok = timingSafeEqual(hash(options.codeSecret, userId, user.phone.number, code.toUpperCase()), Buffer.from(pending.hash, 'hex'));
  const now = new Date().toISOString();
  const record = ok
    ? { ...user, sequence: user.sequence + 1, changeDate: now, phone: { number: user.phone.number, isVerified: true, code: null } }
    : { ...user, sequence: user.sequence + 1, changeDate: now, phone: { ...user.phone, code: { ...pending, failedAttempts: pending.failedAttempts + 1 } } };
  const type = ok ? 'user.human.phone.verified' : 'user.human.phone.verification.failed';
  await host.saveUser(record, user.sequence, [{ type, sequence: record.sequence, createdAt: now, payload: {} }]);
  if (!ok) throw fail(3, 'CODE-woT0xc', 'Code is invalid');
  return { details: details(record) };
}
