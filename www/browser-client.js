// The browser mode: the package's calls run in this page on the IndexedDB host. Same interface
// as edge-client.js, so the UI never asks which mode it is talking to.
import { getPhone, PhoneError, removePhone, resendPhoneCode, setPhone, verifyPhone } from 'contact-phone';
import { ApiError } from './api-error.js';

/** The admin caller of both modes: the worker's ADMIN_TOKEN resolves to the same. */
export const ADMIN_CALLER = Object.freeze({ permissions: ['user.write', 'user.read'] });

const CALLS = {
  setPhone: (userId, body, host, options) => setPhone(userId, body, host, options),
  verifyPhone: (userId, body, host, options) => verifyPhone(userId, body, host, options),
  resendPhoneCode: (userId, body, host, options) => resendPhoneCode(userId, body, host, options),
  removePhone: (userId, _body, host, options) => removePhone(userId, host, options),
  getPhone: (userId, _body, host, options) => getPhone(userId, host, options),
};

/** @param {import('./idb-host.js').IdbStore} store */
export function browserClient(store) {
  const host = store.host();
  return {
    mode: 'browser',
    listUsers: () => store.listUsers(),
    createUser: (user) => store.createUser(user),
    userDetails: (userId) => store.userDetails(userId),
    outbox: () => store.outbox(),
    /** SMS in this mode only ever reach the outbox: there is no provider to track. */
    deliveries: async () => [],

    /**
     * Runs `operation` (setPhone, verifyPhone, resendPhoneCode, removePhone, getPhone) for
     * `userId` as `as` ("admin" or "self"); rejects with an ApiError for the library's errors.
     */
    async run(operation, userId, body, as) {
      const options = {
        caller: as === 'admin' ? ADMIN_CALLER : { userId },
        codeSecret: await store.codeSecret(),
      };
      try {
        return await CALLS[operation](userId, body, host, options);
      } catch (error) {
        if (error instanceof PhoneError) throw new ApiError(error.status, error.toJSON());
        throw error;
      }
    },
  };
}
