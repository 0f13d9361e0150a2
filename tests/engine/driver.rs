//! The compare-and-swap loop: reload and decide again when another writer won.

use serde_json::json;

use crate::support::*;

#[test]
fn a_lost_race_is_retried_with_the_fresh_record() {
    let host = MemoryHost::with(&[user("u1")]);
    host.lose.set(2);
    let reply = call(&host, me(), 0, &mut Counting(0))
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
    call(&host, me(), 0, &mut random)
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
fn the_driver_asks_for_load_save_send_in_order_and_reloads_after_a_lost_save() {
    use contact_phone::driver::{Driver, Want};
    use contact_phone::engine::error::PhoneError;
    use contact_phone::engine::record::UserRecord;
    use contact_phone::engine::request::SetPhone;
    use contact_phone::engine::time::Timestamp;
    use contact_phone::engine::{self, Context};

    let parsed = SetPhone::parse(&json!("u1"), &set_request("0711234567", json!({"sendCode": {}})));
    let (operation, policy) = engine::prepare(parsed.unwrap(), &options(me(), json!({}))).unwrap();
    let ctx = Context { options: &policy, now: Timestamp::from_millis(NOW).unwrap() };
    let stored = || UserRecord::from_json(&user("u1"), "u1", "loadUser").map(Some);
    let mut random = Counting(0);
    let mut driver = Driver::new(operation);

    assert!(matches!(driver.want(), Want::Load("u1")));
    driver.loaded(stored(), &ctx, &mut random);
    assert!(matches!(driver.want(), Want::Save(save) if save.expected.value() == 4));
    driver.saved(Ok(false)); // another writer won: load again
    assert!(matches!(driver.want(), Want::Load("u1")));
    driver.loaded(stored(), &ctx, &mut random);
    driver.saved(Ok(true));
    assert!(matches!(driver.want(), Want::Send(sms) if sms.to == "+41711234567"));
    driver.sent(Ok(()));
    assert!(matches!(driver.want(), Want::Done));
    // Two events (phone changed, code added) on top of sequence 4.
    assert_eq!(serde_json::to_value(driver.finish().unwrap()).unwrap()["details"]["sequence"], "6");

    // A host error ends the call with that error; finishing early is Aborted.
    let parsed = SetPhone::parse(&json!("u1"), &set_request("0711234567", json!({})));
    let (operation, _) = engine::prepare(parsed.unwrap(), &options(me(), json!({}))).unwrap();
    let mut failing = Driver::new(operation);
    let down = PhoneError::HostStorage { callback: "loadUser", cause: "down".into() };
    failing.loaded(Err(down), &ctx, &mut random);
    assert!(matches!(failing.want(), Want::Done));
    assert_eq!(failing.finish().unwrap_err().id(), "HOST-storage");
    let parsed = SetPhone::parse(&json!("u1"), &set_request("0711234567", json!({})));
    let (operation, _) = engine::prepare(parsed.unwrap(), &options(me(), json!({}))).unwrap();
    assert_eq!(Driver::new(operation).finish().unwrap_err().id(), "COMMAND-conflict");
}
