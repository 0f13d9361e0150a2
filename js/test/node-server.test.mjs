// The Node server (server/, npm run start:node) on PGlite in memory: ZITADEL's client over
// gRPC (h2c), Connect JSON, Connect binary and gRPC-web (HTTP/1.1) with the shared cases of
// zitadel-cases.mjs, the JSON API and /admin on the same port, and the SQL host's
// compare-and-swap under concurrent writers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { Code } from '@connectrpc/connect';
import { setPhone } from 'contact-phone';
import { SqlHost, migrate, pgQueries } from '../../server/sql-host.js';
import { startServer } from '../../server/server.js';
import { ADMIN, MOBILE, MOBILE_E164, SECRET, postUnfinished } from './support.mjs';
import { caseTarget, declareZitadelCases, seedCaseUsers } from './zitadel-cases.mjs';
import { zitadelTransports } from './zitadel-clients.mjs';

const SECRETS = { ADMIN_TOKEN: 'admin-test-token-0123456789', TOKEN_SECRET: 'token-secret-0123456789abcdef0123', CODE_SECRET: SECRET };

let db;
let server;
const target = caseTarget({ url: () => server.url, adminToken: SECRETS.ADMIN_TOKEN, resourceOwner: 'org1' });
const tokens = target.tokens;

/** gRPC over h2c, the others over HTTP/1.1, all on the one port. */
const transports = zitadelTransports({ http1: () => server.url, http2: () => server.url });

before(async () => {
  db = new PGlite();
  await migrate(db);
  server = await startServer({ db, env: { ...SECRETS, DEV_TOKENS: '1' }, port: 0, sms: { devOutbox: true } });
  await seedCaseUsers(target, Object.keys(transports), [{ userId: 'json-user', resourceOwner: 'org1' }]);
});
after(async () => {
  await server?.close();
  await db?.close();
});

function admin(method, path, body, token = SECRETS.ADMIN_TOKEN) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

for (const [protocol, transport] of Object.entries(transports)) declareZitadelCases(target, protocol, transport);

test('the JSON API on the same port: PUT then GET, over HTTP/1.1', async () => {
  const put = await admin('PUT', '/v3alpha/users/json-user/phone', { phone: { number: MOBILE, isVerified: true } });
  assert.equal(put.status, 200, await put.clone().text());
  assert.equal((await put.json()).details.sequence, '3'); // changed + verified
  const get = await admin('GET', '/v3alpha/users/json-user/phone', undefined, tokens['json-user']);
  assert.equal(get.status, 200);
  const body = await get.json();
  assert.deepEqual(body.phone, { number: MOBILE_E164, isVerified: true });
  assert.equal(body.details.sequence, '3');
  const anonymous = await fetch(`${server.url}/v3alpha/users/json-user/phone`);
  assert.equal(anonymous.status, 401);
  assert.equal((await anonymous.json()).details[0].id, 'AUTH-unauthenticated');
});

test('a connection reset before its first byte does not stop the server', async () => {
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.resetAndDestroy();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal((await admin('GET', '/admin/users')).status, 200);
});

test('/admin needs the admin token', async () => {
  const reply = await admin('POST', '/admin/users', { userId: 'x', resourceOwner: 'o' }, tokens['json-user']);
  assert.equal(reply.status, 401);
  assert.equal((await admin('GET', '/admin/users/x')).status, 404);
});

