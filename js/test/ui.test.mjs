// The admin UI (www/) end to end in headless Chromium: Debian's /usr/bin/chromium driven by
// playwright-core (which never downloads a browser). The worker itself serves the page, as
// `npm start` does, so the browser mode (wasm + IndexedDB in the page) and the edge mode (the
// worker's HTTP API) are tested against one origin. Each test gets a fresh browser context, so
// a fresh IndexedDB; every test ends by checking that the page logged no console error and threw
// no page error. Screenshots go to test-results/screenshots/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { bundleWorker, startWorker } from '../../worker/dev.mjs';
import { startReceiver, TWILIO } from './sms-receivers.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOTS = join(root, 'test-results/screenshots');
const env = { ADMIN_TOKEN: 'admin-ui-test-token', TOKEN_SECRET: 't'.repeat(32), CODE_SECRET: 'c'.repeat(32) };
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const CODE = /^[A-Z0-9]{6}$/;
// Chromium logs every HTTP error reply as a console error of its own ("Failed to load
// resource"); in edge mode the API's 4xx replies are expected answers, so those lines are
// matched against the replies the test expects instead of counting as page errors.
const NETWORK_LOG = /^Failed to load resource: the server responded with a status of (\d{3}) /;

let worker;
let browser;
let bundleDir;

/** The worker's admin API, for seeding and for reading back what the UI did. */
async function admin(method, path, body) {
  const response = await fetch(`${worker.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.json();
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (bash scripts/setup.sh --browsers)`);
  assert.ok(existsSync(join(root, 'www/vendor/contact-phone/index.js')), 'www/vendor/contact-phone is missing: run npm run build');
  mkdirSync(SCREENSHOTS, { recursive: true });
  bundleDir = await bundleWorker(mkdtempSync(join(tmpdir(), 'contact-phone-ui-bundle-')));
  // The UI tests are not about the per-client rate limit (worker.test.mjs is); all their
  // requests come from one local client.
  worker = await startWorker({ port: 0, env, bundleDir, rateLimit: { limit: 100_000, period: 60 } });
  await admin('POST', '/admin/users', [
    { userId: 'erin', resourceOwner: 'acme' },
    { userId: 'frank', resourceOwner: 'acme' },
    { userId: 'grace', resourceOwner: 'globex' },
  ]);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await worker?.dispose();
});

/**
 * A fresh context and page on the admin UI, ready. `ui.apiErrors` lists the HTTP error replies
 * of the API the page received; `ui.assertClean(expected)` checks them against the expected
 * statuses and that nothing else was logged as an error or warning, and no page error occurred.
 */
async function openUi(t, { viewport = { width: 1280, height: 900 }, origin = worker.url } = {}) {
  const context = await browser.newContext({ viewport });
  t.after(() => context.close());
  const page = await context.newPage();
  const problems = [];
  const apiErrors = [];
  const networkLog = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.stack ?? error}`));
  page.on('console', (message) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    const network = NETWORK_LOG.exec(message.text());
    if (network && message.type() === 'error') networkLog.push({ status: Number(network[1]), url: message.location().url });
    else problems.push(`console.${message.type()}: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) apiErrors.push({ status: response.status(), url: response.url() });
  });
  await page.goto(`${origin}/`);
  await page.waitForSelector('body[data-ready="true"]');
  return {
    page,
    context,
    apiErrors,
    /** Fails on any console error or warning, page error, or unexpected HTTP error reply. */
    assertClean(expectedStatuses = []) {
      assert.deepEqual(problems, []);
      assert.deepEqual(apiErrors.map((e) => e.status), expectedStatuses);
      for (const error of apiErrors) assert.match(new URL(error.url).pathname, /^\/v3alpha\/users\/[^/]+\/phone/);
      // Chromium's own network log lines are exactly those replies, nothing more.
      assert.deepEqual(networkLog, apiErrors);
    },
  };
}

/** Runs `action` and waits until the page has finished the action it started. */
async function act(page, action) {
  const before = Number(await page.getAttribute('body', 'data-ops'));
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.ops) > n, before);
}

const click = (page, selector) => act(page, () => page.click(selector));

async function setPhone(page, number, mode = 'sendCode') {
  await page.fill('#phone-number', number);
  await page.check(`input[name="verification"][value="${mode}"]`);
  await click(page, '#set-phone button[type="submit"]');
}

async function verify(page, code) {
  await page.fill('#verification-code', code);
  await click(page, '#verify-phone button[type="submit"]');
}

async function caller(page, as) {
  await page.check(`input[name="caller"][value="${as}"]`);
}

