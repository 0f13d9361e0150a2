//! JSON-shaped input → typed requests: keys and their snake_case aliases, lengths, and the
//! verification mode. Every error names the field (SPEC §1, check 1).

use serde::Deserialize;
use serde_json::Value;

use super::error::{FieldProblem, PhoneError};
use super::read::{read, Blame, Empty, Flag, Hint, Text};

/// Longest user id, in code points.
pub const MAX_USER_ID: usize = 200;
/// Longest `phone.number`, in code points (ZITADEL's limit).
pub const MAX_NUMBER: usize = 20;
/// Longest `verificationCode`, in code points.
pub const MAX_CODE: usize = 20;

/// How set-phone treats the new number.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum VerificationMode {
    /// Generate a code and send it by SMS (the default).
    SendCode,
    /// Generate a code and return it in the reply; send nothing.
    ReturnCode,
    /// Store the phone as verified; no code (`isVerified: true`).
    MarkVerified,
}

/// How a new code reaches the user.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Delivery {
    /// By SMS.
    Send,
    /// In the reply.
    Return,
}

/// `setPhone(userId, {phone: {number, sendCode|returnCode|isVerified}})`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SetPhone {
    /// Whose phone.
    pub user_id: String,
    /// The number as typed (normalised later, after the permission check).
    pub number: String,
    /// What to do about verification.
    pub mode: VerificationMode,
}

/// `verifyPhone(userId, {verificationCode})`.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyPhone {
    /// Whose phone.
    pub user_id: String,
    /// The code as typed.
    pub code: String,
}

impl core::fmt::Debug for VerifyPhone {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VerifyPhone").field("user_id", &self.user_id).finish_non_exhaustive()
    }
}

/// `resendPhoneCode(userId, {sendCode|returnCode})`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ResendCode {
    /// Whose phone.
    pub user_id: String,
    /// How the new code reaches the user.
    pub delivery: Delivery,
}

/// `removePhone(userId)`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RemovePhone {
    /// Whose phone.
    pub user_id: String,
}

/// `getPhone(userId)`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct GetPhone {
    /// Whose phone.
    pub user_id: String,
}

/// Reads the `userId` argument: a string of 1 to 200 code points.
pub fn user_id(value: &Value) -> Result<String, PhoneError> {
    let Text(user_id) = read::<Text<1, MAX_USER_ID>>(value, "userId", Blame::Request, &[])?;
    Ok(user_id)
}

/// The body of set-phone, as protobuf JSON writes `SetPhoneRequest`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
struct SetPhoneBody {
    phone: PhoneBody,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", expecting = "an object")]
struct PhoneBody {
    number: Text<1, MAX_NUMBER>,
    #[serde(alias = "send_code")]
    send_code: Option<Empty>,
    #[serde(alias = "return_code")]
    return_code: Option<Empty>,
    #[serde(alias = "is_verified")]
    is_verified: Option<Flag>,
}

/// The body of ZITADEL's v2 `SetPhone` (`POST /v2/users/:userId/phone`): the number itself is
/// `phone`, next to the mode.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", expecting = "an object")]
struct SetPhoneV2Body {
    phone: Text<1, MAX_NUMBER>,
    #[serde(alias = "send_code")]
    send_code: Option<Empty>,
    #[serde(alias = "return_code")]
    return_code: Option<Empty>,
    #[serde(alias = "is_verified")]
    is_verified: Option<Flag>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", expecting = "an object")]
struct VerifyBody {
    #[serde(alias = "verification_code")]
    verification_code: Text<1, MAX_CODE>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", expecting = "an object")]
struct ResendBody {
    #[serde(alias = "send_code")]
    send_code: Option<Empty>,
    #[serde(alias = "return_code")]
    return_code: Option<Empty>,
}

const SET_HINTS: &[Hint] = &[
    ("number", "put it inside `phone`: {\"phone\": {\"number\": ...}}"),
    ("phone.phone", "the field is `number`"),
];

impl SetPhone {
    /// Parses `{phone: {number, sendCode?, returnCode?, isVerified?}}`.
    pub fn parse(user_id: &Value, request: &Value) -> Result<SetPhone, PhoneError> {
        let user_id = self::user_id(user_id)?;
        let SetPhoneBody { phone } = read(request, "", Blame::Request, SET_HINTS)?;
        let modes = [phone.send_code, phone.return_code];
        let mode = set_mode(NESTED_MODES, modes, phone.is_verified)?;
        Ok(SetPhone { user_id, number: phone.number.0, mode })
    }

