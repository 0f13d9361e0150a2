// The cases of ZITADEL's own client (@zitadel/client: UserService v2 and ZITADELUsers v3alpha)
// that every server runs: the edge worker and the Node server declare them once per transport.
// Both servers serve /admin the same way, so a target is a base URL, the admin token and the
// tokens /admin issues; stored records, events and SMS are read back through /admin.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '@connectrpc/connect';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { createUserServiceClient } from '@zitadel/client/v2';
import { createUserServiceClient as createUsersV3Client } from '@zitadel/client/v3alpha';
import { OwnerType } from '@zitadel/proto/zitadel/object/v3alpha/object_pb.js';
import { failure, phoneFailure } from './zitadel-clients.mjs';

const MOBILE = '+41 79 123 45 67';
const MOBILE_E164 = '+41791234567';
const CODE = /^[A-Z0-9]{6}$/;
const SEND = { case: 'sendCode', value: {} };
let numbersUsed = 0;
/** A Swiss mobile number (E.164) that no other case sends to. */
const sendNumber = () => `+4179${3_000_000 + (numbersUsed += 1)}`;
const RETURN = { case: 'returnCode', value: {} };
const VERIFIED = { case: 'isVerified', value: true };

/**
 * A server under test. `url()` is read when a case runs (servers start after the cases are
 * declared); `tokens` is filled by seedCaseUsers.
 */
export function caseTarget({ url, adminToken, resourceOwner }) {
  return { url, adminToken, resourceOwner, tokens: {} };
}

