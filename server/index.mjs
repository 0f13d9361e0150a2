// The Node server on http://127.0.0.1:8788 (PORT to change it), with PGlite (embedded
// PostgreSQL) under .contact-phone/pglite, or PostgreSQL at DATABASE_URL. Callers are
// authenticated as the environment says (worker/identity/: OIDC_ISSUER, OIDC_AUDIENCE, …);
// `npm run start:node` sets DEV_TOKENS=1 for the development tokens and /admin. CODE_SECRET
// (and with DEV_TOKENS=1, ADMIN_TOKEN and TOKEN_SECRET) come from the environment, else from
// .contact-phone/dev-secrets.json (made once, shared with `npm start`, so tokens stay valid
// across restarts and on both servers). SMS go to the provider that TWILIO_* or SMS_WEBHOOK_*
// configure (docs/sms-delivery.md); without one, to the development outbox with DEV_TOKENS=1,
// else sendCode answers Unavailable rather than keep codes.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { issueToken } from '../worker/auth.js';
import { IdentityConfigError, isDevMode } from '../worker/identity/index.js';
import { retryPolicyFromEnv, smsProviderFromEnv } from '../sms/config.js';
import { migrate, pgQueries } from './sql-host.js';
import { startServer } from './server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = `${root}.contact-phone`;
const secretsFile = `${dir}/dev-secrets.json`;
mkdirSync(`${dir}/pglite`, { recursive: true });

const dev = isDevMode(process.env);
const env = { ...process.env };
// Outside development the code secret must be given: a generated one in a local file would
// be lost with the machine, and every pending code with it.
if (!dev && !process.env.CODE_SECRET) {
  console.error('contact-phone: not starting: set CODE_SECRET (at least 32 bytes) or, for development, DEV_TOKENS=1');
  process.exit(1);
}
if (dev) {
  const stored = devSecrets();
  for (const name of ['ADMIN_TOKEN', 'TOKEN_SECRET', 'CODE_SECRET']) env[name] = process.env[name] || stored[name];
}

/** The development secrets, made once and shared with `npm start`. */
function devSecrets() {
  const secret = () => randomBytes(32).toString('base64url');
  const stored = existsSync(secretsFile)
    ? JSON.parse(readFileSync(secretsFile, 'utf8'))
    : { ADMIN_TOKEN: `admin-${secret()}`, TOKEN_SECRET: secret(), CODE_SECRET: secret() };
  writeFileSync(secretsFile, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return stored;
}

let sms;
try {
  const provider = smsProviderFromEnv(process.env);
  if (provider) sms = { provider, policy: retryPolicyFromEnv(process.env) };
  // The dev outbox keeps codes in clear: development only.
  else if (dev) sms = { devOutbox: true };
} catch (error) {
  console.error(`SMS settings: ${error.message}`);
  process.exit(1);
}
let smsShown = 'none (sendCode answers Unavailable)';
if (sms?.devOutbox) smsShown = 'outbox (GET /admin/outbox)';
else if (sms) smsShown = `${sms.provider.name}, with retries (GET /admin/deliveries)`;

// PostgreSQL through `pg` when DATABASE_URL is set, else PGlite in .contact-phone/pglite.
let db;
let closeDb;
if (process.env.DATABASE_URL) {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
  db = pgQueries(pool);
  closeDb = () => pool.end();
} else {
  const pglite = new PGlite(`${dir}/pglite`);
  db = pglite;
  closeDb = () => pglite.close();
}
await migrate(db);
const port = Number(process.env.PORT ?? 8788);
let server;
try {
  server = await startServer({ db, env, port, defaultRegion: process.env.DEFAULT_REGION, sms });
} catch (error) {
  await closeDb();
  if (error instanceof IdentityConfigError) {
    console.error(`contact-phone: not starting: ${error.message}`);
    console.error('See docs/security.md#identity; `npm run start:node` runs with DEV_TOKENS=1.');
    process.exit(1);
  }
  console.error(`Could not start the server on 127.0.0.1:${port}: ${error.message}`);
  console.error('Is another server using the port? Set PORT=… to pick another.');
  process.exit(1);
}
const { url, host } = server;

const stop = async () => {
  await server.close();
  await closeDb();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

if (dev) {
  await printDevGuide();
} else {
  const by = [env.OIDC_ISSUER, env.SYSTEM_API_USERS && 'SYSTEM_API_USERS'].filter(Boolean).join(' and ');
  console.log(`contact-phone Node server on ${url} (HTTP/1.1 and h2c on one port), callers authenticated by ${by}`);
}

/** The demo user (created on the first start, reused afterwards), the tokens and examples. */
async function printDevGuide() {
  if (!(await host.loadUser('alice'))) await host.seedUser({ userId: 'alice', resourceOwner: 'acme', displayName: 'Alice Example', kind: 'human', state: 'active' });
  const { token: aliceToken } = await issueToken(env, { userId: 'alice' });
  console.log(`
contact-phone Node server on ${url} (HTTP/1.1 and h2c on one port)
  storage: ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : '.contact-phone/pglite (PGlite)'}      SMS: ${smsShown}
  serves:  the JSON API (/v3alpha/users/…), ZITADEL's UserService v2 and ZITADELUsers v3alpha
           over Connect, gRPC-web and gRPC (h2c), and /admin

Paste into a shell:

  export API=${url}
  export ADMIN_TOKEN=${env.ADMIN_TOKEN}
  export ALICE_TOKEN=${aliceToken}

  # Alice sets her phone (JSON API); the code goes to the outbox
  curl -s -X PUT $API/v3alpha/users/alice/phone -H "Authorization: Bearer $ALICE_TOKEN" \\
    -H 'Content-Type: application/json' -d '{"phone": {"number": "+41 79 123 45 67"}}'
  curl -s $API/admin/outbox -H "Authorization: Bearer $ADMIN_TOKEN"
  # ZITADEL's UserService over the Connect protocol
  curl -s $API/zitadel.user.v2.UserService/SetPhone -H "Authorization: Bearer $ADMIN_TOKEN" \\
    -H 'Content-Type: application/json' -d '{"userId": "alice", "phone": "079 765 43 21", "returnCode": {}}'
  # more users (returns their tokens)
  curl -s -X POST $API/admin/users -H "Authorization: Bearer $ADMIN_TOKEN" \\
    -H 'Content-Type: application/json' -d '[{"userId": "bob", "resourceOwner": "acme"}]'

  # gRPC over h2c with ZITADEL's client (npm install @zitadel/client@1.3.1):
  #   createUserServiceClient(createServerTransport(ADMIN_TOKEN, {baseUrl: '${url}'}))
  #   from '@zitadel/client/v2' and '@zitadel/client/node'

Ctrl-C stops the server; the data stays for the next start (ALICE_TOKEN expires in 12 h).
`);
}
