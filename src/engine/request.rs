//! JSON-shaped input → typed requests: keys and their snake_case aliases, lengths, and the
//! verification mode. Every error names the field (SPEC §1, check 1).

use serde_json::Value;

use super::error::{FieldProblem, PhoneError};
use super::read::{self, Blame, Schema};

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
    Ok(read::string(value, "userId", Blame::Request, 1, MAX_USER_ID)?.to_owned())
}

impl SetPhone {
    /// Parses `{phone: {number, sendCode?, returnCode?, isVerified?}}`.
    pub fn parse(user_id: &Value, request: &Value) -> Result<SetPhone, PhoneError> {
        let user_id = self::user_id(user_id)?;
        let b = Blame::Request;
        let top = Schema {
            keys: [("phone", "phone")],
            deny_unknown: true,
            hints: &[("number", "put it inside `phone`: {\"phone\": {\"number\": ...}}")],
        };
        let [phone] = top.read(request, "", b)?;
        let phone = read::required(phone, "phone", b)?;
        let schema = Schema {
            keys: [
                ("number", "number"),
                ("sendCode", "send_code"),
                ("returnCode", "return_code"),
                ("isVerified", "is_verified"),
            ],
            deny_unknown: true,
            hints: &[("phone", "the field is `number`")],
        };
        let [number, send, ret, verified] = schema.read(phone, "phone", b)?;
        let number = read::string(
            read::required(number, "phone.number", b)?,
            "phone.number",
            b,
            1,
            MAX_NUMBER,
        )?;
        let mut modes = Vec::new();
        if let Some(v) = send {
            read::empty_object(v, "phone.sendCode", b)?;
            modes.push(("phone.sendCode", VerificationMode::SendCode));
        }
        if let Some(v) = ret {
            read::empty_object(v, "phone.returnCode", b)?;
            modes.push(("phone.returnCode", VerificationMode::ReturnCode));
        }
        if let Some(v) = verified {
            if !read::boolean(v, "phone.isVerified", b)? {
                return Err(b.error("phone.isVerified", FieldProblem::MustBeTrue));
            }
            modes.push(("phone.isVerified", VerificationMode::MarkVerified));
        }
        Ok(SetPhone {
            user_id,
            number: number.to_owned(),
            mode: one_of(&modes, VerificationMode::SendCode)?,
        })
    }
}

impl VerifyPhone {
    /// Parses `{verificationCode}`.
    pub fn parse(user_id: &Value, request: &Value) -> Result<VerifyPhone, PhoneError> {
        let user_id = self::user_id(user_id)?;
        let b = Blame::Request;
        let schema = Schema {
            keys: [("verificationCode", "verification_code")],
            deny_unknown: true,
            hints: &[("code", "the field is `verificationCode`")],
        };
        let [code] = schema.read(request, "", b)?;
        let code = read::string(
            read::required(code, "verificationCode", b)?,
            "verificationCode",
            b,
            1,
            MAX_CODE,
        )?;
        Ok(VerifyPhone { user_id, code: code.to_owned() })
    }
}

impl ResendCode {
    /// Parses `{sendCode: {}}` or `{returnCode: {}}`; `{}`, `null` or no request mean
    /// `sendCode`, as for set-phone.
    pub fn parse(user_id: &Value, request: &Value) -> Result<ResendCode, PhoneError> {
        let user_id = self::user_id(user_id)?;
        let b = Blame::Request;
        if request.is_null() {
            return Ok(ResendCode { user_id, delivery: Delivery::Send });
        }
        let schema = Schema {
            keys: [("sendCode", "send_code"), ("returnCode", "return_code")],
            deny_unknown: true,
            hints: &[],
        };
        let [send, ret] = schema.read(request, "", b)?;
        let mut modes = Vec::new();
        if let Some(v) = send {
            read::empty_object(v, "sendCode", b)?;
            modes.push(("sendCode", Delivery::Send));
        }
        if let Some(v) = ret {
            read::empty_object(v, "returnCode", b)?;
            modes.push(("returnCode", Delivery::Return));
        }
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

/// The one mode of a protobuf oneof, `default` if none; two are an error naming both.
fn one_of<T: Copy>(modes: &[(&str, T)], default: T) -> Result<T, PhoneError> {
    match modes {
        [] => Ok(default),
        [(_, mode)] => Ok(*mode),
        [(first, _), (second, _), ..] => {
            Err(PhoneError::field(*second, FieldProblem::ConflictsWith((*first).to_owned())))
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
