// JS hosts for tests/web.rs: an in-memory store with compare-and-swap, and hosts that fail in
// each way a user's host can.
export function memoryHost(records, behaviour = {}) {
  const store = new Map(records.map((r) => [r.userId, r]));
  const host = {
    loads: 0,
    saves: 0,
    sent: [],
    store,
    async loadUser(userId) {
      host.loads += 1;
      return store.get(userId) ?? null;
    },
    saveUser(record, expected, events) {
      host.saves += 1;
      host.lastEvents = events;
      if (behaviour.alwaysLose) return false;
      const current = store.get(record.userId);
      if (!current || current.sequence !== expected) return false;
      store.set(record.userId, record);
      return Promise.resolve(true);
    },
    sendSms(message) {
      host.sent.push(message);
      if (behaviour.smsRejects) return Promise.reject(new Error('gateway down'));
    },
  };
  return host;
}

export function stored(host, userId) {
  return host.store.get(userId);
}

export function counters(host) {
  return { loads: host.loads, saves: host.saves, sent: host.sent.length };
}

export function lastSms(host) {
  return host.sent.at(-1);
}

export function lastEvents(host) {
  return host.lastEvents;
}

// A host whose `member` misbehaves in the way `how` names; the other members work.
export function brokenHost(record, member, how) {
  const host = memoryHost([record]);
  const bad = {
    throws: () => { throw new TypeError(`${member} exploded`); },
    rejects: () => Promise.reject(new Error(`${member} rejected`)),
    rejectsWithString: () => Promise.reject('plain string'),
    number: () => 42,
    string: () => 'yes',
    missing: undefined,
    notAFunction: 'loadUser',
    wrongRecord: () => ({ userId: record.userId, resourceOwner: 'o', sequence: 'one' }),
    otherUser: () => ({ ...record, userId: 'someone-else' }),
    hangs: () => new Promise(() => {}),
  }[how];
  host[member] = bad;
  return host;
}

export function hostThatThrowsOnRead() {
  return new Proxy({}, { get() { throw new Error('no peeking'); } });
}

export function withGetterThatThrows() {
  return { get phone() { throw new Error('getter exploded'); } };
}

export function cyclic() {
  const value = { phone: { number: '+41711234567' } };
  value.phone.self = value;
  return value;
}

export function withBigInt() {
  return { phone: { number: 41711234567n } };
}

export function errorInfo(error) {
  return {
    isError: error instanceof Error,
    className: error?.constructor?.name,
    name: error?.name,
    code: error?.code,
    status: error?.status,
    id: error?.id,
    message: error?.message,
    json: typeof error?.toJSON === 'function' ? error.toJSON() : null,
  };
}

export function clockAt(millis) {
  return () => millis;
}

export function dateClockAt(millis) {
  return () => new Date(millis);
}
