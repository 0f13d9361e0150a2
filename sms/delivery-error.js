// A failed delivery attempt, sorted into "try again later" and "never going to work".

/**
 * Thrown by a provider's `send`. `permanent` means a retry cannot succeed (the provider refused
 * the request itself); `status` is the provider's HTTP status, if it answered. The message names
 * the provider and the status, never the SMS text or its code.
 */
export class DeliveryError extends Error {
  constructor(message, { permanent, status, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'DeliveryError';
    this.permanent = Boolean(permanent);
    this.status = status;
  }
}

/**
 * Whether an HTTP status is worth retrying: 5xx, 408 (timeout) and 429 (rate limited) are, any
 * other non-2xx status is a refusal of this very request (bad number, bad credentials, bad
 * configuration), which the same request repeated cannot change.
 */
export const isTransientStatus = (status) => status >= 500 || status === 408 || status === 429;

/** POSTs with `fetch`; resolves to the response if 2xx, else throws a DeliveryError. */
export async function post(fetchFn, provider, url, init, describe = async () => '') {
  let response;
  try {
    response = await fetchFn(url, { ...init, method: 'POST' });
  } catch (cause) {
    throw new DeliveryError(`${provider} could not be reached: ${cause?.message ?? cause}`, { permanent: false, cause });
  }
  if (response.ok) return response;
  const detail = await describe(response).catch(() => '');
  throw new DeliveryError(`${provider} answered ${response.status}${detail}`, {
    permanent: !isTransientStatus(response.status),
    status: response.status,
  });
}
