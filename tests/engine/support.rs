//! An in-memory host, a fixed clock, scripted randomness and a one-line way to make a call.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context as TaskContext, Poll, Waker};

use contact_phone::driver::{self, Host};
use contact_phone::engine::auth::Caller;
use contact_phone::engine::code::{RandomSource, RandomUnavailable};
use contact_phone::engine::error::{Callback, PhoneError};
use contact_phone::engine::event::SmsMessage;
use contact_phone::engine::limits::Reservation;
use contact_phone::engine::record::UserRecord;
use contact_phone::engine::reply::Reply;
use contact_phone::engine::request::{GetPhone, RemovePhone, ResendCode, SetPhone, VerifyPhone};
use contact_phone::engine::time::Timestamp;
use contact_phone::engine::{self, Context, Operation, Save};
use serde_json::json;
use serde_json::Value;

/// 2026-11-28T12:00:00.000Z.
pub const NOW: i64 = 1_795_867_200_000;
pub const SECRET: &str = "0123456789abcdef0123456789abcdef";

/// Drives a future whose awaits are all ready (the in-memory host never waits).
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// Bytes 0, 1, 2, ... so codes are predictable: with A-Z0-9 the first code is `ABCDEF`.
pub struct Counting(pub u8);

impl RandomSource for Counting {
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), RandomUnavailable> {
        for b in bytes {
            *b = self.0;
            self.0 = self.0.wrapping_add(1);
        }
        Ok(())
    }
}

/// A random source that always fails.
pub struct Broken;

impl RandomSource for Broken {
    fn fill(&mut self, _: &mut [u8]) -> Result<(), RandomUnavailable> {
        Err(RandomUnavailable)
    }
}

/// Records keyed by user id, with compare-and-swap, counters and switchable failures.
#[derive(Default)]
pub struct MemoryHost {
    pub records: RefCell<HashMap<String, UserRecord>>,
    pub sent: RefCell<Vec<SmsMessage>>,
    pub events: RefCell<Vec<Value>>,
    pub loads: Cell<usize>,
    pub saves: Cell<usize>,
    /// Saves to lose before one wins (another writer bumps the sequence each time).
    pub lose: Cell<usize>,
    pub fail_load: Cell<bool>,
    pub fail_sms: Cell<bool>,
    /// Bearer tokens and their callers.
    pub tokens: RefCell<HashMap<String, Caller>>,
    /// The shared per-number counter's answer to every reservation (`None`: reserved), and
    /// what it was asked.
    pub counter_full: Cell<Option<u64>>,
    pub reservations: RefCell<Vec<Reservation>>,
}

impl MemoryHost {
    pub fn with(records: &[Value]) -> MemoryHost {
        let host = MemoryHost::default();
        for value in records {
            let id = value["userId"].as_str().unwrap();
            let record = UserRecord::from_json(value, id, Callback::LoadUser).unwrap();
            host.records.borrow_mut().insert(id.to_owned(), record);
        }
        host
    }

    pub fn record(&self, user_id: &str) -> Value {
        serde_json::to_value(&self.records.borrow()[user_id]).unwrap()
    }

    pub fn counts(&self) -> (usize, usize, usize) {
        (self.loads.get(), self.saves.get(), self.sent.borrow().len())
    }
}

impl Host for MemoryHost {
    async fn authenticate(&self, token: &str) -> Result<Option<Caller>, PhoneError> {
        Ok(self.tokens.borrow().get(token).cloned())
    }

    async fn load_user(&self, user_id: &str) -> Result<Option<UserRecord>, PhoneError> {
        self.loads.set(self.loads.get() + 1);
        if self.fail_load.get() {
            return Err(PhoneError::HostStorage {
                callback: Callback::LoadUser,
                cause: "threw Error: disk on fire".into(),
            });
        }
        Ok(self.records.borrow().get(user_id).cloned())
    }

