// The browser mode's storage: users, their audit events, the SMS outbox and the code secret in
// IndexedDB, and the package's host object (loadUser, saveUser, sendSms) over them.
//
// saveUser is the compare-and-swap of SPEC §3 in ONE readwrite transaction over `users` and
// `events`: IndexedDB runs readwrite transactions with overlapping stores one at a time (across
// tabs too), so no other writer can slip between reading the sequence and writing the record.
// Callbacks, not awaits, chain the requests: the transaction must not commit in between.

const DB_NAME = 'contact-phone-admin';
const DB_VERSION = 1;
const OUTBOX_LIMIT = 50;

/** The demo user a new database starts with, as `npm start` seeds the worker. */
const DEMO_USER = { userId: 'alice', resourceOwner: 'acme', displayName: 'Alice Example' };

/** Opens (and on first use creates) the database. */
export function openStore(name = DB_NAME) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name, DB_VERSION);
    open.onupgradeneeded = () => {
      const db = open.result;
      const users = db.createObjectStore('users', { keyPath: 'userId' });
      // One event per sequence step of a user: the key refuses a second event at the same step.
      db.createObjectStore('events', { keyPath: ['userId', 'sequence'] });
      db.createObjectStore('outbox', { keyPath: 'id', autoIncrement: true });
      db.createObjectStore('settings');
      users.put(seeded(DEMO_USER, undefined));
    };
    open.onsuccess = () => resolve(new IdbStore(open.result));
    open.onerror = () => reject(open.error);
    open.onblocked = () => reject(new Error('IndexedDB is blocked by another tab holding an older version'));
  });
}

/** What the worker's POST /admin/users stores: defaults, and a replacement bumps the sequence. */
function seeded(user, existing) {
  const sequence = existing ? existing.sequence + 1 : (Number.isSafeInteger(user.sequence) ? user.sequence : 1);
  return { kind: 'human', state: 'active', ...user, sequence };
}

/** Resolves with the request's result, rejects with its error. */
function result(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Resolves when the transaction commits, rejects if it aborts. */
function committed(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export class IdbStore {
  constructor(db) {
    this.db = db;
  }

  /** The PhoneHost of SPEC §3 over this store. */
  host() {
    return {
      loadUser: (userId) => this.loadUser(userId),
      saveUser: (record, expectedSequence, events) => this.saveUser(record, expectedSequence, events),
      sendSms: (message) => this.sendSms(message),
    };
  }

  async loadUser(userId) {
    return (await result(this.db.transaction('users').objectStore('users').get(userId))) ?? null;
  }

  /**
   * Compare-and-swap: stores `record` and its events only if the stored sequence still equals
   * `expectedSequence`. Resolves true once committed, false (and writes nothing) if it moved.
   */
  saveUser(record, expectedSequence, events) {
    const tx = this.db.transaction(['users', 'events'], 'readwrite');
    const users = tx.objectStore('users');
    let saved = false;
    const read = users.get(record.userId);
    read.onsuccess = () => {
      if (read.result?.sequence !== expectedSequence) return; // another writer won
      users.put(record);
      const log = tx.objectStore('events');
      for (const event of events) log.add({ userId: record.userId, ...event });
      saved = true;
    };
    return committed(tx).then(() => saved);
  }

  /** The development SMS sink: appends to the outbox that the page shows. */
  async sendSms(message) {
    const tx = this.db.transaction('outbox', 'readwrite');
    tx.objectStore('outbox').add({ ...message, sentAt: new Date().toISOString() });
    await committed(tx);
  }

  /** Every user as `{userId, resourceOwner, kind, state}`, ordered by id. */
  async listUsers() {
    const all = await result(this.db.transaction('users').objectStore('users').getAll());
    return all.map(({ userId, resourceOwner, kind, state }) => ({ userId, resourceOwner, kind, state }));
  }

  /** Creates or replaces a user, with the worker's defaults and sequence rule. */
  async createUser(user) {
    const tx = this.db.transaction('users', 'readwrite');
    const users = tx.objectStore('users');
    const read = users.get(user.userId);
    read.onsuccess = () => users.put(seeded(user, read.result));
    await committed(tx);
  }

  /** `{user, events}` (events oldest first), or null if there is no such user. */
  async userDetails(userId) {
    const tx = this.db.transaction(['users', 'events']);
    const [user, events] = await Promise.all([
      result(tx.objectStore('users').get(userId)),
      result(tx.objectStore('events').getAll(IDBKeyRange.bound([userId, -Infinity], [userId, Infinity]))),
    ]);
    return user ? { user, events: events.map(({ userId: _, ...event }) => event) } : null;
  }

  /** The latest SMS, newest first. */
  outbox(limit = OUTBOX_LIMIT) {
    return new Promise((resolve, reject) => {
      const messages = [];
      const cursor = this.db.transaction('outbox').objectStore('outbox').openCursor(null, 'prev');
      cursor.onsuccess = () => {
        const at = cursor.result;
        if (!at || messages.length >= limit) return resolve(messages);
        const { id: _, ...message } = at.value;
        messages.push(message);
        at.continue();
      };
      cursor.onerror = () => reject(cursor.error);
    });
  }

  /**
   * The code secret of the browser mode: 32 random bytes made once and kept here. A secret held
   * by the browser protects nothing from the person at it: this is for demonstration only.
   */
  async codeSecret() {
    const tx = this.db.transaction('settings', 'readwrite');
    const settings = tx.objectStore('settings');
    let secret;
    const read = settings.get('codeSecret');
    read.onsuccess = () => {
      secret = read.result;
      if (secret) return;
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      secret = btoa(String.fromCharCode(...bytes));
      settings.put(secret, 'codeSecret');
    };
    await committed(tx);
    return secret;
  }
}
