// The SQL host (server/sql-host.js) on PGlite in memory: its compare-and-swap under
// concurrent writers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import { Code } from '@connectrpc/connect';
import { setPhone } from 'contact-phone';
import { SqlHost, migrate } from '../../server/sql-host.js';
import { ADMIN, SECRET } from './support.mjs';

test('SqlHost on PGlite: concurrent setPhone calls lose no update', async (t) => {
  const pg = new PGlite();
  try {
    await migrate(pg);
    const host = new SqlHost(pg);
    const initial = (await host.seedUser({ userId: 'race', resourceOwner: 'org1', sequence: 7 })).sequence;
    assert.equal(initial, 7);
    const N = 20;
    const results = await Promise.allSettled(
      Array.from({ length: N }, (_, i) =>
        setPhone('race', { phone: { number: `+41 79 123 45 ${String(10 + i)}`, returnCode: {} } }, host, {
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
    const record = await host.loadUser('race');
    assert.equal(record.sequence, initial + 2 * successes.length);
    const { rows: [{ sequence }] } = await pg.query("SELECT sequence::int AS sequence FROM users WHERE user_id = 'race'");
    assert.equal(sequence, record.sequence);
    const events = await host.events('race');
    assert.equal(events.length, 2 * successes.length);
    assert.deepEqual(events.map((e) => e.sequence), Array.from({ length: events.length }, (_, i) => initial + 1 + i));
    // Each success's reply is one step of the log; the last one is the stored phone.
    const replied = successes.map((r) => Number(r.value.details.sequence)).sort((a, b) => a - b);
    assert.deepEqual(replied, Array.from({ length: successes.length }, (_, i) => initial + 2 * (i + 1)));
    const last = events.at(-2);
    assert.equal(last.type, 'user.human.phone.changed');
    assert.equal(last.payload.phone, record.phone.number);
  } finally {
    await pg.close();
  }
});
