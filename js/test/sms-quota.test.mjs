// The hosts' reserveSms (worker/sms-quota.js): the per-number SMS limit across users, on the
// worker's SmsQuota Durable Object (through miniflare), the SQL host on PGlite and, when
// TEST_DATABASE_URL is set, on PostgreSQL. The same cases run on each: the sliding window,
// the retry-after, a clock that steps back or forward, and 40 concurrent reservations.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { setPhone } from 'contact-phone';
import { SqlHost, migrate, pgQueries } from '../../server/sql-host.js';
import { bundleWorker, startWorker } from '../../worker/dev.mjs';
import { ADMIN, NOW, SECOND, SECRET, iso, rejects } from './support.mjs';

/** A reservation of `to` by `userId` at NOW + `seconds`. */
const reservation = (to, userId, seconds, { limit = 5, windowSeconds = 3600 } = {}) =>
  ({ to, userId, at: iso(NOW + seconds * SECOND), limit, windowSeconds });

/** A random Swiss mobile number in E.164, so cases (and runs on one database) share none. */
const freshNumber = () => `+4179${String(randomInt(10_000_000)).padStart(7, '0')}`;

/** The cases, for `reserve(reservation) → Promise<true | {retryAfterSeconds}>` of one host. */
function reserveSmsCases(reserve) {
  test('five per window; the sixth waits for the oldest to leave it', async () => {
    const to = freshNumber();
    const replies = [];
    for (const seconds of [0, 1, 2, 3, 4]) replies.push(await reserve(reservation(to, `u${seconds}`, seconds)));
    replies.push(await reserve(reservation(to, 'u5', 10))); // the oldest (0 s) leaves at 3600 s
    replies.push(await reserve(reservation(to, 'u6', 3600))); // 0 s is out: time > end - window
    replies.push(await reserve(reservation(to, 'u7', 3600.5))); // 1 s leaves in 0.5 s: at least 1
    replies.push(await reserve(reservation(to, 'u8', 3601))); // 1 s is out
    assert.deepEqual(replies, [true, true, true, true, true, { retryAfterSeconds: 3590 }, true, { retryAfterSeconds: 1 }, true]);
  });

  test('a clock that steps back frees nothing; reservations dated after `at` count', async () => {
    const back = freshNumber();
    const limit = { limit: 2 };
    assert.deepEqual(await reserve(reservation(back, 'a', 0, limit)), true);
    // Two hours back: the window still ends at 0 s, so only one place is left, then none.
    assert.deepEqual(await reserve(reservation(back, 'b', -7200, limit)), true);
    assert.deepEqual(await reserve(reservation(back, 'c', -7200, limit)), { retryAfterSeconds: 3600 });
    assert.deepEqual(await reserve(reservation(back, 'c', 1800, limit)), { retryAfterSeconds: 1800 });

    const ahead = freshNumber();
    assert.deepEqual(await reserve(reservation(ahead, 'a', 600, { limit: 1 })), true);
    assert.deepEqual(await reserve(reservation(ahead, 'b', 0, { limit: 1 })), { retryAfterSeconds: 3600 });
    assert.deepEqual(await reserve(reservation(ahead, 'b', 0, { limit: 1, windowSeconds: 60 })), { retryAfterSeconds: 60 });
  });

  test('40 concurrent reservations of one number with limit 5: exactly 5 are true', async () => {
    const to = freshNumber();
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => reserve(reservation(to, `u${i}`, 0))));
    assert.equal(replies.filter((reply) => reply === true).length, 5);
    assert.deepEqual(replies.filter((reply) => reply !== true), Array(35).fill({ retryAfterSeconds: 3600 }));
    // Another number has its own window.
    assert.deepEqual(await reserve(reservation(freshNumber(), 'u0', 0)), true);
  });
}

/** Six users set one number with sendCode through the package: the sixth is throttled. */
async function sixUsersOneNumber(host, seed) {
  const number = freshNumber();
  const users = Array.from({ length: 6 }, () => `quota-${randomUUID()}`);
  for (const userId of users) await seed(userId);
  const call = (userId) => setPhone(userId, { phone: { number, sendCode: {} } }, host, { caller: ADMIN, codeSecret: SECRET });
  for (const userId of users.slice(0, 5)) assert.equal((await call(userId)).details.sequence, '3');
  await rejects(call(users[5]), { id: 'PHONE-throttled', code: 8, status: 429 });
}

