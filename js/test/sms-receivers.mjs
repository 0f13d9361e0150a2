// Local stand-ins for an SMS provider, for the SMS delivery suites: a node:http server that
// records every request exactly as it arrived and answers from a script (fail N times, then
// succeed; or always fail), and the checks of Twilio's and the webhook's request shapes.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

/** Test credentials. */
export const TWILIO = Object.freeze({ accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'twilio-auth-token', from: '+15005550006' });
/** A Standard Webhooks secret: `whsec_` and the base64 of 32 bytes. */
export const WEBHOOK_KEY = Buffer.alloc(32, 7);
export const WEBHOOK_SECRET = `whsec_${WEBHOOK_KEY.toString('base64')}`;

/**
 * Starts a receiver on a free loopback port. The first `failures` requests (Infinity: all)
 * get `failStatus` with `failBody`; the others `okStatus` with `okBody(n)` (n counts from 1).
 * Resolves to `{url, requests, close()}`; each request is `{method, path, headers, body}`.
 */
export async function startReceiver({ failures = 0, failStatus = 503, failBody = { error: 'try later' }, okStatus = 201, okBody = (n) => ({ sid: `SM${n}`, status: 'queued' }) } = {}) {
  const requests = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    requests.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    const failing = requests.length <= failures;
    res.writeHead(failing ? failStatus : okStatus, { 'content-type': 'application/json' });
    res.end(JSON.stringify(failing ? failBody : okBody(requests.length)));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

/** Asserts one request is Twilio's Messages.json call, exactly: path, auth, type and form fields. */
export function assertTwilioRequest(request, { to, text, statusCallback }) {
  assert.equal(request.method, 'POST');
  assert.equal(request.path, `/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`);
  assert.equal(request.headers.authorization, `Basic ${Buffer.from(`${TWILIO.accountSid}:${TWILIO.authToken}`).toString('base64')}`);
  assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
  const expected = [['To', to], ['From', TWILIO.from], ['Body', text]];
  if (statusCallback) expected.push(['StatusCallback', statusCallback]);
  assert.deepEqual([...new URLSearchParams(request.body)], expected);
}

/**
 * Asserts one request is a signed webhook call: the signature recomputed here with node:crypto
 * from the Standard Webhooks definition, and accepted by the reference library. Returns the
 * parsed body.
 */
export function assertWebhookRequest(request, { id }) {
  assert.equal(request.method, 'POST');
  assert.equal(request.headers['content-type'], 'application/json');
  const { 'webhook-id': webhookId, 'webhook-timestamp': timestamp, 'webhook-signature': signature } = request.headers;
  assert.equal(webhookId, id);
  assert.match(timestamp, /^\d{10}$/);
  const mac = createHmac('sha256', WEBHOOK_KEY).update(`${webhookId}.${timestamp}.${request.body}`).digest('base64');
  assert.equal(signature, `v1,${mac}`);
  return new Webhook(WEBHOOK_SECRET).verify(request.body, request.headers);
}

/** Resolves when `check()` resolves truthy; polls every 20 ms, fails after `limitMs`. */
export async function eventually(check, limitMs = 20000) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`still not so after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A status callback as Twilio posts it to `url`: the form body and its X-Twilio-Signature. */
export function twilioCallback(url, fields) {
  const params = new URLSearchParams(fields);
  const data = url + [...params.keys()].sort().map((key) => key + params.get(key)).join('');
  return { body: params.toString(), signature: createHmac('sha1', TWILIO.authToken).update(data).digest('base64') };
}
