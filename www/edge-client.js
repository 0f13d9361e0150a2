// The edge mode: the same operations as HTTP requests to the worker on this origin (SPEC §6
// routes, /admin for users and the outbox). Same interface as browser-client.js.
import { ApiError } from './api-error.js';

const phonePath = (userId) => `/v3alpha/users/${encodeURIComponent(userId)}/phone`;
const ROUTES = {
  setPhone: (userId) => ['PUT', phonePath(userId)],
  verifyPhone: (userId) => ['POST', `${phonePath(userId)}/verify`],
  resendPhoneCode: (userId) => ['POST', `${phonePath(userId)}/resend`],
  removePhone: (userId) => ['DELETE', phonePath(userId)],
  getPhone: (userId) => ['GET', phonePath(userId)],
};

/** An /admin route's failure (`{error}` bodies), or a missing admin token. */
export class AdminError extends Error {
  constructor(status, message) {
    super(status ? `${message} (HTTP ${status})` : message);
    this.name = 'AdminError';
    this.status = status;
  }
}

/**
 * @param {() => string | null} adminToken the token the admin pasted (sessionStorage)
 */
export function edgeClient(adminToken) {
  // A user's own token, from POST /admin/users or POST /admin/tokens; memory only.
  const userTokens = new Map();

  function requireAdminToken() {
    const token = adminToken();
    if (!token) throw new AdminError(0, 'Paste the admin token that npm start printed');
    return token;
  }

  async function request(method, path, token, body) {
    const headers = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      throw new AdminError(response.status, `${method} ${path} answered with text that is not JSON`);
    }
    return { status: response.status, body: json };
  }

  async function admin(method, path, body) {
    const reply = await request(method, path, requireAdminToken(), body);
    if (reply.status >= 400) throw new AdminError(reply.status, reply.body?.error ?? `${method} ${path} failed`);
    return reply.body;
  }

  async function userToken(userId) {
    if (!userTokens.has(userId)) userTokens.set(userId, (await admin('POST', '/admin/tokens', { userId })).token);
    return userTokens.get(userId);
  }

  return {
    mode: 'edge',
    forgetTokens: () => userTokens.clear(),
    listUsers: async () => (await admin('GET', '/admin/users')).users,
    async createUser(user) {
      const { users } = await admin('POST', '/admin/users', user);
      for (const created of users) userTokens.set(created.userId, created.token);
    },
    async userDetails(userId) {
      const reply = await request('GET', `/admin/users/${encodeURIComponent(userId)}`, requireAdminToken());
      if (reply.status === 404) return null;
      if (reply.status >= 400) throw new AdminError(reply.status, reply.body?.error ?? 'GET /admin/users failed');
      return reply.body;
    },
    outbox: async () => (await admin('GET', '/admin/outbox')).messages,
    /** Each SMS's delivery state (GET /admin/deliveries); none while the dev outbox takes them. */
    deliveries: async () => (await admin('GET', '/admin/deliveries')).deliveries,

    /** Same contract as the browser client's run(): the reply, or an ApiError. */
    async run(operation, userId, body, as) {
      const token = as === 'admin' ? requireAdminToken() : await userToken(userId);
      const [method, path] = ROUTES[operation](userId);
      const reply = await request(method, path, token, body);
      if (reply.status === 200) return reply.body;
      if (ApiError.isBody(reply.body)) throw new ApiError(reply.status, reply.body);
      throw new AdminError(reply.status, `${method} ${path} failed`);
    },
  };
}
