// Live feedback while a phone number is typed: normalizePhone (the package's own parser, run in
// the page in both modes) gives the E.164 form and the region, or the error setPhone would give.
import { normalizePhone, PhoneError } from 'contact-phone';
import { ApiError } from '../api-error.js';
import { errorContent } from './errors.js';
import { el } from './dom.js';

/**
 * Renders the feedback for `input`'s value into `output` on every input event.
 * `defaultRegion` must be the one the calls use (the worker's DEFAULT_REGION, CH by default).
 */
export function attachPhoneFeedback(input, output, defaultRegion) {
  const render = () => {
    output.replaceChildren(...feedback(input.value, defaultRegion));
    output.dataset.state = output.querySelector('.error-id') ? 'invalid' : (input.value ? 'ok' : 'empty');
  };
  input.addEventListener('input', render);
  render();
}

function feedback(value, defaultRegion) {
  if (value === '') {
    return [`National (region ${defaultRegion}) or international (+…) form; spaces, dashes and brackets are fine.`];
  }
  try {
    const phone = normalizePhone(value, { defaultRegion });
    return [
      'E.164 ', el('output', { id: 'phone-e164' }, phone.e164),
      ' · region ', el('output', { id: 'phone-region' }, phone.region),
      ...(phone.valid ? [] : [' · ', el('span', { class: 'warning' }, 'not a valid number for its region')]),
    ];
  } catch (error) {
    if (!(error instanceof PhoneError)) throw error;
    return errorContent(new ApiError(error.status, error.toJSON()));
  }
}