    /// Parses ZITADEL's v2 body `{phone, sendCode?, returnCode?, isVerified?}`, where `phone`
    /// is the number.
    pub fn parse_v2(user_id: &Value, request: &Value) -> Result<SetPhone, PhoneError> {
        let user_id = self::user_id(user_id)?;
        let body: SetPhoneV2Body = read(request, "", Blame::Request, &[])?;
        let mode = set_mode(FLAT_MODES, [body.send_code, body.return_code], body.is_verified)?;
        Ok(SetPhone { user_id, number: body.phone.0, mode })
    }
}

/// Where the mode fields of a set-phone body are: inside `phone`, or beside it (v2).
const NESTED_MODES: [&str; 3] = ["phone.sendCode", "phone.returnCode", "phone.isVerified"];
const FLAT_MODES: [&str; 3] = ["sendCode", "returnCode", "isVerified"];

/// The verification mode of a set-phone body, whose mode fields are named `names`: at most
/// one, `isVerified` only `true`, none meaning `sendCode`.
fn set_mode(
    names: [&'static str; 3],
    [send, ret]: [Option<Empty>; 2],
    verified: Option<Flag>,
) -> Result<VerificationMode, PhoneError> {
    let [send_name, return_name, verified_name] = names;
    if verified == Some(Flag(false)) {
        return Err(PhoneError::field(verified_name, FieldProblem::MustBeTrue));
    }
    let modes = [
        (send_name, send.map(|_| VerificationMode::SendCode)),
        (return_name, ret.map(|_| VerificationMode::ReturnCode)),
        (verified_name, verified.map(|_| VerificationMode::MarkVerified)),
    ];
    one_of(&modes, VerificationMode::SendCode)
}

impl VerifyPhone {
    /// Parses `{verificationCode}`.
    pub fn parse(user_id: &Value, request: &Value) -> Result<VerifyPhone, PhoneError> {
        let user_id = self::user_id(user_id)?;
        let hints = [("code", "the field is `verificationCode`")];
        let VerifyBody { verification_code } = read(request, "", Blame::Request, &hints)?;
        Ok(VerifyPhone { user_id, code: verification_code.0 })
    }
}

impl ResendCode {
    /// Parses `{sendCode: {}}` or `{returnCode: {}}`; `{}`, `null` or no request mean
    /// `sendCode`, as for set-phone.
    pub fn parse(user_id: &Value, request: &Value) -> Result<ResendCode, PhoneError> {
        let user_id = self::user_id(user_id)?;
        if request.is_null() {
            return Ok(ResendCode { user_id, delivery: Delivery::Send });
        }
        let body: ResendBody = read(request, "", Blame::Request, &[])?;
        let modes = [
            ("sendCode", body.send_code.map(|_| Delivery::Send)),
            ("returnCode", body.return_code.map(|_| Delivery::Return)),
        ];
        Ok(ResendCode { user_id, delivery: one_of(&modes, Delivery::Send)? })
    }
}

impl RemovePhone {
    /// Checks the user id.
    pub fn parse(user_id: &Value) -> Result<RemovePhone, PhoneError> {
        Ok(RemovePhone { user_id: self::user_id(user_id)? })
    }
}

impl GetPhone {
    /// Checks the user id.
    pub fn parse(user_id: &Value) -> Result<GetPhone, PhoneError> {
        Ok(GetPhone { user_id: self::user_id(user_id)? })
    }
}

/// The one mode of a protobuf oneof that is set, `default` if none; two are an error naming
/// both.
fn one_of<T: Copy>(modes: &[(&str, Option<T>)], default: T) -> Result<T, PhoneError> {
    let mut set = modes.iter().filter_map(|(name, mode)| Some((*name, (*mode)?)));
    match (set.next(), set.next()) {
        (None, _) => Ok(default),
        (Some((_, mode)), None) => Ok(mode),
        (Some((first, _)), Some((second, _))) => {
            Err(PhoneError::field(second, FieldProblem::ConflictsWith(first.to_owned())))
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(request: Value) -> Result<SetPhone, PhoneError> {
        SetPhone::parse(&json!("u1"), &request)
    }

    #[test]
    fn modes_and_aliases() {
        let cases = [
            (json!({"phone": {"number": "+41 79"}}), VerificationMode::SendCode),
            (json!({"phone": {"number": "+41 79", "sendCode": {}}}), VerificationMode::SendCode),
            (
                json!({"phone": {"number": "+41 79", "return_code": {}}}),
                VerificationMode::ReturnCode,
            ),
            (
                json!({"phone": {"number": "+41 79", "is_verified": true}}),
                VerificationMode::MarkVerified,
            ),
            (
                json!({"phone": {"number": "+41 79", "returnCode": null}}),
                VerificationMode::SendCode,
            ),
        ];
        for (request, mode) in cases {
            assert_eq!(set(request.clone()).unwrap().mode, mode, "{request}");
        }
    }

    /// Every shape error of set-phone, with the message that names the field.
    #[test]
    fn shape_errors_name_the_field() {
        let long = "1".repeat(21);
        let cases = [
            (json!(null), "request must be an object"),
            (json!([1]), "request must be an object"),
            (json!("x"), "request must be an object"),
            (json!({}), "phone is required"),
            (json!({"number": "1"}), "number is not a known field (put it inside `phone`"),
            (json!({"phone": "+41"}), "phone must be an object"),
            (json!({"phone": {}}), "phone.number is required"),
            (
                json!({"phone": {"phone": "+41"}}),
                "phone.phone is not a known field (the field is `number`)",
            ),
            (json!({"phone": {"number": ""}}), "phone.number must be 1 to 20 characters long"),
            (json!({"phone": {"number": long}}), "phone.number must be 1 to 20 characters long"),
            (json!({"phone": {"number": 41}}), "phone.number must be a string"),
            (
                json!({"phone": {"number": "1", "isVerified": false}}),
                "phone.isVerified can only be true",
            ),
            (
                json!({"phone": {"number": "1", "isVerified": "yes"}}),
                "phone.isVerified must be true or false",
            ),
            (
                json!({"phone": {"number": "1", "sendCode": {}, "returnCode": {}}}),
                "phone.returnCode cannot be combined with phone.sendCode",
            ),
            (
                json!({"phone": {"number": "1", "returnCode": {}, "is_verified": true}}),
                "phone.isVerified cannot be combined with phone.returnCode",
            ),
            (
                json!({"phone": {"number": "1", "sendCode": {"urlTemplate": "x"}}}),
                "phone.sendCode.urlTemplate is not a known field",
            ),
            (
                json!({"phone": {"number": "1", "sendCode": true}}),
                "phone.sendCode must be an object",
            ),
            (
                json!({"phone": {"number": "1", "send_code": {}, "sendCode": {}}}),
                "phone.sendCode is given twice",
            ),
        ];
        for (request, message) in cases {
            let err = set(request.clone()).unwrap_err();
            assert_eq!(err.id(), "REQUEST-invalid", "{request}");
            assert!(
                err.message().starts_with(&format!("Request is invalid: {message}")),
                "{request}: {}",
                err.message()
            );
        }
    }

    #[test]
    fn number_length_counts_code_points() {
        assert!(set(json!({"phone": {"number": "٠".repeat(20)}})).is_ok());
        assert!(set(json!({"phone": {"number": "٠".repeat(21)}})).is_err());
    }

    #[test]
    fn user_id_is_checked_first() {
        for (user_id, message) in [
            (json!(""), "userId must be 1 to 200"),
            (json!(7), "userId must be a string"),
            (json!("u".repeat(201)), "userId must be 1 to 200"),
        ] {
            let err = SetPhone::parse(&user_id, &json!({})).unwrap_err();
            assert!(err.message().contains(message), "{}", err.message());
        }
    }

    #[test]
    fn verify_and_resend_requests() {
        let v = VerifyPhone::parse(&json!("u1"), &json!({"verification_code": "ABC"})).unwrap();
        assert_eq!(v.code, "ABC");
        assert!(!format!("{v:?}").contains("ABC"));
        for bad in [
            json!({}),
            json!({"verificationCode": ""}),
            json!({"verificationCode": "x".repeat(21)}),
            json!({"code": "1"}),
        ] {
            assert_eq!(VerifyPhone::parse(&json!("u1"), &bad).unwrap_err().id(), "REQUEST-invalid");
        }
        assert_eq!(ResendCode::parse(&json!("u1"), &json!(null)).unwrap().delivery, Delivery::Send);
        assert_eq!(
            ResendCode::parse(&json!("u1"), &json!({"returnCode": {}})).unwrap().delivery,
            Delivery::Return
        );
        assert!(
            ResendCode::parse(&json!("u1"), &json!({"returnCode": {}, "sendCode": {}})).is_err()
        );
        assert!(ResendCode::parse(&json!("u1"), &json!(5)).is_err());
        assert!(RemovePhone::parse(&json!(null)).is_err());
        assert_eq!(GetPhone::parse(&json!("u")).unwrap().user_id, "u");
    }
}
