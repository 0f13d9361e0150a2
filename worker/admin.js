// Development administration, behind ADMIN_TOKEN:
//   POST /admin/users     create or replace users (one object or an array); returns tokens
//   GET  /admin/users     the users created here: {userId, resourceOwner, kind, state}
//   GET  /admin/users/:id the stored record and its audit events
//   POST /admin/tokens    a signed token for any caller {userId?, permissions?, expiresInSeconds?}
//   GET  /admin/outbox    the dev SMS sink, newest first (?userId=…&limit=…; empty outside dev mode)
//   GET  /admin/deliveries the SMS delivery log, newest first (?userId=…&limit=…)
import { bearerToken, DEV_TOKEN_MAX_SECONDS, DEV_TOKEN_SECONDS, isAdmin, issueToken, validLifetime } from './auth.js';
import { discardBody } from './body.js';
import { deliveries } from './deliveries.js';
import { usesDevOutbox } from './sms.js';
import { isDevMode } from './identity/index.js';
import { directory, jsonResponse as json, outbox, userStore } from './stubs.js';

const problem = (status, message) => json(status, { error: message });

/** The /admin routes: development only (DEV_TOKENS=1), then the admin token before any body. */
export async function handleAdmin(request, env) {
  if (!isDevMode(env)) {
    await discardBody(request);
    return problem(404, 'the /admin routes are served only with DEV_TOKENS=1 (development)');
  }
  if (!(await isAdmin(env, bearerToken(request)))) {
    await discardBody(request);
    return json(401, { error: 'admin token required (Authorization: Bearer $ADMIN_TOKEN)' }, { 'www-authenticate': 'Bearer' });
  }
  const url = new URL(request.url);
  const route = `${request.method} ${url.pathname}`;
  if (route === 'POST /admin/users') return createUsers(request, env);
  if (route === 'GET /admin/users') return json(200, { users: await directory(env).list() });
  if (route === 'POST /admin/tokens') return createToken(request, env);
  const limit = Math.min(Math.max(Number(url.searchParams.get('limit')) || 50, 1), 500);
  if (route === 'GET /admin/outbox') {
    const messages = usesDevOutbox(env) ? await outbox(env).list(url.searchParams.get('userId'), limit) : [];
    return json(200, { messages });
  }
  if (route === 'GET /admin/deliveries') {
    return json(200, { deliveries: await deliveries(env).list(url.searchParams.get('userId'), limit) });
  }
  const user = /^\/admin\/users\/([^/]+)$/.exec(url.pathname);
  if (user && request.method === 'GET') {
    const store = userStore(env, decodeURIComponent(user[1]));
    const record = await store.load();
    return record ? json(200, { user: record, events: await store.events() }) : problem(404, 'no such user');
  }
  await discardBody(request);
  return problem(404, 'no such admin route');
}

async function readJson(request) {
  try {
    return await request.json();
  } catch (error) {
    throw problem(400, `body is not JSON: ${error.message}`);
  }
}

function checkUser(user) {
  const text = (v) => typeof v === 'string' && v.length > 0 && v.length <= 200;
  if (!user || typeof user !== 'object' || !text(user.userId) || !text(user.resourceOwner)) {
    throw problem(400, 'each user needs a userId and a resourceOwner (strings of 1 to 200 characters)');
  }
}

async function createUsers(request, env) {
  try {
    const body = await readJson(request);
    const users = Array.isArray(body) ? body : [body];
    users.forEach(checkUser);
    const created = [];
    const entries = [];
    for (const user of users) {
      const stored = await userStore(env, user.userId).seed({ kind: 'human', state: 'active', ...user });
      created.push({ userId: stored.userId, sequence: stored.sequence, token: (await issueToken(env, { userId: stored.userId })).token });
      entries.push({ userId: stored.userId, resourceOwner: stored.resourceOwner, kind: stored.kind, state: stored.state });
    }
    await directory(env).put(entries);
    return json(201, { users: created });
  } catch (response) {
    if (response instanceof Response) return response;
    throw response;
  }
}

/**
 * POST /admin/tokens {userId?, permissions?, expiresInSeconds?}: a token for that caller, valid
 * 12 h unless `expiresInSeconds` (1 s to 30 days) says otherwise; answers {token, expiresAt}.
 */
async function createToken(request, env) {
  try {
    const body = await readJson(request);
    const valid = body && typeof body === 'object' && !Array.isArray(body)
      && (body.userId === undefined || typeof body.userId === 'string')
      && (body.permissions === undefined || (Array.isArray(body.permissions) && body.permissions.every((p) => typeof p === 'string')))
      && (body.expiresInSeconds === undefined || validLifetime(body.expiresInSeconds));
    if (!valid) {
      return problem(400, `a token is for {userId?: string, permissions?: string[], expiresInSeconds?: 1 to ${DEV_TOKEN_MAX_SECONDS}}`);
    }
    const { userId, permissions = [], expiresInSeconds = DEV_TOKEN_SECONDS } = body;
    const caller = userId === undefined ? { permissions } : { userId, permissions };
    const { token, expiresAt } = await issueToken(env, caller, { expiresInSeconds });
    return json(201, { token, expiresAt });
  } catch (response) {
    if (response instanceof Response) return response;
    throw response;
  }
}