/** The last reply: the operation, the status and the parsed JSON body. */
async function reply(page) {
  return {
    operation: await page.textContent('#reply-operation'),
    status: await page.textContent('#reply-status'),
    body: JSON.parse(await page.textContent('#reply-json')),
  };
}

/** What an error slot shows, or null if it is hidden. */
async function errorIn(page, slot) {
  if (await page.isHidden(slot)) return null;
  return {
    message: await page.textContent(`${slot} .error-message`),
    id: await page.textContent(`${slot} .error-id`),
    status: await page.textContent(`${slot} .error-status`),
  };
}

const WRONG_CODE = { message: 'Code is invalid', id: 'CODE-woT0xc', status: 'HTTP 400' };
const LOCKED = { message: 'Too many wrong codes: request a new code', id: 'CODE-locked', status: 'HTTP 429' };

/** Sets 0791234567 with returnCode, then verifies a wrong code five times (the default
 * maxAttempts), checking the error each time and running `onAttempt(attempt)` after it. */
async function guessWrongFiveTimes(page, onAttempt = async () => {}) {
  await setPhone(page, '0791234567', 'returnCode');
  const code = (await reply(page)).body.verificationCode;
  const wrong = code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    await verify(page, wrong);
    assert.deepEqual(await errorIn(page, '#code-error'), WRONG_CODE);
    await onAttempt(attempt);
  }
  return { code, wrong };
}

const noErrors = async (page) => ({
  phone: await errorIn(page, '#phone-error'),
  code: await errorIn(page, '#code-error'),
  status: await errorIn(page, '#phone-status'),
});

async function summary(page) {
  return Object.fromEntries(await page.$$eval('#user-summary dd', (dds) => dds.map((dd) => [dd.id.replace('summary-', ''), dd.textContent])));
}

const eventsShown = (page) => page.$$eval('#events li[data-sequence]', (items) =>
  items.map((li) => [Number(li.dataset.sequence), li.querySelector('.type').textContent]));

const usersShown = (page) => page.$$eval('#user-select option', (options) => options.map((o) => o.textContent));

const outboxShown = (page) => page.$$eval('#outbox li[data-user-id]', (items) => items.map((li) => ({
  to: li.querySelector('.to').textContent,
  userId: li.dataset.userId,
  text: li.querySelector('.text').textContent,
})));

async function pickUser(page, userId) {
  await act(page, () => page.selectOption('#user-select', userId));
}

async function createUser(page, userId, resourceOwner = 'acme') {
  await page.fill('#new-user-id', userId);
  await page.fill('#new-user-org', resourceOwner);
  await click(page, '#create-user button[type="submit"]');
}

/** Everything the browser mode keeps in IndexedDB, read back in the page. */
function readIndexedDb(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('contact-phone-admin');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction(['users', 'events', 'outbox']);
      const dump = {};
      for (const name of ['users', 'events', 'outbox']) {
        const request = tx.objectStore(name).getAll();
        request.onsuccess = () => { dump[name] = request.result; };
      }
      tx.oncomplete = () => {
        open.result.close();
        resolve(dump);
      };
      tx.onerror = () => reject(tx.error);
    };
  }));
}

async function switchToEdge(page) {
  await act(page, () => page.check('input[name="mode"][value="edge"]'));
}

async function useAdminToken(page) {
  await page.fill('#admin-token', env.ADMIN_TOKEN);
  await act(page, () => page.press('#admin-token', 'Enter'));
}

const shot = (page, name) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

