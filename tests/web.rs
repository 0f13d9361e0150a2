//! The wasm bindings in Node and headless browsers: JS hosts that work, and hosts that throw,
//! reject, lack members or return wrong shapes; hostile requests; the PhoneError class.
#![cfg(target_arch = "wasm32")]

use contact_phone::wasm::{
    get_phone, normalize_phone, remove_phone, resend_phone_code, set_phone, verify_phone,
};
use serde_json::json;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen(module = "/tests/web/hosts.js")]
extern "C" {
    #[wasm_bindgen(js_name = memoryHost)]
    fn memory_host(records: JsValue, behaviour: JsValue) -> JsValue;
    fn stored(host: &JsValue, user_id: &str) -> JsValue;
    fn counters(host: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = lastSms)]
    fn last_sms(host: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = lastEvents)]
    fn last_events(host: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = brokenHost)]
    fn broken_host(record: JsValue, member: &str, how: &str) -> JsValue;
    #[wasm_bindgen(js_name = hostThatThrowsOnRead)]
    fn host_that_throws_on_read() -> JsValue;
    #[wasm_bindgen(js_name = withGetterThatThrows)]
    fn with_getter_that_throws() -> JsValue;
    fn cyclic() -> JsValue;
    #[wasm_bindgen(js_name = withBigInt)]
    fn with_big_int() -> JsValue;
    #[wasm_bindgen(js_name = errorInfo)]
    fn error_info(error: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = clockAt)]
    fn clock_at(millis: f64) -> JsValue;
    #[wasm_bindgen(js_name = dateClockAt)]
    fn date_clock_at(millis: f64) -> JsValue;
}

const NOW: f64 = 1_795_867_200_000.0; // 2026-11-28T12:00:00.000Z
const SECRET: &str = "0123456789abcdef0123456789abcdef";

