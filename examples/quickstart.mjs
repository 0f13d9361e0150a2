// npm start: set a phone with returnCode on an in-memory host, verify the code, print both
// replies. Run after `npm run build`; it imports the package the way an application does.
import { setPhone, verifyPhone, getPhone } from 'contact-phone';

// The host stores users and sends SMS. Here: a Map with compare-and-swap on `sequence`.
const users = new Map([
  ['u1', { userId: 'u1', resourceOwner: 'org1', sequence: 1, displayName: 'Ada Lovelace' }],
]);
const host = {
  loadUser: (userId) => users.get(userId) ?? null,
  saveUser(record, expectedSequence, events) {
    if (users.get(record.userId)?.sequence !== expectedSequence) return false;
    users.set(record.userId, record);
    for (const event of events) console.log(`  event ${event.sequence} ${event.type}`);
    return true;
  },
  sendSms: (message) => console.log(`  SMS to ${message.to}: ${message.text}`),
};

const options = {
  // The user acting on its own phone; returnCode needs user.write on its organisation (or the
  // option allowSelfReturnCode), since a code handed back proves nothing about the number.
  caller: { userId: 'u1', permissions: ['user.write:org1'] },
  codeSecret: 'quickstart-secret-change-me-0123456789', // at least 32 bytes; keep it secret
};

console.log('setPhone(u1, "079 123 45 67", returnCode)');
const set = await setPhone('u1', { phone: { number: '079 123 45 67', returnCode: {} } }, host, options);
console.log(JSON.stringify(set, null, 2));

console.log(`verifyPhone(u1, ${set.verificationCode})`);
const verified = await verifyPhone('u1', { verificationCode: set.verificationCode }, host, options);
console.log(JSON.stringify(verified, null, 2));

console.log('getPhone(u1)');
console.log(JSON.stringify(await getPhone('u1', host, options), null, 2));