test('bodies that never end: /admin refuses before reading, past 64 KiB reading stops at 413', { timeout: 30_000 }, async () => {
  // Each sends 1 MiB of a body that never ends: reading it all would never answer.
  const unfinished = (path, token) => postUnfinished(`${server.url}${path}`, { bytes: 1024 * 1024, headers: { authorization: `Bearer ${token}` } });
  const refused = { status: 401, body: { error: 'admin token required (Authorization: Bearer $ADMIN_TOKEN)' } };
  assert.deepEqual(await unfinished('/admin/users', tokens['json-user']), refused);
  assert.deepEqual(await unfinished('/admin/tokens', 'guess'), refused);
  assert.deepEqual(await unfinished('/admin/users', SECRETS.ADMIN_TOKEN), { status: 413, body: { error: 'body is over 65536 bytes' } });
  const api = await unfinished('/v3alpha/users/json-user/phone/verify', SECRETS.ADMIN_TOKEN);
  assert.equal(api.status, 413);
  assert.deepEqual(api.body.details.map((d) => d.id), ['HTTP-too-large']);
  // A body at the limit is still read whole and answered by the route.
  const atLimit = await fetch(`${server.url}/admin/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRETS.ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 'x', resourceOwner: 'o', padding: 'p'.repeat(64 * 1024 - 48) }).padEnd(64 * 1024, ' '),
  });
  assert.equal(atLimit.status, 201);
  assert.equal((await admin('GET', '/admin/users/x')).status, 200);
});

test('the connection of a refused body is closed, not drained: the sender cannot push 64 MiB', { timeout: 60_000 }, async () => {
  /** Writes up to 64 MiB as fast as the socket takes it; the MiB written when a write failed. */
  const push = (path, token) => new Promise((resolve) => {
    const request = http.request(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < 64 * 1024 * 1024) {
        sent += chunk.length;
        if (!request.write(chunk)) return;
      }
      request.destroy();
      resolve({ drained: true });
    };
    request.on('drain', pump);
    request.on('response', (response) => response.resume());
    request.on('error', (error) => resolve({ closed: ['EPIPE', 'ECONNRESET'].includes(error.code), under64MiB: sent < 64 * 1024 * 1024 }));
    pump();
  });
  const closed = { closed: true, under64MiB: true };
  assert.deepEqual(await push('/admin/users', 'guess'), closed);
  assert.deepEqual(await push('/admin/users', SECRETS.ADMIN_TOKEN), closed);
  assert.deepEqual(await push('/v3alpha/users/json-user/phone/verify', SECRETS.ADMIN_TOKEN), closed);
});

test('over h2c too: an unfinished body is refused (401, 413) and the session stays usable', { timeout: 30_000 }, async () => {
  const session = http2.connect(server.url);
  const post = (path, token, body, { end = true } = {}) => new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': path, authorization: `Bearer ${token}`, 'content-type': 'application/json' });
    let status;
    let text = '';
    stream.on('response', (headers) => { status = headers[':status']; });
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => { text += chunk; });
    stream.on('end', () => resolve({ status, body: JSON.parse(text) }));
    stream.on('error', reject);
    stream.write(body);
    if (end) stream.end();
  });
  try {
    const endless = Buffer.alloc(1024 * 1024, 'a');
    assert.deepEqual(await post('/admin/users', 'guess', endless, { end: false }), {
      status: 401,
      body: { error: 'admin token required (Authorization: Bearer $ADMIN_TOKEN)' },
    });
    assert.deepEqual(await post('/admin/users', SECRETS.ADMIN_TOKEN, endless, { end: false }), { status: 413, body: { error: 'body is over 65536 bytes' } });
    const api = await post('/v3alpha/users/json-user/phone/verify', SECRETS.ADMIN_TOKEN, endless, { end: false });
    assert.deepEqual([api.status, api.body.details[0].id], [413, 'HTTP-too-large']);
    const created = await post('/admin/users', SECRETS.ADMIN_TOKEN, JSON.stringify({ userId: 'h2c-user', resourceOwner: 'org1' }));
    assert.equal(created.status, 201);
    assert.equal(created.body.users[0].userId, 'h2c-user');
  } finally {
    session.close();
  }
});

/**
 * N parallel setPhone calls on one user through the package with `host`: each succeeds or is
 * COMMAND-conflict, and the stored sequence and the events table account for every success.
 */
async function raceSetPhone(t, host, query, userId, N = 20) {
  const initial = (await host.seedUser({ userId, resourceOwner: 'org1', sequence: 7 })).sequence;
  assert.equal(initial, 7);
  const results = await Promise.allSettled(
    Array.from({ length: N }, (_, i) =>
      setPhone(userId, { phone: { number: `+41 79 123 45 ${String(10 + i)}`, returnCode: {} } }, host, {
        caller: ADMIN,
        codeSecret: SECRET,
      })),
  );
  const successes = results.filter((r) => r.status === 'fulfilled');
  for (const r of results) {
    if (r.status === 'rejected') {
      assert.equal(r.reason.id, 'COMMAND-conflict', String(r.reason));
      assert.equal(r.reason.code, Code.Aborted);
    }
  }
  assert.ok(successes.length >= 1);
  t.diagnostic(`${successes.length} of ${N} succeeded, ${N - successes.length} COMMAND-conflict`);
  const record = await host.loadUser(userId);
  assert.equal(record.sequence, initial + 2 * successes.length);
  const { rows: [{ sequence }] } = await query('SELECT sequence::int AS sequence FROM users WHERE user_id = $1', [userId]);
  assert.equal(sequence, record.sequence);
  const events = await host.events(userId);
  assert.equal(events.length, 2 * successes.length);
  assert.deepEqual(events.map((e) => e.sequence), Array.from({ length: events.length }, (_, i) => initial + 1 + i));
  // Each success's reply is one step of the log; the last one is the stored phone.
  const replied = successes.map((r) => Number(r.value.details.sequence)).sort((a, b) => a - b);
  assert.deepEqual(replied, Array.from({ length: successes.length }, (_, i) => initial + 2 * (i + 1)));
  const last = events.at(-2);
  assert.equal(last.type, 'user.human.phone.changed');
  assert.equal(last.payload.phone, record.phone.number);
}

test('SqlHost on PGlite: concurrent setPhone calls lose no update', async (t) => {
  const pg = new PGlite();
  try {
    await migrate(pg);
    await raceSetPhone(t, new SqlHost(pg), (text, params) => pg.query(text, params), 'race');
  } finally {
    await pg.close();
  }
});

// Against a PostgreSQL server through `pg`, when TEST_DATABASE_URL names one (a throwaway
// database: the tables are created there). Skipped otherwise.
test('SqlHost on PostgreSQL (pg): concurrent setPhone calls lose no update', { skip: !process.env.TEST_DATABASE_URL && 'TEST_DATABASE_URL is not set' }, async (t) => {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 10 });
  try {
    const db = pgQueries(pool);
    await migrate(db);
    await raceSetPhone(t, new SqlHost(db), (text, params) => pool.query(text, params), `race-${randomUUID()}`);
  } finally {
    await pool.end();
  }
});

test('the JSON API: a body that is not UTF-8 is 400 REQUEST-invalid', async () => {
  const json = new TextEncoder().encode('{"phone": {"number": "079 123 45 67"}, "x": "');
  const response = await fetch(`${server.url}/v3alpha/users/json-user/phone`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${SECRETS.ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: new Uint8Array([...json, 0xc3, 0x28, 0x22, 0x7d]),
  });
  assert.equal(response.status, 400);
  assert.equal((await response.json()).details[0].message, 'Request is invalid: body is not UTF-8 text');
});
