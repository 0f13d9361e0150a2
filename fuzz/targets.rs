//! The bodies of the fuzz targets, shared by `fuzz/fuzz_targets/*` (libFuzzer, nightly) and by
//! `tests/fuzz_replay.rs`, which replays the committed corpora on stable in `npm test`.
//!
//! Each target panics when an invariant breaks; everything else is a pass.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::pin;
use std::task::{Context as TaskContext, Poll, Waker};

use contact_phone::driver::{self, Host};
use contact_phone::engine::code::{RandomSource, RandomUnavailable};
use contact_phone::engine::error::{Callback, PhoneError};
use contact_phone::engine::event::SmsMessage;
use contact_phone::engine::limits::{Reservation, SendLimit};
use contact_phone::engine::options::{Options, PhoneRules};
use contact_phone::engine::phone::{self, ParseOptions, Region};
use contact_phone::engine::record::{PhoneState, UserRecord};
use contact_phone::engine::reply::Reply;
use contact_phone::engine::request::{GetPhone, RemovePhone, ResendCode, SetPhone, VerifyPhone};
use contact_phone::engine::time::Timestamp;
use contact_phone::engine::{self, Context, Operation, Save};
use contact_phone::http;
use serde_json::json;
use serde_json::Value;

/// Every error must map to a known id, a status and a non-empty message.
fn check_error(error: &PhoneError) {
    let body = serde_json::to_value(error.body()).expect("an error body serialises");
    assert!(!error.message().is_empty());
    assert!(error.id().contains('-'), "{}", error.id());
    assert!((400..=599).contains(&error.http_status()));
    assert_eq!(body["details"][0]["id"], error.id());
}

/// Request, options and record parsers, and HTTP routing, on arbitrary JSON text.
pub fn request_json(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let request = json!({
        "method": "PUT",
        "path": "/v3alpha/users/u1/phone",
        "headers": {"content-type": "application/json", "authorization": "Bearer t"},
        "body": text,
    });
    if let Err(error) = http::parse_request(&request) {
        check_error(&error);
    }
    let Ok(value) = serde_json::from_str::<Value>(&text) else { return };
    let user = json!("u1");
    for result in [
        SetPhone::parse(&user, &value).err(),
        VerifyPhone::parse(&user, &value).err(),
        ResendCode::parse(&user, &value).err(),
        SetPhone::parse(&value, &json!({"phone": {"number": "1"}})).err(),
    ]
    .into_iter()
    .flatten()
    {
        assert_eq!(result.id(), "REQUEST-invalid");
        check_error(&result);
    }
    let options = Options::from_json(&value);
    if let Err(error) = &options {
        assert!(matches!(error.id(), "CONFIG-invalid"), "{}", error.id());
    }
    // normalizePhone's reader accepts whatever the whole reader accepts, and reads the same.
    match (PhoneRules::from_json(&value), options) {
        (Ok(rules), Ok(options)) => assert_eq!(rules, options.phone),
        (Err(error), Ok(_)) => {
            panic!("PhoneRules rejected what Options accepts: {}", error.message())
        }
        (Err(error), Err(_)) => assert_eq!(error.id(), "CONFIG-invalid"),
        (Ok(_), Err(_)) => {}
    }
    if let Err(error) = UserRecord::from_json(&value, "u1", Callback::LoadUser) {
        assert_eq!(error.id(), "HOST-storage");
    }
    if let Err(error) = http::parse_request(&value) {
        check_error(&error);
    }
    if let Err(error) = engine::normalize_phone(&value, &Value::Null) {
        check_error(&error);
    }
}

const REGIONS: [&str; 12] =
    ["CH", "US", "GB", "DE", "IT", "RU", "AR", "BR", "JP", "IN", "FR", "001"];

