//! [`PhoneError`]: every way a call can fail, and the one table that maps each to its gRPC
//! code, HTTP status, stable id and message.
//!
//! The JSON body (SPEC §2), the JS `PhoneError` and the HTTP status are all built from
//! [`PhoneError::code`], [`PhoneError::id`] and [`PhoneError::message`]; nothing else in the
//! crate spells an id or a status.

use core::fmt;
use std::borrow::Cow;

use serde::Serialize;

use super::phone::PhoneProblem;

/// gRPC status codes used by this library (the numbers are gRPC's).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Code {
    /// 3: the request is malformed or a value is invalid.
    InvalidArgument = 3,
    /// 5: the user does not exist (or is not a human user).
    NotFound = 5,
    /// 7: the caller lacks the permission.
    PermissionDenied = 7,
    /// 8: too many tries or too many codes.
    ResourceExhausted = 8,
    /// 9: the user or phone is not in a state that allows the call.
    FailedPrecondition = 9,
    /// 10: a concurrent writer won the compare-and-swap too often.
    Aborted = 10,
    /// 12: the operation is not supported.
    Unimplemented = 12,
    /// 13: a bug or misconfiguration on the server side (options, storage callback).
    Internal = 13,
    /// 14: a dependency (the SMS callback) is unavailable.
    Unavailable = 14,
    /// 16: no caller.
    Unauthenticated = 16,
}

impl Code {
    /// The gRPC code number, as in the JSON body's `code`.
    pub fn number(self) -> u32 {
        self as u32
    }

    /// The HTTP status that goes with the code (SPEC §2).
    pub fn http_status(self) -> u16 {
        match self {
            Code::InvalidArgument | Code::FailedPrecondition => 400,
            Code::Unauthenticated => 401,
            Code::PermissionDenied => 403,
            Code::NotFound => 404,
            Code::Aborted => 409,
            Code::ResourceExhausted => 429,
            Code::Internal => 500,
            Code::Unimplemented => 501,
            Code::Unavailable => 503,
        }
    }
}

/// What is wrong with one field of a request or of the options.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum FieldProblem {
    /// A required field is absent.
    Missing,
    /// The field has another JSON type.
    WrongType {
        /// What was expected, e.g. "a string".
        expected: Cow<'static, str>,
    },
    /// A string's length in Unicode code points is out of range.
    Length {
        /// Smallest allowed length.
        min: usize,
        /// Largest allowed length.
        max: usize,
    },
    /// A number is out of range.
    Range {
        /// Smallest allowed value.
        min: u64,
        /// Largest allowed value.
        max: u64,
    },
    /// The key is not part of the message.
    UnknownKey {
        /// A hint at the intended field, e.g. "the field is `number`".
        hint: Option<&'static str>,
    },
    /// The same field is given twice (camelCase and snake_case).
    Duplicate,
    /// Two fields of a oneof are set at once.
    ConflictsWith(String),
    /// `isVerified` can only be `true`.
    MustBeTrue,
    /// The value is not valid for another reason, said in the text.
    Invalid(Cow<'static, str>),
    /// The value could not be read as JSON at all; the text says why.
    NotJson(String),
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldProblem::Missing => f.write_str("is required"),
            FieldProblem::WrongType { expected } => write!(f, "must be {expected}"),
            FieldProblem::Length { min, max } => {
                write!(f, "must be {min} to {max} characters long")
            }
            FieldProblem::Range { min, max } => write!(f, "must be an integer from {min} to {max}"),
            FieldProblem::UnknownKey { hint: None } => f.write_str("is not a known field"),
            FieldProblem::UnknownKey { hint: Some(hint) } => {
                write!(f, "is not a known field ({hint})")
            }
            FieldProblem::Duplicate => f.write_str("is given twice (camelCase and snake_case)"),
            FieldProblem::ConflictsWith(other) => write!(f, "cannot be combined with {other}"),
            FieldProblem::MustBeTrue => f.write_str("can only be true (omit it instead)"),
            FieldProblem::Invalid(why) => f.write_str(why),
            FieldProblem::NotJson(why) => write!(f, "could not be read as JSON: {why}"),
        }
    }
}

