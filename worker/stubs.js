// The Durable Objects by name: how the worker's modules reach the classes that worker/index.js
// exports (the platform wants them there), without importing that module.

/** The store of one user's record and events (UserStore). */
export const userStore = (env, userId) => env.USERS.get(env.USERS.idFromName(userId));
/** The development SMS sink (Outbox). */
export const outbox = (env) => env.OUTBOX.get(env.OUTBOX.idFromName('outbox'));
/** The list of users /admin created (Directory). */
export const directory = (env) => env.DIRECTORY.get(env.DIRECTORY.idFromName('directory'));
/** The SMS reservations of one number (SmsQuota). */
export const smsQuota = (env, to) => env.SMS_QUOTA.get(env.SMS_QUOTA.idFromName(to));

/** A JSON answer of the worker's own routes, never cached. */
export const jsonResponse = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } });
