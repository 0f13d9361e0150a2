//! The compare-and-swap loop: reload and decide again when another writer won.

use contact_phone::json;

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
