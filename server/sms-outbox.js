// The transactional outbox of SMS on SQL (table sms_delivery, created by migrate() in
// sql-host.js): sendSms inserts a row, the sender loop (sms-sender.js) claims due rows, delivers
// them and records the outcome. A row keeps its text only while it may still be sent: the
// text is cleared once the message is sent, failed or dead, so delivered codes do not stay in
// the database; the row itself (state, attempts, last error, provider's id) stays for the admin.

import { deliveryView } from '../sms/delivery-view.js';

/** The table; no semicolons inside, since migrate() splits the schema on them. */
export const SMS_SCHEMA = `
CREATE TABLE IF NOT EXISTS sms_delivery (
  id              text PRIMARY KEY,
  user_id         text NOT NULL,
  resource_owner  text NOT NULL,
  to_number       text NOT NULL,
  text            text,
  expires_at      text,
  provider        text NOT NULL,
  state           text NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  provider_id     text,
  provider_status text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS sms_delivery_pending ON sms_delivery (next_attempt_at) WHERE text IS NOT NULL;
CREATE INDEX IF NOT EXISTS sms_delivery_user ON sms_delivery (user_id, created_at)
`;

export class SmsOutbox {
  /** `db`: the query interface of sql-host.js; `provider`: the name recorded on each row. */
  constructor(db, provider) {
    this.db = db;
    this.provider = provider;
  }

  /** Stores `message` as due now, under a new id; resolves once the row is committed. */
  async enqueue(message, now = new Date()) {
    const id = crypto.randomUUID();
    await this.db.query(
      `INSERT INTO sms_delivery (id, user_id, resource_owner, to_number, text, expires_at, provider, state,
         next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $8, $8)`,
      [id, message.userId, message.resourceOwner, message.to, message.text, message.expiresAt ?? null, this.provider, now.toISOString()],
    );
    return id;
  }

  /**
   * Claims up to `limit` due messages: counts the attempt and moves their next attempt
   * `leaseSeconds` ahead, so a sender that dies mid-delivery leaves them to be claimed again
   * later rather than lost. SKIP LOCKED lets several senders (processes) claim side by side
   * without taking the same row.
   */
  async claimDue(now, { limit = 10, leaseSeconds = 60 } = {}) {
    const { rows } = await this.db.query(
      `UPDATE sms_delivery SET attempts = attempts + 1, next_attempt_at = $2, updated_at = $1
       WHERE id IN (
         SELECT id FROM sms_delivery WHERE text IS NOT NULL AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING id, user_id, resource_owner, to_number, text, expires_at, attempts`,
      [now.toISOString(), new Date(now.getTime() + leaseSeconds * 1000).toISOString(), limit],
    );
    return rows.map((row) => ({
      id: row.id, userId: row.user_id, resourceOwner: row.resource_owner, to: row.to_number,
      text: row.text, expiresAt: row.expires_at, attempts: row.attempts,
    }));
  }

  /** Delivered: the provider's id and status kept, the text cleared. */
  async markSent(id, { providerId = null, providerStatus = null }, now) {
    await this.db.query(
      `UPDATE sms_delivery SET state = 'sent', text = NULL, provider_id = $2, provider_status = $3, updated_at = $4 WHERE id = $1`,
      [id, providerId, providerStatus, now.toISOString()],
    );
  }

  /** A failed attempt that will be retried `delaySeconds` from `now`. */
  async markRetrying(id, error, delaySeconds, now) {
    await this.db.query(
      `UPDATE sms_delivery SET state = 'retrying', last_error = $2, next_attempt_at = $3, updated_at = $4 WHERE id = $1`,
      [id, error, new Date(now.getTime() + delaySeconds * 1000).toISOString(), now.toISOString()],
    );
  }

  /** Given up (`failed`: refused for good, `dead`: out of attempts): the text cleared. */
  async markGivenUp(id, state, error, now) {
    await this.db.query(
      `UPDATE sms_delivery SET state = $2, text = NULL, last_error = $3, updated_at = $4 WHERE id = $1`,
      [id, state, error, now.toISOString()],
    );
  }

  /** A status the provider reported later (Twilio's status callback), by the provider's id. */
  async recordProviderStatus(providerId, status, now) {
    const { rows } = await this.db.query(
      'UPDATE sms_delivery SET provider_status = $2, updated_at = $3 WHERE provider_id = $1 RETURNING id',
      [providerId, status, now.toISOString()],
    );
    return rows.length > 0;
  }

  /** The deliveries, newest first, without their text. */
  async list(userId, limit = 50) {
    const { rows } = userId
      ? await this.db.query('SELECT * FROM sms_delivery WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [userId, limit])
      : await this.db.query('SELECT * FROM sms_delivery ORDER BY created_at DESC, id DESC LIMIT $1', [limit]);
    return rows.map(deliveryView);
  }
}
