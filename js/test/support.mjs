// Shared fixtures for the node:test suites: an in-memory host with a real compare-and-swap on
// `sequence`, a fixed or movable clock, a 32-byte codeSecret, and assertions on PhoneErrors.
import assert from 'node:assert/strict';
import http from 'node:http';
import { PhoneError, setPhone } from 'contact-phone';

/** 32 bytes: the shortest codeSecret the SPEC accepts. */
export const SECRET = '0123456789abcdef0123456789abcdef';
/** The fixed time of every call unless a test moves the clock. */
export const NOW = Date.parse('2026-11-28T12:00:00.000Z');
export const NOW_ISO = '2026-11-28T12:00:00.000Z';
export const SECOND = 1000;
export const HOUR = 3600 * SECOND;

/** RFC 3339 UTC with milliseconds, as the library writes dates. */
export const iso = (millis) => new Date(millis).toISOString();

/** Numbers typed as people do, and what they normalise to. */
export const MOBILE = '079 123 45 67';
export const MOBILE_E164 = '+41791234567';
export const LANDLINE = '071 123 45 67';
export const LANDLINE_E164 = '+41711234567';

export const SEND = Object.freeze({ sendCode: {} });
export const RETURN = Object.freeze({ returnCode: {} });
export const VERIFIED = Object.freeze({ isVerified: true });

/** A set-phone request: `{phone: {number, ...mode}}`. */
export const setRequest = (number, mode = {}) => ({ phone: { number, ...mode } });

/** Callers. */
export const SELF = Object.freeze({ userId: 'u1', permissions: [] });
export const ADMIN = Object.freeze({ userId: 'admin', permissions: ['user.write'] });

/** The stored user u1 of organisation org1 at sequence 4 (fields may be overridden). */
export function user(fields = {}) {
  return { userId: 'u1', resourceOwner: 'org1', sequence: 4, changeDate: '2026-11-01T00:00:00.000Z', ...fields };
}

/** A clock for `options.now`; `advance(seconds)` moves it. */
export function clock(start = NOW) {
  const c = {
    millis: start,
    now: () => c.millis,
    advance(seconds) {
      c.millis += seconds * SECOND;
      return c;
    },
  };
  return c;
}

/**
 * Options for user u1 acting on itself at NOW, with ZITADEL's rule that a user may have its
 * own code returned (the flows read codes that way); `extra` overrides any key, and
 * `allowSelfReturnCode: undefined` gives the library's default (off).
 */
export function options(extra = {}) {
  return { caller: SELF, codeSecret: SECRET, now: () => NOW, allowSelfReturnCode: true, ...extra };
}

/**
 * An in-memory host. The store is a private field, so the callbacks only work when the library
 * calls them with the host as `this`. `saveUser` is a real compare-and-swap on `sequence`.
 * With `async: true` every callback returns a Promise that settles on a later turn.
 */
export class MemoryHost {
  #store = new Map();
  #async;

  constructor(records = [user()], { async = false } = {}) {
    for (const record of records) this.#store.set(record.userId, record);
    this.#async = async;
    this.loads = 0;
    this.saves = 0;
    this.sends = 0;
    /** Every saveUser call: {record, expectedSequence, events}. */
    this.saveCalls = [];
    /** Events of the saves that succeeded, in order. */
    this.events = [];
    /** Messages passed to sendSms. */
    this.sent = [];
  }

  #reply(value) {
    return this.#async ? new Promise((resolve) => setImmediate(() => resolve(value))) : value;
  }

  /** The stored record of `userId`. */
  record(userId = 'u1') {
    return this.#store.get(userId);
  }

  /** Replaces a stored record behind the library's back (another writer). */
  put(record) {
    this.#store.set(record.userId, record);
  }

  counters() {
    return { loads: this.loads, saves: this.saves, sends: this.sends };
  }

  loadUser(userId) {
    this.loads += 1;
    return this.#reply(this.#store.get(userId) ?? null);
  }

  saveUser(record, expectedSequence, events) {
    this.saves += 1;
    this.saveCalls.push({ record, expectedSequence, events });
    const current = this.#store.get(record.userId);
    const won = current !== undefined && current.sequence === expectedSequence;
    if (won) {
      this.#store.set(record.userId, record);
      this.events.push(...events);
    }
    return this.#reply(won);
  }

  sendSms(message) {
    this.sends += 1;
    this.sent.push(message);
    return this.#reply(undefined);
  }
}

/** Runs `action` (a Promise or a function) and returns the PhoneError it fails with. */
export async function caught(action) {
  let error;
  let failed = false;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (e) {
    error = e;
    failed = true;
  }
  assert.ok(failed, 'expected a PhoneError, but the call succeeded');
  assert.ok(error instanceof PhoneError, `expected a PhoneError, got ${error?.stack ?? String(error)}`);
  return error;
}

/** The parts of an error a test compares: those named in `expected`. */
function pick(error, expected) {
  return Object.fromEntries(Object.keys(expected).map((key) => [key, error[key]]));
}

/** Asserts that `action` fails with a PhoneError whose fields equal `expected`. */
export async function rejects(action, expected) {
  const error = await caught(action);
  assert.deepEqual(pick(error, expected), expected);
  return error;
}