/// Why a request has no authenticated caller.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AuthProblem {
    /// No `caller` in the options.
    NoCaller,
    /// An HTTP request without `Authorization: Bearer <token>`.
    NoToken,
    /// The host's `authenticate` did not know the token.
    UnknownToken,
}

/// The host's callbacks (and the host object itself), as errors name them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Callback {
    /// `host` itself (not an object).
    Host,
    /// `host.loadUser`.
    LoadUser,
    /// `host.saveUser`.
    SaveUser,
    /// `host.sendSms`.
    SendSms,
    /// `host.authenticate`.
    Authenticate,
    /// `host.reserveSms`.
    ReserveSms,
}

impl Callback {
    /// The member's name, as in `host.loadUser`.
    pub fn name(self) -> &'static str {
        match self {
            Callback::Host => "host",
            Callback::LoadUser => "loadUser",
            Callback::SaveUser => "saveUser",
            Callback::SendSms => "sendSms",
            Callback::Authenticate => "authenticate",
            Callback::ReserveSms => "reserveSms",
        }
    }
}

impl fmt::Display for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why `codeSecret` cannot be used.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SecretProblem {
    /// No `codeSecret` in the options, but the call needs a code.
    Missing,
    /// Shorter than this many bytes.
    TooShort {
        /// The shortest accepted length.
        min_bytes: usize,
    },
}

/// How the bindings misused the [`Driver`](crate::driver::Driver): a bug in this library, never
/// the caller's or the host's doing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Misuse {
    /// An answer to a question the driver had not asked.
    UnexpectedAnswer,
    /// The result was taken before the driver was done.
    FinishedEarly,
}

