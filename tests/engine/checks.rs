//! Every error id of SPEC §2 and §6 reached through the public API, and the order of checks.

use contact_phone::engine::error::PhoneError;
use serde_json::json;
use serde_json::Value;

use crate::support::*;

fn id(result: Result<Value, PhoneError>) -> &'static str {
    result.expect_err("the call should fail").id()
}

/// One row per error id: the scenario, then the id it must give; nothing may be saved unless
/// the row says so.
#[test]
fn every_error_id_from_its_scenario() {
    let mut machine = user("m1");
    machine["kind"] = json!("machine");
    let mut deleted = user("d1");
    deleted["state"] = json!("deleted");
    let mut initial = user("i1");
    initial["state"] = json!("initial");
    let records = [user("u1"), user("u2"), machine, deleted, initial];

    type Scenario = fn(&MemoryHost) -> Result<Value, PhoneError>;
    let rows: Vec<(&str, Scenario, &str)> = vec![
        (
            "malformed number field",
            |h| call(h, me(), 0, &mut Counting(0)).set("u1", set_request("", json!({}))),
            "REQUEST-invalid",
        ),
        (
            "no caller",
            |h| {
                let mut random = Counting(0);
                let mut c = call(h, me(), 0, &mut random);
                c.options = json!({"codeSecret": SECRET});
                c.set("u1", set_request("0711234567", json!({})))
            },
            "AUTH-unauthenticated",
        ),
        (
            "unknown user",
            |h| {
                call(h, admin(), 0, &mut Counting(0))
                    .set("nobody", set_request("0711234567", json!({})))
            },
            "COMMAND-b33QAVgel6",
        ),
        (
            "machine user",
            |h| {
                call(h, admin(), 0, &mut Counting(0))
                    .set("m1", set_request("0711234567", json!({})))
            },
            "COMMAND-b33QAVgel6",
        ),
        (
            "deleted user",
            |h| {
                call(h, admin(), 0, &mut Counting(0))
                    .set("d1", set_request("0711234567", json!({})))
            },
            "COMMAND-b33QAVgel6",
        ),
        (
            "initial user",
            |h| {
                call(h, admin(), 0, &mut Counting(0))
                    .set("i1", set_request("0711234567", json!({})))
            },
            "COMMAND-uz0Uu",
        ),
        (
            "another user's phone",
            |h| call(h, me(), 0, &mut Counting(0)).set("u2", set_request("0711234567", json!({}))),
            "AUTH-AWfge",
        ),
        (
            "isVerified on oneself",
            |h| {
                call(h, me(), 0, &mut Counting(0))
                    .set("u1", set_request("0711234567", json!({"isVerified": true})))
            },
            "AUTH-AWfge",
        ),
        (
            "admin of another org",
            |h| {
                call(h, json!({"permissions": ["user.write:org2"]}), 0, &mut Counting(0))
                    .set("u1", set_request("0711234567", json!({})))
            },
            "AUTH-AWfge",
        ),
        (
            "blank number",
            |h| call(h, me(), 0, &mut Counting(0)).set("u1", set_request("   ", json!({}))),
            "PHONE-Zt0NV",
        ),
        (
            "not a number",
            |h| call(h, me(), 0, &mut Counting(0)).set("u1", set_request("PhoneNumber", json!({}))),
            "PHONE-so0wa",
        ),
        (
            "verify without a code",
            |h| call(h, me(), 0, &mut Counting(0)).verify("u1", "ABCDEF"),
            "COMMAND-2M9fs",
        ),
        (
            "resend without a code",
            |h| call(h, me(), 0, &mut Counting(0)).resend("u1", json!({})),
            "PHONE-5xrra88eq8",
        ),
        (
            "remove without a phone",
            |h| call(h, me(), 0, &mut Counting(0)).remove("u1"),
            "COMMAND-ieJ2e",
        ),
        (
            "missing codeSecret",
            |h| {
                let mut random = Counting(0);
                let mut c = call(h, me(), 0, &mut random);
                c.options = json!({"caller": me()});
                c.set("u1", set_request("0711234567", json!({})))
            },
            "CONFIG-codeSecret",
        ),
        (
            "short codeSecret",
            |h| {
                let mut random = Counting(0);
                let mut c = call(h, me(), 0, &mut random);
                c.options = json!({"caller": me(), "codeSecret": "short"});
                c.verify("u1", "ABCDEF")
            },
            "CONFIG-codeSecret",
        ),
        (
            "malformed option",
            |h| {
                let mut random = Counting(0);
                let mut c = call(h, me(), 0, &mut random);
                c.options = options(me(), json!({"maxAttempts": "five"}));
                c.get("u1")
            },
            "CONFIG-invalid",
        ),
        (
            "broken random source",
            |h| call(h, me(), 0, &mut Broken).set("u1", set_request("0711234567", json!({}))),
            "CODE-random",
        ),
        (
            "storage fails",
            |h| {
                h.fail_load.set(true);
                call(h, me(), 0, &mut Counting(0)).get("u1")
            },
            "HOST-storage",
        ),
        (
            "every save lost",
            |h| {
                h.lose.set(usize::MAX);
                call(h, me(), 0, &mut Counting(0)).set("u1", set_request("0711234567", json!({})))
            },
            "COMMAND-conflict",
        ),
    ];
    for (scenario, run, expected) in rows {
        let host = MemoryHost::with(&records);
        assert_eq!(id(run(&host)), expected, "{scenario}");
        assert_eq!(host.events.borrow().len(), 0, "{scenario} saved something");
        assert_eq!(host.sent.borrow().len(), 0, "{scenario} sent something");
    }
}

