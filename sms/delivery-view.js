// A delivery log row as /admin and the admin UI see it, for the worker's Deliveries object and
// the Node server's sms_delivery table alike (the same column names).

const iso = (value) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString());

/** `row` without the text (which the row may still hold), timestamps in RFC 3339. */
export function deliveryView(row) {
  const view = {
    id: row.id,
    userId: row.user_id,
    to: row.to_number,
    provider: row.provider,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error,
    providerId: row.provider_id,
    providerStatus: row.provider_status,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
  // Only the worker's dead-letter queue records when a message arrived there.
  if ('dead_lettered_at' in row) view.deadLetteredAt = row.dead_lettered_at;
  return view;
}