/// Every failure of a call. Variants name what happened and carry data; the wire form comes
/// from [`code`](Self::code), [`id`](Self::id) and [`message`](Self::message).
#[derive(Clone, PartialEq, Debug)]
#[non_exhaustive]
pub enum PhoneError {
    /// A request field is malformed (`REQUEST-invalid`).
    InvalidRequest {
        /// Dotted path of the field, e.g. `phone.number`.
        field: String,
        /// What is wrong with it.
        problem: FieldProblem,
    },
    /// No authenticated caller (`AUTH-unauthenticated`).
    Unauthenticated(AuthProblem),
    /// Unknown, deleted or machine user (`COMMAND-b33QAVgel6`).
    UserNotFound,
    /// The user is still in state `initial` (`COMMAND-uz0Uu`).
    UserNotReady,
    /// The caller may not do this to this user (`AUTH-AWfge`).
    PermissionDenied,
    /// Nothing but whitespace where a phone was expected (`PHONE-Zt0NV`).
    PhoneEmpty,
    /// Not an acceptable phone number (`PHONE-so0wa`).
    PhoneInvalid(PhoneProblem),
    /// Verify without a pending code (`COMMAND-2M9fs`).
    NoPendingCode,
    /// The pending code has expired (`CODE-QvUQ4P`).
    CodeExpired,
    /// The code does not match (`CODE-woT0xc`); the failed attempt was counted.
    CodeInvalid,
    /// Too many wrong codes; only a new code helps (`CODE-locked`).
    CodeLocked,
    /// Resend without a pending code (`PHONE-5xrra88eq8`).
    NothingToResend,
    /// Remove without a phone (`COMMAND-ieJ2e`).
    NoPhone,
    /// A code was issued too recently (`PHONE-throttled`).
    Throttled {
        /// Seconds until a new code may be issued.
        retry_after_seconds: u64,
    },
    /// Another writer won the compare-and-swap on every retry (`COMMAND-conflict`).
    Conflict,
    /// `codeSecret` is missing or too short for a call that needs codes (`CONFIG-codeSecret`).
    CodeSecret(SecretProblem),
    /// An option is malformed (`CONFIG-invalid`).
    InvalidOption {
        /// Dotted path of the option, e.g. `code.length`.
        option: String,
        /// What is wrong with it.
        problem: FieldProblem,
    },
    /// The platform's random source failed (`CODE-random`).
    RandomUnavailable,
    /// A storage callback is missing, threw, rejected or returned the wrong shape
    /// (`HOST-storage`).
    HostStorage {
        /// The callback, e.g. `loadUser`.
        callback: Callback,
        /// What went wrong, including the host's own message.
        cause: String,
    },
    /// No route for the HTTP path (`HTTP-not-found`).
    RouteNotFound,
    /// The path exists, but not for this HTTP method (`HTTP-method`).
    MethodNotAllowed {
        /// The methods the path accepts, for the `Allow` header.
        allow: &'static str,
    },
    /// The HTTP body is over the limit (`HTTP-too-large`).
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The HTTP body is not declared as JSON (`HTTP-media-type`).
    UnsupportedMediaType,
    /// A server's own limit on one client's requests (`HTTP-rate-limited`); the library's
    /// calls never give it, servers in front of `handleHttp` do.
    RateLimited {
        /// Seconds until the client may try again.
        retry_after_seconds: u64,
    },
    /// A host callback's Promise did not settle within `timeoutMs` (`HOST-timeout`).
    HostTimeout {
        /// The callback, e.g. `loadUser`.
        callback: Callback,
        /// The limit that passed.
        timeout_ms: u32,
    },
    /// A bug in this library: its driver was run out of order (`INTERNAL-misuse`).
    Misuse(Misuse),
    /// The SMS callback threw or rejected (`HOST-sms`). SMS go out only after the save, so
    /// the phone and its code are stored and a resend can deliver a code.
    HostSms {
        /// What went wrong, including the host's own message.
        cause: String,
        /// Whether the phone and its code were saved before (false only when `sendSms` is
        /// missing, which is checked before anything is saved).
        saved: bool,
    },
}

/// Stable error ids (SPEC §2 and §6); documented in the README's error table.
pub mod ids {
    #![allow(missing_docs)]
    pub const REQUEST_INVALID: &str = "REQUEST-invalid";
    pub const UNAUTHENTICATED: &str = "AUTH-unauthenticated";
    pub const USER_NOT_FOUND: &str = "COMMAND-b33QAVgel6";
    pub const USER_NOT_READY: &str = "COMMAND-uz0Uu";
    pub const PERMISSION_DENIED: &str = "AUTH-AWfge";
    pub const PHONE_EMPTY: &str = "PHONE-Zt0NV";
    pub const PHONE_INVALID: &str = "PHONE-so0wa";
    pub const NO_PENDING_CODE: &str = "COMMAND-2M9fs";
    pub const CODE_EXPIRED: &str = "CODE-QvUQ4P";
    pub const CODE_INVALID: &str = "CODE-woT0xc";
    pub const CODE_LOCKED: &str = "CODE-locked";
    pub const NOTHING_TO_RESEND: &str = "PHONE-5xrra88eq8";
    pub const NO_PHONE: &str = "COMMAND-ieJ2e";
    pub const THROTTLED: &str = "PHONE-throttled";
    pub const CONFLICT: &str = "COMMAND-conflict";
    pub const CODE_SECRET: &str = "CONFIG-codeSecret";
    pub const CONFIG_INVALID: &str = "CONFIG-invalid";
    pub const RANDOM_UNAVAILABLE: &str = "CODE-random";
    pub const HOST_STORAGE: &str = "HOST-storage";
    pub const HOST_SMS: &str = "HOST-sms";
    pub const HOST_TIMEOUT: &str = "HOST-timeout";
    pub const ROUTE_NOT_FOUND: &str = "HTTP-not-found";
    pub const METHOD_NOT_ALLOWED: &str = "HTTP-method";
    pub const PAYLOAD_TOO_LARGE: &str = "HTTP-too-large";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "HTTP-media-type";
    pub const MISUSE: &str = "INTERNAL-misuse";
    pub const RATE_LIMITED: &str = "HTTP-rate-limited";
}

