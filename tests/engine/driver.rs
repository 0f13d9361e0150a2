//! The compare-and-swap loop: reload and decide again when another writer won.

use serde_json::json;

use crate::support::*;

#[test]
fn a_lost_race_is_retried_with_the_fresh_record() {
    let host = MemoryHost::with(&[user("u1")]);
    host.lose.set(2);
    let reply = call(&host, admin(), 0, &mut Counting(0))
        .set("u1", set_request("0711234567", json!({"returnCode": {}})))
        .unwrap();
    // Two other writers bumped the sequence to 6; this change lands on top at 8.
    assert_eq!(reply["details"]["sequence"], "8");
    assert_eq!(host.counts(), (3, 3, 0));
    assert_eq!(
        host.events.borrow().iter().map(|e| e["sequence"].as_u64().unwrap()).collect::<Vec<_>>(),
        [7, 8]
    );
}

#[test]
fn three_retries_then_aborted_and_no_sms() {
    let host = MemoryHost::with(&[user("u1")]);
    host.lose.set(4);
    let err = call(&host, me(), 0, &mut Counting(0))
        .set("u1", set_request("0711234567", json!({})))
        .unwrap_err();
    assert_eq!((err.id(), err.http_status()), ("COMMAND-conflict", 409));
    assert_eq!(host.counts(), (4, 4, 0));
    host.lose.set(3);
    assert!(call(&host, me(), 0, &mut Counting(0))
        .set("u1", set_request("0711234567", json!({})))
        .is_ok());
}

#[test]
fn a_failed_attempt_survives_a_lost_race() {
    let host = MemoryHost::with(&[user("u1")]);
    let mut random = Counting(0);
    call(&host, admin(), 0, &mut random)
        .set("u1", set_request("0711234567", json!({"returnCode": {}})))
        .unwrap();
    host.lose.set(1);
    assert_eq!(
        call(&host, me(), 1, &mut random).verify("u1", "WRONG1").unwrap_err().id(),
        "CODE-woT0xc"
    );
    assert_eq!(host.record("u1")["phone"]["code"]["failedAttempts"], 1);
}

/// The state machine by hand, as the wasm bindings drive it: what it wants after each answer.
#[test]
fn the_driver_asks_for_load_reserve_save_send_in_order_and_reloads_after_a_lost_save() {
    use contact_phone::driver::{Driver, Want};
    use contact_phone::engine;
    use contact_phone::engine::error::{Callback, PhoneError};
    use contact_phone::engine::record::UserRecord;
    use contact_phone::engine::request::SetPhone;
    use contact_phone::engine::time::Timestamp;

    let now = Timestamp::from_millis(NOW).unwrap();
    let parsed = SetPhone::parse(&json!("u1"), &set_request("0711234567", json!({"sendCode": {}})));
    let (operation, policy) = engine::prepare(parsed.unwrap(), &options(me(), json!({}))).unwrap();
    let stored = || UserRecord::from_json(&user("u1"), "u1", Callback::LoadUser).map(Some);
    let mut random = Counting(0);
    let mut driver = Driver::new(operation, policy.clone(), now);

    assert!(matches!(driver.want(), Want::Load("u1")));
    driver.loaded(stored(), &mut random);
    // A code to send: the host's shared counter first, once per call.
    assert!(matches!(driver.want(), Want::Reserve(r) if r.to == "+41711234567" && r.limit == 5));
    driver.reserved(Ok(None));
    assert!(matches!(driver.want(), Want::Save(save) if save.expected.value() == 4));
    driver.saved(Ok(false)); // another writer won: load again
    assert!(matches!(driver.want(), Want::Load("u1")));
    driver.loaded(stored(), &mut random);
    assert!(matches!(driver.want(), Want::Save(_)));
    driver.saved(Ok(true));
    assert!(matches!(driver.want(), Want::Send(sms) if sms.to == "+41711234567"));
    driver.sent(Ok(()));
    assert!(matches!(driver.want(), Want::Done));
    // Two events (phone changed, code added) on top of sequence 4.
    assert_eq!(serde_json::to_value(driver.finish().unwrap()).unwrap()["details"]["sequence"], "6");

    // A host error ends the call with that error.
    let parsed = SetPhone::parse(&json!("u1"), &set_request("0711234567", json!({})));
    let (operation, _) = engine::prepare(parsed.unwrap(), &options(me(), json!({}))).unwrap();
    let mut failing = Driver::new(operation, policy.clone(), now);
    let down = PhoneError::HostStorage { callback: Callback::LoadUser, cause: "down".into() };
    failing.loaded(Err(down), &mut random);
    assert!(matches!(failing.want(), Want::Done));
    assert_eq!(failing.finish().unwrap_err().id(), "HOST-storage");

    // Misuse by the bindings is an internal error of its own, never a conflict: finishing
    // early, or answering what was not asked.
    let parsed = || SetPhone::parse(&json!("u1"), &set_request("0711234567", json!({}))).unwrap();
    let early = Driver::new(parsed(), policy.clone(), now).finish().unwrap_err();
    assert_eq!((early.id(), early.http_status()), ("INTERNAL-misuse", 500));
    let mut confused = Driver::new(parsed(), policy.clone(), now);
    confused.saved(Ok(true));
    assert_eq!(confused.finish().unwrap_err().id(), "INTERNAL-misuse");
    let mut confused = Driver::new(parsed(), policy, now);
    confused.authenticated(Ok(None));
    assert_eq!(confused.finish().unwrap_err().id(), "INTERNAL-misuse");
}

