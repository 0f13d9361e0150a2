// What the /admin routes accept, read once for the worker (worker/admin.js) and the Node server
// (server/server.js), so that both answer the same.
import { DEV_TOKEN_MAX_SECONDS, DEV_TOKEN_SECONDS, validLifetime } from './auth.js';

const text = (v) => typeof v === 'string' && v.length > 0 && v.length <= 200;

/**
 * POST /admin/users: one user or an array, each with a userId and a resourceOwner (other
 * fields are kept; kind and state default to an active human). `{users}` or `{error}`.
 */
export function usersToCreate(body) {
  const users = Array.isArray(body) ? body : [body];
  if (!users.every((user) => user && typeof user === 'object' && text(user.userId) && text(user.resourceOwner))) {
    return { error: 'each user needs a userId and a resourceOwner (strings of 1 to 200 characters)' };
  }
  return { users: users.map((user) => ({ kind: 'human', state: 'active', ...user })) };
}

/**
 * POST /admin/tokens `{userId?, permissions?, expiresInSeconds?}`: `{caller, expiresInSeconds}`
 * (12 h unless given, 1 s to 30 days) or `{error}`.
 */
export function tokenRequest(body) {
  const valid = body && typeof body === 'object' && !Array.isArray(body)
    && (body.userId === undefined || text(body.userId))
    && (body.permissions === undefined || (Array.isArray(body.permissions) && body.permissions.every(text)))
    && (body.expiresInSeconds === undefined || validLifetime(body.expiresInSeconds));
  if (!valid) {
    return { error: `a token is for {userId?: string, permissions?: string[], expiresInSeconds?: 1 to ${DEV_TOKEN_MAX_SECONDS}}` };
  }
  const { userId, permissions = [], expiresInSeconds = DEV_TOKEN_SECONDS } = body;
  return { caller: userId === undefined ? { permissions } : { userId, permissions }, expiresInSeconds };
}

/** `?limit=` of the listing routes: 50 unless given, 1 to 500. */
export const listLimit = (url) => Math.min(Math.max(Number(url.searchParams.get('limit')) || 50, 1), 500);