/** The same for a synchronous call (normalizePhone). */
export function throws(fn, expected) {
  let error;
  assert.throws(fn, (e) => {
    error = e;
    return true;
  });
  assert.ok(error instanceof PhoneError, `expected a PhoneError, got ${error?.stack ?? String(error)}`);
  assert.deepEqual(pick(error, expected), expected);
  return error;
}

/** Every error of the SPEC: id, gRPC code, HTTP status and (where fixed) the message. */
export const errors = {
  request: (message) => ({ id: 'REQUEST-invalid', code: 3, status: 400, message: `Request is invalid: ${message}` }),
  config: (message) => ({ id: 'CONFIG-invalid', code: 13, status: 500, message: `Options are invalid: ${message}` }),
  unauthenticated: {
    id: 'AUTH-unauthenticated',
    code: 16,
    status: 401,
    message: 'No caller: the call needs an authenticated caller',
  },
  notFound: { id: 'COMMAND-b33QAVgel6', code: 5, status: 404, message: 'User could not be found' },
  notReady: { id: 'COMMAND-uz0Uu', code: 9, status: 400, message: 'User is not yet initialised' },
  denied: { id: 'AUTH-AWfge', code: 7, status: 403, message: 'No matching permissions found' },
  phoneEmpty: { id: 'PHONE-Zt0NV', code: 3, status: 400, message: 'Phone is empty' },
  phoneInvalid: (why) => ({ id: 'PHONE-so0wa', code: 3, status: 400, message: `Phone is invalid: ${why}` }),
  noPendingCode: { id: 'COMMAND-2M9fs', code: 9, status: 400, message: 'No verification code is pending' },
  codeExpired: { id: 'CODE-QvUQ4P', code: 9, status: 400, message: 'Code is expired' },
  codeInvalid: { id: 'CODE-woT0xc', code: 3, status: 400, message: 'Code is invalid' },
  codeLocked: { id: 'CODE-locked', code: 8, status: 429, message: 'Too many wrong codes: request a new code' },
  nothingToResend: {
    id: 'PHONE-5xrra88eq8',
    code: 9,
    status: 400,
    message: 'No code to resend: the phone is missing or already verified',
  },
  noPhone: { id: 'COMMAND-ieJ2e', code: 9, status: 400, message: 'Phone not found' },
  throttled: (seconds) => ({
    id: 'PHONE-throttled',
    code: 8,
    status: 429,
    message: `Too many codes: try again in ${seconds} s`,
  }),
  conflict: { id: 'COMMAND-conflict', code: 10, status: 409, message: 'The user was changed concurrently: try again' },
  secretMissing: {
    id: 'CONFIG-codeSecret',
    code: 13,
    status: 500,
    message: 'codeSecret is required to issue or check codes',
  },
  secretShort: { id: 'CONFIG-codeSecret', code: 13, status: 500, message: 'codeSecret must be at least 32 bytes' },
  storage: (callback, cause) => ({
    id: 'HOST-storage',
    code: 13,
    status: 500,
    message: `Host callback ${callback} failed: ${cause}`,
  }),
  sms: { id: 'HOST-sms', code: 14, status: 503 },
};

/** A stored pending code with its hash replaced by `HASH` (after checking its form). */
export function withoutHash(phone) {
  assert.ok(phone?.code, `expected a pending code, got ${JSON.stringify(phone)}`);
  assert.match(phone.code.hash, /^[0-9a-f]{64}$/);
  return { ...phone, code: { ...phone.code, hash: 'HASH' } };
}

/** The stored phone of an unverified number with a fresh code issued at `issued`. */
export function pendingPhone(number, issued = NOW, { expiresIn = HOUR, failedAttempts = 0 } = {}) {
  return {
    number,
    isVerified: false,
    code: { hash: 'HASH', createdAt: iso(issued), expiresAt: iso(issued + expiresIn), failedAttempts },
  };
}

/** Sets MOBILE for u1 in returnCode mode and returns the code. */
export async function issueCode(host, opts = options(), number = MOBILE) {
  const reply = await setPhone('u1', setRequest(number, RETURN), host, opts);
  assert.equal(typeof reply.verificationCode, 'string');
  return reply.verificationCode;
}

/** `details` of a reply. */
export const details = (sequence, changeDate = NOW_ISO, resourceOwner = 'org1') => ({
  sequence: String(sequence),
  changeDate,
  resourceOwner,
});

/**
 * POSTs `bytes` bytes to `url` over HTTP/1.1 and never ends the body, so only a server that
 * answers without reading the body to its end replies; resolves to `{status, body}` (JSON).
 */
export function postUnfinished(url, { bytes, headers = {} }) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } });
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode, body: JSON.parse(text) });
      });
    });
    request.write(Buffer.alloc(bytes, 'a'));
  });
}

/**
 * `call(method, path, body?, token?)` against the server at `baseUrl`, as JSON with a bearer
 * token (`token` by default): resolves to `{status, body}` with the body parsed.
 */
export function jsonClient(baseUrl, token) {
  return async (method, path, body, bearer = token) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
}