/// handleHttp's order lives in the driver: route and body, token, authenticate, options and
/// clock, then the call.
#[test]
fn http_calls_check_route_token_authenticate_then_options_before_loading() {
    use contact_phone::driver::{self, Driver, Want};
    use contact_phone::engine::auth::Caller;
    use contact_phone::engine::error::PhoneError;
    use contact_phone::engine::options::Options;
    use contact_phone::engine::time::Timestamp;

    let now = Timestamp::from_millis(NOW).unwrap();
    let put = |token: Option<&str>, body: &str| {
        let mut headers = json!({"content-type": "application/json"});
        if let Some(token) = token {
            headers["authorization"] = json!(format!("Bearer {token}"));
        }
        json!({"method": "PUT", "path": "/v3alpha/users/u1/phone", "headers": headers, "body": body})
    };
    let body = r#"{"phone": {"number": "0711234567", "returnCode": {}}}"#;
    let good = json!({"codeSecret": SECRET});
    let early =
        |request, options| Driver::http(&request, Ok(&options), || Ok(now)).err().map(|e| e.id());

    // A bad route beats everything; a missing token beats bad options and a missing secret.
    let bad_options = json!({"codesecret": "x"});
    assert_eq!(
        early(json!({"method": "GET", "path": "/nope"}), bad_options.clone()),
        Some("HTTP-not-found")
    );
    assert_eq!(early(put(None, body), bad_options.clone()), Some("AUTH-unauthenticated"));
    assert_eq!(early(put(None, body), good.clone()), Some("AUTH-unauthenticated"));
    assert_eq!(early(put(None, body), json!({})), Some("AUTH-unauthenticated"));

    // A token: authenticate comes first, then load.
    let driver = Driver::http(&put(Some("alice"), body), Ok(&good), || Ok(now)).unwrap();
    assert!(matches!(driver.want(), Want::Authenticate("alice")));
    let host = MemoryHost::with(&[user("u1")]);
    let alice = Caller { user_id: Some("u1".into()), permissions: vec!["user.write:org1".into()] };
    host.tokens.borrow_mut().insert("alice".into(), alice);
    let reply = block_on(driver::drive(&host, driver, &mut Counting(0))).unwrap();
    assert_eq!(serde_json::to_value(reply).unwrap()["verificationCode"], "ABCDEF");
    assert_eq!(host.counts(), (1, 1, 0));

    // Options and clock errors reach only an authenticated caller; an unknown token is 401.
    let drive = |token,
                 options: Result<&serde_json::Value, PhoneError>,
                 clock: Result<Timestamp, PhoneError>| {
        let driver = Driver::http(&put(Some(token), body), options, || clock).unwrap();
        block_on(driver::drive(&host, driver, &mut Counting(0))).unwrap_err().id()
    };
    let config_invalid = || Options::from_json(&json!({"now": "soon", "x": 1})).unwrap_err();
    let clock_broken = || Err(config_invalid());
    assert_eq!(drive("mallory", Ok(&bad_options), Ok(now)), "AUTH-unauthenticated");
    assert_eq!(drive("mallory", Ok(&json!({})), Ok(now)), "AUTH-unauthenticated");
    assert_eq!(drive("mallory", Ok(&good), clock_broken()), "AUTH-unauthenticated");
    assert_eq!(drive("alice", Ok(&bad_options), Ok(now)), "CONFIG-invalid");
    assert_eq!(drive("alice", Ok(&json!({})), Ok(now)), "CONFIG-codeSecret");
    assert_eq!(drive("alice", Ok(&good), clock_broken()), "CONFIG-invalid");
    assert_eq!(drive("alice", Err(config_invalid()), Ok(now)), "CONFIG-invalid");
    assert_eq!(host.counts(), (1, 1, 0));

    // An unknown token is Unauthenticated, and nothing is loaded.
    let driver = Driver::http(&put(Some("mallory"), body), Ok(&good), || Ok(now)).unwrap();
    let err = block_on(driver::drive(&host, driver, &mut Counting(0))).unwrap_err();
    assert_eq!((err.id(), err.http_status()), ("AUTH-unauthenticated", 401));
    assert_eq!(host.counts(), (1, 1, 0));
}

#[test]
fn a_sent_code_is_reserved_on_the_host_counter_once_before_the_save() {
    let host = MemoryHost::with(&[user("u1")]);
    host.lose.set(1);
    call(&host, me(), 0, &mut Counting(0)).set("u1", set_request("0711234567", json!({}))).unwrap();
    // One reservation, although the lost save made the call load and decide twice.
    let reservations = host.reservations.borrow().clone();
    assert_eq!(
        serde_json::to_value(&reservations).unwrap(),
        json!([{"to": "+41711234567", "userId": "u1", "at": "2026-11-28T12:00:00.000Z", "limit": 5, "windowSeconds": 3600}])
    );
    assert_eq!(host.counts(), (2, 2, 1));

    // A returned code sends nothing, so nothing is reserved.
    call(&host, admin(), 60, &mut Counting(0))
        .set("u1", set_request("0799999999", json!({"returnCode": {}})))
        .unwrap();
    assert_eq!(host.reservations.borrow().len(), 1);
}

#[test]
fn a_full_host_counter_is_throttled_before_anything_is_saved() {
    let host = MemoryHost::with(&[user("u1")]);
    host.counter_full.set(Some(1200));
    let err = call(&host, me(), 0, &mut Counting(0))
        .set("u1", set_request("0711234567", json!({})))
        .unwrap_err();
    assert_eq!(
        err,
        contact_phone::engine::error::PhoneError::Throttled { retry_after_seconds: 1200 }
    );
    assert_eq!((err.id(), err.http_status()), ("PHONE-throttled", 429));
    assert_eq!(host.counts(), (1, 0, 0));
    assert_eq!(host.record("u1")["sequence"], 4);
}