/** An /admin request with the admin token: status and JSON body. */
export async function admin(target, method, path, body) {
  const response = await fetch(`${target.url()}${path}`, {
    method,
    headers: { authorization: `Bearer ${target.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** The stored record and its events, from GET /admin/users/:id. */
async function stored(target, userId) {
  const { status, body } = await admin(target, 'GET', `/admin/users/${userId}`);
  assert.equal(status, 200);
  return body;
}

const outbox = async (target, userId) => (await admin(target, 'GET', `/admin/outbox?userId=${userId}&limit=10`)).body.messages;

/** The phone as the JSON API answers it (GET /v3alpha/users/:id/phone), which both servers serve. */
async function jsonPhone(target, userId) {
  const response = await fetch(`${target.url()}/v3alpha/users/${userId}/phone`, { headers: { authorization: `Bearer ${target.adminToken}` } });
  assert.equal(response.status, 200);
  return (await response.json()).phone;
}

const slug = (protocol) => protocol.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The two services, as the cases call them: the same five steps, ZITADEL's two shapes. */
const APIS = [
  {
    name: 'UserService v2',
    prefix: 'v2',
    client: (transport) => createUserServiceClient(transport),
    set: (client, userId, phone, verification) => client.setPhone({ userId, phone, verification }),
    verify: (client, userId, verificationCode) => client.verifyPhone({ userId, verificationCode }),
    resend: (client, userId, verification) => client.resendPhoneCode({ userId, verification }),
    remove: (client, userId) => client.removePhone({ userId }),
    other: (client, userId) => client.getUserByID({ userId }),
    otherName: 'zitadel.user.v2.UserService.GetUserByID',
    /** zitadel.object.v2.Details: the stored sequence, change date and organisation. */
    assertDetails(details, record, target) {
      assert.equal(details.$typeName, 'zitadel.object.v2.Details');
      assert.equal(details.sequence, BigInt(record.sequence));
      assert.equal(details.changeDate.$typeName, 'google.protobuf.Timestamp');
      assert.equal(timestampMs(details.changeDate), Date.parse(record.changeDate));
      assert.equal(details.resourceOwner, target.resourceOwner);
    },
  },
  {
    name: 'ZITADELUsers v3alpha',
    prefix: 'v3',
    client: (transport) => createUsersV3Client(transport),
    set: (client, id, number, verification) => client.setContactPhone({ id, phone: { number, verification } }),
    verify: (client, id, verificationCode) => client.verifyContactPhone({ id, verificationCode }),
    resend: (client, id, verification) => client.resendContactPhoneCode({ id, verification }),
    remove: null, // ZITADELUsers has no RemoveContactPhone
    other: (client, id) => client.getUser({ id }),
    otherName: 'zitadel.resources.user.v3alpha.ZITADELUsers.GetUser',
    /** zitadel.resources.object.v3alpha.Details: id, changed, owner; `created` only on creation. */
    assertDetails(details, record, target) {
      assert.equal(details.$typeName, 'zitadel.resources.object.v3alpha.Details');
      assert.equal(details.id, record.userId);
      assert.equal(details.created, undefined);
      assert.equal(details.changed.$typeName, 'google.protobuf.Timestamp');
      assert.equal(timestampMs(details.changed), Date.parse(record.changeDate));
      assert.equal(details.owner.type, OwnerType.ORG);
      assert.equal(details.owner.id, target.resourceOwner);
    },
  },
];

const NAMES = ['send', 'ret', 'verified', 'remove', 'self', 'resend'];
const userId = (api, name, protocol) => `${api.prefix}-${name}-${slug(protocol)}`;

/** A user whose pending code was issued ten minutes ago (past the 30 s resend cooldown). */
function withOldCode(id, resourceOwner) {
  const minutes = (n) => new Date(Date.now() + n * 60_000).toISOString();
  const code = { hash: '0'.repeat(64), createdAt: minutes(-10), expiresAt: minutes(50), failedAttempts: 0 };
  return { userId: id, resourceOwner, sequence: 1, phone: { number: MOBILE_E164, isVerified: false, code } };
}

/**
 * Creates the users the cases of `protocols` need, plus `extra` users, through POST /admin/users,
 * and keeps their tokens in `target.tokens`.
 */
export async function seedCaseUsers(target, protocols, extra = []) {
  const users = [...extra];
  for (const protocol of protocols) {
    for (const api of APIS) {
      for (const name of NAMES) {
        if (name === 'remove' && !api.remove) continue;
        const id = userId(api, name, protocol);
        users.push(name === 'resend' ? withOldCode(id, target.resourceOwner) : { userId: id, resourceOwner: target.resourceOwner });
      }
    }
  }
  const { status, body } = await admin(target, 'POST', '/admin/users', users);
  assert.equal(status, 201, JSON.stringify(body));
  for (const { userId: id, sequence, token } of body.users) {
    assert.equal(sequence, 1);
    target.tokens[id] = token;
  }
}

/** Declares the cases of both services over `transport` (a function of the bearer token). */
export function declareZitadelCases(target, protocol, transport) {
  for (const api of APIS) {
    describe(`${api.name} over ${protocol}`, () => declareCases(target, api, protocol, transport));
  }
}

function declareCases(target, api, protocol, transport) {
  const client = (token) => api.client(transport(token));
  const asAdmin = () => client(target.adminToken);
  const asSelf = (id) => client(target.tokens[id]);
  const user = (name) => userId(api, name, protocol);
  // A number of its own: a number's SMS are limited across all users (sendLimit.perNumber).
  const to = sendNumber();

  /** The details are the stored record's, at `sequence`. */
  async function assertDetails(details, id, sequence) {
    const { user: record } = await stored(target, id);
    assert.equal(record.sequence, sequence);
    api.assertDetails(details, record, target);
    assert.ok(Math.abs(Date.parse(record.changeDate) - Date.now()) < 60_000);
  }

  test('set with sendCode (own token): the SMS is in the outbox; verify: a wrong code, then the right one', async () => {
    const id = user('send');
    const self = asSelf(id);
    const set = await api.set(self, id, to, SEND);
    await assertDetails(set.details, id, 3);
    assert.equal(set.verificationCode, undefined);
    const sms = await outbox(target, id);
    assert.equal(sms.length, 1);
    assert.equal(sms[0].to, to);
    assert.equal(sms[0].userId, id);
    assert.match(sms[0].code, CODE);
    assert.equal(sms[0].text, `Your verification code is ${sms[0].code}`);
    assert.deepEqual(await jsonPhone(target, id), { number: to, isVerified: false });

    const wrong = sms[0].code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
    assert.deepEqual(
      await failure(api.verify(self, id, wrong)),
      phoneFailure(Code.InvalidArgument, 'CODE-woT0xc', 'Code is invalid'),
    );
    const verified = await api.verify(self, id, sms[0].code);
    await assertDetails(verified.details, id, 5);
    assert.deepEqual(await jsonPhone(target, id), { number: to, isVerified: true });
    const { user: record, events } = await stored(target, id);
    assert.deepEqual(record.phone, { number: to, isVerified: true, code: null });
    assert.deepEqual(
      events.map((e) => [e.sequence, e.type]),
      [
        [2, 'user.human.phone.changed'],
        [3, 'user.human.phone.code.added'],
        [4, 'user.human.phone.verification.failed'],
        [5, 'user.human.phone.verified'],
      ],
    );
  });

  test('set with returnCode (admin token) returns a 6-character code and sends nothing; it verifies', async () => {
    const id = user('ret');
    const set = await api.set(asAdmin(), id, '079 123 45 67', RETURN);
    await assertDetails(set.details, id, 3);
    assert.match(set.verificationCode, CODE);
    assert.deepEqual(await outbox(target, id), []);
    const verified = await api.verify(asSelf(id), id, set.verificationCode);
    await assertDetails(verified.details, id, 4);
    assert.deepEqual(await jsonPhone(target, id), { number: MOBILE_E164, isVerified: true });
  });

  test('set with isVerified (admin token) stores the phone verified, without a code', async () => {
    const id = user('verified');
    const set = await api.set(asAdmin(), id, MOBILE, VERIFIED);
    await assertDetails(set.details, id, 3);
    assert.equal(set.verificationCode, undefined);
    const { user: record, events } = await stored(target, id);
    assert.deepEqual(record.phone, { number: MOBILE_E164, isVerified: true, code: null });
    assert.deepEqual(events.map((e) => e.type), ['user.human.phone.changed', 'user.human.phone.verified']);
    assert.deepEqual(await outbox(target, id), []);
  });

  test('resend with returnCode (admin token) returns a new code, which verifies', async () => {
    const id = user('resend');
    const resent = await api.resend(asAdmin(), id, RETURN);
    await assertDetails(resent.details, id, 2);
    assert.match(resent.verificationCode, CODE);
    assert.deepEqual(await outbox(target, id), []);
    const verified = await api.verify(asSelf(id), id, resent.verificationCode);
    await assertDetails(verified.details, id, 3);
    assert.deepEqual(await jsonPhone(target, id), { number: MOBILE_E164, isVerified: true });
  });

  if (api.remove) {
    test('remove (own token) removes the stored phone; removing it again is FailedPrecondition', async () => {
      const id = user('remove');
      await api.set(asAdmin(), id, MOBILE, VERIFIED);
      const removed = await api.remove(asSelf(id), id);
      await assertDetails(removed.details, id, 4);
      assert.equal(await jsonPhone(target, id), null);
      assert.deepEqual(
        await failure(api.remove(asSelf(id), id)),
        phoneFailure(Code.FailedPrecondition, 'COMMAND-ieJ2e', 'Phone not found'),
      );
      assert.equal((await stored(target, id)).user.sequence, 4);
    });
  }

  test('an unknown user is NotFound', async () => {
    assert.deepEqual(
      await failure(api.set(asAdmin(), 'nobody', MOBILE, RETURN)),
      phoneFailure(Code.NotFound, 'COMMAND-b33QAVgel6', 'User could not be found'),
    );
  });

  test('no token, or a forged one, is Unauthenticated and changes nothing', async () => {
    const id = user('self');
    const before = await stored(target, id);
    assert.deepEqual(
      await failure(api.set(client(null), id, MOBILE, SEND)),
      phoneFailure(Code.Unauthenticated, 'AUTH-unauthenticated', 'No bearer token: send Authorization: Bearer <token>'),
    );
    // This user's caller with another user's MAC.
    const forged = `${target.tokens[id].split('.')[0]}.${target.tokens[user('send')].split('.')[1]}`;
    assert.deepEqual(
      await failure(api.set(client(forged), id, MOBILE, SEND)),
      phoneFailure(Code.Unauthenticated, 'AUTH-unauthenticated', 'The bearer token is not valid'),
    );
    assert.deepEqual(await stored(target, id), before);
  });

  test("isVerified or returnCode with the user's own token is PermissionDenied", async () => {
    const id = user('self');
    for (const mode of [VERIFIED, RETURN]) {
      assert.deepEqual(
        await failure(api.set(asSelf(id), id, MOBILE, mode)),
        phoneFailure(Code.PermissionDenied, 'AUTH-AWfge', 'No matching permissions found'),
      );
    }
    assert.equal((await stored(target, id)).user.sequence, 1);
  });

  test('an invalid number is InvalidArgument PHONE-so0wa', async () => {
    const id = user('self');
    assert.deepEqual(
      await failure(api.set(asSelf(id), id, 'PhoneNumber', SEND)),
      phoneFailure(Code.InvalidArgument, 'PHONE-so0wa', 'Phone is invalid: no digits'),
    );
    assert.equal((await stored(target, id)).user.sequence, 1);
    assert.deepEqual(await outbox(target, id), []);
  });

  test('the other methods of the service are Unimplemented', async () => {
    const error = await failure(api.other(asAdmin(), user('self')));
    assert.deepEqual(error, { code: Code.Unimplemented, rawMessage: `${api.otherName} is not implemented`, details: [] });
  });
}
