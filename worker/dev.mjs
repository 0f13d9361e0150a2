// Runs the worker locally on workerd through miniflare: bundles worker/index.js the way
// wrangler does (esbuild, `workerd` export condition, the .wasm as a compiled module), then
// serves it with SQLite-backed Durable Objects persisted under a folder, and www/ (the admin
// UI) as static assets on the same origin.
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const COMPATIBILITY_DATE = '2026-04-01';

/** Bundles the worker (or another `entry`) into `outdir` (index.js + contact_phone_bg.wasm). */
export async function bundleWorker(outdir = `${root}target/worker`, entry = `${root}worker/index.js`) {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { index: entry },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    // As wrangler: packages without `exports` (standardwebhooks) resolve through these.
    mainFields: ['browser', 'module', 'main'],
    external: ['cloudflare:*'],
    loader: { '.wasm': 'copy' },
    assetNames: '[name]',
    logLevel: 'warning',
  });
  return outdir;
}

/** The per-client rate limit of the API routes, as in wrangler.jsonc. */
export const RATE_LIMIT = { limit: 120, period: 60 };

/**
 * The SMS queues, as in wrangler.jsonc, but flushed at once (no batching wait) and retried by
 * the consumer's own policy; DEV_OUTBOX lets the worker keep SMS in its outbox when no provider
 * is set, which only local runs may do.
 */
const SMS_QUEUES = {
  queueProducers: { SMS_QUEUE: { queueName: 'contact-phone-sms' }, SMS_DEAD_LETTERS: { queueName: 'contact-phone-sms-dead' } },
  queueConsumers: {
    'contact-phone-sms': { maxBatchTimeout: 0, maxRetries: 10, retryDelay: 1, deadLetterQueue: 'contact-phone-sms-dead' },
    'contact-phone-sms-dead': { maxBatchTimeout: 0 },
  },
};

/**
 * Starts the worker on `host:port` (port 0 picks a free one). `env` holds the worker's vars
 * (ADMIN_TOKEN, TOKEN_SECRET, CODE_SECRET, OIDC_ISSUER, TWILIO_*, SMS_WEBHOOK_*, SMS_RETRY_*, …;
 * see docs/security.md and docs/sms-delivery.md); `rateLimit` overrides the per-client limit
 * (tests lower it). A local worker accepts the development tokens (DEV_TOKENS=1) unless
 * `devTokens` is false, to run it as deployed. Returns `{url, durableObject, dispose}`.
 */
export async function startWorker({ port = 8787, host = '127.0.0.1', persistDir, env, bundleDir, rateLimit = RATE_LIMIT, devTokens = true }) {
  const outdir = bundleDir ?? (await bundleWorker());
  const www = `${root}www`;
  const mf = new Miniflare({
    name: 'contact-phone',
    modules: [
      { type: 'ESModule', path: `${outdir}/index.js` },
      { type: 'CompiledWasm', path: `${outdir}/contact_phone_bg.wasm` },
    ],
    modulesRoot: outdir,
    compatibilityDate: COMPATIBILITY_DATE,
    durableObjects: {
      USERS: { className: 'UserStore', useSQLite: true },
      OUTBOX: { className: 'Outbox', useSQLite: true },
      DIRECTORY: { className: 'Directory', useSQLite: true },
      SMS_QUOTA: { className: 'SmsQuota', useSQLite: true },
      DELIVERIES: { className: 'Deliveries', useSQLite: true },
    },
    ...SMS_QUEUES,
    durableObjectsPersist: persistDir ?? false,
    ratelimits: { API_RATE_LIMITER: { simple: rateLimit } },
    bindings: devTokens ? { DEV_TOKENS: '1', DEV_OUTBOX: 'true', ...env } : { DEV_OUTBOX: 'true', ...env },
    // As wrangler does for a worker with assets: a request that matches no file goes to the
    // worker (without has_user_worker, miniflare answers it with an empty 404).
    ...(existsSync(www) ? { assets: { directory: www, routerConfig: { has_user_worker: true } } } : {}),
    host,
    port,
  });
  const url = await mf.ready;
  /** A stub of the Durable Object `name` of `binding` (e.g. 'SMS_QUOTA'), for tests. */
  const durableObject = async (binding, name) => {
    const namespace = await mf.getDurableObjectNamespace(binding);
    return namespace.get(namespace.idFromName(name));
  };
  return { url: url.toString().replace(/\/$/, ''), durableObject, dispose: () => mf.dispose() };
}
