// contact-phone/connect served by connect-node and called with ZITADEL's own client
// (@zitadel/client) over Connect JSON, Connect binary, gRPC-web (HTTP/1.1) and gRPC (h2c).
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Code, createConnectRouter, createRouterTransport } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { createUserServiceClient } from '@zitadel/client/v2';
import { createUserServiceClient as createUsersV3Client } from '@zitadel/client/v3alpha';
import { OwnerType } from '@zitadel/proto/zitadel/object/v3alpha/object_pb.js';
import { handleHttp } from 'contact-phone';
import { routes } from 'contact-phone/connect';
import { ADMIN, MOBILE, MOBILE_E164, MemoryHost, NOW, SECRET, SELF, clock } from './support.mjs';
import { bearer, failure, phoneFailure, zitadelTransports } from './zitadel-clients.mjs';

const TOKENS = new Map([
  ['self-token', SELF],
  ['admin-token', ADMIN],
]);

// One host and clock per test, read by the server on each call.
let host;
let time;
const config = {
  host: () => host,
  options: () => ({ codeSecret: SECRET, now: time.now }),
  authenticate: (token) => TOKENS.get(token) ?? null,
};

const servers = {};
const sessions = new Set();
before(async () => {
  const handler = connectNodeAdapter({ routes: (router) => routes(router, config) });
  servers.h1 = http.createServer(handler);
  servers.h2 = http2.createServer(handler).on('session', (session) => sessions.add(session));
  for (const server of Object.values(servers)) await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  servers.h1.closeAllConnections();
  for (const session of sessions) session.destroy();
  await Promise.all(Object.values(servers).map((server) => new Promise((resolve) => server.close(resolve))));
});
beforeEach(() => {
  host = new MemoryHost();
  time = clock();
});

const url = (server) => `http://127.0.0.1:${server.address().port}`;
/** Transports by protocol, against the two servers above. */
const transports = zitadelTransports({ http1: () => url(servers.h1), http2: () => url(servers.h2) });

/** details (zitadel.object.v2.Details) at `sequence`, changed at NOW. */
function assertDetails(details, sequence) {
  assert.equal(details.$typeName, 'zitadel.object.v2.Details');
  assert.equal(details.sequence, BigInt(sequence));
  assert.equal(details.sequence, BigInt(host.record().sequence), 'not the stored sequence');
  assert.equal(details.changeDate.$typeName, 'google.protobuf.Timestamp');
  assert.equal(timestampMs(details.changeDate), NOW);
  assert.equal(details.resourceOwner, 'org1');
}