/// The normaliser on arbitrary text with any default region: a result is E.164.
pub fn normalize(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let default_region =
        REGIONS.get(usize::from(selector) % (REGIONS.len() + 1)).and_then(|r| Region::parse(r));
    let allowed = [Region::parse("CH"), Region::parse("US")].map(Option::unwrap);
    // `..default()` keeps the target compiling as ParseOptions grows.
    #[allow(clippy::needless_update)]
    let options = ParseOptions {
        default_region,
        allowed_regions: (selector & 0x80 != 0).then_some(&allowed[..]),
        ..ParseOptions::default()
    };
    if let Ok(number) = phone::parse(&text, &options) {
        let e164 = number.e164().as_str();
        let digits = e164.strip_prefix('+').expect("E.164 starts with +");
        // E.164 allows 15 digits, but libphonenumber accepts national numbers of up to 17
        // (some German ones), so a calling code of up to 3 and 17 national digits.
        assert!((2..=20).contains(&digits.len()), "{e164}");
        assert!(number.national_number().len() <= 17, "{e164}");
        assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{e164}");
        assert!(digits.starts_with(&number.country_code().to_string()), "{e164}");
        assert!(e164.ends_with(number.national_number()), "{e164}");
        if let Some(allowed) = options.allowed_regions {
            assert!(allowed.contains(&number.region()), "{e164}");
        }
    }
}

/// Drives a future whose awaits are all ready.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// Random bytes taken from the fuzz input, then zeros.
struct Bytes<'a>(&'a [u8]);

impl RandomSource for Bytes<'_> {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), RandomUnavailable> {
        for b in out.iter_mut() {
            *b = match self.0.split_first() {
                Some((&first, rest)) => {
                    self.0 = rest;
                    first
                }
                None => 0,
            };
        }
        Ok(())
    }
}

/// One user in memory, with a compare-and-swap that can be told to lose and a shared SMS
/// counter that can be told to refuse.
struct Memory {
    record: RefCell<Option<UserRecord>>,
    lose: Cell<u8>,
    fail_sms: Cell<bool>,
    refuse_sms: Cell<bool>,
    sent: RefCell<Vec<SmsMessage>>,
    reserved: RefCell<Vec<Reservation>>,
}

impl Memory {
    /// User u1 of organisation o, at sequence 1, without a phone.
    fn with_user() -> Memory {
        let record = json!({"userId": "u1", "resourceOwner": "o", "sequence": 1});
        Memory {
            record: RefCell::new(Some(
                UserRecord::from_json(&record, "u1", Callback::LoadUser).expect("a valid record"),
            )),
            lose: Cell::new(0),
            fail_sms: Cell::new(false),
            refuse_sms: Cell::new(false),
            sent: RefCell::new(Vec::new()),
            reserved: RefCell::new(Vec::new()),
        }
    }
}

impl Host for Memory {
    async fn load_user(&self, _: &str) -> Result<Option<UserRecord>, PhoneError> {
        Ok(self.record.borrow().clone())
    }

    async fn save_user(&self, save: &Save) -> Result<bool, PhoneError> {
        if self.lose.get() > 0 {
            self.lose.set(self.lose.get() - 1);
            return Ok(false);
        }
        let mut record = self.record.borrow_mut();
        let current = record.as_ref().expect("saves follow loads");
        assert_eq!(current.sequence, save.expected, "the driver saves on the sequence it loaded");
        assert!(save.record.sequence > current.sequence, "the sequence only grows");
        assert_eq!(
            save.record.sequence.value() - current.sequence.value(),
            save.events.len() as u64,
            "one sequence step per event"
        );
        *record = Some(save.record.clone());
        Ok(true)
    }

    async fn reserve_sms(&self, reservation: &Reservation) -> Result<Option<u64>, PhoneError> {
        if self.refuse_sms.get() {
            return Ok(Some(60));
        }
        self.reserved.borrow_mut().push(reservation.clone());
        Ok(None)
    }

    /// Keeps every message, including those it then fails: their codes are saved all the same.
    async fn send_sms(&self, message: &SmsMessage) -> Result<(), PhoneError> {
        self.sent.borrow_mut().push(message.clone());
        if self.fail_sms.get() {
            return Err(PhoneError::HostSms { cause: "fuzzed failure".into(), saved: true });
        }
        Ok(())
    }
}

const NUMBERS: [&str; 4] = ["0711234567", "+41 79 123 45 67", "079 765 43 21", "PhoneNumber"];

