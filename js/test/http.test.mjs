// handleHttp and createFetchHandler in Node, without a worker: the authenticate callback's
// failure modes, per-request host and options, and the body limit while streaming.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFetchHandler, handleHttp, rateLimitedResponse } from 'contact-phone';

const secret = 'k'.repeat(32);

function memoryHost(extra = {}) {
  const users = new Map([['u1', { userId: 'u1', resourceOwner: 'org1', sequence: 1 }]]);
  return {
    users,
    loadUser: (id) => users.get(id) ?? null,
    saveUser(record, expected) {
      if (users.get(record.userId)?.sequence !== expected) return false;
      users.set(record.userId, record);
      return true;
    },
    // u1 with user.write on its organisation: returnCode on its own phone needs it (SPEC §2.4).
    authenticate: (token) => (token === 'u1-token' ? { userId: 'u1', permissions: ['user.write:org1'], name: 'extra fields are fine' } : null),
    ...extra,
  };
}

const put = (headers = {}) => ({
  method: 'PUT',
  path: '/v3alpha/users/u1/phone',
  headers: { 'Content-Type': 'application/json', Authorization: 'Bearer u1-token', ...headers },
  body: JSON.stringify({ phone: { number: '079 123 45 67', returnCode: {} } }),
});

test('handleHttp answers a PUT and never rejects', async () => {
  const host = memoryHost();
  const response = await handleHttp(put(), host, { codeSecret: secret });
  assert.equal(response.status, 200);
  assert.deepEqual(response.headers, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  const body = JSON.parse(response.body);
  assert.deepEqual(Object.keys(body), ['details', 'verificationCode']);
  assert.equal(host.users.get('u1').phone.number, '+41791234567');
  for (const garbage of [null, undefined, 42, 'GET /', [], {}]) {
    const reply = await handleHttp(garbage, host, { codeSecret: secret });
    assert.equal(reply.status, 400, JSON.stringify(garbage));
    assert.equal(JSON.parse(reply.body).details[0].id, 'REQUEST-invalid');
  }
});

test('authenticate that throws, rejects, is missing or returns a wrong shape is a 500 naming it, its cause logged', async () => {
  const cases = [
    [{ authenticate: () => { throw new Error('idp down'); } }, /authenticate failed: threw Error: idp down/],
    [{ authenticate: () => Promise.reject(new Error('timeout')) }, /authenticate failed: rejected with Error: timeout/],
    [{ authenticate: undefined }, /host\.authenticate must be a function/],
    [{ authenticate: () => ({ permissions: 'user.write' }) }, /authenticate failed: returned a caller whose permissions must be an array of strings/],
    [{ authenticate: () => 'u1' }, /authenticate failed: returned a caller whose value must be an object/],
  ];
  for (const [extra, message] of cases) {
    const host = memoryHost(extra);
    const response = await handleHttp(put(), host, { codeSecret: secret });
    const body = JSON.parse(response.body);
    assert.equal(response.status, 500);
    // The client learns which callback failed; the cause is for the server's log only.
    assert.equal(body.details[0].id, 'HOST-storage');
    assert.equal(body.details[0].message, 'Host callback authenticate failed');
    assert.equal(body.message, 'Host callback authenticate failed (HOST-storage)');
    assert.match(response.log, message);
    assert.equal(host.users.get('u1').sequence, 1, 'nothing saved');
  }
});

test('createFetchHandler passes env to per-request host and options factories', async () => {
  const host = memoryHost();
  const seen = [];
  const handle = createFetchHandler(
    (request, env) => { seen.push(['host', request.method, env.name]); return host; },
    async (request, env) => ({ codeSecret: env.secret }),
  );
  const response = await handle(
    new Request('http://worker.test/v3alpha/users/u1/phone?ignored=1', { method: 'PUT', ...put() }),
    { name: 'env', secret },
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.deepEqual(seen, [['host', 'PUT', 'env']]);
  assert.match((await response.json()).verificationCode, /^[A-Z0-9]{6}$/);
});

test('createFetchHandler stops reading a streamed body at the byte past the limit and answers 413', async () => {
  let pulled = 0;
  const endless = new ReadableStream({
    pull(controller) {
      pulled += 1;
      controller.enqueue(new Uint8Array(4096).fill(0x20));
    },
  });
  const handle = createFetchHandler(memoryHost(), { codeSecret: secret });
  const response = await handle(new Request('http://worker.test/v3alpha/users/u1/phone', {
    method: 'PUT', body: endless, duplex: 'half', headers: { 'content-type': 'application/json', authorization: 'Bearer u1-token' },
  }));
  assert.equal(response.status, 413);
  assert.equal((await response.json()).details[0].id, 'HTTP-too-large');
  // 16 KiB in chunks of 4 KiB: four chunks reach the limit, the fifth passes it, then reading stops.
  assert.ok(pulled <= 6, `read ${pulled} chunks of 4 KiB of an endless body`);
});

test('createFetchHandler: a declared Content-Length over 16 KiB is 413 unread; 16 KiB itself is read', async () => {
  let pulled = 0;
  const body = (size) => new ReadableStream({
    pull(controller) {
      pulled += 1;
      controller.enqueue(new TextEncoder().encode(JSON.stringify({ phone: { number: '079 123 45 67', returnCode: {} } }).padEnd(size, ' ')));
      controller.close();
    },
  });
  const handle = createFetchHandler(memoryHost(), { codeSecret: secret });
  const send = (size, length) => handle(new Request('http://worker.test/v3alpha/users/u1/phone', {
    method: 'PUT',
    body: body(size),
    duplex: 'half',
    headers: { 'content-type': 'application/json', authorization: 'Bearer u1-token', 'content-length': String(length) },
  }));
  const refused = await send(16 * 1024 + 1, 16 * 1024 + 1);
  assert.equal(refused.status, 413);
  assert.equal((await refused.json()).details[0].id, 'HTTP-too-large');
  assert.equal(pulled, 0, 'the body was not read');
  const atLimit = await send(16 * 1024, 16 * 1024);
  assert.equal(atLimit.status, 200);
  assert.equal(pulled, 1);
  const over = await send(16 * 1024 + 1, 100);
  assert.equal(over.status, 413, 'a body longer than declared is still cut at the limit');
});

test('createFetchHandler: a body that is not UTF-8 is 400, not decoded into replacement characters', async () => {
  const host = memoryHost();
  const handle = createFetchHandler(host, { codeSecret: secret });
  const json = new TextEncoder().encode('{"phone": {"number": "079 123 45 67", "returnCode": {}}, "x": "');
  const bytes = new Uint8Array([...json, 0xff, 0xfe, 0x22, 0x7d]);
  const response = await handle(new Request('http://worker.test/v3alpha/users/u1/phone', {
    method: 'PUT', body: bytes, headers: { 'content-type': 'application/json', authorization: 'Bearer u1-token' },
  }));
  assert.equal(response.status, 400);
  const body = await response.json();
  assert.deepEqual([body.details[0].id, body.details[0].message, body.field], ['REQUEST-invalid', 'Request is invalid: body is not UTF-8 text', 'body']);
  assert.equal(host.users.get('u1').sequence, 1);
});

test("rateLimitedResponse is the error table's 429 with Retry-After", () => {
  const response = rateLimitedResponse(7);
  assert.equal(response.status, 429);
  assert.deepEqual(response.headers, { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': '7' });
  assert.deepEqual(JSON.parse(response.body), {
    code: 8,
    message: 'Too many requests from this client: slow down (HTTP-rate-limited)',
    details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: 'HTTP-rate-limited', message: 'Too many requests from this client: slow down' }],
  });
});

test("ZITADEL's v2 REST routes: set with the flat body, verify, resend, remove", async () => {
  const host = memoryHost();
  const now = () => Date.UTC(2026, 11, 7, 12, 0, 0);
  const options = { codeSecret: secret, now, resendCooldownSeconds: 0 };
  const call = async (method, path, body) => {
    const headers = { authorization: 'Bearer u1-token', ...(body ? { 'content-type': 'application/json' } : {}) };
    const reply = await handleHttp({ method, path, headers, body: body ? JSON.stringify(body) : null }, host, options);
    return { status: reply.status, body: JSON.parse(reply.body) };
  };
  const details = (sequence) => ({ sequence: String(sequence), changeDate: '2026-12-07T12:00:00.000Z', resourceOwner: 'org1' });

  const set = await call('POST', '/v2/users/u1/phone', { phone: '079 123 45 67', returnCode: {} });
  assert.equal(set.status, 200);
  assert.deepEqual(set.body.details, details(3));
  assert.match(set.body.verificationCode, /^[A-Z0-9]{6}$/);
  assert.deepEqual(host.users.get('u1').phone.number, '+41791234567');

  const resent = await call('POST', '/v2/users/u1/phone/resend', { returnCode: {} });
  assert.deepEqual(resent.body.details, details(4));
  const wrong = await call('POST', '/v2/users/u1/phone/verify', { verificationCode: resent.body.verificationCode === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA' });
  assert.deepEqual([wrong.status, wrong.body.details[0].id], [400, 'CODE-woT0xc']);
  const verified = await call('POST', '/v2/users/u1/phone/verify', { verificationCode: resent.body.verificationCode });
  assert.deepEqual(verified, { status: 200, body: { details: details(6) } });
  assert.equal(host.users.get('u1').phone.isVerified, true);

  const nested = await call('POST', '/v2/users/u1/phone', { phone: { number: '079 123 45 67' } });
  assert.deepEqual([nested.status, nested.body.message, nested.body.field], [400, 'Request is invalid: phone must be a string (REQUEST-invalid)', 'phone']);
  const removed = await call('DELETE', '/v2/users/u1/phone');
  assert.deepEqual(removed, { status: 200, body: { details: details(7) } });
  assert.equal(host.users.get('u1').phone, null);
  const put = await call('PUT', '/v2/users/u1/phone', { phone: '079 123 45 67' });
  assert.deepEqual([put.status, put.body.details[0].id], [405, 'HTTP-method']);
});

test('an unauthenticated caller gets 401 before any configuration error', async () => {
  const host = memoryHost();
  const broken = [{}, { codeSecret: 'short' }, { codesecret: secret }, { codeSecret: secret, now: () => 'soon' }];
  for (const options of broken) {
    for (const request of [put({ Authorization: '' }), put({ Authorization: 'Bearer mallory' })]) {
      const reply = await handleHttp(request, host, options);
      assert.equal(reply.status, 401, JSON.stringify(options));
      assert.equal(JSON.parse(reply.body).details[0].id, 'AUTH-unauthenticated');
    }
    const reply = await handleHttp(put(), host, options);
    assert.equal(reply.status, 500, JSON.stringify(options));
    assert.match(JSON.parse(reply.body).details[0].id, /^CONFIG-/);
  }
  assert.equal(host.users.get('u1').sequence, 1);
});

test("ZITADEL's v3alpha resource REST routes: PUT, _verify, _resend, in the resource API's shape", async () => {
  const { fromJson } = await import('@bufbuild/protobuf');
  const v3 = await import('@zitadel/proto/zitadel/resources/user/v3alpha/user_service_pb.js');
  const host = memoryHost();
  let now = Date.parse('2026-12-07T10:00:00.000Z');
  const options = { codeSecret: secret, now: () => now, resendCooldownSeconds: 0 };
  const call = async (method, path, body) => {
    const headers = { 'content-type': 'application/json', authorization: 'Bearer u1-token' };
    const reply = await handleHttp({ method, path, headers, body: body ? JSON.stringify(body) : null }, host, options);
    return { status: reply.status, body: JSON.parse(reply.body) };
  };
  const details = (changed) => ({ id: 'u1', changed, owner: { type: 'OWNER_TYPE_ORG', id: 'org1' } });

  const set = await call('PUT', '/resources/v3alpha/users/u1/phone', { number: '079 123 45 67', returnCode: {} });
  assert.equal(set.status, 200);
  assert.deepEqual(Object.keys(set.body), ['details', 'verificationCode']);
  assert.deepEqual(set.body.details, details('2026-12-07T10:00:00.000Z'));
  // ZITADEL's own messages read the replies (protobuf JSON).
  const parsed = fromJson(v3.SetContactPhoneResponseSchema, set.body);
  assert.equal(parsed.details.owner.id, 'org1');
  assert.equal(parsed.verificationCode, set.body.verificationCode);

  now += 60_000;
  const resent = await call('POST', '/resources/v3alpha/users/u1/phone/_resend', { returnCode: {} });
  assert.equal(resent.status, 200);
  assert.deepEqual(resent.body.details, details('2026-12-07T10:01:00.000Z'));
  fromJson(v3.ResendContactPhoneCodeResponseSchema, resent.body);

  const wrong = await call('POST', '/resources/v3alpha/users/u1/phone/_verify', { verificationCode: set.body.verificationCode });
  assert.deepEqual([wrong.status, wrong.body.details[0].id], [400, 'CODE-woT0xc']);
  const verified = await call('POST', '/resources/v3alpha/users/u1/phone/_verify', { verificationCode: resent.body.verificationCode });
  assert.deepEqual(verified.body, { details: details('2026-12-07T10:01:00.000Z') });
  fromJson(v3.VerifyContactPhoneResponseSchema, verified.body);
  assert.deepEqual(host.users.get('u1').phone, { number: '+41791234567', isVerified: true, code: null });

  const removed = await call('DELETE', '/resources/v3alpha/users/u1/phone');
  assert.deepEqual([removed.status, removed.body.details[0].id], [405, 'HTTP-method']);
  const invalid = await call('PUT', '/resources/v3alpha/users/u1/phone', { number: 'PhoneNumber', returnCode: {} });
  assert.deepEqual([invalid.status, invalid.body.details[0].id], [400, 'PHONE-so0wa']);
  const flat = await call('PUT', '/resources/v3alpha/users/u1/phone', { phone: '079 123 45 67' });
  assert.deepEqual([flat.status, flat.body.details[0].id], [400, 'REQUEST-invalid']);
});