for (const [protocol, transport] of Object.entries(transports)) {
  describe(`UserService v2 over ${protocol}`, () => {
    const client = (token) => createUserServiceClient(transport(token));
    const self = () => client('self-token');
    const admin = () => client('admin-token');

    test('SetPhone with sendCode sends one SMS and returns no code', async () => {
      const reply = await self().setPhone({ userId: 'u1', phone: MOBILE, verification: { case: 'sendCode', value: {} } });
      assertDetails(reply.details, 6);
      assert.equal(reply.verificationCode, undefined);
      assert.equal(host.sent.length, 1);
      assert.equal(host.sent[0].to, MOBILE_E164);
      assert.equal(host.record().phone.number, MOBILE_E164);
    });

    test('SetPhone without a verification sends an SMS, as ZITADEL', async () => {
      const reply = await self().setPhone({ userId: 'u1', phone: MOBILE });
      assertDetails(reply.details, 6);
      assert.equal(host.sent.length, 1);
    });

    test('SetPhone with returnCode returns a 6-character code and sends nothing', async () => {
      const reply = await admin().setPhone({ userId: 'u1', phone: MOBILE, verification: { case: 'returnCode', value: {} } });
      assertDetails(reply.details, 6);
      assert.match(reply.verificationCode, /^[A-Z0-9]{6}$/);
      assert.equal(host.sent.length, 0);
    });

    test('SetPhone with isVerified (admin) stores the phone verified', async () => {
      const reply = await admin().setPhone({ userId: 'u1', phone: MOBILE, verification: { case: 'isVerified', value: true } });
      assertDetails(reply.details, 6);
      assert.equal(reply.verificationCode, undefined);
      assert.deepEqual(host.record().phone, { number: MOBILE_E164, isVerified: true, code: null });
    });

    test('VerifyPhone: a wrong code is InvalidArgument CODE-woT0xc, the right one verifies', async () => {
      const { verificationCode } = await admin().setPhone({
        userId: 'u1',
        phone: MOBILE,
        verification: { case: 'returnCode', value: {} },
      });
      const wrong = verificationCode === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
      assert.deepEqual(
        await failure(self().verifyPhone({ userId: 'u1', verificationCode: wrong })),
        phoneFailure(Code.InvalidArgument, 'CODE-woT0xc', 'Code is invalid'),
      );
      const reply = await self().verifyPhone({ userId: 'u1', verificationCode });
      assertDetails(reply.details, 8);
      assert.deepEqual(host.record().phone, { number: MOBILE_E164, isVerified: true, code: null });
    });

    test('ResendPhoneCode with returnCode returns a new code', async () => {
      await admin().setPhone({ userId: 'u1', phone: MOBILE, verification: { case: 'returnCode', value: {} } });
      time.advance(30);
      const reply = await admin().resendPhoneCode({ userId: 'u1', verification: { case: 'returnCode', value: {} } });
      assert.match(reply.verificationCode, /^[A-Z0-9]{6}$/);
      assert.equal(reply.details.sequence, 7n);
      assert.equal(reply.details.sequence, BigInt(host.record().sequence));
      assert.equal(timestampMs(reply.details.changeDate), NOW + 30_000);
      assert.equal(host.sent.length, 0);
    });

    test('RemovePhone removes the stored phone', async () => {
      await admin().setPhone({ userId: 'u1', phone: MOBILE, verification: { case: 'isVerified', value: true } });
      const reply = await self().removePhone({ userId: 'u1' });
      assertDetails(reply.details, 7);
      assert.equal(host.record().phone ?? null, null);
    });

    test('an unknown user is NotFound', async () => {
      assert.deepEqual(
        await failure(admin().removePhone({ userId: 'nobody' })),
        phoneFailure(Code.NotFound, 'COMMAND-b33QAVgel6', 'User could not be found'),
      );
    });

    test('no token is Unauthenticated, before the host is asked anything', async () => {
      assert.deepEqual(
        await failure(client(null).setPhone({ userId: 'u1', phone: MOBILE })),
        phoneFailure(Code.Unauthenticated, 'AUTH-unauthenticated', 'No bearer token: send Authorization: Bearer <token>'),
      );
      assert.deepEqual(host.counters(), { loads: 0, saves: 0, sends: 0 });
    });

    test('an unknown token is Unauthenticated', async () => {
      assert.deepEqual(
        await failure(client('stolen').removePhone({ userId: 'u1' })),
        phoneFailure(Code.Unauthenticated, 'AUTH-unauthenticated', 'The bearer token is not valid'),
      );
      assert.equal(host.loads, 0);
    });

    test('isVerified with a self token is PermissionDenied', async () => {
      assert.deepEqual(
        await failure(self().setPhone({ userId: 'u1', phone: MOBILE, verification: { case: 'isVerified', value: true } })),
        phoneFailure(Code.PermissionDenied, 'AUTH-AWfge', 'No matching permissions found'),
      );
      assert.equal(host.saves, 0);
    });

    test('an invalid number is InvalidArgument PHONE-so0wa', async () => {
      assert.deepEqual(
        await failure(self().setPhone({ userId: 'u1', phone: 'PhoneNumber' })),
        phoneFailure(Code.InvalidArgument, 'PHONE-so0wa', 'Phone is invalid: no digits'),
      );
    });

    test('other UserService methods are Unimplemented', async () => {
      const error = await failure(admin().getUserByID({ userId: 'u1' }));
      assert.equal(error.code, Code.Unimplemented);
      assert.equal(error.rawMessage, 'zitadel.user.v2.UserService.GetUserByID is not implemented');
      assert.equal(host.loads, 0);
    });
  });
}

for (const protocol of ['Connect JSON', 'gRPC (h2c)']) {
  describe(`ZITADELUsers v3alpha over ${protocol}`, () => {
    const client = (token) => createUsersV3Client(transports[protocol](token));

    /** details (zitadel.resources.object.v3alpha.Details) of u1, changed at `millis`. */
    function assertDetails(details, millis = NOW) {
      assert.equal(details.id, 'u1');
      assert.equal(details.created, undefined);
      assert.equal(timestampMs(details.changed), millis);
      assert.equal(details.owner.type, OwnerType.ORG);
      assert.equal(details.owner.id, 'org1');
    }

    test('SetContactPhone, ResendContactPhoneCode and VerifyContactPhone', async () => {
      const admin = client('admin-token');
      const set = await admin.setContactPhone({
        id: 'u1',
        phone: { number: MOBILE, verification: { case: 'returnCode', value: {} } },
      });
      assertDetails(set.details);
      assert.match(set.verificationCode, /^[A-Z0-9]{6}$/);
      time.advance(30);
      const resent = await admin.resendContactPhoneCode({ id: 'u1', verification: { case: 'returnCode', value: {} } });
      assertDetails(resent.details, NOW + 30_000);
      const verified = await client('self-token').verifyContactPhone({ id: 'u1', verificationCode: resent.verificationCode });
      assertDetails(verified.details, NOW + 30_000);
      assert.deepEqual(host.record().phone, { number: MOBILE_E164, isVerified: true, code: null });
      assert.equal(host.record().sequence, 8);
    });

    test('errors carry the PhoneError', async () => {
      assert.deepEqual(
        await failure(client('self-token').setContactPhone({ id: 'u1', phone: { number: 'PhoneNumber' } })),
        phoneFailure(Code.InvalidArgument, 'PHONE-so0wa', 'Phone is invalid: no digits'),
      );
      assert.equal((await failure(client(null).verifyContactPhone({ id: 'u1', verificationCode: 'X' }))).code, Code.Unauthenticated);
    });
  });
}