/// The whole set/verify/resend/remove/get state machine under arbitrary operation sequences,
/// clocks (that may step back), callers, lost races, failing SMS and a shared SMS counter that
/// may refuse, checking after every step: the sequence only grows (and by one per event); a
/// verified phone has no pending code; a locked or expired code never verifies; a code never
/// appears in clear in the record; every SMS was reserved first, and a throttled call saves
/// nothing; the SMS log never holds more than the limits allow within a window.
pub fn state_machine(data: &[u8]) {
    let (script, random) = data.split_at(data.len() / 2);
    let mut random = Bytes(random);
    let host = Memory::with_user();
    // Letters only, so a clear code cannot hide inside the lowercase hex of a hash.
    let options = json!({
        "caller": {"userId": "u1", "permissions": ["user.write"]},
        "codeSecret": "0123456789abcdef0123456789abcdef",
        "code": {"alphabet": "A-Z", "length": 6, "expiresInSeconds": 600},
        "maxAttempts": 3,
        "resendCooldownSeconds": 30,
        "sendLimit": {"perNumber": 4, "perUser": 6, "windowSeconds": 3600},
    });
    let (_, policy) =
        engine::prepare(GetPhone { user_id: "u1".into() }, &options).expect("valid options");
    let mut now: i64 = 1_795_867_200_000;
    let mut issued: Vec<String> = Vec::new();
    for op in script.chunks(3) {
        let [kind, arg, extra] = [0, 1, 2].map(|i| op.get(i).copied().unwrap_or(0));
        // Mostly forward, sometimes back (a skewed or replayed host clock).
        now += (i64::from(extra) - 32) * 7_000;
        host.lose.set(arg >> 6);
        host.fail_sms.set(extra & 1 == 1);
        host.refuse_sms.set(arg & 0x20 != 0 && extra & 2 == 2);
        host.reserved.borrow_mut().clear();
        let ctx = Context { options: &policy, now: Timestamp::from_millis(now).expect("in range") };
        let before = host.record.borrow().clone().expect("the user exists");
        let number = NUMBERS[usize::from(arg) % NUMBERS.len()];
        let result = match kind % 6 {
            0 | 1 => {
                let mode = match arg % 3 {
                    0 => json!({"number": number, "sendCode": {}}),
                    1 => json!({"number": number, "returnCode": {}}),
                    _ => json!({"number": number, "isVerified": true}),
                };
                run(
                    &host,
                    SetPhone::parse(&json!("u1"), &json!({"phone": mode})),
                    &ctx,
                    &mut random,
                )
            }
            2 | 3 => {
                // Guess the last issued code (in either case), or something else.
                let guess = match (issued.last(), arg % 4) {
                    (Some(code), 0) => code.clone(),
                    (Some(code), 1) => code.to_lowercase(),
                    _ => String::from_utf8_lossy(op).into_owned(),
                };
                let expect_success = match &before.phone {
                    PhoneState::Unverified { code: Some(pending), .. } => {
                        pending.failed_attempts < policy.max_attempts
                            && ctx.now < pending.expires_at
                            && issued.last().is_some_and(|c| c.eq_ignore_ascii_case(&guess))
                    }
                    _ => false,
                };
                let request = json!({"verificationCode": guess});
                let result =
                    run(&host, VerifyPhone::parse(&json!("u1"), &request), &ctx, &mut random);
                if result.is_ok() {
                    assert!(expect_success, "verified with a wrong, locked or expired code");
                } else if let Err(error) = &result {
                    assert!(
                        !expect_success || error.id() == "COMMAND-conflict",
                        "right code refused: {error}"
                    );
                }
                result
            }
            4 => {
                let request =
                    if arg & 1 == 0 { json!({"sendCode": {}}) } else { json!({"returnCode": {}}) };
                run(&host, ResendCode::parse(&json!("u1"), &request), &ctx, &mut random)
            }
            _ => match arg % 2 {
                0 => run(&host, RemovePhone::parse(&json!("u1")), &ctx, &mut random),
                _ => run(&host, GetPhone::parse(&json!("u1")), &ctx, &mut random),
            },
        };
        if let Ok(reply) = &result {
            if let Some(code) = reply["verificationCode"].as_str() {
                issued.push(code.to_owned());
            }
        }
        if let Err(error) = &result {
            check_error(error);
        }
        let reserved = host.reserved.borrow().clone();
        let sent: Vec<SmsMessage> = host.sent.borrow_mut().drain(..).collect();
        assert!(sent.len() <= reserved.len(), "an SMS went out without a reservation");
        for sms in &sent {
            assert!(
                reserved.iter().any(|r| r.to == sms.to),
                "an SMS to another number than reserved"
            );
        }
        issued.extend(sent.into_iter().map(|sms| sms.code));
        let after = host.record.borrow().clone().expect("the user exists");
        if result.as_ref().is_err_and(|e| e.id() == "PHONE-throttled") {
            assert_eq!(after, before, "a throttled call saved");
        }
        check_sms_log(&after, &policy.send_limit);
        assert!(after.sequence >= before.sequence, "the sequence went back");
        let stored = serde_json::to_string(&after).expect("a record serialises");
        for code in &issued {
            assert!(!stored.contains(code.as_str()), "a code is stored in clear");
        }
        if let PhoneState::Unverified { code: Some(pending), .. } = &after.phone {
            assert!(pending.failed_attempts <= policy.max_attempts);
        }
    }
}

