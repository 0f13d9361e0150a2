// The Node server: one port for ZITADEL's services (contact-phone/connect on connect-node:
// Connect, gRPC-web and gRPC over h2c), the package's JSON API (handleHttp) and a few dev
// /admin routes, with the SQL host (server/sql-host.js) as storage.
//
// A cleartext node:http2 server speaks HTTP/2 only (Node 20 ignores allowHTTP1 without TLS),
// so a net.Server reads each connection's first bytes: the HTTP/2 preface ("PRI * HTTP/2.0")
// hands the socket to the http2 server, anything else to the http (HTTP/1.1) server.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { handleHttp } from 'contact-phone';
import { routes } from 'contact-phone/connect';
import { listLimit, tokenRequest, usersToCreate } from '../worker/admin-requests.js';
import { isAdmin as isAdminToken, issueToken } from '../worker/auth.js';
import { identityFromEnv } from '../worker/identity/index.js';
import { TWILIO_STATUS_PATH } from '../sms/twilio.js';
import { smsDelivery } from './sms.js';
import { SqlHost } from './sql-host.js';

/**
 * The largest request body read: reading stops at the byte past it and the answer is 413 (the
 * JSON API's own 413, past 16 KiB, comes from the package).
 */
const READ_MAX_BYTES = 64 * 1024;

/**
 * Starts the server. `db` is a query interface (PGlite, or see sql-host.js), already migrated.
 * `env` holds the settings by their environment names: CODE_SECRET, and the identity settings
 * of the edge worker (worker/identity/: OIDC_ISSUER, OIDC_AUDIENCE, …, or DEV_TOKENS=1 with
 * ADMIN_TOKEN and TOKEN_SECRET, which also serves /admin). Rejects with an
 * IdentityConfigError when they name no way to authenticate callers, rather than serving an
 * API that refuses everyone. `sms`: see server/sms.js. Resolves to
 * {url, port, host, sms, close()}; `sms.sender.runOnce()` lets tests drive deliveries.
 */
