// The admin page: instantiates the package, picks the client of the chosen mode (this browser
// on IndexedDB, or the edge worker over HTTP), runs what the forms ask for, and re-renders the
// panels after each call. Both clients have one interface, so nothing below branches on the mode
// except the admin-token form.
import init from 'contact-phone';
import { browserClient } from './browser-client.js';
import { edgeClient } from './edge-client.js';
import { openStore } from './idb-host.js';
import { byId } from './ui/dom.js';
import { clearError, fieldOf, showError } from './ui/errors.js';
import { renderDeliveries, renderEvents, renderOutbox, renderReply, renderSummary, renderUsers } from './ui/panels.js';
import { attachPhoneFeedback } from './ui/phone-feedback.js';

/** The region of national-form numbers: the library's default and the worker's DEFAULT_REGION. */
const DEFAULT_REGION = 'CH';
const TOKEN_KEY = 'contact-phone.adminToken';
const MODE_KEY = 'contact-phone.mode';
const userKey = (mode) => `contact-phone.user.${mode}`;

const ui = Object.fromEntries([
  'status', 'settings', 'token-form', 'admin-token', 'user-select', 'refresh', 'create-user', 'new-user-id',
  'new-user-org', 'new-user-kind', 'new-user-state', 'create-user-error', 'picked-user', 'user-summary',
  'set-phone', 'phone-number', 'phone-feedback', 'phone-error', 'verify-phone', 'verification-code',
  'code-error', 'resend-sms', 'resend-return', 'get-phone', 'remove-phone', 'phone-status',
  'reply-summary', 'reply-code-line', 'reply-code', 'reply-json', 'events', 'outbox', 'deliveries',
].map((id) => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), byId(id)]));

const state = {
  mode: sessionStorage.getItem(MODE_KEY) === 'edge' ? 'edge' : 'browser',
  userId: null,
};
let clients;
const client = () => clients[state.mode];
const caller = () => new FormData(ui.settings).get('caller');

// Every action runs after the previous one, so replies and panels never interleave; the
// counter in <body data-ops> tells tests (and curious admins) that an action has finished.
let queue = Promise.resolve();
function serial(action) {
  queue = queue.then(action).catch(showStatus).finally(() => {
    document.body.dataset.ops = String(Number(document.body.dataset.ops) + 1);
  });
  return queue;
}

function showStatus(error) {
  if (error) showError(ui.status, error);
  else clearError(ui.status);
}

async function start() {
  await init();
  clients = {
    browser: browserClient(await openStore()),
    edge: edgeClient(() => sessionStorage.getItem(TOKEN_KEY)),
  };
  ui.settings.elements.mode.value = state.mode;
  ui.adminToken.value = sessionStorage.getItem(TOKEN_KEY) ?? '';
  attachPhoneFeedback(ui.phoneNumber, ui.phoneFeedback, DEFAULT_REGION);
  wire();
  await showMode();
  document.body.dataset.ready = 'true';
}

function wire() {
  ui.settings.addEventListener('submit', (event) => event.preventDefault());
  ui.settings.elements.mode.forEach((radio) => radio.addEventListener('change', () => serial(async () => {
    state.mode = ui.settings.elements.mode.value;
    sessionStorage.setItem(MODE_KEY, state.mode);
    clearReply();
    await showMode();
  })));
  ui.tokenForm.addEventListener('submit', (event) => {
    event.preventDefault();
    serial(async () => {
      sessionStorage.setItem(TOKEN_KEY, ui.adminToken.value.trim());
      clients.edge.forgetTokens();
      await refreshAll();
    });
  });
  ui.refresh.addEventListener('click', () => serial(refreshAll));
  ui.userSelect.addEventListener('change', () => serial(() => pick(ui.userSelect.value)));
  ui.createUser.addEventListener('submit', (event) => {
    event.preventDefault();
    serial(createUser);
  });

  ui.phoneNumber.addEventListener('input', () => clearError(ui.phoneError, ui.phoneNumber));
  ui.verificationCode.addEventListener('input', () => clearError(ui.codeError, ui.verificationCode));
  ui.setPhone.addEventListener('submit', (event) => {
    event.preventDefault();
    const mode = new FormData(ui.setPhone).get('verification');
    const phone = { number: ui.phoneNumber.value, ...(mode === 'isVerified' ? { isVerified: true } : { [mode]: {} }) };
    serial(() => perform('setPhone', { phone }));
  });
  ui.verifyPhone.addEventListener('submit', (event) => {
    event.preventDefault();
    serial(async () => {
      if (await perform('verifyPhone', { verificationCode: ui.verificationCode.value })) ui.verificationCode.value = '';
    });
  });
  ui.resendSms.addEventListener('click', () => serial(() => perform('resendPhoneCode', { sendCode: {} })));
  ui.resendReturn.addEventListener('click', () => serial(() => perform('resendPhoneCode', { returnCode: {} })));
  ui.getPhone.addEventListener('click', () => serial(() => perform('getPhone')));
  ui.removePhone.addEventListener('click', () => serial(() => perform('removePhone')));
}