describe('SmsQuota Durable Object (worker)', () => {
  const env = { ADMIN_TOKEN: 'admin-test-token', TOKEN_SECRET: 't'.repeat(32), CODE_SECRET: SECRET };
  let worker;
  before(async () => {
    const bundleDir = await bundleWorker(mkdtempSync(join(tmpdir(), 'contact-phone-bundle-')));
    worker = await startWorker({ port: 0, env, bundleDir, rateLimit: { limit: 100_000, period: 60 } });
  });
  after(() => worker?.dispose());

  // A stub per call, as separate requests would have; replies copied out of miniflare's proxy.
  reserveSmsCases(async (request) => {
    const reply = await (await worker.durableObject('SMS_QUOTA', request.to)).reserve(request);
    return reply === true ? true : JSON.parse(JSON.stringify(reply));
  });

  test('the worker passes reserveSms to the package: a sixth user of one number is 429', async () => {
    const admin = { authorization: `Bearer ${env.ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const users = Array.from({ length: 6 }, (_, i) => ({ userId: `shared-${i}`, resourceOwner: 'acme' }));
    const created = await fetch(`${worker.url}/admin/users`, { method: 'POST', headers: admin, body: JSON.stringify(users) });
    assert.equal(created.status, 201);
    const statuses = [];
    for (const { userId } of users) {
      const reply = await fetch(`${worker.url}/v3alpha/users/${userId}/phone`, {
        method: 'PUT', headers: admin, body: JSON.stringify({ phone: { number: '+41 79 555 12 34' } }),
      });
      statuses.push([reply.status, reply.status === 429 ? (await reply.json()).details[0].id : null]);
    }
    assert.deepEqual(statuses, [...Array(5).fill([200, null]), [429, 'PHONE-throttled']]);
    const outbox = await (await fetch(`${worker.url}/admin/outbox?limit=50`, { headers: admin })).json();
    assert.equal(outbox.messages.filter((m) => m.to === '+41795551234').length, 5);
  });
});

describe('SqlHost#reserveSms on PGlite', () => {
  let db;
  before(async () => {
    db = new PGlite();
    await migrate(db);
  });
  after(() => db?.close());

  reserveSmsCases((request) => new SqlHost(db).reserveSms(request));

  // (Miniflare's proxy garbles errors thrown in a Durable Object, so this one runs here.)
  test('a malformed reservation is an error, not a free SMS', async () => {
    const host = new SqlHost(db);
    const to = freshNumber();
    await assert.rejects(host.reserveSms({ ...reservation(to, 'u', 0), at: 'yesterday' }), {
      name: 'TypeError',
      message: 'reserveSms needs {to, userId, at (RFC 3339)}',
    });
    await assert.rejects(host.reserveSms({ ...reservation(to, 'u', 0), limit: 0 }), {
      name: 'TypeError',
      message: 'reserveSms needs a limit >= 1 and windowSeconds > 0',
    });
    const { rows } = await db.query('SELECT count(*)::int AS n FROM sms_reservations WHERE phone = $1', [to]);
    assert.deepEqual(rows, [{ n: 0 }]);
  });

  test('reservations older than a day past the window end are pruned', async () => {
    const host = new SqlHost(db);
    const to = freshNumber();
    for (const seconds of [0, 1]) assert.equal(await host.reserveSms(reservation(to, 'u', seconds)), true);
    assert.equal(await host.reserveSms(reservation(to, 'u', 86_400.5)), true); // 0 s is past a day
    const { rows } = await db.query('SELECT user_id, at_ms::text AS at_ms FROM sms_reservations WHERE phone = $1 ORDER BY at_ms', [to]);
    assert.deepEqual(rows.map((row) => Number(row.at_ms) - NOW), [1000, 86_400_500]);
  });

  test('the package with SqlHost: a sixth user of one number is PHONE-throttled', async () => {
    const host = new SqlHost(db, { devOutbox: true });
    await sixUsersOneNumber(host, (userId) => host.seedUser({ userId, resourceOwner: 'org1' }));
  });
});

// Against a PostgreSQL server through `pg`, when TEST_DATABASE_URL names one (a throwaway
// database: the tables are created there). Skipped otherwise, as in node-server.test.mjs.
describe('SqlHost#reserveSms on PostgreSQL (pg)', { skip: !process.env.TEST_DATABASE_URL && 'TEST_DATABASE_URL is not set' }, () => {
  let pool;
  let db;
  before(async () => {
    const { default: pg } = await import('pg');
    pool = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 10 });
    db = pgQueries(pool);
    await migrate(db);
  });
  after(() => pool?.end());

  reserveSmsCases((request) => new SqlHost(db).reserveSms(request));
});