describe('browser mode (wasm + IndexedDB in the page)', () => {
  test('sendCode: the SMS in the outbox panel, its code verifies, get', async (t) => {
    const ui = await openUi(t);
    const { page } = ui;
    assert.deepEqual(await usersShown(page), ['alice · acme · human · active']);
    assert.equal(await page.textContent('#picked-user'), 'alice');
    assert.deepEqual(await summary(page), {
      org: 'acme', kind: 'human · active', sequence: '1', phone: 'none', verified: '–', code: 'none',
    });

    await caller(page, 'self');
    await setPhone(page, '079 123 45 67', 'sendCode');
    const set = await reply(page);
    assert.equal(set.operation, 'setPhone');
    assert.equal(set.status, '200');
    assert.deepEqual(Object.keys(set.body), ['details']);
    assert.equal(set.body.details.sequence, '3');
    assert.equal(set.body.details.resourceOwner, 'acme');
    assert.match(set.body.details.changeDate, ISO_MS);
    assert.equal(await page.isHidden('#reply-code-line'), true);

    const stored = await readIndexedDb(page);
    assert.equal(stored.outbox.length, 1);
    const sms = stored.outbox[0];
    assert.equal(sms.to, '+41791234567');
    assert.match(sms.code, CODE);
    assert.equal(sms.text, `Your verification code is ${sms.code}`);
    assert.deepEqual(await outboxShown(page), [{ to: '+41791234567', userId: 'alice', text: sms.text }]);
    assert.equal(stored.users[0].phone.number, '+41791234567');
    assert.equal(stored.users[0].phone.isVerified, false);
    assert.equal(stored.users[0].phone.code.failedAttempts, 0);
    assert.equal(JSON.stringify(stored.users[0]).includes(sms.code), false, 'the code is stored only as a hash');
    assert.equal((await summary(page)).phone, '+41791234567');
    await shot(page, 'browser-sendcode');

    await act(page, () => page.click(`#outbox button:has-text("Use code ${sms.code}")`));
    assert.equal(await page.inputValue('#verification-code'), sms.code);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'verification-code');
    await act(page, () => page.keyboard.press('Enter'));
    const verified = await reply(page);
    assert.equal(verified.operation, 'verifyPhone');
    assert.equal(verified.status, '200');
    assert.equal(verified.body.details.sequence, '4');
    assert.equal(await page.inputValue('#verification-code'), '');
    assert.deepEqual(await eventsShown(page), [
      [2, 'user.human.phone.changed'], [3, 'user.human.phone.code.added'], [4, 'user.human.phone.verified'],
    ]);
    const after = await readIndexedDb(page);
    assert.deepEqual(after.users[0].phone, { number: '+41791234567', isVerified: true, code: null });
    assert.equal(after.users[0].sequence, 4);
    assert.deepEqual(after.events.map((e) => [e.userId, e.sequence, e.type]), [
      ['alice', 2, 'user.human.phone.changed'], ['alice', 3, 'user.human.phone.code.added'], ['alice', 4, 'user.human.phone.verified'],
    ]);
    assert.deepEqual(after.events[1].payload, { expiresAt: sms.expiresAt, codeReturned: false });

    await click(page, '#get-phone');
    const got = await reply(page);
    assert.equal(got.operation, 'getPhone');
    assert.deepEqual(got.body.phone, { number: '+41791234567', isVerified: true });
    assert.equal(got.body.details.sequence, '4');
    assert.deepEqual(await noErrors(page), { phone: null, code: null, status: null });
    ui.assertClean();
  });

  test('returnCode and isVerified; permissions, remove and resend errors in the status line', async (t) => {
    const ui = await openUi(t);
    const { page } = ui;
    await createUser(page, 'bob', 'acme');
    assert.deepEqual(await usersShown(page), ['alice · acme · human · active', 'bob · acme · human · active']);
    assert.equal(await page.textContent('#picked-user'), 'bob');

    // A returned code needs user.write, even on one's own phone (SPEC §2.4).
    await caller(page, 'self');
    await setPhone(page, '+41 71 123 45 67', 'returnCode');
    assert.deepEqual(await errorIn(page, '#phone-status'), { message: 'No matching permissions found', id: 'AUTH-AWfge', status: 'HTTP 403' });
    await caller(page, 'admin');
    await setPhone(page, '+41 71 123 45 67', 'returnCode');
    const set = await reply(page);
    assert.equal(set.status, '200');
    assert.deepEqual(Object.keys(set.body), ['details', 'verificationCode']);
    assert.equal(set.body.details.sequence, '3');
    assert.match(set.body.verificationCode, CODE);
    assert.equal(await page.textContent('#reply-code'), set.body.verificationCode);
    assert.deepEqual(await outboxShown(page), [], 'returnCode sends nothing');
    await verify(page, set.body.verificationCode.toLowerCase());
    assert.equal((await reply(page)).body.details.sequence, '4');
    assert.equal((await summary(page)).verified, 'yes');

    await caller(page, 'self');
    await setPhone(page, '079 765 43 21', 'isVerified');
    assert.deepEqual(await errorIn(page, '#phone-status'), { message: 'No matching permissions found', id: 'AUTH-AWfge', status: 'HTTP 403' });
    assert.equal(await errorIn(page, '#phone-error'), null);
    assert.equal((await reply(page)).status, '403');
    assert.equal((await summary(page)).phone, '+41711234567');

    await caller(page, 'admin');
    await setPhone(page, '079 765 43 21', 'isVerified');
    const marked = await reply(page);
    assert.equal(marked.status, '200');
    assert.equal(marked.body.details.sequence, '6');
    assert.deepEqual(await eventsShown(page), [
      [2, 'user.human.phone.changed'], [3, 'user.human.phone.code.added'], [4, 'user.human.phone.verified'],
      [5, 'user.human.phone.changed'], [6, 'user.human.phone.verified'],
    ]);

    await click(page, '#resend-sms');
    assert.deepEqual(await errorIn(page, '#phone-status'), {
      message: 'No code to resend: the phone is missing or already verified', id: 'PHONE-5xrra88eq8', status: 'HTTP 400',
    });
    await click(page, '#remove-phone');
    assert.equal((await reply(page)).body.details.sequence, '7');
    assert.equal(await errorIn(page, '#phone-status'), null);
    await click(page, '#remove-phone');
    assert.deepEqual(await errorIn(page, '#phone-status'), { message: 'Phone not found', id: 'COMMAND-ieJ2e', status: 'HTTP 400' });
    await click(page, '#get-phone');
    assert.deepEqual((await reply(page)).body.phone, null);

    const stored = await readIndexedDb(page);
    const bob = stored.users.find((u) => u.userId === 'bob');
    assert.equal(bob.phone, null);
    assert.equal(bob.sequence, 7);
    ui.assertClean();
  });

  test('wrong codes up to the lockout: CODE-woT0xc, then CODE-locked next to the code field', async (t) => {
    const ui = await openUi(t);
    const { page } = ui;
    const { code, wrong } = await guessWrongFiveTimes(page, async (attempt) => {
      assert.equal(await page.getAttribute('#verification-code', 'aria-invalid'), 'true');
      assert.equal((await summary(page)).sequence, String(3 + attempt));
      assert.match((await summary(page)).code, new RegExp(`, ${attempt} wrong (try|tries)$`));
    });
    await verify(page, wrong);
    assert.deepEqual(await errorIn(page, '#code-error'), LOCKED);
    await verify(page, code);
    assert.deepEqual(await errorIn(page, '#code-error'), LOCKED, 'even the right code is refused once locked');
    assert.deepEqual((await reply(page)).body, {
      code: 8,
      message: 'Too many wrong codes: request a new code (CODE-locked)',
      details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: 'CODE-locked', message: 'Too many wrong codes: request a new code' }],
    });
    assert.equal(await errorIn(page, '#phone-status'), null);
    await shot(page, 'browser-lockout');

    const stored = await readIndexedDb(page);
    assert.equal(stored.users[0].sequence, 8);
    assert.equal(stored.users[0].phone.code.failedAttempts, 5);
    assert.deepEqual(stored.events.slice(2).map((e) => [e.sequence, e.type]),
      [4, 5, 6, 7, 8].map((s) => [s, 'user.human.phone.verification.failed']));

    // A new code (here: another number) lifts the lock.
    await setPhone(page, '0797654321', 'returnCode');
    await verify(page, (await reply(page)).body.verificationCode);
    assert.equal((await reply(page)).status, '200');
    assert.equal((await summary(page)).verified, 'yes');
    ui.assertClean();
  });

  test('resend: a new SMS once the cooldown is over, PHONE-throttled before', async (t) => {
    const ui = await openUi(t);
    const { page } = ui;
    await setPhone(page, '079 123 45 67', 'sendCode');
    await click(page, '#resend-return');
    const throttled = await errorIn(page, '#phone-status');
    assert.equal(throttled.id, 'PHONE-throttled');
    assert.equal(throttled.status, 'HTTP 429');
    assert.match(throttled.message, /^Too many codes: try again in \d+ s$/);
    assert.equal(await errorIn(page, '#code-error'), null);

    // Let the cooldown pass without waiting: the pending code is dated 60 s earlier in storage
    // (the cooldown counts from the code's createdAt).
    await page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('contact-phone-admin');
      open.onsuccess = () => {
        const tx = open.result.transaction('users', 'readwrite');
        const users = tx.objectStore('users');
        const read = users.get('alice');
        read.onsuccess = () => {
          const record = read.result;
          record.phone.code.createdAt = new Date(Date.parse(record.phone.code.createdAt) - 60_000).toISOString();
          users.put(record);
        };
        tx.oncomplete = () => { open.result.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
    }));
    await click(page, '#resend-sms');
    const resent = await reply(page);
    assert.equal(resent.operation, 'resendPhoneCode');
    assert.equal(resent.status, '200');
    assert.deepEqual(Object.keys(resent.body), ['details']);
    assert.equal(resent.body.details.sequence, '4');
    const { outbox } = await readIndexedDb(page);
    assert.equal(outbox.length, 2);
    assert.notEqual(outbox[1].code, outbox[0].code);
    assert.equal((await outboxShown(page))[0].text, `Your verification code is ${outbox[1].code}`);
    assert.deepEqual((await eventsShown(page)).at(-1), [4, 'user.human.phone.code.added']);
    await verify(page, outbox[1].code);
    assert.equal((await reply(page)).body.details.sequence, '5');
    ui.assertClean();
  });

  test('a reload keeps users, the phone and the outbox (IndexedDB)', async (t) => {
    const ui = await openUi(t);
    const { page } = ui;
    await createUser(page, 'dora', 'globex');
    await setPhone(page, '+41 44 668 18 00', 'sendCode');
    const before = await readIndexedDb(page);
    const shownBefore = { users: await usersShown(page), summary: await summary(page), outbox: await outboxShown(page), events: await eventsShown(page) };
    assert.deepEqual(shownBefore.users, ['alice · acme · human · active', 'dora · globex · human · active']);
    assert.equal(shownBefore.summary.phone, '+41446681800');
    assert.equal(shownBefore.outbox.length, 1);

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.textContent('#picked-user'), 'dora');
    assert.deepEqual({ users: await usersShown(page), summary: await summary(page), outbox: await outboxShown(page), events: await eventsShown(page) }, shownBefore);
    assert.deepEqual(await readIndexedDb(page), before);

    // The pending code survives too: it verifies after the reload.
    await verify(page, before.outbox[0].code);
    assert.equal((await reply(page)).body.details.sequence, '4');
    ui.assertClean();
  });

  test('saveUser is a compare-and-swap: parallel setPhone calls never lose an update', async (t) => {
    const ui = await openUi(t);
    const { page } = ui;
    const result = await page.evaluate(async () => {
      const { openStore } = await import('/idb-host.js');
      const { setPhone } = await import('contact-phone');
      const store = await openStore();
      const alice = await store.loadUser('alice');
      // Two writers from the same sequence: exactly one wins.
      const race = await Promise.all([
        store.saveUser({ ...alice, sequence: 2, note: 'first' }, 1, []),
        store.saveUser({ ...alice, sequence: 2, note: 'second' }, 1, []),
      ]);
      const options = { caller: { userId: 'alice', permissions: ['user.write'] }, codeSecret: await store.codeSecret() };
      const replies = await Promise.all(Array.from({ length: 10 }, (_, i) =>
        setPhone('alice', { phone: { number: `+41 79 000 00 ${String(i).padStart(2, '0')}`, returnCode: {} } }, store.host(), options)
          .then((r) => Number(r.details.sequence), (e) => e.id)));
      return { race, note: (await store.loadUser('alice')).note, replies, details: await store.userDetails('alice') };
    });
    assert.deepEqual(result.race, [true, false]);
    assert.equal(result.note, 'first');
    const applied = result.replies.filter((r) => typeof r === 'number').sort((a, b) => a - b);
    for (const r of result.replies) assert.ok(typeof r === 'number' || r === 'COMMAND-conflict', String(r));
    assert.ok(applied.length >= 1);
    assert.deepEqual(applied, applied.map((_, i) => 2 + 2 * (i + 1)));
    assert.equal(result.details.user.sequence, 2 + 2 * applied.length);
    assert.deepEqual(result.details.events.map((e) => e.sequence), Array.from({ length: 2 * applied.length }, (_, i) => 3 + i));
    ui.assertClean();
  });
});