/// Within the window that ends at the log's newest entry, the log holds no more SMS than the
/// limits allow, per user and per number.
fn check_sms_log(record: &UserRecord, limit: &SendLimit) {
    let Some(end) = record.sms_log.iter().map(|s| s.at).max() else { return };
    let window_millis = i64::try_from(limit.window_seconds).expect("small") * 1000;
    let recent: Vec<_> =
        record.sms_log.iter().filter(|s| s.at.millis() > end.millis() - window_millis).collect();
    assert!(recent.len() <= limit.per_user as usize, "more SMS for the user than the limit");
    for sms in &recent {
        let to_number = recent.iter().filter(|s| s.to == sms.to).count();
        assert!(to_number <= limit.per_number as usize, "more SMS to a number than the limit");
    }
}

fn run<O: Operation>(
    host: &Memory,
    parsed: Result<O, PhoneError>,
    ctx: &Context<'_>,
    random: &mut dyn RandomSource,
) -> Result<Value, PhoneError> {
    let operation = parsed?;
    block_on(driver::run(host, operation, ctx, random))
        .map(|reply| serde_json::to_value::<Reply>(reply.into()).expect("a reply serialises"))
}

/// Verify with arbitrary codes against one pending code: only the code itself (case-folded)
/// verifies, and only before the lockout.
pub fn verify(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else { return };
    let options = json!({
        "caller": {"userId": "u1"},
        "codeSecret": "0123456789abcdef0123456789abcdef",
        "code": {"alphabet": if first & 1 == 0 { "A-Z0-9" } else { "a-zA-Z0-9" }, "length": 4 + usize::from(first % 17)},
        "maxAttempts": 1 + u64::from(first % 5),
        "allowSelfReturnCode": true,
    });
    let Ok((_, policy)) = engine::prepare(GetPhone { user_id: "u1".into() }, &options) else {
        return;
    };
    let host = Memory::with_user();
    let ctx = Context { options: &policy, now: Timestamp::from_millis(0).expect("in range") };
    let mut random = Bytes(rest);
    let set = SetPhone::parse(
        &json!("u1"),
        &json!({"phone": {"number": "0711234567", "returnCode": {}}}),
    );
    let reply = match run(&host, set, &ctx, &mut random) {
        Ok(reply) => reply,
        // A random source that yields only bytes the rejection sampling refuses (0xFF...) is
        // reported as broken, by design; nothing to verify then.
        Err(error) if error.id() == "CODE-random" => return,
        Err(error) => panic!("set with returnCode: {error}"),
    };
    let code = reply["verificationCode"].as_str().expect("a returned code").to_owned();
    let mut failures = 0;
    for guess in String::from_utf8_lossy(rest).split('\n').take(8) {
        let result = run(
            &host,
            VerifyPhone::parse(&json!("u1"), &json!({"verificationCode": guess})),
            &ctx,
            &mut random,
        );
        let folded_match =
            if first & 1 == 0 { guess.eq_ignore_ascii_case(&code) } else { guess == code };
        match result {
            Ok(_) => {
                assert!(folded_match, "{guess:?} verified {code:?}");
                assert!(failures < policy.max_attempts);
                return;
            }
            Err(error) => {
                let locked = failures >= policy.max_attempts;
                match error.id() {
                    "CODE-woT0xc" => {
                        assert!(!folded_match && !locked);
                        failures += 1;
                    }
                    "CODE-locked" => assert!(locked),
                    "REQUEST-invalid" => assert!(guess.is_empty() || guess.chars().count() > 20),
                    other => panic!("unexpected {other}"),
                }
            }
        }
    }
}
