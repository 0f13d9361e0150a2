// A PhoneHost over SQL (PostgreSQL dialect): one row per user, an append-only events table,
// the per-number SMS reservations, a development SMS outbox, and the SMS delivery outbox of
// sms-outbox.js.
//
// `db` is a small query interface: `query(text, params) → {rows}` and
// `transaction(async (tx) => …)` with `tx.query` alike. PGlite (`@electric-sql/pglite`) is
// one as it is; `pgQueries(pool)` adapts a `pg` Pool (PostgreSQL server).
//
// saveUser is the compare-and-swap the package needs: ONE conditional
//   UPDATE users … WHERE user_id = $1 AND sequence = $2 RETURNING user_id
// and the events inserted in the same transaction, only when that row changed. Concurrent
// writers to one user therefore never lose an update: the loser sees no row and returns false,
// and the package reloads and retries (then COMMAND-conflict).
//
// reserveSms (the per-number SMS limit across users, worker/sms-quota.js) reads and writes a
// number's reservations in one transaction that first takes a transaction-level advisory lock
// on the number: concurrent reservations for one number run one after the other, so none is
// admitted over the limit, while other numbers are not held up.

import { decideReservation } from '../worker/sms-quota.js';
import { SMS_SCHEMA } from './sms-outbox.js';

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  user_id  text PRIMARY KEY,
  sequence bigint NOT NULL,
  doc      jsonb NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  user_id  text NOT NULL REFERENCES users (user_id),
  sequence bigint NOT NULL,
  type     text NOT NULL,
  doc      jsonb NOT NULL,
  PRIMARY KEY (user_id, sequence)
);
CREATE TABLE IF NOT EXISTS outbox (
  id      bigserial PRIMARY KEY,
  user_id text NOT NULL,
  doc     jsonb NOT NULL
);
CREATE TABLE IF NOT EXISTS sms_reservations (
  id      bigserial PRIMARY KEY,
  phone   text NOT NULL,
  user_id text NOT NULL,
  at_ms   bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS sms_reservations_phone_at ON sms_reservations (phone, at_ms);
`;

/** Creates the tables if they are missing. */
export async function migrate(db) {
  for (const statement of `${SCHEMA};${SMS_SCHEMA}`.split(';').map((s) => s.trim()).filter(Boolean)) await db.query(statement);
}

/**
 * The query interface over a `pg` Pool: `transaction` takes one client for BEGIN … COMMIT
 * (ROLLBACK on error). The compare-and-swap holds at READ COMMITTED: PostgreSQL re-checks
 * `sequence = $2` on the row after a concurrent writer's lock is released.
 */
export function pgQueries(pool) {
  return {
    query: (text, params) => pool.query(text, params),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({ query: (text, params) => client.query(text, params) });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

const parse = (doc) => (typeof doc === 'string' ? JSON.parse(doc) : doc);

/**
 * The SQL host. `sms`: `async (message) => …`, e.g. SmsOutbox#enqueue; or `devOutbox: true`
 * to keep SMS, codes included, in the development outbox table. With neither, sendSms fails
 * and a sendCode call answers Unavailable (the phone and code stay saved for a resend).
 * `authenticate` (optional) is copied onto the host for handleHttp and contact-phone/connect.
 */
export class SqlHost {
  constructor(db, { sms, devOutbox = false, authenticate } = {}) {
    this.db = db;
    this.sms = sms;
    this.devOutbox = devOutbox;
    if (authenticate) this.authenticate = authenticate;
  }

  async loadUser(userId) {
    const { rows } = await this.db.query('SELECT doc FROM users WHERE user_id = $1', [userId]);
    return rows.length ? parse(rows[0].doc) : null;
  }

  async saveUser(record, expectedSequence, events) {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query(
        'UPDATE users SET sequence = $3, doc = $4::jsonb WHERE user_id = $1 AND sequence = $2 RETURNING user_id',
        [record.userId, expectedSequence, record.sequence, JSON.stringify(record)],
      );
      if (rows.length === 0) return false; // another writer changed the user
      for (const event of events) {
        await tx.query('INSERT INTO events (user_id, sequence, type, doc) VALUES ($1, $2, $3, $4::jsonb)', [
          record.userId,
          event.sequence,
          event.type,
          JSON.stringify(event),
        ]);
      }
      return true;
    });
  }

  /** Reserves an SMS to `reservation.to` if the number's window has room (sms-quota.js). */
  async reserveSms(reservation) {
    return this.db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('sms:' || $1, 0))", [reservation.to]);
      const { rows } = await tx.query('SELECT at_ms FROM sms_reservations WHERE phone = $1', [reservation.to]);
      const { reply, storeAt, pruneBefore } = decideReservation(rows.map((row) => Number(row.at_ms)), reservation);
      await tx.query('DELETE FROM sms_reservations WHERE phone = $1 AND at_ms < $2', [reservation.to, pruneBefore]);
      if (reply === true) {
        await tx.query('INSERT INTO sms_reservations (phone, user_id, at_ms) VALUES ($1, $2, $3)', [
          reservation.to,
          reservation.userId,
          storeAt,
        ]);
      }
      return reply;
    });
  }

  /** `sms` if given, else the development outbox, which keeps the codes: never in production. */
  async sendSms(message) {
    if (this.sms) return this.sms(message);
    if (!this.devOutbox) throw new Error('no SMS provider is configured');
    await this.db.query('INSERT INTO outbox (user_id, doc) VALUES ($1, $2::jsonb)', [
      message.userId,
      JSON.stringify({ ...message, sentAt: new Date().toISOString() }),
    ]);
  }

  // Development administration, not part of the PhoneHost contract.

  /** Creates `record`, or replaces it with the stored sequence + 1; returns the stored record. */
  async seedUser(record) {
    const initial = Number.isSafeInteger(record.sequence) ? record.sequence : 1;
    const { rows } = await this.db.query(
      `INSERT INTO users (user_id, sequence, doc) VALUES ($1, $2, jsonb_set($3::jsonb, '{sequence}', to_jsonb($2::bigint)))
       ON CONFLICT (user_id) DO UPDATE
         SET sequence = users.sequence + 1,
             doc = jsonb_set(excluded.doc, '{sequence}', to_jsonb(users.sequence + 1))
       RETURNING doc`,
      [record.userId, initial, JSON.stringify(record)],
    );
    return parse(rows[0].doc);
  }

  /** A user's audit events, oldest first. */
  async events(userId) {
    const { rows } = await this.db.query('SELECT doc FROM events WHERE user_id = $1 ORDER BY sequence', [userId]);
    return rows.map((row) => parse(row.doc));
  }

  /** The outbox, newest first. */
  async outbox(userId, limit = 50) {
    const { rows } = userId
      ? await this.db.query('SELECT doc FROM outbox WHERE user_id = $1 ORDER BY id DESC LIMIT $2', [userId, limit])
      : await this.db.query('SELECT doc FROM outbox ORDER BY id DESC LIMIT $1', [limit]);
    return rows.map((row) => parse(row.doc));
  }

  /** The users, ordered by id. */
  async users() {
    const { rows } = await this.db.query('SELECT doc FROM users ORDER BY user_id');
    return rows.map((row) => {
      const { userId, resourceOwner, kind = 'human', state = 'active' } = parse(row.doc);
      return { userId, resourceOwner, kind, state };
    });
  }
}