describe('the phone input', () => {
  test('live feedback while typing: E.164 preview, region, or the error with its id', async (t) => {
    const ui = await openUi(t);
    const { page } = ui;
    const input = page.locator('#phone-number');
    assert.match(await page.textContent('#phone-feedback'), /^National \(region CH\) or international/);
    await input.pressSequentially('+41 79');
    assert.deepEqual(await errorIn(page, '#phone-feedback'), { message: 'Phone is invalid: too short', id: 'PHONE-so0wa', status: 'HTTP 400' });
    assert.equal(await page.getAttribute('#phone-feedback', 'data-state'), 'invalid');
    await input.pressSequentially(' 123 45 67');
    assert.equal(await page.textContent('#phone-e164'), '+41791234567');
    assert.equal(await page.textContent('#phone-region'), 'CH');
    assert.equal(await page.getAttribute('#phone-feedback', 'data-state'), 'ok');

    // ZITADEL's own cases, then other regions.
    for (const typed of ['0711234567', '0041711234567', '071 123 45 67', '+4171 123 45 67', '004171 123 45 67']) {
      await input.fill('');
      await input.pressSequentially(typed);
      assert.equal(await page.textContent('#phone-e164'), '+41711234567', typed);
      assert.equal(await page.textContent('#phone-region'), 'CH', typed);
    }
    for (const [typed, e164, region] of [['+1 212 555 0100', '+12125550100', 'US'], ['+44 20 7946 0958', '+442079460958', 'GB']]) {
      await input.fill(typed);
      assert.equal(await page.textContent('#phone-e164'), e164);
      assert.equal(await page.textContent('#phone-region'), region);
    }
    await input.fill('');
    await input.pressSequentially('PhoneNumber');
    assert.deepEqual(await errorIn(page, '#phone-feedback'), { message: 'Phone is invalid: no digits', id: 'PHONE-so0wa', status: 'HTTP 400' });
    await input.fill('   ');
    assert.deepEqual(await errorIn(page, '#phone-feedback'), { message: 'Phone is empty', id: 'PHONE-Zt0NV', status: 'HTTP 400' });

    // Submitting it gives the same error next to the field, from setPhone itself.
    await input.fill('PhoneNumber');
    await click(page, '#set-phone button[type="submit"]');
    assert.deepEqual(await errorIn(page, '#phone-error'), { message: 'Phone is invalid: no digits', id: 'PHONE-so0wa', status: 'HTTP 400' });
    assert.equal(await page.getAttribute('#phone-number', 'aria-invalid'), 'true');
    assert.equal(await errorIn(page, '#phone-status'), null);
    await shot(page, 'phone-feedback-error');
    // Typing again clears the submitted error; the live feedback takes over.
    await input.pressSequentially('1');
    assert.equal(await errorIn(page, '#phone-error'), null);
    assert.equal(await page.getAttribute('#phone-number', 'aria-invalid'), null);
    ui.assertClean();
  });
});

