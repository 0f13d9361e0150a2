// Rendering of the read-only panels: the user list, the picked user's record, the last reply,
// the audit events and the SMS outbox. Pure functions of the data they are given.
import { ApiError } from '../api-error.js';
import { el } from './dom.js';

/** Fills the user <select>, keeping `picked` selected if it is listed. */
export function renderUsers(select, users, picked) {
  select.replaceChildren(...users.map((user) => el('option', {
    value: user.userId,
    selected: user.userId === picked,
  }, `${user.userId} · ${user.resourceOwner} · ${user.kind} · ${user.state}`)));
}

/** The stored record as the admin sees it (the code itself is never stored, only its hash). */
export function renderSummary(list, user) {
  if (!user) {
    list.replaceChildren();
    return;
  }
  const phone = user.phone;
  const code = phone?.code;
  const rows = [
    ['Organisation', user.resourceOwner, 'summary-org'],
    ['Kind · state', `${user.kind ?? 'human'} · ${user.state ?? 'active'}`, 'summary-kind'],
    ['Sequence', String(user.sequence), 'summary-sequence'],
    ['Phone', phone ? phone.number : 'none', 'summary-phone'],
    ['Verified', phone ? (phone.isVerified ? 'yes' : 'no') : '–', 'summary-verified'],
    ['Pending code', code ? `expires ${code.expiresAt}, ${code.failedAttempts} wrong ${code.failedAttempts === 1 ? 'try' : 'tries'}` : 'none', 'summary-code'],
  ];
  list.replaceChildren(...rows.flatMap(([term, value, id]) => [el('dt', {}, term), el('dd', { id }, value)]));
}

/** The last call: its name, the HTTP status, the verificationCode if any, and the JSON body. */
export function renderReply({ summary, codeLine, code, json }, { operation, mode, reply, error }) {
  const status = error instanceof ApiError ? error.status : (error ? 'failed' : 200);
  summary.replaceChildren(
    el('code', { id: 'reply-operation' }, operation), ' in ', el('span', { id: 'reply-mode' }, mode === 'edge' ? 'the edge API' : 'this browser'),
    ': ', el('span', { id: 'reply-status' }, String(status)),
  );
  summary.classList.toggle('hint', false);
  const verificationCode = reply?.verificationCode;
  codeLine.hidden = !verificationCode;
  code.textContent = verificationCode ?? '';
  const body = error instanceof ApiError ? error.body : (error ? { error: error.message } : reply);
  json.textContent = JSON.stringify(body, null, 2);
}

export function renderEvents(list, events) {
  list.replaceChildren(...events.map((event) => el('li', { dataset: { sequence: event.sequence } },
    el('span', { class: 'sequence' }, String(event.sequence)), ' ',
    el('code', { class: 'type' }, event.type), ' ',
    el('time', { datetime: event.createdAt }, event.createdAt),
    Object.keys(event.payload ?? {}).length ? el('code', { class: 'payload' }, JSON.stringify(event.payload)) : null,
  )));
  if (events.length === 0) list.replaceChildren(el('li', { class: 'empty' }, 'No events yet.'));
}

/** The outbox; each message has a button that puts its code into the verification field. */
export function renderOutbox(list, messages, useCode) {
  list.replaceChildren(...messages.map((message) => el('li', { dataset: { userId: message.userId } },
    el('div', {}, el('strong', { class: 'to' }, message.to), ' · ', el('span', { class: 'user' }, message.userId),
      ' · ', el('time', { datetime: message.sentAt }, message.sentAt)),
    el('div', { class: 'text' }, message.text),
    button(`Use code ${message.code}`, () => useCode(message)),
  )));
  if (messages.length === 0) list.replaceChildren(el('li', { class: 'empty' }, 'No SMS yet.'));
}

/** Each SMS's delivery: number, user, state with attempts, the provider's status, the last error. */
export function renderDeliveries(list, deliveries) {
  list.replaceChildren(...deliveries.map((delivery) => el('li', { dataset: { id: delivery.id, state: delivery.state } },
    el('div', {}, el('strong', { class: 'to' }, delivery.to), ' · ', el('span', { class: 'user' }, delivery.userId),
      ' · ', el('time', { datetime: delivery.updatedAt }, delivery.updatedAt)),
    el('div', {},
      el('span', { class: 'state' }, delivery.state),
      ` after ${delivery.attempts} ${delivery.attempts === 1 ? 'attempt' : 'attempts'} via ${delivery.provider}`,
      delivery.providerStatus ? el('span', { class: 'provider-status' }, ` · ${delivery.provider}: ${delivery.providerStatus}`) : null),
    delivery.lastError ? el('div', { class: 'last-error' }, `last error: ${delivery.lastError}`) : null,
  )));
  if (deliveries.length === 0) list.replaceChildren(el('li', { class: 'empty' }, 'No SMS through a provider (the outbox holds them).'));
}

function button(label, onClick) {
  const node = el('button', { type: 'button', class: 'secondary use-code' }, label);
  node.addEventListener('click', onClick);
  return node;
}
