// Development administration, behind ADMIN_TOKEN:
//   POST /admin/users     create or replace users (one object or an array); returns tokens
//   GET  /admin/users     the users created here: {userId, resourceOwner, kind, state}
//   GET  /admin/users/:id the stored record and its audit events
//   POST /admin/tokens    a signed token for any caller {userId?, permissions?, expiresInSeconds?}
//   GET  /admin/outbox    the dev SMS sink, newest first (?userId=…&limit=…; empty outside dev mode)
//   GET  /admin/deliveries the SMS delivery log, newest first (?userId=…&limit=…)
import { listLimit, tokenRequest, usersToCreate } from './admin-requests.js';
import { bearerToken, isAdmin, issueToken } from './auth.js';
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
  const limit = listLimit(url);
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

async function createUsers(request, env) {
  try {
    const { users, error } = usersToCreate(await readJson(request));
    if (error) return problem(400, error);
    const created = [];
    const entries = [];
    for (const user of users) {
      const stored = await userStore(env, user.userId).seed(user);
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

/** POST /admin/tokens: a token for the caller asked for (admin-requests.js); {token, expiresAt}. */
async function createToken(request, env) {
  try {
    const { caller, expiresInSeconds, error } = tokenRequest(await readJson(request));
    if (error) return problem(400, error);
    return json(201, await issueToken(env, caller, { expiresInSeconds }));
  } catch (response) {
    if (response instanceof Response) return response;
    throw response;
  }
}