describe('edge mode (the worker HTTP API on the same origin)', () => {
  test('sendCode via the worker outbox, returnCode, isVerified, and the lockout', async (t) => {
    const ui = await openUi(t);
    const { page } = ui;
    await switchToEdge(page);
    assert.equal(await page.isVisible('#token-form'), true);
    assert.equal(await page.textContent('#status .error-message'), 'Paste the admin token that npm start printed');
    await useAdminToken(page);
    assert.equal(await page.textContent('#status'), '');
    assert.deepEqual(await usersShown(page), ['erin · acme · human · active', 'frank · acme · human · active', 'grace · globex · human · active']);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('contact-phone.adminToken')), env.ADMIN_TOKEN);
    assert.equal(await page.evaluate(() => localStorage.length), 0);

    // erin, as herself: sendCode; the SMS shows in the outbox panel, read from GET /admin/outbox.
    await caller(page, 'self');
    await setPhone(page, '+41 79 123 45 67', 'sendCode');
    const set = await reply(page);
    assert.equal(set.status, '200');
    assert.equal(set.body.details.sequence, '3');
    assert.equal(await page.textContent('#reply-mode'), 'the edge API');
    const [sms] = (await admin('GET', '/admin/outbox?userId=erin')).messages;
    assert.equal(sms.to, '+41791234567');
    assert.deepEqual((await outboxShown(page))[0], { to: '+41791234567', userId: 'erin', text: `Your verification code is ${sms.code}` });
    await act(page, () => page.click(`#outbox button:has-text("Use code ${sms.code}")`));
    await act(page, () => page.keyboard.press('Enter'));
    assert.equal((await reply(page)).body.details.sequence, '4');
    const erin = await admin('GET', '/admin/users/erin');
    assert.deepEqual(erin.user.phone, { number: '+41791234567', isVerified: true, code: null });
    assert.deepEqual(await eventsShown(page), erin.events.map((e) => [e.sequence, e.type]));
    assert.deepEqual(await eventsShown(page), [[2, 'user.human.phone.changed'], [3, 'user.human.phone.code.added'], [4, 'user.human.phone.verified']]);
    assert.equal((await summary(page)).verified, 'yes');
    await shot(page, 'edge-sendcode');

    // frank: returnCode and isVerified refused to him and granted to the admin.
    await pickUser(page, 'frank');
    const denied = { message: 'No matching permissions found', id: 'AUTH-AWfge', status: 'HTTP 403' };
    await setPhone(page, '071 123 45 67', 'returnCode');
    assert.deepEqual(await errorIn(page, '#phone-status'), denied);
    await setPhone(page, '079 765 43 21', 'isVerified');
    assert.deepEqual(await errorIn(page, '#phone-status'), denied);
    await caller(page, 'admin');
    await setPhone(page, '071 123 45 67', 'returnCode');
    const returned = await reply(page);
    assert.match(returned.body.verificationCode, CODE);
    assert.equal(await page.textContent('#reply-code'), returned.body.verificationCode);
    await setPhone(page, '079 765 43 21', 'isVerified');
    assert.equal((await reply(page)).body.details.sequence, '5');
    assert.deepEqual((await admin('GET', '/admin/users/frank')).user.phone, { number: '+41797654321', isVerified: true, code: null });
    await click(page, '#get-phone');
    assert.deepEqual((await reply(page)).body.phone, { number: '+41797654321', isVerified: true });

    // grace: five wrong codes, then locked.
    await pickUser(page, 'grace');
    const { code } = await guessWrongFiveTimes(page);
    await verify(page, code);
    assert.deepEqual(await errorIn(page, '#code-error'), LOCKED);
    const grace = await admin('GET', '/admin/users/grace');
    assert.equal(grace.user.sequence, 8);
    assert.equal(grace.user.phone.code.failedAttempts, 5);
    assert.equal((await summary(page)).sequence, '8');
    ui.assertClean([403, 403, 400, 400, 400, 400, 400, 429]);
  });

  test('a user created in the page is listed by GET /admin/users and gets its own token', async (t) => {
    const ui = await openUi(t);
    const { page } = ui;
    await switchToEdge(page);
    await useAdminToken(page);
    await createUser(page, 'heidi', 'initech');
    assert.equal(await page.textContent('#picked-user'), 'heidi');
    assert.deepEqual((await admin('GET', '/admin/users')).users.find((u) => u.userId === 'heidi'),
      { userId: 'heidi', resourceOwner: 'initech', kind: 'human', state: 'active' });
    await caller(page, 'self');
    await setPhone(page, '+41 79 555 00 11', 'sendCode');
    assert.equal((await reply(page)).body.details.resourceOwner, 'initech');

    // The admin token is kept for the tab: a reload stays in edge mode with it.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.inputValue('#admin-token'), env.ADMIN_TOKEN);
    assert.equal(await page.textContent('#picked-user'), 'heidi');
    assert.equal((await summary(page)).phone, '+41795550011');
    ui.assertClean();
  });
});