impl PhoneError {
    /// The gRPC code.
    pub fn code(&self) -> Code {
        use PhoneError::*;
        match self {
            InvalidRequest { .. }
            | PhoneEmpty
            | PhoneInvalid(_)
            | CodeInvalid
            | UnsupportedMediaType => Code::InvalidArgument,
            Unauthenticated(_) => Code::Unauthenticated,
            UserNotFound | RouteNotFound => Code::NotFound,
            MethodNotAllowed { .. } => Code::Unimplemented,
            PayloadTooLarge { .. } => Code::ResourceExhausted,
            UserNotReady | NoPendingCode | CodeExpired | NothingToResend | NoPhone => {
                Code::FailedPrecondition
            }
            PermissionDenied => Code::PermissionDenied,
            CodeLocked | Throttled { .. } | RateLimited { .. } => Code::ResourceExhausted,
            Conflict => Code::Aborted,
            CodeSecret(_)
            | InvalidOption { .. }
            | RandomUnavailable
            | HostStorage { .. }
            | Misuse(_) => Code::Internal,
            HostSms { .. } | HostTimeout { .. } => Code::Unavailable,
        }
    }

    /// The HTTP status: that of [`code`](Self::code), except for the HTTP-level errors, whose
    /// statuses are more precise than any gRPC code's (405, 413, 415).
    pub fn http_status(&self) -> u16 {
        match self {
            PhoneError::MethodNotAllowed { .. } => 405,
            PhoneError::PayloadTooLarge { .. } => 413,
            PhoneError::UnsupportedMediaType => 415,
            other => other.code().http_status(),
        }
    }