fn js(value: Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

fn rs(value: &JsValue) -> Value {
    match js_sys::JSON::stringify(value).ok().and_then(|s| s.as_string()) {
        Some(text) => serde_json::from_str(&text).unwrap(),
        None => Value::Null,
    }
}

fn user() -> Value {
    json!({"userId": "u1", "resourceOwner": "org1", "sequence": 4, "changeDate": "2026-11-01T00:00:00.000Z",
           "displayName": "Ada", "tags": ["a", {"b": 1}]})
}

fn host() -> JsValue {
    memory_host(js(json!([user()])), JsValue::UNDEFINED)
}

/// Options for user u1 acting on itself with `user.write` on its organisation (returned codes
/// need it), at a fixed clock.
fn options_at(millis: f64, extra: Value) -> JsValue {
    let mut base = json!({"caller": {"userId": "u1", "permissions": ["user.write:org1"]}, "codeSecret": SECRET});
    if let (Some(map), Some(more)) = (base.as_object_mut(), extra.as_object()) {
        map.extend(more.clone());
    }
    let options = js(base);
    js_sys::Reflect::set(&options, &"now".into(), &clock_at(millis)).unwrap();
    options
}

fn options() -> JsValue {
    options_at(NOW, json!({}))
}

fn set_request(number: &str, mode: Value) -> JsValue {
    let mut phone = json!({"number": number});
    if let (Some(map), Some(mode)) = (phone.as_object_mut(), mode.as_object()) {
        map.extend(mode.clone());
    }
    js(json!({"phone": phone}))
}

/// `setPhone` of `number` for u1 with `returnCode`.
async fn set_returning_code(
    host: &JsValue,
    number: &str,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    set_phone("u1".into(), set_request(number, json!({"returnCode": {}})), host.clone(), options)
        .await
}

/// The error's class, code, status, id and message, checked as a JS user sees them.
fn assert_phone_error(error: &JsValue, code: u64, status: u64, id: &str) -> Value {
    let info = rs(&error_info(error));
    assert_eq!(info["isError"], true, "{info}");
    assert_eq!(info["className"], "PhoneError", "{info}");
    assert_eq!(info["name"], "PhoneError", "{info}");
    assert_eq!(
        (info["code"].as_u64(), info["status"].as_u64()),
        (Some(code), Some(status)),
        "{info}"
    );
    assert_eq!(info["id"], id, "{info}");
    assert_eq!(info["json"]["code"], code, "{info}");
    assert_eq!(info["json"]["details"][0]["id"], id, "{info}");
    let message = info["message"].as_str().unwrap().to_owned();
    assert_eq!(info["json"]["message"], format!("{message} ({id})"), "{info}");
    info
}

#[wasm_bindgen_test]
async fn set_return_code_then_verify_keeps_foreign_fields() {
    let host = host();
    let reply = set_returning_code(&host, "071 123 45 67", options()).await.unwrap();
    let reply = rs(&reply);
    let code = reply["verificationCode"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    assert_eq!(
        reply["details"],
        json!({"sequence": "6", "changeDate": "2026-11-28T12:00:00.000Z", "resourceOwner": "org1"})
    );

    let record = rs(&stored(&host, "u1"));
    assert_eq!(record["displayName"], "Ada");
    assert_eq!(record["tags"], json!(["a", {"b": 1}]));
    assert_eq!(record["sequence"], 6);
    assert_eq!(record["phone"]["number"], "+41711234567");
    assert_eq!(record["phone"]["isVerified"], false);
    assert!(!record.to_string().contains(&code), "the code is stored in clear: {record}");
    let events: Vec<String> = rs(&last_events(&host))
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(events, ["user.human.phone.changed", "user.human.phone.code.added"]);

    let verified = verify_phone(
        "u1".into(),
        js(json!({"verificationCode": code.to_lowercase()})),
        host.clone(),
        options(),
    )
    .await
    .unwrap();
    assert_eq!(rs(&verified)["details"]["sequence"], "7");
    let record = rs(&stored(&host, "u1"));
    assert_eq!(
        record["phone"],
        json!({"number": "+41711234567", "isVerified": true, "code": null})
    );
    let got = get_phone("u1".into(), host.clone(), options()).await.unwrap();
    assert_eq!(rs(&got)["phone"], json!({"number": "+41711234567", "isVerified": true}));
}

#[wasm_bindgen_test]
async fn send_code_sends_one_sms_after_the_save() {
    let host = host();
    let reply =
        set_phone("u1".into(), set_request("+41 71 123 45 67", json!({})), host.clone(), options())
            .await
            .unwrap();
    assert_eq!(rs(&reply).get("verificationCode"), None);
    let sms = rs(&last_sms(&host));
    let code = sms["code"].as_str().unwrap();
    assert_eq!(sms["to"], "+41711234567");
    assert_eq!(sms["text"], format!("Your verification code is {code}"));
    assert_eq!((sms["userId"].as_str(), sms["resourceOwner"].as_str()), (Some("u1"), Some("org1")));
    assert_eq!(sms["expiresAt"], "2026-11-28T13:00:00.000Z");
    assert_eq!(rs(&counters(&host)), json!({"loads": 1, "saves": 1, "sent": 1}));
}

#[wasm_bindgen_test]
async fn a_clock_returning_a_date_expires_codes() {
    let host = host();
    let reply = set_returning_code(&host, "0711234567", options()).await.unwrap();
    let code = rs(&reply)["verificationCode"].as_str().unwrap().to_owned();
    let late = options_at(NOW, json!({}));
    js_sys::Reflect::set(&late, &"now".into(), &date_clock_at(NOW + 3_600_000.0)).unwrap();
    let err = verify_phone("u1".into(), js(json!({"verificationCode": code})), host.clone(), late)
        .await
        .unwrap_err();
    assert_phone_error(&err, 9, 400, "CODE-QvUQ4P");
}

#[wasm_bindgen_test]
async fn wrong_codes_lock_after_max_attempts() {
    let host = host();
    let opts = || options_at(NOW, json!({"maxAttempts": 2}));
    set_returning_code(&host, "0711234567", opts()).await.unwrap();
    for _ in 0..2 {
        let err = verify_phone(
            "u1".into(),
            js(json!({"verificationCode": "WRONG1"})),
            host.clone(),
            opts(),
        )
        .await
        .unwrap_err();
        assert_phone_error(&err, 3, 400, "CODE-woT0xc");
    }
    assert_eq!(rs(&stored(&host, "u1"))["phone"]["code"]["failedAttempts"], 2);
    let err =
        verify_phone("u1".into(), js(json!({"verificationCode": "WRONG1"})), host.clone(), opts())
            .await
            .unwrap_err();
    assert_phone_error(&err, 8, 429, "CODE-locked");
}

#[wasm_bindgen_test]
async fn resend_and_remove() {
    let host = host();
    set_returning_code(&host, "0711234567", options()).await.unwrap();
    let err = resend_phone_code("u1".into(), JsValue::UNDEFINED, host.clone(), options())
        .await
        .unwrap_err();
    assert_phone_error(&err, 8, 429, "PHONE-throttled");
    let later = options_at(NOW + 30_000.0, json!({}));
    let reply = resend_phone_code("u1".into(), js(json!({"returnCode": {}})), host.clone(), later)
        .await
        .unwrap();
    assert_eq!(rs(&reply)["details"]["sequence"], "7");
    let removed = remove_phone("u1".into(), host.clone(), options()).await.unwrap();
    assert_eq!(rs(&removed)["details"]["sequence"], "8");
    assert_eq!(rs(&stored(&host, "u1"))["phone"], Value::Null);
    let err = remove_phone("u1".into(), host.clone(), options()).await.unwrap_err();
    assert_phone_error(&err, 9, 400, "COMMAND-ieJ2e");
}

/// Every way a host callback can fail gives a PhoneError naming the callback, and a failed
/// storage callback leaves the stored record as it was.
#[wasm_bindgen_test]
async fn broken_callbacks_are_errors_of_their_own_kind() {
    let cases = [
        ("loadUser", "throws", 13, "HOST-storage", "loadUser exploded"),
        ("loadUser", "rejects", 13, "HOST-storage", "loadUser rejected"),
        ("loadUser", "rejectsWithString", 13, "HOST-storage", "plain string"),
        ("loadUser", "number", 13, "HOST-storage", "must return a record object or null"),
        ("loadUser", "wrongRecord", 13, "HOST-storage", "sequence must be a number"),
        ("loadUser", "otherUser", 13, "HOST-storage", "the record of another user"),
        ("loadUser", "missing", 13, "HOST-storage", "host.loadUser must be a function"),
        ("saveUser", "throws", 13, "HOST-storage", "saveUser exploded"),
        ("saveUser", "string", 13, "HOST-storage", "must return true (saved) or false"),
        ("saveUser", "notAFunction", 13, "HOST-storage", "host.saveUser must be a function"),
        ("sendSms", "missing", 14, "HOST-sms", "host.sendSms must be a function"),
        ("sendSms", "throws", 14, "HOST-sms", "sendSms exploded"),
        ("sendSms", "rejects", 14, "HOST-sms", "the phone and its code are saved"),
    ];
    for (member, how, code, id, fragment) in cases {
        let host = broken_host(js(user()), member, how);
        let err = set_phone(
            "u1".into(),
            set_request("0711234567", json!({"sendCode": {}})),
            host.clone(),
            options(),
        )
        .await
        .unwrap_err();
        let info = assert_phone_error(&err, code, if code == 13 { 500 } else { 503 }, id);
        let message = info["message"].as_str().unwrap();
        assert!(message.contains(member), "{member} {how}: {message}");
        assert!(message.contains(fragment), "{member} {how}: {message}");
        let record = rs(&stored(&host, "u1"));
        let sms_failed_after_save = member == "sendSms" && how != "missing";
        assert_eq!(record["sequence"], if sms_failed_after_save { 6 } else { 4 }, "{member} {how}");
    }
}

#[wasm_bindgen_test]
async fn a_lost_compare_and_swap_is_retried_three_times_then_aborted() {
    let host = memory_host(js(json!([user()])), js(json!({"alwaysLose": true})));
    let err = set_returning_code(&host, "0711234567", options()).await.unwrap_err();
    assert_phone_error(&err, 10, 409, "COMMAND-conflict");
    assert_eq!(rs(&counters(&host)), json!({"loads": 4, "saves": 4, "sent": 0}));
}

#[wasm_bindgen_test]
async fn hostile_requests_and_hosts_give_phone_errors_and_the_module_keeps_working() {
    let hostile_requests = [
        (JsValue::NULL, "REQUEST-invalid"),
        (JsValue::UNDEFINED, "REQUEST-invalid"),
        (JsValue::from_f64(42.0), "REQUEST-invalid"),
        (js(json!([1, 2])), "REQUEST-invalid"),
        (JsValue::from_str(&"9".repeat(1 << 20)), "REQUEST-invalid"),
        (js(json!({"phone": {"number": "9".repeat(1 << 20)}})), "REQUEST-invalid"),
        (with_getter_that_throws(), "REQUEST-invalid"),
        (cyclic(), "REQUEST-invalid"),
        (with_big_int(), "REQUEST-invalid"),
        (js(json!({"phone": {"number": "\u{0}\u{0}"}})), "PHONE-so0wa"),
    ];
    let host = host();
    for (request, id) in hostile_requests {
        let err = set_phone("u1".into(), request, host.clone(), options()).await.unwrap_err();
        let code = if id == "REQUEST-invalid" || id == "PHONE-so0wa" { 3 } else { 0 };
        assert_phone_error(&err, code, 400, id);
    }
    let err = set_phone(
        "u1".into(),
        set_request("0711234567", json!({})),
        host_that_throws_on_read(),
        options(),
    )
    .await
    .unwrap_err();
    assert_phone_error(&err, 13, 500, "HOST-storage");
    let err = set_phone(
        JsValue::from_f64(1.0),
        set_request("0711234567", json!({})),
        host.clone(),
        options(),
    )
    .await
    .unwrap_err();
    assert_phone_error(&err, 3, 400, "REQUEST-invalid");
    // Only the NUL number got past the shape checks, to the phone check after loading.
    assert_eq!(rs(&counters(&host)), json!({"loads": 1, "saves": 0, "sent": 0}));
    // Still works.
    let ok = set_returning_code(&host, "0711234567", options()).await;
    assert!(ok.is_ok());
}

#[wasm_bindgen_test]
fn normalize_phone_returns_e164_or_throws() {
    let n = rs(&normalize_phone("004171 123 45 67".into(), JsValue::UNDEFINED).unwrap());
    assert_eq!(n["e164"], "+41711234567");
    assert_eq!(n["region"], "CH");
    assert_eq!(n["valid"], true);
    assert_eq!(n["type"], "fixedLine");
    let n = rs(&normalize_phone("12".into(), js(json!({"validation": "parseable"}))).unwrap());
    assert_eq!((n["e164"].as_str(), n["valid"].as_bool()), (Some("+4112"), Some(false)));
    let n = rs(&normalize_phone("+1 416 555 0123".into(), JsValue::NULL).unwrap());
    assert_eq!((n["region"].as_str(), n["type"].as_str()), (Some("CA"), Some("fixedLineOrMobile")));
    let err = normalize_phone("12".into(), JsValue::NULL).unwrap_err();
    assert_phone_error(&err, 3, 400, "PHONE-so0wa");
    let err = normalize_phone("PhoneNumber".into(), JsValue::UNDEFINED).unwrap_err();
    assert_phone_error(&err, 3, 400, "PHONE-so0wa");
    let err = normalize_phone("   ".into(), JsValue::UNDEFINED).unwrap_err();
    assert_phone_error(&err, 3, 400, "PHONE-Zt0NV");
    let err = normalize_phone(JsValue::from_f64(41.0), JsValue::UNDEFINED).unwrap_err();
    assert_phone_error(&err, 3, 400, "REQUEST-invalid");
    let err = normalize_phone("0711234567".into(), js(json!({"defaultRegion": "XX"}))).unwrap_err();
    assert_phone_error(&err, 13, 500, "CONFIG-invalid");
}

#[wasm_bindgen_test]
async fn missing_caller_and_secret_come_before_any_load() {
    let host = host();
    let err = set_phone(
        "u1".into(),
        set_request("0711234567", json!({})),
        host.clone(),
        js(json!({"codeSecret": SECRET})),
    )
    .await
    .unwrap_err();
    assert_phone_error(&err, 16, 401, "AUTH-unauthenticated");
    let err = set_phone(
        "u1".into(),
        set_request("0711234567", json!({})),
        host.clone(),
        js(json!({"caller": {"userId": "u1"}})),
    )
    .await
    .unwrap_err();
    let info = assert_phone_error(&err, 13, 500, "CONFIG-codeSecret");
    assert!(info["message"].as_str().unwrap().contains("codeSecret"));
    let bad_clock = js(json!({"caller": {"userId": "u1"}, "codeSecret": SECRET, "now": 5}));
    let err = set_phone("u1".into(), set_request("0711234567", json!({})), host.clone(), bad_clock)
        .await
        .unwrap_err();
    assert_phone_error(&err, 13, 500, "CONFIG-invalid");
    assert_eq!(rs(&counters(&host)), json!({"loads": 0, "saves": 0, "sent": 0}));
}

/// A callback whose Promise never settles becomes Unavailable after `timeoutMs`, naming it.
#[wasm_bindgen_test]
async fn callbacks_that_never_settle_time_out() {
    for (member, mode, saved) in [
        ("loadUser", json!({}), 4),
        ("saveUser", json!({}), 4),
        ("sendSms", json!({"sendCode": {}}), 6),
    ] {
        let host = broken_host(js(user()), member, "hangs");
        let options = options_at(NOW, json!({"timeoutMs": 30}));
        let err = set_phone("u1".into(), set_request("0711234567", mode), host.clone(), options)
            .await
            .unwrap_err();
        let info = assert_phone_error(&err, 14, 503, "HOST-timeout");
        let message = info["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("Host callback {member} did not settle within 30 ms")));
        // Only sendSms runs after the save, and only its message says the code was saved.
        assert_eq!(message.contains("saved"), member == "sendSms", "{message}");
        assert_eq!(rs(&stored(&host, "u1"))["sequence"], saved, "{member}");
    }
}
