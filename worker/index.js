// The contact-phone edge worker: the HTTP API of SPEC §6 on Cloudflare Workers / workerd.
//
// The phone logic runs here, in the stateless worker, through the package's `handleHttp`;
// storage is one SQLite-backed Durable Object per user (UserStore), whose single-threaded,
// transactional storage makes the sequence compare-and-swap strongly consistent however many
// workers serve requests. The SmsQuota Durable Object of each number holds its SMS
// reservations, for the per-number limit across users. SMS go through a queue to Twilio or a
// signed webhook (worker/sms.js), or, under npm start without a provider, to the development
// Outbox Durable Object. The Directory Durable Object lists the users that /admin created, for
// the admin UI. ZITADEL's own services (zitadel.user.v2.UserService,
// zitadel.resources.user.v3alpha.ZITADELUsers) are served next to it over Connect and
// gRPC-web, by contact-phone/connect on connect-es.
import { DurableObject } from 'cloudflare:workers';
import { createFetchHandler, rateLimitedResponse } from 'contact-phone';
import { handleAdmin } from './admin.js';
import { discardBody } from './body.js';
import { IdentityConfigError, identityFromEnv } from './identity/index.js';
import { decideReservation } from './sms-quota.js';
import { consumeDeadLetters, consumeSms, enqueueSms, handleTwilioStatus, SMS_DEAD_LETTER_QUEUE_NAME, usesDevOutbox } from './sms.js';
import { TWILIO_STATUS_PATH } from '../sms/twilio.js';
import { jsonResponse, outbox, smsQuota, userStore } from './stubs.js';

export { Deliveries } from './deliveries.js';

/** One user's record and audit events. */
export class UserStore extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS record (
      id INTEGER PRIMARY KEY CHECK (id = 0), sequence INTEGER NOT NULL, doc TEXT NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS event (
      sequence INTEGER PRIMARY KEY, type TEXT NOT NULL, doc TEXT NOT NULL)`);
  }

  /** The stored record, or null. */
  load() {
    const [row] = this.sql.exec('SELECT doc FROM record').toArray();
    return row ? JSON.parse(row.doc) : null;
  }

  /**
   * Compare-and-swap: stores `record` and its events only if the stored sequence still equals
   * `expectedSequence`. Synchronous SQL in one transaction, so no other request interleaves.
   */
  save(record, expectedSequence, events) {
    return this.ctx.storage.transactionSync(() => {
      const [row] = this.sql.exec('SELECT sequence FROM record').toArray();
      if (!row || row.sequence !== expectedSequence) return false;
      this.sql.exec('UPDATE record SET sequence = ?, doc = ?', record.sequence, JSON.stringify(record));
      for (const event of events) {
        this.sql.exec('INSERT INTO event (sequence, type, doc) VALUES (?, ?, ?)',
          event.sequence, event.type, JSON.stringify(event));
      }
      return true;
    });
  }

  /** Creates or replaces the record (dev administration); a replacement bumps the sequence. */
  seed(record) {
    return this.ctx.storage.transactionSync(() => {
      const [row] = this.sql.exec('SELECT sequence FROM record').toArray();
      const sequence = row ? row.sequence + 1 : (Number.isSafeInteger(record.sequence) ? record.sequence : 1);
      const stored = { ...record, sequence };
      this.sql.exec('INSERT OR REPLACE INTO record (id, sequence, doc) VALUES (0, ?, ?)', sequence, JSON.stringify(stored));
      return stored;
    });
  }

  /** The audit trail, oldest first. */
  events() {
    return this.sql.exec('SELECT doc FROM event ORDER BY sequence').toArray().map((row) => JSON.parse(row.doc));
  }
}

/** The development SMS sink: the latest messages, newest first. */
export class Outbox extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS message (
      id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, doc TEXT NOT NULL)`);
  }

  add(message) {
    this.sql.exec('INSERT INTO message (user_id, doc) VALUES (?, ?)', message.userId, JSON.stringify(message));
    this.sql.exec('DELETE FROM message WHERE id <= (SELECT MAX(id) FROM message) - 1000');
  }

  list(userId, limit) {
    const rows = userId
      ? this.sql.exec('SELECT doc FROM message WHERE user_id = ? ORDER BY id DESC LIMIT ?', userId, limit)
      : this.sql.exec('SELECT doc FROM message ORDER BY id DESC LIMIT ?', limit);
    return rows.toArray().map((row) => JSON.parse(row.doc));
  }
}

/**
 * The users created through /admin: id, organisation, kind and state, for GET /admin/users.
 * A user's own object stays the source of truth; this is only the index that a listing needs,
 * since Durable Objects cannot be enumerated.
 */
export class Directory extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS entry (
      user_id TEXT PRIMARY KEY, resource_owner TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL)`);
  }

  /** Adds or replaces entries `{userId, resourceOwner, kind, state}`. */
  put(entries) {
    this.ctx.storage.transactionSync(() => {
      for (const { userId, resourceOwner, kind, state } of entries) {
        this.sql.exec('INSERT OR REPLACE INTO entry (user_id, resource_owner, kind, state) VALUES (?, ?, ?, ?)',
          userId, resourceOwner, String(kind), String(state));
      }
    });
  }

  /** Every entry, ordered by user id. */
  list() {
    return this.sql.exec('SELECT user_id, resource_owner, kind, state FROM entry ORDER BY user_id').toArray()
      .map((row) => ({ userId: row.user_id, resourceOwner: row.resource_owner, kind: row.kind, state: row.state }));
  }
}

/**
 * The SMS reservations of one number (idFromName(to)), for the per-number limit across users
 * (sms-quota.js). A Durable Object runs one request's synchronous code at a time, so reading,
 * deciding and storing in one synchronous transaction admits no SMS over the limit.
 */
export class SmsQuota extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS reservation (
      id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, at_ms INTEGER NOT NULL)`);
  }

  /** reserveSms for this object's number: `true` or `{retryAfterSeconds}`. */
  reserve(reservation) {
    return this.ctx.storage.transactionSync(() => {
      const times = this.sql.exec('SELECT at_ms FROM reservation').toArray().map((row) => row.at_ms);
      const { reply, storeAt, pruneBefore } = decideReservation(times, reservation);
      this.sql.exec('DELETE FROM reservation WHERE at_ms < ?', pruneBefore);
      if (reply === true) this.sql.exec('INSERT INTO reservation (user_id, at_ms) VALUES (?, ?)', reservation.userId, storeAt);
      return reply;
    });
  }
}