test("without authenticate, the host's own authenticate(token) is asked, with the host as this", async () => {
  host = new MemoryHost();
  time = clock();
  host.authenticate = function (token) {
    assert.equal(this, host);
    return TOKENS.get(token) ?? null;
  };
  const transport = (token) =>
    createRouterTransport((router) => routes(router, { host, options: { codeSecret: SECRET, now: time.now } }), {
      transport: { interceptors: bearer(token) },
    });
  const reply = await createUserServiceClient(transport('admin-token')).setPhone({ userId: 'u1', phone: MOBILE });
  assertDetails(reply.details, 6);
  assert.equal((await failure(createUserServiceClient(transport('stolen')).removePhone({ userId: 'u1' }))).code, Code.Unauthenticated);
});

test('routes() refuses a host without authenticate when none is given', () => {
  assert.throws(() => routes(createConnectRouter(), { host: new MemoryHost() }), {
    name: 'TypeError',
    message: 'routes(router, {host, authenticate}): pass authenticate, or a host with authenticate(token)',
  });
});

test("the Unauthenticated messages are the package's HTTP entry's", async () => {
  // js/connect words the two 401s itself (the gate answers before any package call); they
  // must stay those of handleHttp.
  const messages = [];
  for (const headers of [{}, { authorization: 'Bearer stolen' }]) {
    const reply = await handleHttp({ method: 'GET', path: '/v3alpha/users/u1/phone', headers, body: null }, { authenticate: () => null }, {});
    messages.push(JSON.parse(reply.body).details[0].message);
  }
  assert.deepEqual(messages, ['No bearer token: send Authorization: Bearer <token>', 'The bearer token is not valid']);
});

test("the connect entry's packages are optional peers, pinned for the tests", () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  for (const name of ['@connectrpc/connect', '@bufbuild/protobuf', '@zitadel/proto']) {
    assert.equal(pkg.peerDependenciesMeta[name]?.optional, true, name);
    assert.match(pkg.devDependencies[name], /^\d+\.\d+\.\d+$/, name);
  }
  assert.equal(pkg.dependencies, undefined, 'contact-phone itself needs no dependency');
});

test('js/connect/index.d.ts types a router setup under --strict', () => {
  // A project that depends on the package and the three peers; no skipLibCheck, so the
  // hand-written declarations are checked too.
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'contact-phone-connect-ts-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules/contact-phone'), 'dir');
  for (const scope of ['@connectrpc', '@bufbuild', '@zitadel']) symlinkSync(join(root, 'node_modules', scope), join(dir, 'node_modules', scope), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, lib: ['es2022', 'dom'], types: [], target: 'es2022',
      module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: false,
    },
    files: ['app.ts'],
  }));
  writeFileSync(join(dir, 'app.ts'), `
import type { ConnectRouter } from '@connectrpc/connect';
import type { PhoneHost } from 'contact-phone';
import { routes } from 'contact-phone/connect';
declare const host: PhoneHost;
export const mount = (router: ConnectRouter) =>
  routes(router, {
    host,
    options: (context) => ({ codeSecret: context.requestHeader.get('x-tenant') ?? '' }),
    authenticate: async (token) => (token === 'admin' ? { permissions: ['user.write'] } : null),
  });
// @ts-expect-error: options hold no caller, the token decides it
routes({} as ConnectRouter, { host, options: { caller: { userId: 'u1' } } });
`);
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { encoding: 'utf8' });
  assert.equal(`${result.stdout}${result.stderr}`.trim(), '');
});

test("a host failure's cause goes to the log, not to the client", async (t) => {
  const logged = [];
  t.mock.method(console, 'error', (line) => logged.push(line));
  host.saveUser = () => { throw new Error('disk full at /var/lib/users'); };
  const client = createUserServiceClient(transports['Connect JSON']('admin-token'));
  assert.deepEqual(
    await failure(client.setPhone({ userId: 'u1', phone: MOBILE, verification: { case: 'returnCode', value: {} } })),
    phoneFailure(Code.Internal, 'HOST-storage', 'Host callback saveUser failed'),
  );
  assert.deepEqual(logged, ['contact-phone: Host callback saveUser failed: threw Error: disk full at /var/lib/users']);
});
