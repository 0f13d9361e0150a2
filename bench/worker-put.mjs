// PUT throughput and latency against the local worker (workerd via miniflare) on loopback,
// under a bounded load: CONCURRENCY clients in closed loops, each PUT a new number for one of
// USERS users (returnCode, so no SMS), for DURATION_MS after a warm-up. Prints requests/s and
// p50/p90/p99 latency. Usage: node bench/worker-put.mjs [concurrency] [users] [durationMs]
import { performance } from 'node:perf_hooks';
import { startWorker } from '../worker/dev.mjs';

const [concurrency = 16, users = 64, duration = 10_000] = process.argv.slice(2).map(Number);
const env = { ADMIN_TOKEN: 'bench-admin', TOKEN_SECRET: 't'.repeat(32), CODE_SECRET: 'c'.repeat(32) };
// The per-client rate limit would cap a load test from one client: lift it here.
const worker = await startWorker({ port: 0, env, rateLimit: { limit: 1_000_000_000, period: 60 } });
const headers = { authorization: `Bearer ${env.ADMIN_TOKEN}`, 'content-type': 'application/json' };
const ids = Array.from({ length: users }, (_, i) => `bench-${i}`);
await fetch(`${worker.url}/admin/users`, {
  method: 'POST',
  headers,
  body: JSON.stringify(ids.map((userId) => ({ userId, resourceOwner: 'bench' }))),
});

let counter = 0;
async function put() {
  const n = counter++;
  const userId = ids[n % users];
  const number = `+41 79 ${String(n % 10_000_000).padStart(7, '0')}`;
  const started = performance.now();
  const response = await fetch(`${worker.url}/v3alpha/users/${userId}/phone`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ phone: { number, returnCode: {} } }),
  });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

async function run(ms) {
  const results = [];
  const until = performance.now() + ms;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) results.push(await put());
  }));
  return results;
}

await run(2000); // warm-up: JIT, SQLite files, connections
const began = performance.now();
const results = await run(duration);
const seconds = (performance.now() - began) / 1000;
await worker.dispose();

const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
const statuses = {};
for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
console.log(JSON.stringify({
  concurrency,
  users,
  requests: results.length,
  seconds: Number(seconds.toFixed(2)),
  requestsPerSecond: Math.round(results.length / seconds),
  p50ms: Number(pick(0.5).toFixed(2)),
  p90ms: Number(pick(0.9).toFixed(2)),
  p99ms: Number(pick(0.99).toFixed(2)),
  statuses,
}));
