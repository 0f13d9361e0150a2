// The JS the wasm module imports, in one module so that a browser fetches one file for all of
// it: the PhoneError class, JSON.stringify for values crossing into wasm, and the loop that
// awaits the host's Promises. The package entries re-export PhoneError from here.

// --- PhoneError ---

// The error class of contact-phone. Instances are built by the wasm module from the gRPC-style
// body it computed (SPEC §2), so the code, id and message have one source.
export class PhoneError extends Error {
  #body;

  /**
   * @param {{code: number, message: string, details: {'@type': string, id: string, message: string}[]}} body
   * @param {number} status HTTP status
   * @param {string} [clientMessage] what a network client may be told, when not the message
   */
  constructor(body, status, clientMessage) {
    const detail = body.details[0];
    super(detail.message);
    this.name = 'PhoneError';
    this.code = body.code;
    this.status = status;
    this.id = detail.id;
    this.details = body.details;
    if (body.field !== undefined) this.field = body.field;
    // A host failure's cause (a storage error, a gateway's answer) is for the server's log;
    // servers answer clients with this instead (handleHttp and contact-phone/connect do).
    this.clientMessage = clientMessage ?? detail.message;
    this.#body = body;
  }

  /** The gRPC-style JSON body: `{code, message: "<message> (<id>)", details, field?}`. */
  toJSON() {
    const { code, message, details, field } = this.#body;
    const json = { code, message, details: details.map((detail) => ({ ...detail })) };
    if (field !== undefined) json.field = field;
    return json;
  }
}

// A PhoneError without a stack trace, for normalizePhone: there an invalid number is an answer,
// not a fault, and capturing the stack cost more than parsing the number (about half of the
// time per call on a corpus where half the numbers are invalid). V8 (Node, Chrome, workerd)
// reads Error.stackTraceLimit when an Error is built; other engines ignore it.
export function phoneErrorWithoutStack(body, status) {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new PhoneError(body, status);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

// --- JSON at the boundary ---

// JSON.stringify for values crossing into wasm: like JSON.stringify, except that NaN and the
// infinities are errors instead of silently becoming null.
function finite(key, value) {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`${key === '' ? 'the value' : key} is ${value}, not a finite number`);
  }
  return value;
}

export function stringify(value) {
  // JSON.stringify with a replacer is several times slower. NaN and the infinities come out as
  // "null", so only text with a null needs the checking pass.
  const text = JSON.stringify(value);
  return text !== undefined && text.includes('null') ? JSON.stringify(value, finite) : text;
}

// The fields `keys` (comma-separated) of `value` as JSON text, in one call from wasm: other
// fields (which may hold BigInts, cycles or anything else) are never read or serialised.
export function stringifyFields(value, keys) {
  const copy = {};
  for (const key of keys.split(',')) {
    const field = value[key];
    if (field !== undefined) copy[key] = field;
  }
  return stringify(copy);
}

// --- Async calls ---

// Runs a call of the wasm module to its end (src/wasm/pending.rs). The wasm makes every host
// callback call itself and hands out only the thenables that must be awaited; this loop awaits
// each against the call's timeoutMs timer and resumes the call with the outcome. Keeping the
// waiting here spares the wasm an async runtime.

// What the timer rejects with: no callback can reach it, so no rejection is taken for a timeout.
const TIMED_OUT = Object.freeze({});

/** @param {{start(): any, resume(kind: number, value: any): any, timeoutMs(): number, finish(): any, free(): void}} call */
export async function drive(call) {
  try {
    // The call starts from the microtask queue, as an async function's body would.
    await undefined;
    for (let thenable = call.start(); thenable !== undefined; ) {
      const [kind, value] = await settle(thenable, call.timeoutMs());
      thenable = call.resume(kind, value);
    }
    return call.finish();
  } finally {
    call.free();
  }
}

/** [0, value] when `thenable` fulfils, [1, reason] when it rejects, [2] after `ms`. */
async function settle(thenable, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(reject, ms, TIMED_OUT);
  });
  try {
    return [0, await Promise.race([thenable, timeout])];
  } catch (reason) {
    return reason === TIMED_OUT ? [2, undefined] : [1, reason];
  } finally {
    clearTimeout(timer);
  }
}
