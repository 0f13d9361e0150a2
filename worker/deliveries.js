// The delivery log of the worker's SMS: one row per message with its state, attempts, last
// error and the provider's id and status, never the text or the code. It is what /admin and
// the admin UI show; the message itself travels in the queue.
import { DurableObject } from 'cloudflare:workers';
import { deliveryView } from '../sms/delivery-view.js';

/** How many rows are kept: the newest ones; older rows go as new ones come. */
const KEPT = 10000;

/**
 * One object for all messages, as the Outbox and Directory are: enough for an admin view of a
 * deployment's SMS; a busy one would shard it by user.
 */
export class Deliveries extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS delivery (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,
      to_number TEXT NOT NULL, provider TEXT NOT NULL, state TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, provider_id TEXT, provider_status TEXT,
      dead_lettered_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`);
    this.sql.exec('CREATE INDEX IF NOT EXISTS delivery_user ON delivery (user_id, seq)');
    this.sql.exec('CREATE INDEX IF NOT EXISTS delivery_provider_id ON delivery (provider_id)');
  }

  /** A message just queued: `{id, userId, to, provider}`. */
  queued({ id, userId, to, provider }) {
    const now = new Date().toISOString();
    this.sql.exec(`INSERT INTO delivery (id, user_id, to_number, provider, state, created_at, updated_at)
      VALUES (?, ?, ?, ?, 'queued', ?, ?)`, id, userId, to, provider, now, now);
    this.sql.exec('DELETE FROM delivery WHERE seq <= (SELECT MAX(seq) FROM delivery) - ?', KEPT);
  }

  /**
   * The outcome of attempt `attempts`: `{state, attempts, lastError?, providerId?,
   * providerStatus?}`. An older attempt's report never overwrites a newer one's (a queue may
   * deliver a message twice).
   */
  attempted(id, { state, attempts, lastError, providerId, providerStatus }) {
    this.sql.exec(`UPDATE delivery SET state = ?, attempts = ?, last_error = coalesce(?, last_error),
        provider_id = coalesce(?, provider_id), provider_status = coalesce(?, provider_status), updated_at = ?
      WHERE id = ? AND attempts <= ?`,
    state, attempts, lastError ?? null, providerId ?? null, providerStatus ?? null, new Date().toISOString(), id, attempts);
  }

  /** A dead letter arrived in the dead-letter queue; a message the consumer never reported on becomes dead. */
  deadLettered(id, lastError) {
    this.sql.exec(`UPDATE delivery SET dead_lettered_at = ?,
        state = CASE WHEN state IN ('failed', 'dead') THEN state ELSE 'dead' END,
        last_error = coalesce(last_error, ?), updated_at = ?
      WHERE id = ?`, new Date().toISOString(), lastError, new Date().toISOString(), id);
  }

  /** A status the provider reported later (Twilio's status callback); false if unknown. */
  providerReported(providerId, providerStatus) {
    const rows = this.sql.exec('UPDATE delivery SET provider_status = ?, updated_at = ? WHERE provider_id = ? RETURNING id',
      providerStatus, new Date().toISOString(), providerId).toArray();
    return rows.length > 0;
  }

  /** The newest deliveries first, optionally of one user. */
  list(userId, limit) {
    const rows = userId
      ? this.sql.exec('SELECT * FROM delivery WHERE user_id = ? ORDER BY seq DESC LIMIT ?', userId, limit)
      : this.sql.exec('SELECT * FROM delivery ORDER BY seq DESC LIMIT ?', limit);
    return rows.toArray().map(deliveryView);
  }
}

export const deliveries = (env) => env.DELIVERIES.get(env.DELIVERIES.idFromName('deliveries'));