    /// The stable id, e.g. `PHONE-so0wa`.
    pub fn id(&self) -> &'static str {
        use PhoneError::*;
        match self {
            InvalidRequest { .. } => ids::REQUEST_INVALID,
            Unauthenticated(_) => ids::UNAUTHENTICATED,
            UserNotFound => ids::USER_NOT_FOUND,
            UserNotReady => ids::USER_NOT_READY,
            PermissionDenied => ids::PERMISSION_DENIED,
            PhoneEmpty => ids::PHONE_EMPTY,
            PhoneInvalid(_) => ids::PHONE_INVALID,
            NoPendingCode => ids::NO_PENDING_CODE,
            CodeExpired => ids::CODE_EXPIRED,
            CodeInvalid => ids::CODE_INVALID,
            CodeLocked => ids::CODE_LOCKED,
            NothingToResend => ids::NOTHING_TO_RESEND,
            NoPhone => ids::NO_PHONE,
            Throttled { .. } => ids::THROTTLED,
            Conflict => ids::CONFLICT,
            CodeSecret(_) => ids::CODE_SECRET,
            InvalidOption { .. } => ids::CONFIG_INVALID,
            RandomUnavailable => ids::RANDOM_UNAVAILABLE,
            HostStorage { .. } => ids::HOST_STORAGE,
            HostSms { .. } => ids::HOST_SMS,
            HostTimeout { .. } => ids::HOST_TIMEOUT,
            RouteNotFound => ids::ROUTE_NOT_FOUND,
            MethodNotAllowed { .. } => ids::METHOD_NOT_ALLOWED,
            PayloadTooLarge { .. } => ids::PAYLOAD_TOO_LARGE,
            UnsupportedMediaType => ids::UNSUPPORTED_MEDIA_TYPE,
            Misuse(_) => ids::MISUSE,
            RateLimited { .. } => ids::RATE_LIMITED,
        }
    }

    /// The human-readable message, without the id.
    #[cold]
    #[inline(never)]
    pub fn message(&self) -> String {
        use PhoneError::*;
        match self {
            InvalidRequest { field, problem } => format!("Request is invalid: {field} {problem}"),
            Unauthenticated(AuthProblem::NoCaller) => {
                "No caller: the call needs an authenticated caller".into()
            }
            Unauthenticated(AuthProblem::NoToken) => {
                "No bearer token: send Authorization: Bearer <token>".into()
            }
            Unauthenticated(AuthProblem::UnknownToken) => "The bearer token is not valid".into(),
            UserNotFound => "User could not be found".into(),
            UserNotReady => "User is not yet initialised".into(),
            PermissionDenied => "No matching permissions found".into(),
            PhoneEmpty => "Phone is empty".into(),
            PhoneInvalid(problem) => format!("Phone is invalid: {problem}"),
            NoPendingCode => "No verification code is pending".into(),
            CodeExpired => "Code is expired".into(),
            CodeInvalid => "Code is invalid".into(),
            CodeLocked => "Too many wrong codes: request a new code".into(),
            NothingToResend => "No code to resend: the phone is missing or already verified".into(),
            NoPhone => "Phone not found".into(),
            Throttled { retry_after_seconds } => {
                format!("Too many codes: try again in {retry_after_seconds} s")
            }
            Conflict => "The user was changed concurrently: try again".into(),
            CodeSecret(SecretProblem::Missing) => {
                "codeSecret is required to issue or check codes".into()
            }
            CodeSecret(SecretProblem::TooShort { min_bytes }) => {
                format!("codeSecret must be at least {min_bytes} bytes")
            }
            InvalidOption { option, problem } => {
                format!("Options are invalid: {option} {problem}")
            }
            RandomUnavailable => "The random source failed".into(),
            HostStorage { callback, cause } => format!("Host callback {callback} failed: {cause}"),
            HostSms { cause, saved: true } => format!(
                "SMS could not be sent (sendSms failed: {cause}); the phone and its code are \
                 saved, resend to deliver a code"
            ),
            HostSms { cause, saved: false } => format!("SMS cannot be sent: {cause}"),
            // The driver calls sendSms only after a successful save.
            HostTimeout { callback: Callback::SendSms, timeout_ms } => format!(
                "Host callback sendSms did not settle within {timeout_ms} ms; the phone and its \
                 code are saved, resend to deliver a code"
            ),
            HostTimeout { callback, timeout_ms } => {
                format!("Host callback {callback} did not settle within {timeout_ms} ms")
            }
            RouteNotFound => "No such route".into(),
            MethodNotAllowed { allow } => format!("Method not allowed: use {allow}"),
            PayloadTooLarge { limit } => format!("Request body is over {limit} bytes"),
            UnsupportedMediaType => {
                "Request body must be JSON (Content-Type: application/json)".into()
            }
            RateLimited { .. } => "Too many requests from this client: slow down".into(),
            Misuse(self::Misuse::UnexpectedAnswer) => {
                "Internal error: a step of the call was answered out of order".into()
            }
            Misuse(self::Misuse::FinishedEarly) => {
                "Internal error: the call ended before its last step".into()
            }
        }
    }

    /// The gRPC-style JSON body of SPEC §2:
    /// `{code, message: "<message> (<id>)", details: [{@type, id, message}], field?}`.
    pub fn body(&self) -> ErrorBody {
        self.body_with(self.message())
    }

    /// The message for whoever made the call over the network: a host failure's cause (a
    /// storage error, an SMS gateway's answer) is the server's business and goes to its log,
    /// so only which callback failed is said; `None` when that is the message itself.
    pub fn client_message(&self) -> Option<String> {
        match self {
            PhoneError::HostStorage { callback, .. } => {
                Some(format!("Host callback {callback} failed"))
            }
            PhoneError::HostSms { saved: true, .. } => Some(
                "SMS could not be sent; the phone and its code are saved, resend to deliver a code"
                    .into(),
            ),
            PhoneError::HostSms { saved: false, .. } => Some("SMS cannot be sent".into()),
            _ => None,
        }
    }

    /// What a network client gets, the body with the [`client_message`](Self::client_message),
    /// and the full message for the server's log when the body leaves it out.
    pub fn for_client(&self) -> (ErrorBody, Option<String>) {
        let message = self.message();
        match self.client_message() {
            Some(client) => (self.body_with(client), Some(message)),
            None => (self.body_with(message), None),
        }
    }

    fn body_with(&self, message: String) -> ErrorBody {
        ErrorBody {
            code: self.code().number(),
            message: format!("{message} ({})", self.id()),
            details: [ErrorDetail { type_url: ERROR_DETAIL_TYPE, id: self.id(), message }],
            field: self.field_at_fault().map(str::to_owned),
        }
    }

    /// The request field or option at fault, e.g. `phone.number`, for errors about one.
    pub fn field_at_fault(&self) -> Option<&str> {
        match self {
            PhoneError::InvalidRequest { field, .. } => Some(field),
            PhoneError::InvalidOption { option, .. } => Some(option),
            _ => None,
        }
    }

    /// A request-field error.
    pub(crate) fn field(field: impl Into<String>, problem: FieldProblem) -> Self {
        PhoneError::InvalidRequest { field: field.into(), problem }
    }

    /// An option error.
    pub(crate) fn option(option: impl Into<String>, problem: FieldProblem) -> Self {
        PhoneError::InvalidOption { option: option.into(), problem }
    }

    /// A storage callback returned something of the wrong shape.
    pub(crate) fn storage(callback: Callback, cause: impl Into<String>) -> Self {
        PhoneError::HostStorage { callback, cause: cause.into() }
    }
}