test('both modes give the same answers, rendered the same way', async (t) => {
  const ui = await openUi(t);
  const { page } = ui;
  // The same user, without a phone, in both modes.
  const steps = [
    ['setPhone', () => setPhone(page, 'PhoneNumber', 'sendCode'), '#phone-error'],
    ['setPhone', () => setPhone(page, '', 'sendCode'), '#phone-error'],
    ['setPhone', () => setPhone(page, '12', 'returnCode'), '#phone-error'],
    ['setPhone', () => setPhone(page, '+999 123', 'returnCode'), '#phone-error'],
    ['verifyPhone', () => verify(page, 'ABC123'), '#code-error'],
    ['resendPhoneCode', () => click(page, '#resend-return'), '#phone-status'],
    ['removePhone', () => click(page, '#remove-phone'), '#phone-status'],
  ];
  const run = async () => {
    const seen = [];
    for (const [operation, step, slot] of steps) {
      await step();
      const shown = await reply(page);
      assert.equal(shown.operation, operation);
      seen.push({ slot, html: await page.innerHTML(slot), status: shown.status, body: shown.body });
    }
    return seen;
  };
  await createUser(page, 'ivan', 'acme');
  const inBrowser = await run();
  await switchToEdge(page);
  await useAdminToken(page);
  await createUser(page, 'ivan', 'acme');
  const onEdge = await run();
  assert.deepEqual(onEdge, inBrowser);
  assert.deepEqual(inBrowser.map((s) => [s.status, s.body.details[0].id]), [
    ['400', 'PHONE-so0wa'], ['400', 'REQUEST-invalid'], ['400', 'PHONE-so0wa'], ['400', 'PHONE-so0wa'],
    ['400', 'COMMAND-2M9fs'], ['400', 'PHONE-5xrra88eq8'], ['400', 'COMMAND-ieJ2e'],
  ]);
  assert.equal(inBrowser[1].body.details[0].message, 'Request is invalid: phone.number must be 1 to 20 characters long');
  ui.assertClean([400, 400, 400, 400, 400, 400, 400]);
});