    async fn save_user(&self, save: &Save) -> Result<bool, PhoneError> {
        self.saves.set(self.saves.get() + 1);
        let mut records = self.records.borrow_mut();
        let current = records.get_mut(&save.record.user_id).expect("saves follow loads");
        if self.lose.get() > 0 {
            // Another writer got there first.
            self.lose.set(self.lose.get() - 1);
            current.sequence = current.sequence.next().unwrap();
            return Ok(false);
        }
        if current.sequence != save.expected {
            return Ok(false);
        }
        *current = save.record.clone();
        self.events
            .borrow_mut()
            .extend(save.events.iter().map(|e| serde_json::to_value(e).unwrap()));
        Ok(true)
    }

    async fn reserve_sms(&self, reservation: &Reservation) -> Result<Option<u64>, PhoneError> {
        self.reservations.borrow_mut().push(reservation.clone());
        Ok(self.counter_full.get())
    }

    async fn send_sms(&self, message: &SmsMessage) -> Result<(), PhoneError> {
        if self.fail_sms.get() {
            return Err(PhoneError::HostSms {
                cause: "rejected with Error: gateway down".into(),
                saved: true,
            });
        }
        self.sent.borrow_mut().push(message.clone());
        Ok(())
    }
}

/// A human, active user `id` of `org1` at sequence 4.
pub fn user(id: &str) -> Value {
    json!({"userId": id, "resourceOwner": "org1", "sequence": 4, "changeDate": "2026-11-01T00:00:00.000Z"})
}

/// Options with `caller` acting, the test secret, and `extra` merged in.
pub fn options(caller: Value, extra: Value) -> Value {
    let mut options = json!({"caller": caller, "codeSecret": SECRET});
    if let (Some(map), Some(extra)) = (options.as_object_mut(), extra.as_object()) {
        map.extend(extra.clone());
    }
    options
}

/// User u1 acting on itself.
pub fn me() -> Value {
    json!({"userId": "u1"})
}

/// An admin of org1.
pub fn admin() -> Value {
    json!({"userId": "admin", "permissions": ["user.write:org1"]})
}

/// One call as the bindings make it: parse, prepare, drive; the reply as JSON.
pub struct Call<'a> {
    pub host: &'a MemoryHost,
    pub options: Value,
    pub now: i64,
    pub random: &'a mut dyn RandomSource,
}

impl Call<'_> {
    fn run<O: Operation>(&mut self, parsed: Result<O, PhoneError>) -> Result<Value, PhoneError> {
        let (operation, options) = engine::prepare(parsed?, &self.options)?;
        let ctx = Context { options: &options, now: Timestamp::from_millis(self.now).unwrap() };
        block_on(driver::run(self.host, operation, &ctx, &mut *self.random))
            .map(|r| serde_json::to_value::<Reply>(r.into()).unwrap())
    }

    pub fn set(&mut self, user_id: &str, request: Value) -> Result<Value, PhoneError> {
        self.run(SetPhone::parse(&json!(user_id), &request))
    }

    pub fn verify(&mut self, user_id: &str, code: &str) -> Result<Value, PhoneError> {
        self.run(VerifyPhone::parse(&json!(user_id), &json!({"verificationCode": code})))
    }

    pub fn resend(&mut self, user_id: &str, request: Value) -> Result<Value, PhoneError> {
        self.run(ResendCode::parse(&json!(user_id), &request))
    }

    pub fn remove(&mut self, user_id: &str) -> Result<Value, PhoneError> {
        self.run(RemovePhone::parse(&json!(user_id)))
    }

    pub fn get(&mut self, user_id: &str) -> Result<Value, PhoneError> {
        self.run(GetPhone::parse(&json!(user_id)))
    }
}

/// Shorthand for a call by `caller` at `NOW + seconds`.
pub fn call<'a>(
    host: &'a MemoryHost,
    caller: Value,
    seconds: i64,
    random: &'a mut dyn RandomSource,
) -> Call<'a> {
    Call { host, options: options(caller, json!({})), now: NOW + seconds * 1000, random }
}

pub fn set_request(number: &str, mode: Value) -> Value {
    let mut phone = json!({"number": number});
    if let (Some(map), Some(mode)) = (phone.as_object_mut(), mode.as_object()) {
        map.extend(mode.clone());
    }
    json!({"phone": phone})
}