/// `<message> (<id>)`, as the JSON body's `message`.
impl fmt::Display for PhoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message(), self.id())
    }
}

/// The type URL of ZITADEL's error detail message.
pub const ERROR_DETAIL_TYPE: &str = "type.googleapis.com/zitadel.v1.ErrorDetail";

/// The JSON body of an error (SPEC §2), as HTTP replies carry it and the JS `PhoneError` is
/// built from.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct ErrorBody {
    /// The gRPC code number.
    pub code: u32,
    /// `<message> (<id>)`.
    pub message: String,
    /// One `zitadel.v1.ErrorDetail`.
    pub details: [ErrorDetail; 1],
    /// The request field or option at fault, so that a form can mark it without reading the
    /// message; absent for other errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// `{@type, id, message}`: ZITADEL's error detail.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct ErrorDetail {
    /// [`ERROR_DETAIL_TYPE`].
    #[serde(rename = "@type")]
    pub type_url: &'static str,
    /// The stable id, e.g. `PHONE-so0wa`.
    pub id: &'static str,
    /// The message without the id.
    pub message: String,
}

impl core::error::Error for PhoneError {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The README's error table, row by row: every variant's code, status and id.
    #[test]
    fn every_variant_maps_to_its_code_status_and_id() {
        use PhoneError::*;
        let table: Vec<(PhoneError, u32, u16, &str)> = vec![
            (PhoneError::field("phone.number", FieldProblem::Missing), 3, 400, "REQUEST-invalid"),
            (Unauthenticated(AuthProblem::NoCaller), 16, 401, "AUTH-unauthenticated"),
            (Unauthenticated(AuthProblem::NoToken), 16, 401, "AUTH-unauthenticated"),
            (Unauthenticated(AuthProblem::UnknownToken), 16, 401, "AUTH-unauthenticated"),
            (RouteNotFound, 5, 404, "HTTP-not-found"),
            (HostTimeout { callback: Callback::LoadUser, timeout_ms: 5 }, 14, 503, "HOST-timeout"),
            (MethodNotAllowed { allow: "GET" }, 12, 405, "HTTP-method"),
            (PayloadTooLarge { limit: 16384 }, 8, 413, "HTTP-too-large"),
            (UnsupportedMediaType, 3, 415, "HTTP-media-type"),
            (UserNotFound, 5, 404, "COMMAND-b33QAVgel6"),
            (UserNotReady, 9, 400, "COMMAND-uz0Uu"),
            (PermissionDenied, 7, 403, "AUTH-AWfge"),
            (PhoneEmpty, 3, 400, "PHONE-Zt0NV"),
            (PhoneInvalid(PhoneProblem::NoDigits), 3, 400, "PHONE-so0wa"),
            (NoPendingCode, 9, 400, "COMMAND-2M9fs"),
            (CodeExpired, 9, 400, "CODE-QvUQ4P"),
            (CodeInvalid, 3, 400, "CODE-woT0xc"),
            (CodeLocked, 8, 429, "CODE-locked"),
            (NothingToResend, 9, 400, "PHONE-5xrra88eq8"),
            (NoPhone, 9, 400, "COMMAND-ieJ2e"),
            (Throttled { retry_after_seconds: 3 }, 8, 429, "PHONE-throttled"),
            (Conflict, 10, 409, "COMMAND-conflict"),
            (CodeSecret(SecretProblem::Missing), 13, 500, "CONFIG-codeSecret"),
            (PhoneError::option("maxAttempts", FieldProblem::Missing), 13, 500, "CONFIG-invalid"),
            (RandomUnavailable, 13, 500, "CODE-random"),
            (PhoneError::storage(Callback::LoadUser, "boom"), 13, 500, "HOST-storage"),
            (HostSms { cause: "down".into(), saved: true }, 14, 503, "HOST-sms"),
            (Misuse(self::Misuse::FinishedEarly), 13, 500, "INTERNAL-misuse"),
            (RateLimited { retry_after_seconds: 60 }, 8, 429, "HTTP-rate-limited"),
        ];
        for (error, code, status, id) in table {
            assert_eq!(error.code().number(), code, "{error:?}");
            assert_eq!(error.http_status(), status, "{error:?}");
            assert_eq!(error.id(), id, "{error:?}");
        }
    }