test('at 360 px wide nothing scrolls sideways', async (t) => {
  const ui = await openUi(t, { viewport: { width: 360, height: 740 } });
  const { page } = ui;
  await createUser(page, 'a-user-with-a-rather-long-identifier-that-must-wrap', 'an-organisation-with-a-long-name');
  await setPhone(page, '+41 79 123 45 67', 'sendCode');
  await setPhone(page, '+41 79 123 45 68', 'returnCode');
  await verify(page, 'WRONG1');
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    widest: Math.max(...[...document.querySelectorAll('body *')].map((node) => node.getBoundingClientRect().right)),
  }));
  assert.equal(widths.client, 360);
  assert.equal(widths.scroll, 360);
  assert.ok(widths.widest <= 360, `an element reaches x = ${widths.widest}`);
  assert.equal(await page.isVisible('#code-error'), true);
  await shot(page, 'narrow-360');
  ui.assertClean();
});

test('keyboard: every control is reached with Tab, Enter submits, arrows switch the mode', async (t) => {
  const ui = await openUi(t);
  const { page } = ui;
  const reached = new Set();
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => {
      const node = document.activeElement;
      return node.id || (node.name ? `${node.name}=${node.value}` : node.textContent.trim());
    }));
  }
  for (const control of ['mode=browser', 'caller=admin', 'user-select', 'refresh', 'new-user-id', 'new-user-org', 'new-user-kind',
    'new-user-state', 'Create user', 'phone-number', 'verification=sendCode', 'Set phone', 'verification-code', 'Verify',
    'resend-sms', 'resend-return', 'get-phone', 'remove-phone', 'reply-json']) {
    assert.ok(reached.has(control), `Tab never reached ${control}: ${[...reached].join(', ')}`);
  }

  // Focus the number by keyboard, type, Enter: the phone is set.
  await page.focus('#new-user-state');
  while (await page.evaluate(() => document.activeElement.id) !== 'phone-number') await page.keyboard.press('Tab');
  await page.keyboard.type('079 123 45 67');
  await act(page, () => page.keyboard.press('Enter'));
  assert.equal((await reply(page)).operation, 'setPhone');
  assert.equal((await reply(page)).body.details.sequence, '3');
  // Arrow keys move between the verification modes; Enter on a radio submits its form.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.value), 'sendCode');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.value), 'returnCode');
  await page.fill('#phone-number', '079 123 45 99');
  await page.focus('input[name="verification"][value="returnCode"]');
  await act(page, () => page.keyboard.press('Enter'));
  assert.match((await reply(page)).body.verificationCode, CODE);
  // Enter in the code field verifies; the error stays next to it and the focus stays there.
  await page.focus('#verification-code');
  await page.keyboard.type('ZZZZZ9');
  await act(page, () => page.keyboard.press('Enter'));
  assert.equal((await errorIn(page, '#code-error')).id, 'CODE-woT0xc');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'verification-code');
  // The mode switch is a radio group: ArrowDown selects the edge mode.
  await page.focus('input[name="mode"][value="browser"]');
  await act(page, () => page.keyboard.press('ArrowDown'));
  assert.equal(await page.getAttribute('body', 'data-mode'), 'edge');
  assert.equal(await page.isVisible('#admin-token'), true);
  ui.assertClean();
});