/// The ids that need a pending code first.
#[test]
fn code_error_ids() {
    let host = MemoryHost::with(&[user("u1")]);
    let mut random = Counting(0);
    call(&host, admin(), 0, &mut random)
        .set("u1", set_request("0711234567", json!({"returnCode": {}})))
        .unwrap();
    assert_eq!(id(call(&host, me(), 1, &mut random).verify("u1", "WRONG1")), "CODE-woT0xc");
    assert_eq!(id(call(&host, me(), 3600, &mut random).verify("u1", "ABCDEF")), "CODE-QvUQ4P");
    assert_eq!(id(call(&host, me(), 29, &mut random).resend("u1", json!({}))), "PHONE-throttled");
    for _ in 1..5 {
        assert_eq!(id(call(&host, me(), 1, &mut random).verify("u1", "WRONG1")), "CODE-woT0xc");
    }
    assert_eq!(id(call(&host, me(), 1, &mut random).verify("u1", "ABCDEF")), "CODE-locked");
    host.fail_sms.set(true);
    assert_eq!(id(call(&host, me(), 30, &mut random).resend("u1", json!({}))), "HOST-sms");
}

/// Each check of SPEC §2 wins over every later one.
#[test]
fn checks_run_in_spec_order() {
    let mut initial = user("i1");
    initial["state"] = json!("initial");
    let host = MemoryHost::with(&[user("u1"), initial]);
    let bad_everything = |c: &mut Call<'_>, user_id: &str, number: &str| {
        c.set(user_id, set_request(number, json!({})))
    };

    // 1 shape beats a missing caller and a missing secret.
    let mut random = Counting(0);
    let mut c = call(&host, me(), 0, &mut random);
    c.options = json!({});
    assert_eq!(id(bad_everything(&mut c, "u1", "")), "REQUEST-invalid");
    // Options are checked next: a missing secret beats a missing caller.
    assert_eq!(id(bad_everything(&mut c, "nobody", "PhoneNumber")), "CONFIG-codeSecret");
    // 2 no caller beats an unknown user.
    c.options = json!({"codeSecret": SECRET});
    assert_eq!(id(bad_everything(&mut c, "nobody", "PhoneNumber")), "AUTH-unauthenticated");
    // 3 unknown or initial user beats missing permission.
    let mut random = Counting(0);
    let mut c = call(&host, json!({"userId": "x"}), 0, &mut random);
    assert_eq!(id(bad_everything(&mut c, "nobody", "PhoneNumber")), "COMMAND-b33QAVgel6");
    assert_eq!(id(bad_everything(&mut c, "i1", "PhoneNumber")), "COMMAND-uz0Uu");
    // 4 permission beats a bad number.
    assert_eq!(id(bad_everything(&mut c, "u1", "PhoneNumber")), "AUTH-AWfge");
    // 5 the number is checked last.
    let mut random = Counting(0);
    let mut c = call(&host, me(), 0, &mut random);
    assert_eq!(id(bad_everything(&mut c, "u1", "PhoneNumber")), "PHONE-so0wa");
    assert_eq!(host.counts(), (4, 0, 0));
}

#[test]
fn error_messages_say_why() {
    let host = MemoryHost::with(&[user("u1")]);
    let err = call(&host, me(), 0, &mut Counting(0))
        .set("u1", json!({"phone": {"phone": "+41"}}))
        .unwrap_err();
    assert_eq!(serde_json::to_value(err.body()).unwrap()["message"], "Request is invalid: phone.phone is not a known field (the field is `number`) (REQUEST-invalid)");
    let err = call(&host, me(), 0, &mut Counting(0))
        .set("u1", set_request("PhoneNumber", json!({})))
        .unwrap_err();
    assert!(err.message().starts_with("Phone is invalid: "), "{}", err.message());
    assert_eq!(err.http_status(), 400);
}

/// SPEC §2.4: a code returned to the user itself needs `user.write` unless
/// `allowSelfReturnCode`; locked and inactive users lose self-service but not reading.
#[test]
fn self_service_limits() {
    let mut locked = user("l1");
    locked["state"] = json!("locked");
    let mut inactive = user("n1");
    inactive["state"] = json!("inactive");
    let host = MemoryHost::with(&[user("u1"), locked, inactive]);
    let mut random = Counting(0);
    let return_code = || set_request("0711234567", json!({"returnCode": {}}));

    let mut c = call(&host, me(), 0, &mut random);
    assert_eq!(id(c.set("u1", return_code())), "AUTH-AWfge");
    assert_eq!(host.counts(), (1, 0, 0));
    c.options = options(me(), json!({"allowSelfReturnCode": true}));
    assert!(c.set("u1", return_code()).unwrap()["verificationCode"].is_string());
    c.options = options(me(), json!({"allowSelfReturnCode": false}));
    c.now += 30_000;
    assert_eq!(id(c.resend("u1", json!({"returnCode": {}}))), "AUTH-AWfge");
    assert!(c.resend("u1", json!({"sendCode": {}})).is_ok());
    assert_eq!(host.sent.borrow().len(), 1);

    for user_id in ["l1", "n1"] {
        let mut c = call(&host, json!({"userId": user_id}), 0, &mut random);
        assert_eq!(id(c.set(user_id, set_request("0711234567", json!({})))), "AUTH-AWfge");
        assert_eq!(id(c.remove(user_id)), "AUTH-AWfge");
        assert_eq!(c.get(user_id).unwrap()["phone"], Value::Null);
        let mut c = call(&host, admin(), 0, &mut random);
        c.set(user_id, set_request("0711234567", json!({"isVerified": true}))).unwrap();
        assert_eq!(host.record(user_id)["phone"]["isVerified"], true);
    }
}