/** Shows what belongs to the current mode: the token form in edge mode, its users and outbox. */
async function showMode() {
  ui.tokenForm.hidden = state.mode !== 'edge';
  document.body.dataset.mode = state.mode;
  await refreshAll();
}

async function refreshAll() {
  showStatus(null);
  state.userId = null;
  let users = [];
  let messages = [];
  let deliveries = [];
  try {
    [users, messages, deliveries] = await Promise.all([client().listUsers(), client().outbox(), client().deliveries()]);
  } finally {
    const remembered = sessionStorage.getItem(userKey(state.mode));
    const picked = users.some((u) => u.userId === remembered) ? remembered : users[0]?.userId ?? null;
    renderUsers(ui.userSelect, users, picked);
    renderOutbox(ui.outbox, messages, useCode);
    renderDeliveries(ui.deliveries, deliveries);
    await pick(picked);
  }
}

/** Makes `userId` the picked user and shows its record and events. */
async function pick(userId) {
  state.userId = userId;
  if (userId) sessionStorage.setItem(userKey(state.mode), userId);
  ui.pickedUser.textContent = userId ?? 'no user picked';
  for (const [slot, input] of [[ui.phoneError, ui.phoneNumber], [ui.codeError, ui.verificationCode], [ui.phoneStatus]]) {
    clearError(slot, input);
  }
  await refreshUser();
}

async function refreshUser() {
  const details = state.userId ? await client().userDetails(state.userId) : null;
  renderSummary(ui.userSummary, details?.user);
  renderEvents(ui.events, details?.events ?? []);
}

async function createUser() {
  clearError(ui.createUserError);
  const user = {
    userId: ui.newUserId.value.trim(),
    resourceOwner: ui.newUserOrg.value.trim(),
    kind: ui.newUserKind.value,
    state: ui.newUserState.value,
  };
  try {
    await client().createUser(user);
  } catch (error) {
    showError(ui.createUserError, error, ui.newUserId);
    return;
  }
  sessionStorage.setItem(userKey(state.mode), user.userId);
  ui.newUserId.value = '';
  await refreshAll();
}

/**
 * Runs one of the five calls for the picked user and renders the outcome: the reply panel
 * always, an error next to the field it concerns. Resolves to whether the call succeeded.
 */
async function perform(operation, body) {
  const slots = { phone: [ui.phoneError, ui.phoneNumber], code: [ui.codeError, ui.verificationCode], status: [ui.phoneStatus] };
  for (const [slot, input] of Object.values(slots)) clearError(slot, input);
  if (!state.userId) {
    showError(ui.phoneStatus, new Error('Pick or create a user first'));
    return false;
  }
  let reply;
  let error;
  try {
    reply = await client().run(operation, state.userId, body, caller());
  } catch (caught) {
    error = caught;
  }
  renderReply(
    { summary: ui.replySummary, codeLine: ui.replyCodeLine, code: ui.replyCode, json: ui.replyJson },
    { operation, mode: state.mode, reply, error },
  );
  if (error) {
    const [slot, input] = slots[fieldOf(operation, error)];
    showError(slot, error, input);
  }
  await Promise.all([
    refreshUser(),
    client().outbox().then((messages) => renderOutbox(ui.outbox, messages, useCode)),
    client().deliveries().then((deliveries) => renderDeliveries(ui.deliveries, deliveries)),
  ]);
  return !error;
}

function clearReply() {
  ui.replySummary.textContent = 'No operation yet.';
  ui.replySummary.classList.add('hint');
  ui.replyCodeLine.hidden = true;
  ui.replyJson.textContent = '';
}

/** "Use code" in the outbox: picks the message's user and fills in its code. */
function useCode(message) {
  serial(async () => {
    if (message.userId !== state.userId) {
      ui.userSelect.value = message.userId;
      await pick(message.userId);
    }
    ui.verificationCode.value = message.code;
    clearError(ui.codeError, ui.verificationCode);
    ui.verificationCode.focus();
  });
}

start().catch((error) => {
  showStatus(error);
  throw error;
});
