//! Phone numbers through the public API: normalizePhone's reply and the phone options
//! (`validation`, `allowedRegions`, `allowedTypes`) in normalizePhone and setPhone.

use contact_phone::engine::reply::NormalizedPhone;
use contact_phone::engine::{self, error::PhoneError};
use serde_json::json;
use serde_json::Value;

use crate::support::*;

fn normalize(input: &str, options: Value) -> Result<Value, PhoneError> {
    engine::normalize_phone(&json!(input), &options).map(|number| {
        serde_json::to_value(NormalizedPhone::from(&number)).expect("a reply serialises")
    })
}

#[test]
fn normalize_replies_with_type_and_validity() {
    assert_eq!(
        normalize("079 123 45 67", Value::Null).unwrap(),
        json!({"e164": "+41791234567", "region": "CH", "type": "mobile", "valid": true,
               "possible": true, "countryCode": 41, "nationalNumber": "791234567"})
    );
    assert_eq!(
        normalize("+1 416 555 0123", json!({"defaultRegion": null})).unwrap()["region"],
        json!("CA")
    );
    assert_eq!(
        normalize("12", json!({"validation": "parseable"})).unwrap(),
        json!({"e164": "+4112", "region": "CH", "type": "unknown", "valid": false,
               "possible": false, "countryCode": 41, "nationalNumber": "12"})
    );
    let message = |r: Result<Value, PhoneError>| r.unwrap_err().message();
    assert_eq!(message(normalize("12", Value::Null)), "Phone is invalid: too short");
    assert_eq!(
        message(normalize("+41 11 123 45 67", Value::Null)),
        "Phone is invalid: not a valid number for the region"
    );
    assert!(normalize("+41 11 123 45 67", json!({"validation": "possible"})).is_ok());
    assert_eq!(
        message(normalize("+41 44 668 18 00", json!({"allowedTypes": ["mobile"]}))),
        "Phone is invalid: type not allowed"
    );
    assert_eq!(
        message(normalize("+49 30 1234567", json!({"allowedRegions": ["CH"]}))),
        "Phone is invalid: region not allowed"
    );
    assert_eq!(
        normalize("+41 44 668 18 00", json!({"allowedTypes": ["mobile"]})).unwrap_err().id(),
        "PHONE-so0wa"
    );
    assert_eq!(normalize(" ", Value::Null).unwrap_err().id(), "PHONE-Zt0NV");
    // The options of the other calls are accepted too.
    assert!(normalize("079 123 45 67", options(me(), json!({"maxAttempts": 3}))).is_ok());
}

#[test]
fn set_phone_honours_validation_and_types() {
    let host = MemoryHost::with(&[user("u1")]);
    let mut random = Counting(0);
    let mut c = call(&host, admin(), 0, &mut random);
    let set =
        |c: &mut Call, number: &str| c.set("u1", set_request(number, json!({"returnCode": {}})));
    // ZITADEL accepts anything parseable; by default this library wants a valid number.
    assert_eq!(set(&mut c, "12").unwrap_err().message(), "Phone is invalid: too short");
    c.options = options(admin(), json!({"validation": "parseable"}));
    assert!(set(&mut c, "12").is_ok());
    assert_eq!(host.record("u1")["phone"]["number"].as_str(), Some("+4112"));
    c.options = options(admin(), json!({"allowedTypes": ["mobile", "fixedLineOrMobile"]}));
    assert_eq!(
        set(&mut c, "044 668 18 00").unwrap_err().message(),
        "Phone is invalid: type not allowed"
    );
    assert!(set(&mut c, "079 123 45 67").is_ok());
    assert_eq!(host.record("u1")["phone"]["number"].as_str(), Some("+41791234567"));
}