    #[test]
    fn body_matches_spec_example() {
        let body =
            serde_json::to_value(PhoneError::PhoneInvalid(PhoneProblem::NoDigits).body()).unwrap();
        assert_eq!(
            body,
            json!({
                "code": 3,
                "message": "Phone is invalid: no digits (PHONE-so0wa)",
                "details": [{
                    "@type": "type.googleapis.com/zitadel.v1.ErrorDetail",
                    "id": "PHONE-so0wa",
                    "message": "Phone is invalid: no digits",
                }],
            })
        );
    }

    #[test]
    fn messages_name_the_field_and_the_secret() {
        let e = PhoneError::field("phone.phone", FieldProblem::UnknownKey { hint: Some("x") });
        assert_eq!(e.message(), "Request is invalid: phone.phone is not a known field (x)");
        assert_eq!(serde_json::to_value(e.body()).unwrap()["field"], "phone.phone");
        let option = PhoneError::option("code.length", FieldProblem::Missing);
        assert_eq!(option.body().field.as_deref(), Some("code.length"));
        let short = PhoneError::CodeSecret(SecretProblem::TooShort { min_bytes: 32 });
        assert_eq!(short.message(), "codeSecret must be at least 32 bytes");
        assert!(PhoneError::CodeSecret(SecretProblem::Missing).message().contains("codeSecret"));
    }

    #[test]
    fn unused_codes_still_have_statuses() {
        assert_eq!(Code::Unimplemented.http_status(), 501);
    }
}