/**
 * The identity of `env` (worker/identity/), built on first use and kept with the env object,
 * so the provider's discovery document, keys and introspection answers outlive one request.
 * Settings that name no identity provider (and no DEV_TOKENS=1) give an IdentityConfigError,
 * kept and logged once as well.
 */
const identities = new WeakMap();
function identityOf(env) {
  if (!identities.has(env)) {
    try {
      identities.set(env, identityFromEnv(env));
    } catch (error) {
      if (!(error instanceof IdentityConfigError)) throw error;
      console.error(`contact-phone: refusing every API request: ${error.message}`);
      identities.set(env, error);
    }
  }
  return identities.get(env);
}

/** The package's host over the Durable Objects, the SMS sink and the token check. */
function hostFor(env) {
  const identity = identityOf(env);
  return {
    loadUser: (userId) => userStore(env, userId).load(),
    saveUser: (record, expectedSequence, events) => userStore(env, record.userId).save(record, expectedSequence, events),
    sendSms: (message) => deliverSms(env, message),
    reserveSms: (reservation) => smsQuota(env, reservation.to).reserve(reservation),
    authenticate: (token) => identity.authenticate(token),
  };
}

/**
 * The answer to every API and ZITADEL route while the identity settings are missing or
 * malformed: 503, which Connect and gRPC-web clients read as Unavailable (14). Which settings
 * to fix goes to the log (identityOf), not to callers, who are not authenticated. Serving on
 * development tokens instead would open a deployed worker to anyone who knows the dev token
 * format and a leaked TOKEN_SECRET.
 */
const identityMissing = () => jsonResponse(503, {
  error: 'this server cannot authenticate callers: its identity settings are missing or invalid (see its log)',
});

/** Queues the SMS for the configured provider, or keeps it in the dev outbox (worker/sms.js). */
async function deliverSms(env, message) {
  if (usesDevOutbox(env)) {
    await outbox(env).add({ ...message, sentAt: new Date().toISOString() });
    return;
  }
  await enqueueSms(env, message);
}

function optionsFor(env) {
  return {
    codeSecret: env.CODE_SECRET,
    ...(env.DEFAULT_REGION ? { defaultRegion: env.DEFAULT_REGION } : {}),
  };
}

const api = createFetchHandler((request, env) => hostFor(env), (request, env) => optionsFor(env));

/**
 * Whether the client may call the API or /admin now: the platform's rate limiter, keyed by the
 * client's IP (`CF-Connecting-IP`; one key for all local clients). Approximate and per
 * location, as Cloudflare's rate limiting is: a guard against floods (and against guessing the
 * admin token), on top of the library's own limits.
 */
async function withinRateLimit(request, env) {
  if (!env.API_RATE_LIMITER) return true;
  const key = request.headers.get('cf-connecting-ip') ?? 'local';
  const { success } = await env.API_RATE_LIMITER.limit({ key });
  return success;
}

/** The worker's own 429, from the package's error table (the body dropped, see body.js). */
async function rateLimited(request) {
  await discardBody(request);
  const { status, headers, body } = rateLimitedResponse(60);
  return new Response(body, { status, headers });
}

/** Where ZITADEL's services are served (worker/connect.js, loaded on first use). */
const ZITADEL_SERVICES = ['/zitadel.user.v2.UserService/', '/zitadel.resources.user.v3alpha.ZITADELUsers/'];

/**
 * worker/connect.js, imported on the first request to ZITADEL's services: building their
 * schemas and router takes 70-100 ms, which the JSON API's cold starts need not pay.
 */
let connect;
const loadConnect = () => (connect ??= import('./connect.js'));

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    // Twilio's status callbacks come from Twilio's many addresses and carry its signature,
    // checked before anything is recorded: not limited per client.
    if (pathname === TWILIO_STATUS_PATH) return handleTwilioStatus(request, env);
    const within = await withinRateLimit(request, env);
    if (pathname === '/admin' || pathname.startsWith('/admin/')) {
      return within ? handleAdmin(request, env) : rateLimited(request);
    }
    const identity = identityOf(env);
    if (identity instanceof IdentityConfigError) {
      await discardBody(request);
      return identityMissing();
    }
    const zitadel = ZITADEL_SERVICES.some((prefix) => pathname.startsWith(prefix));
    const services = zitadel ? await loadConnect() : null;
    const reply = await services?.serve(request, env, { hostFor, optionsFor, limited: !within });
    if (reply) return reply;
    return within ? api(request, env, ctx) : rateLimited(request);
  },

  async queue(batch, env) {
    if (batch.queue === SMS_DEAD_LETTER_QUEUE_NAME) await consumeDeadLetters(batch, env);
    else await consumeSms(batch, env);
  },
};
