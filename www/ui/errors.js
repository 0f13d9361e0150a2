// Where an operation's error is shown, and how. phone.number errors go next to the phone input,
// verificationCode errors next to the code input, the rest to the phone panel's status line.
// Both modes render through here, so the same error gives the same text in both.
import { ApiError } from '../api-error.js';
import { el } from './dom.js';

const PHONE_IDS = new Set(['PHONE-Zt0NV', 'PHONE-so0wa']);
const CODE_IDS = new Set(['CODE-woT0xc', 'CODE-locked', 'CODE-QvUQ4P', 'COMMAND-2M9fs']);

/**
 * "phone", "code" or "status": the field `error` of `operation` concerns, from its id or, for
 * REQUEST-invalid, the `field` the error body names.
 */
export function fieldOf(operation, error) {
  if (!(error instanceof ApiError)) return 'status';
  if (operation === 'setPhone' && (PHONE_IDS.has(error.id) || error.field === 'phone.number')) {
    return 'phone';
  }
  if (operation === 'verifyPhone' && (CODE_IDS.has(error.id) || error.field === 'verificationCode')) {
    return 'code';
  }
  return 'status';
}

/** The content of an error line: the message, the stable id and the HTTP status. */
export function errorContent(error) {
  if (error instanceof ApiError) {
    return [
      el('span', { class: 'error-message' }, error.message),
      ' ',
      el('code', { class: 'error-id' }, error.id),
      ' ',
      el('span', { class: 'error-status' }, `HTTP ${error.status}`),
    ];
  }
  return [el('span', { class: 'error-message' }, error.message)];
}

/** Shows `error` in `slot` and marks the input it describes (if any) as invalid. */
export function showError(slot, error, input) {
  slot.replaceChildren(...errorContent(error));
  slot.dataset.errorId = error instanceof ApiError ? error.id : '';
  slot.hidden = false;
  input?.setAttribute('aria-invalid', 'true');
}

export function clearError(slot, input) {
  slot.replaceChildren();
  delete slot.dataset.errorId;
  slot.hidden = true;
  input?.removeAttribute('aria-invalid');
}
