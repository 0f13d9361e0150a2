// npm start: the edge worker on workerd at http://127.0.0.1:8787 (PORT to change it), with
// its Durable Objects persisted under .contact-phone/state and development secrets kept in
// .contact-phone/dev-secrets.json, so tokens stay valid across restarts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startWorker } from '../worker/dev.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = `${root}.contact-phone`;
const secretsFile = `${dir}/dev-secrets.json`;
mkdirSync(`${dir}/state`, { recursive: true });

const secret = () => randomBytes(32).toString('base64url');
const secrets = existsSync(secretsFile)
  ? JSON.parse(readFileSync(secretsFile, 'utf8'))
  : { ADMIN_TOKEN: `admin-${secret()}`, TOKEN_SECRET: secret(), CODE_SECRET: secret() };
writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });

// SMS settings (docs/sms-delivery.md) pass through; without a provider the dev outbox is used.
const smsSettings = Object.entries(process.env).filter(([name]) => /^(TWILIO_|SMS_)/.test(name));
const env = { ...secrets, ...Object.fromEntries(smsSettings) };
const sms = env.TWILIO_ACCOUNT_SID ? 'Twilio, through the queue (GET /admin/deliveries)'
  : env.SMS_WEBHOOK_URL ? `webhook ${env.SMS_WEBHOOK_URL}, through the queue (GET /admin/deliveries)`
    : 'outbox (GET /admin/outbox)';
const port = Number(process.env.PORT ?? 8787);
let worker;
try {
  worker = await startWorker({ port, persistDir: `${dir}/state`, env });
} catch (error) {
  console.error(`Could not start the worker on 127.0.0.1:${port}: ${error.message}`);
  console.error('Is another server using the port? Set PORT=… to pick another.');
  process.exit(1);
}
const { url } = worker;

// A demo user, created on the first start and reused afterwards.
const admin = { authorization: `Bearer ${secrets.ADMIN_TOKEN}`, 'content-type': 'application/json' };
let demo = await (await fetch(`${url}/admin/users/alice`, { headers: admin })).json();
let aliceToken;
if (!demo.user) {
  const body = JSON.stringify({ userId: 'alice', resourceOwner: 'acme', displayName: 'Alice Example' });
  demo = await (await fetch(`${url}/admin/users`, { method: 'POST', headers: admin, body })).json();
  aliceToken = demo.users[0].token;
} else {
  const body = JSON.stringify({ userId: 'alice' });
  aliceToken = (await (await fetch(`${url}/admin/tokens`, { method: 'POST', headers: admin, body })).json()).token;
}

console.log(`
contact-phone edge worker (workerd) on ${url}
  state:  .contact-phone/state (Durable Objects, SQLite)      SMS: ${sms}
${existsSync(`${root}www/index.html`) ? `  admin UI: ${url}/   (edge mode: paste the ADMIN_TOKEN below)\n` : ''}
Paste into a shell:

  export API=${url}
  export ADMIN_TOKEN=${secrets.ADMIN_TOKEN}
  export ALICE_TOKEN=${aliceToken}

  # Alice sets her phone; the code goes to the outbox
  curl -s -X PUT $API/v3alpha/users/alice/phone -H "Authorization: Bearer $ALICE_TOKEN" \\
    -H 'Content-Type: application/json' -d '{"phone": {"number": "+41 79 123 45 67"}}'
  # read the SMS
  curl -s $API/admin/outbox -H "Authorization: Bearer $ADMIN_TOKEN"
  # verify with the code from the SMS
  curl -s -X POST $API/v3alpha/users/alice/phone/verify -H "Authorization: Bearer $ALICE_TOKEN" \\
    -H 'Content-Type: application/json' -d '{"verificationCode": "CODE"}'
  curl -s $API/v3alpha/users/alice/phone -H "Authorization: Bearer $ALICE_TOKEN"
  # an admin sets a verified number, or returns the code instead of sending it
  curl -s -X PUT $API/v3alpha/users/alice/phone -H "Authorization: Bearer $ADMIN_TOKEN" \\
    -H 'Content-Type: application/json' -d '{"phone": {"number": "079 765 43 21", "isVerified": true}}'
  # ZITADEL's UserService over the Connect protocol (gRPC-web works too, e.g. @zitadel/client)
  curl -s $API/zitadel.user.v2.UserService/SetPhone -H "Authorization: Bearer $ADMIN_TOKEN" \\
    -H 'Content-Type: application/json' -d '{"userId": "alice", "phone": "079 765 43 21", "returnCode": {}}'
  # more users (any fields; returns their tokens)
  curl -s -X POST $API/admin/users -H "Authorization: Bearer $ADMIN_TOKEN" \\
    -H 'Content-Type: application/json' -d '[{"userId": "bob", "resourceOwner": "acme"}]'

Ctrl-C stops the worker; the data stays for the next start.
`);

const stop = async () => {
  await worker.dispose();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
