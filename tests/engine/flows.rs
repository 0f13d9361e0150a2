//! Set, verify, resend, remove and get: replies, stored state and events.

use serde_json::json;
use serde_json::Value;

use crate::support::*;

fn event_types(host: &MemoryHost) -> Vec<String> {
    host.events.borrow().iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn return_code_reply_record_and_events() {
    let host = MemoryHost::with(&[user("u1")]);
    let reply = call(&host, admin(), 0, &mut Counting(0))
        .set("u1", set_request("071 123 45 67", json!({"returnCode": {}})))
        .unwrap();
    assert_eq!(
        reply,
        json!({"details": {"sequence": "6", "changeDate": "2026-11-28T12:00:00.000Z", "resourceOwner": "org1"},
               "verificationCode": "ABCDEF"})
    );
    let record = host.record("u1");
    assert_eq!(record["sequence"], 6);
    assert_eq!(record["changeDate"], "2026-11-28T12:00:00.000Z");
    assert_eq!(record["phone"]["number"], "+41711234567");
    assert_eq!(record["phone"]["isVerified"], false);
    assert_eq!(record["phone"]["code"]["expiresAt"], "2026-11-28T13:00:00.000Z");
    assert_eq!(record["phone"]["code"]["failedAttempts"], 0);
    assert!(!record.to_string().contains("ABCDEF"));
    assert_eq!(
        *host.events.borrow(),
        vec![
            json!({"type": "user.human.phone.changed", "sequence": 5, "createdAt": "2026-11-28T12:00:00.000Z",
                   "payload": {"phone": "+41711234567"}}),
            json!({"type": "user.human.phone.code.added", "sequence": 6, "createdAt": "2026-11-28T12:00:00.000Z",
                   "payload": {"expiresAt": "2026-11-28T13:00:00.000Z", "codeReturned": true}}),
        ]
    );
    assert_eq!(host.counts(), (1, 1, 0));
}

#[test]
fn send_code_saves_once_then_sends_the_sms() {
    let host = MemoryHost::with(&[user("u1")]);
    let reply = call(&host, me(), 0, &mut Counting(0))
        .set("u1", set_request("+41 71 123 45 67", json!({})))
        .unwrap();
    assert_eq!(reply.get("verificationCode"), None);
    let sent = host.sent.borrow();
    assert_eq!(
        serde_json::to_value(&sent[0]).unwrap(),
        json!({"to": "+41711234567", "code": "ABCDEF", "text": "Your verification code is ABCDEF",
        "userId": "u1", "resourceOwner": "org1", "expiresAt": "2026-11-28T13:00:00.000Z"})
    );
    assert_eq!(host.counts(), (1, 1, 1));
    assert_eq!(host.events.borrow()[1]["payload"]["codeReturned"], false);
}

#[test]
fn is_verified_by_an_admin_needs_no_code_and_no_secret() {
    let host = MemoryHost::with(&[user("u1")]);
    let mut random = Broken;
    let mut c = call(&host, admin(), 0, &mut random);
    c.options = json!({"caller": admin()});
    let reply = c.set("u1", set_request("0711234567", json!({"is_verified": true}))).unwrap();
    assert_eq!(reply["details"]["sequence"], "6");
    assert_eq!(
        host.record("u1")["phone"],
        json!({"number": "+41711234567", "isVerified": true, "code": null})
    );
    assert_eq!(event_types(&host), ["user.human.phone.changed", "user.human.phone.verified"]);
}

#[test]
fn same_number_is_a_no_op_except_marking_it_verified() {
    let host = MemoryHost::with(&[user("u1")]);
    let mut random = Counting(0);
    call(&host, admin(), 0, &mut random)
        .set("u1", set_request("0711234567", json!({"returnCode": {}})))
        .unwrap();
    let before = host.record("u1");
    // Same number typed another way: success with the current details, no new code, no save.
    let reply = call(&host, admin(), 60, &mut random)
        .set("u1", set_request("+41 71 123 45 67", json!({"returnCode": {}})))
        .unwrap();
    assert_eq!(
        reply,
        json!({"details": {"sequence": "6", "changeDate": "2026-11-28T12:00:00.000Z", "resourceOwner": "org1"}})
    );
    assert_eq!(host.record("u1"), before);
    assert_eq!(host.counts(), (2, 1, 0));
    // isVerified on the stored, unverified number marks it verified: one event.
    let reply = call(&host, admin(), 120, &mut random)
        .set("u1", set_request("0711234567", json!({"isVerified": true})))
        .unwrap();
    assert_eq!(reply["details"]["sequence"], "7");
    assert_eq!(
        host.record("u1")["phone"],
        json!({"number": "+41711234567", "isVerified": true, "code": null})
    );
    assert_eq!(event_types(&host).last().unwrap(), "user.human.phone.verified");
    // And again: a no-op whose changeDate is the record's.
    let reply = call(&host, admin(), 180, &mut random)
        .set("u1", set_request("0711234567", json!({"isVerified": true})))
        .unwrap();
    assert_eq!(
        reply["details"],
        json!({"sequence": "7", "changeDate": "2026-11-28T12:02:00.000Z", "resourceOwner": "org1"})
    );
}

#[test]
fn no_op_on_a_record_without_change_date_reports_now() {
    let mut record = user("u1");
    record.as_object_mut().unwrap().remove("changeDate");
    record["phone"] = json!({"number": "+41711234567", "isVerified": true});
    let host = MemoryHost::with(&[record]);
    let reply = call(&host, me(), 5, &mut Counting(0))
        .set("u1", set_request("0711234567", json!({})))
        .unwrap();
    assert_eq!(reply["details"]["changeDate"], "2026-11-28T12:00:05.000Z");
    assert_eq!(reply["details"]["sequence"], "4");
}

#[test]
fn verify_is_single_use_and_a_new_code_replaces_the_old() {
    let host = MemoryHost::with(&[user("u1")]);
    let mut random = Counting(0);
    let first = call(&host, admin(), 0, &mut random)
        .set("u1", set_request("0711234567", json!({"returnCode": {}})))
        .unwrap();
    let second =
        call(&host, admin(), 30, &mut random).resend("u1", json!({"returnCode": {}})).unwrap();
    assert_ne!(first["verificationCode"], second["verificationCode"]);
    let old = first["verificationCode"].as_str().unwrap();
    assert_eq!(
        call(&host, me(), 31, &mut random).verify("u1", old).unwrap_err().id(),
        "CODE-woT0xc"
    );
    let new = second["verificationCode"].as_str().unwrap();
    let reply = call(&host, me(), 32, &mut random).verify("u1", new).unwrap();
    assert_eq!(
        reply,
        json!({"details": {"sequence": "9", "changeDate": "2026-11-28T12:00:32.000Z", "resourceOwner": "org1"}})
    );
    assert_eq!(
        call(&host, me(), 33, &mut random).verify("u1", new).unwrap_err().id(),
        "COMMAND-2M9fs"
    );
    assert_eq!(
        event_types(&host),
        [
            "user.human.phone.changed",
            "user.human.phone.code.added",
            "user.human.phone.code.added",
            "user.human.phone.verification.failed",
            "user.human.phone.verified"
        ]
    );
}

#[test]
fn lockout_holds_until_a_new_code_is_issued() {
    let host = MemoryHost::with(&[user("u1")]);
    let mut random = Counting(0);
    let mut c = call(&host, admin(), 0, &mut random);
    c.options = options(admin(), json!({"maxAttempts": 2}));
    c.set("u1", set_request("0711234567", json!({"returnCode": {}}))).unwrap();
    for _ in 0..2 {
        assert_eq!(c.verify("u1", "WRONG1").unwrap_err().id(), "CODE-woT0xc");
    }
    // Locked even for the right code.
    assert_eq!(c.verify("u1", "ABCDEF").unwrap_err().id(), "CODE-locked");
    assert_eq!(host.record("u1")["phone"]["code"]["failedAttempts"], 2);
    c.now += 30_000;
    let code = c.resend("u1", json!({"returnCode": {}})).unwrap()["verificationCode"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(c.verify("u1", &code).is_ok());
}

#[test]
fn resend_cooldown_and_retry_after() {
    let host = MemoryHost::with(&[user("u1")]);
    let mut random = Counting(0);
    call(&host, me(), 0, &mut random).set("u1", set_request("0711234567", json!({}))).unwrap();
    let err = call(&host, me(), 10, &mut random).resend("u1", json!({})).unwrap_err();
    assert_eq!(err.message(), "Too many codes: try again in 20 s");
    call(&host, me(), 30, &mut random).resend("u1", json!({"sendCode": {}})).unwrap();
    assert_eq!(host.sent.borrow().len(), 2);
    let mut c = call(&host, me(), 31, &mut random);
    c.options = options(me(), json!({"resendCooldownSeconds": 0}));
    assert!(c.resend("u1", json!({})).is_ok());
}

#[test]
fn sms_failure_after_the_save_keeps_the_code_and_resend_delivers() {
    let host = MemoryHost::with(&[user("u1")]);
    host.fail_sms.set(true);
    let mut random = Counting(0);
    let err = call(&host, me(), 0, &mut random)
        .set("u1", set_request("0711234567", json!({})))
        .unwrap_err();
    assert_eq!((err.id(), err.http_status()), ("HOST-sms", 503));
    assert!(err.message().contains("the phone and its code are saved"));
    assert_eq!(host.record("u1")["sequence"], 6);
    host.fail_sms.set(false);
    call(&host, me(), 30, &mut random).resend("u1", json!({})).unwrap();
    let code = host.sent.borrow()[0].code.clone();
    assert!(call(&host, me(), 31, &mut random).verify("u1", &code).is_ok());
}

#[test]
fn remove_and_get() {
    let host = MemoryHost::with(&[user("u1")]);
    let mut random = Counting(0);
    let got = call(&host, me(), 0, &mut random).get("u1").unwrap();
    assert_eq!(
        got,
        json!({"details": {"sequence": "4", "changeDate": "2026-11-01T00:00:00.000Z", "resourceOwner": "org1"}, "phone": null})
    );
    call(&host, admin(), 0, &mut random)
        .set("u1", set_request("0711234567", json!({"returnCode": {}})))
        .unwrap();
    let got =
        call(&host, json!({"permissions": ["user.read:org1"]}), 0, &mut random).get("u1").unwrap();
    assert_eq!(got["phone"], json!({"number": "+41711234567", "isVerified": false}));
    assert_eq!(
        call(&host, json!({"permissions": ["user.read:org1"]}), 0, &mut random)
            .remove("u1")
            .unwrap_err()
            .id(),
        "AUTH-AWfge"
    );
    let removed = call(&host, admin(), 60, &mut random).remove("u1").unwrap();
    assert_eq!(removed["details"]["sequence"], "7");
    assert_eq!(host.record("u1")["phone"], Value::Null);
    assert_eq!(event_types(&host).last().unwrap(), "user.human.phone.removed");
}

#[test]
fn get_works_on_initial_users_but_set_does_not() {
    let mut initial = user("u1");
    initial["state"] = json!("initial");
    let host = MemoryHost::with(&[initial]);
    assert!(call(&host, me(), 0, &mut Counting(0)).get("u1").is_ok());
    assert_eq!(
        call(&host, me(), 0, &mut Counting(0))
            .set("u1", set_request("0711234567", json!({})))
            .unwrap_err()
            .id(),
        "COMMAND-uz0Uu"
    );
}

#[test]
fn custom_code_policy_and_template() {
    let host = MemoryHost::with(&[user("u1")]);
    let mut random = Counting(0);
    let mut c = call(&host, me(), 0, &mut random);
    c.options = options(
        me(),
        json!({"code": {"length": 8, "alphabet": "0-9", "expiresInSeconds": 300},
                                      "smsTemplate": "{{code}} is your code"}),
    );
    c.set("u1", set_request("0711234567", json!({}))).unwrap();
    let sms = serde_json::to_value(&host.sent.borrow()[0]).unwrap();
    assert_eq!(sms["code"], "01234567");
    assert_eq!(sms["text"], "01234567 is your code");
    assert_eq!(sms["expiresAt"], "2026-11-28T12:05:00.000Z");
}

#[test]
fn send_limit_per_number_survives_remove_and_re_add() {
    let host = MemoryHost::with(&[user("u1")]);
    let mut random = Counting(0);
    let mut c = call(&host, admin(), 0, &mut random);
    c.options = options(admin(), json!({"resendCooldownSeconds": 0}));
    c.set("u1", set_request("0711234567", json!({}))).unwrap();
    for _ in 0..4 {
        c.now += 60_000;
        c.resend("u1", json!({})).unwrap();
    }
    assert_eq!(host.sent.borrow().len(), 5);
    c.now += 60_000;
    let err = c.resend("u1", json!({})).unwrap_err();
    // The first SMS (t = 0) leaves the one-hour window at t = 3600 s; now is t = 300 s.
    assert_eq!(
        err,
        contact_phone::engine::error::PhoneError::Throttled { retry_after_seconds: 3300 }
    );
    // Removing the phone and setting it again does not reset the count.
    c.remove("u1").unwrap();
    assert_eq!(
        c.set("u1", set_request("0711234567", json!({}))).unwrap_err().id(),
        "PHONE-throttled"
    );
    // returnCode sends nothing, so it is not limited.
    assert!(c.set("u1", set_request("0711234567", json!({"returnCode": {}}))).is_ok());
    assert_eq!(host.record("u1")["smsLog"].as_array().unwrap().len(), 5);
    c.now += 3_600_000;
    assert!(c.resend("u1", json!({})).is_ok());
    assert_eq!(host.sent.borrow().len(), 6);
}

#[test]
fn send_limit_per_user_spans_numbers() {
    let host = MemoryHost::with(&[user("u1")]);
    let mut random = Counting(0);
    let mut c = call(&host, me(), 0, &mut random);
    c.options =
        options(me(), json!({"sendLimit": {"perNumber": 5, "perUser": 3, "windowSeconds": 600}}));
    for i in 0..3 {
        c.now += 1000;
        c.set("u1", set_request(&format!("07112345{i:02}"), json!({}))).unwrap();
    }
    c.now += 1000;
    let err = c.set("u1", set_request("0711234599", json!({}))).unwrap_err();
    assert_eq!((err.id(), err.http_status()), ("PHONE-throttled", 429));
    assert_eq!(host.record("u1")["phone"]["number"], "+41711234502", "nothing saved");
    c.now += 600_000;
    assert!(c.set("u1", set_request("0711234599", json!({}))).is_ok());
}
