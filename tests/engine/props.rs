//! Property tests: no JSON value makes a parser panic, and parsing is total (Ok or a
//! REQUEST/CONFIG/HOST error, never anything else).

use contact_phone::engine::error::Callback;
use contact_phone::engine::options::Options;
use contact_phone::engine::record::UserRecord;
use contact_phone::engine::request::{ResendCode, SetPhone, VerifyPhone};
use proptest::prelude::*;
use serde_json::json;
use serde_json::{Map, Value};

/// Arbitrary JSON, biased towards the keys the parsers know so that deep paths are reached.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("phone".to_owned()),
        Just("number".to_owned()),
        Just("sendCode".to_owned()),
        Just("return_code".to_owned()),
        Just("isVerified".to_owned()),
        Just("verificationCode".to_owned()),
        Just("code".to_owned()),
        Just("caller".to_owned()),
        Just("permissions".to_owned()),
        Just("sequence".to_owned()),
        Just("userId".to_owned()),
        Just("resourceOwner".to_owned()),
        Just("length".to_owned()),
        Just("alphabet".to_owned()),
        Just("hash".to_owned()),
        Just("defaultRegion".to_owned()),
        Just("allowedRegions".to_owned()),
        Just("smsTemplate".to_owned()),
        ".{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,30}".prop_map(Value::from),
        Just(json!("u1")),
        Just(json!("+41 71 123 45 67")),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn request_parsers_never_panic(user_id in json_value(), request in json_value()) {
        for result in [
            SetPhone::parse(&user_id, &request).err(),
            VerifyPhone::parse(&user_id, &request).err(),
            ResendCode::parse(&user_id, &request).err(),
        ].into_iter().flatten() {
            prop_assert_eq!(result.id(), "REQUEST-invalid");
        }
    }

    #[test]
    fn options_parser_never_panics(options in json_value()) {
        if let Err(err) = Options::from_json(&options) {
            prop_assert_eq!(err.id(), "CONFIG-invalid");
        }
    }

    #[test]
    fn record_parser_never_panics(record in json_value()) {
        if let Err(err) = UserRecord::from_json(&record, "u1", Callback::LoadUser) {
            prop_assert_eq!(err.id(), "HOST-storage");
        }
    }

    #[test]
    fn set_phone_accepts_any_well_shaped_number(number in "\\PC{1,20}") {
        let request = json!({"phone": {"number": number}});
        prop_assert!(SetPhone::parse(&json!("u1"), &request).is_ok());
    }
}