export async function startServer({ db, env, port = 8788, hostname = '127.0.0.1', defaultRegion, sms }) {
  const identity = identityFromEnv(env);
  const authenticate = (token) => identity.authenticate(token);
  const delivery = smsDelivery(db, sms);
  const store = new SqlHost(db, { authenticate, ...delivery.hostOptions });
  const options = { codeSecret: env.CODE_SECRET, ...(defaultRegion ? { defaultRegion } : {}) };
  const dev = identity.devTokens
    ? { isAdmin: (token) => isAdminToken(env, token), issue: (caller, lifetime) => issueToken(env, caller, lifetime) }
    : null;

  const fallback = (req, res) => {
    serveHttp(req, res, { store, delivery, options, dev }).catch((error) => {
      console.error(error);
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  };
  const handler = connectNodeAdapter({
    routes: (router) => routes(router, { host: store, options, authenticate }),
    readMaxBytes: 16 * 1024,
    fallback,
  });

  const h1 = http.createServer(handler);
  const h2 = http2.createServer(handler);
  const sessions = new Set();
  h2.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // Until a server owns the socket, a reset must not be an uncaught 'error'.
    const ignore = () => socket.destroy();
    socket.on('error', ignore);
    socket.once('data', (chunk) => {
      socket.off('error', ignore);
      socket.pause();
      socket.unshift(chunk);
      if (chunk.subarray(0, 3).toString('latin1') === 'PRI') {
        h2.emit('connection', socket); // the session reads the unshifted bytes itself
      } else {
        h1.emit('connection', socket);
        socket.resume();
      }
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (!sms?.manual) delivery.sender?.start();
  return {
    url: `http://${hostname}:${address.port}`,
    port: address.port,
    host: store,
    sms: delivery,
    async close() {
      await delivery.sender?.stop();
      const closed = new Promise((resolve) => server.close(resolve));
      for (const session of sessions) session.destroy();
      h1.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Reads the body up to READ_MAX_BYTES + 1 bytes: `{text, overLimit, notUtf8}` (text null when
 * empty or not UTF-8). It stops at the first byte past the limit and leaves the rest unread
 * (see `closing`).
 */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    const finish = (overLimit) => {
      req.off('data', onData).off('end', onEnd).off('error', reject);
      const bytes = Buffer.concat(chunks);
      if (!bytes.length) return resolve({ text: null, overLimit, notUtf8: false });
      try {
        resolve({ text: new TextDecoder('utf-8', { fatal: !overLimit }).decode(bytes), overLimit, notUtf8: false });
      } catch {
        resolve({ text: null, overLimit, notUtf8: true });
      }
    };
    const onData = (chunk) => {
      chunks.push(chunk.subarray(0, READ_MAX_BYTES + 1 - size));
      size += chunk.length;
      if (size > READ_MAX_BYTES) {
        req.pause();
        finish(true);
      }
    };
    const onEnd = () => finish(false);
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

/**
 * `Connection: close` for an HTTP/1.1 answer given before the body was read to its end: Node
 * would otherwise read (and drop) the rest to keep the connection alive. HTTP/2 has no such
 * header; its flow control already bounds what a peer sends unread.
 */
const closing = (req) => (req.httpVersionMajor === 1 ? { connection: 'close' } : {});

/**
 * The JSON API (handleHttp) and /admin, for every path that is not a Connect route. `dev` is
 * the development tokens' {isAdmin, issue} with DEV_TOKENS=1, else null: no /admin.
 */
async function serveHttp(req, res, { store, delivery, options, dev }) {
  const path = req.url;
  const pathname = new URL(path, 'http://localhost').pathname;
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith(':')) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (pathname === TWILIO_STATUS_PATH && req.method === 'POST' && delivery.providerReported) {
    const { text, overLimit } = await readBody(req);
    if (overLimit) return send(res, 413, { error: `body is over ${READ_MAX_BYTES} bytes` }, closing(req));
    const status = await delivery.providerReported(text, headers['x-twilio-signature']);
    res.writeHead(status);
    return res.end();
  }
  if (pathname === '/admin' || pathname.startsWith('/admin/')) {
    if (!dev) return send(res, 404, { error: 'the /admin routes are served only with DEV_TOKENS=1 (development)' }, closing(req));
    // The token first: a refused caller's body is never read.
    const token = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
    if (!(await dev.isAdmin(token))) {
      return send(res, 401, { error: 'admin token required (Authorization: Bearer $ADMIN_TOKEN)' }, {
        'www-authenticate': 'Bearer',
        ...closing(req),
      });
    }
    const { text, overLimit } = await readBody(req);
    if (overLimit) return send(res, 413, { error: `body is over ${READ_MAX_BYTES} bytes` }, closing(req));
    return serveAdmin(req.method, new URL(path, 'http://localhost'), text, res, { store, delivery, issue: dev.issue });
  }
  // Past the limit the package sees the first READ_MAX_BYTES + 1 bytes, enough for its 413.
  const { text, overLimit, notUtf8 } = await readBody(req);
  const reply = await handleHttp({ method: req.method, path, headers, body: text, bodyNotUtf8: notUtf8 }, store, options);
  if (reply.log) console.error(`contact-phone: ${reply.log}`);
  res.writeHead(reply.status, { ...reply.headers, ...(overLimit ? closing(req) : {}) });
  res.end(reply.body);
}

/**
 * Development administration (admin token): POST /admin/users (one user or an array; returns
 * their tokens), GET /admin/users, GET /admin/users/:id (record and events), POST /admin/tokens
 * ({userId?, permissions?, expiresInSeconds?}), GET /admin/outbox (?userId=&limit=; empty but
 * for the dev outbox), GET /admin/deliveries (?userId=&limit=), as the edge worker's.
 */
async function serveAdmin(method, url, body, res, { store, delivery, issue }) {
  const route = `${method} ${url.pathname}`;
  let json;
  if (method === 'POST') {
    try {
      json = JSON.parse(body ?? '');
    } catch (error) {
      return send(res, 400, { error: `body is not JSON: ${error.message}` });
    }
  }
  if (route === 'POST /admin/users') {
    const { users, error } = usersToCreate(json);
    if (error) return send(res, 400, { error });
    const created = [];
    for (const user of users) {
      const stored = await store.seedUser(user);
      created.push({ userId: stored.userId, sequence: stored.sequence, token: (await issue({ userId: stored.userId })).token });
    }
    return send(res, 201, { users: created });
  }
  if (route === 'GET /admin/users') return send(res, 200, { users: await store.users() });
  if (route === 'POST /admin/tokens') {
    const { caller, expiresInSeconds, error } = tokenRequest(json);
    if (error) return send(res, 400, { error });
    return send(res, 201, await issue(caller, { expiresInSeconds }));
  }
  const limit = listLimit(url);
  if (route === 'GET /admin/outbox') {
    const messages = delivery.mode === 'dev outbox' ? await store.outbox(url.searchParams.get('userId'), limit) : [];
    return send(res, 200, { messages });
  }
  if (route === 'GET /admin/deliveries') {
    return send(res, 200, { deliveries: delivery.outbox ? await delivery.outbox.list(url.searchParams.get('userId'), limit) : [] });
  }
  const user = /^\/admin\/users\/([^/]+)$/.exec(url.pathname);
  if (user && method === 'GET') {
    const userId = decodeURIComponent(user[1]);
    const record = await store.loadUser(userId);
    return record ? send(res, 200, { user: record, events: await store.events(userId) }) : send(res, 404, { error: 'no such user' });
  }
  return send(res, 404, { error: 'no such admin route' });
}