test('edge mode with Twilio: the deliveries panel shows each SMS\'s state, the outbox stays empty', async (t) => {
  const receiver = await startReceiver({ failures: 1, failStatus: 503 });
  t.after(receiver.close);
  const twilioWorker = await startWorker({
    port: 0,
    bundleDir,
    rateLimit: { limit: 100_000, period: 60 },
    env: { ...env, TWILIO_ACCOUNT_SID: TWILIO.accountSid, TWILIO_AUTH_TOKEN: TWILIO.authToken, TWILIO_FROM: TWILIO.from, TWILIO_API_BASE: receiver.url, SMS_RETRY_BASE_SECONDS: '0' },
  });
  t.after(() => twilioWorker.dispose());
  await fetch(`${twilioWorker.url}/admin/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 'heidi', resourceOwner: 'acme' }),
  });
  const ui = await openUi(t, { origin: twilioWorker.url });
  const { page } = ui;
  await switchToEdge(page);
  await useAdminToken(page);
  assert.equal(await page.textContent('#deliveries li.empty'), 'No SMS through a provider (the outbox holds them).');
  await setPhone(page, '+41 79 123 45 67', 'sendCode');
  assert.equal((await reply(page)).status, '200');
  // The queue delivers after the reply: refresh until the second attempt has gone through.
  for (let tries = 0; !(await page.$('#deliveries li[data-state="sent"]')); tries += 1) {
    assert.ok(tries < 200, 'the delivery never showed as sent');
    await click(page, '#refresh');
  }
  const shown = await page.$$eval('#deliveries li', (items) => items.map((li) => [...li.children].map((div) => div.textContent)));
  assert.equal(shown.length, 1);
  assert.match(shown[0][0], /^\+41791234567 · heidi · \d{4}-\d\d-\d\dT/);
  assert.deepEqual(shown[0].slice(1), ['sent after 2 attempts via twilio · twilio: queued', 'last error: Twilio answered 503']);
  assert.equal(await page.textContent('#outbox li.empty'), 'No SMS yet.');
  await shot(page, 'edge-deliveries');
  ui.assertClean();
});
