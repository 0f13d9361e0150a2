// One measurement in a fresh process: `node bench/flows.mjs <impl> <what>` with impl
// `contact-phone` or `reference` (bench/reference.mjs) and what `setPhone`, `verifyPhone` or
// `instantiate`. Prints one JSON line; bench/run.mjs runs it several times and takes medians.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [impl, what, seconds = '2'] = process.argv.slice(2);
const budget = Number(seconds) * 1000;

if (what === 'instantiate') {
  // Compile and instantiate the module from its bytes, as a cold start does.
  const bytes = readFileSync(new URL('../pkg/contact_phone_bg.wasm', import.meta.url));
  const glue = await import('../pkg/contact_phone.js');
  const started = performance.now();
  const module = new WebAssembly.Module(bytes);
  const compiled = performance.now();
  glue.initSync({ module });
  const ms = performance.now() - started;
  console.log(JSON.stringify({ impl, what, ms, compileMs: compiled - started }));
  process.exit(0);
}

const api = impl === 'reference' ? await import('./reference.mjs') : await import('contact-phone');
const secret = 'bench-secret-0123456789abcdef0123456789';
const options = { caller: { userId: 'admin', permissions: ['user.write'] }, codeSecret: secret, resendCooldownSeconds: 0 };

/** An in-memory host with compare-and-swap, shared by both implementations. */
const users = new Map();
const host = {
  loadUser: (id) => users.get(id) ?? null,
  saveUser(record, expected) {
    if (users.get(record.userId)?.sequence !== expected) return false;
    users.set(record.userId, record);
    return true;
  },
  sendSms() {},
};
const USERS = 1000;
for (let i = 0; i < USERS; i += 1) users.set(`u${i}`, { userId: `u${i}`, resourceOwner: 'org1', sequence: 1 });
const numbers = Array.from({ length: 100 }, (_, i) => `079 ${String(1000000 + i * 7919).slice(0, 3)} ${String(10 + (i % 90))} ${String(10 + ((i * 7) % 90))}`);

let n = 0;
async function setOnce() {
  const userId = `u${n % USERS}`;
  // A new number for the user on every visit, so that no call is a same-number no-op.
  const number = numbers[(n * 7 + Math.floor(n / USERS)) % numbers.length];
  n += 1;
  return api.setPhone(userId, { phone: { number, returnCode: {} } }, host, options);
}

async function measure(step) {
  for (let i = 0; i < 2000; i += 1) await step(); // warm-up
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < budget) {
    for (let i = 0; i < 200; i += 1) await step();
    count += 200;
  }
  return (count * 1000) / (performance.now() - started);
}

if (what === 'setPhone') {
  console.log(JSON.stringify({ impl, what, opsPerSec: await measure(setOnce) }));
} else if (what === 'verifyPhone') {
  // Each step: issue a code (not timed separately), then verify it; report verify calls/s from
  // the pair's rate minus set's own cost, measured the same way.
  const pending = [];
  const verifyOnce = async () => {
    if (pending.length === 0) {
      for (let i = 0; i < 200; i += 1) {
        const userId = `u${n % USERS}`;
        const reply = await setOnce();
        if (reply.verificationCode) pending.push([userId, reply.verificationCode]);
      }
    }
    const [userId, code] = pending.pop();
    await api.verifyPhone(userId, { verificationCode: code }, host, options);
  };
  const pairs = await measure(verifyOnce);
  const sets = await measure(setOnce);
  // pairs/s = 1 / (t_verify + t_set) → t_verify = 1/pairs − 1/sets
  console.log(JSON.stringify({ impl, what, opsPerSec: 1 / (1 / pairs - 1 / sets) }));
} else {
  throw new Error(`unknown measurement ${what}`);
}
