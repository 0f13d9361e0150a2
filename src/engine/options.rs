//! [`Options`]: the caller and the policy of a call, read from the JSON-shaped `options`
//! argument. Defaults follow ZITADEL (region CH, 6 characters of A-Z0-9 valid 1 hour).

use serde_json::Value;

use super::auth::Caller;
use super::code::{Alphabet, CodeSecret};
use super::error::{AuthProblem, FieldProblem, PhoneError, SecretProblem};
use super::limits::SendLimit;
use super::phone::{NumberType, ParseOptions, Region, Validation};
use super::read::{self, Blame, Schema};
use super::sms::{SmsTemplate, DEFAULT_TEMPLATE};

/// Shortest accepted `codeSecret`, in bytes (256 bits, the HMAC-SHA256 key size).
pub const MIN_SECRET_BYTES: usize = 32;
/// How long the bindings wait for a host callback's Promise unless `timeoutMs` says otherwise.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
/// Smallest code space: 10^6, six decimal digits (NIST SP 800-63B for look-up secrets and OTPs).
const MIN_CODE_SPACE: u64 = 1_000_000;

/// How codes look and how long they live (`options.code`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CodePolicy {
    /// Characters per code (4..=20; 20 is the longest `verificationCode` a request may carry).
    pub length: usize,
    /// The characters codes are drawn from.
    pub alphabet: Alphabet,
    /// Lifetime of a code.
    pub expires_in_seconds: u64,
}

impl Default for CodePolicy {
    fn default() -> Self {
        CodePolicy { length: 6, alphabet: Alphabet::default(), expires_in_seconds: 3600 }
    }
}

/// Everything a call takes besides the user id and the request.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Options {
    /// The authenticated caller; `None` makes every call but `normalizePhone` Unauthenticated.
    pub caller: Option<Caller>,
    /// Which phone numbers are read and accepted.
    pub phone: PhoneRules,
    /// Key for code hashes; required by calls that issue or check codes.
    pub code_secret: Option<CodeSecret>,
    /// Code length, alphabet and lifetime.
    pub code: CodePolicy,
    /// Wrong tries after which a code is locked.
    pub max_attempts: u32,
    /// Seconds between two codes for the same user.
    pub resend_cooldown_seconds: u64,
    /// The SMS text.
    pub sms_template: SmsTemplate,
    /// SMS per number and per user within a window.
    pub send_limit: SendLimit,
    /// How long the bindings wait for a host callback's Promise.
    pub timeout_ms: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            caller: None,
            phone: PhoneRules::default(),
            code_secret: None,
            code: CodePolicy::default(),
            max_attempts: 5,
            resend_cooldown_seconds: 30,
            sms_template: SmsTemplate::default(),
            send_limit: SendLimit::default(),
            timeout_ms: DEFAULT_TIMEOUT_MS,
        }
    }
}

/// The options that decide which phone numbers are read and accepted: all that
/// `normalizePhone` needs of the options.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PhoneRules {
    /// Region for numbers typed in national form; `None` requires the international form.
    pub default_region: Option<Region>,
    /// If set, only numbers of these regions are accepted.
    pub allowed_regions: Option<Vec<Region>>,
    /// How much of libphonenumber's checking a number must pass (default: valid).
    pub validation: Validation,
    /// If set, only numbers of these types are accepted.
    pub allowed_types: Option<Vec<NumberType>>,
}

impl Default for PhoneRules {
    fn default() -> Self {
        PhoneRules {
            default_region: Region::parse("CH"),
            allowed_regions: None,
            validation: Validation::Valid,
            allowed_types: None,
        }
    }
}

/// The keys of `options`, in the order [`fields`] returns their values.
const KEYS: [read::Key; 13] = [
    ("defaultRegion", "default_region"),
    ("allowedRegions", "allowed_regions"),
    ("validation", "validation"),
    ("allowedTypes", "allowed_types"),
    ("caller", "caller"),
    ("codeSecret", "code_secret"),
    ("code", "code"),
    ("maxAttempts", "max_attempts"),
    ("resendCooldownSeconds", "resend_cooldown_seconds"),
    ("smsTemplate", "sms_template"),
    ("now", "now"),
    ("sendLimit", "send_limit"),
    ("timeoutMs", "timeout_ms"),
];

/// The values of `options`' keys, in the order of [`KEYS`].
type Fields<'a> = [Option<&'a Value>; KEYS.len()];

/// The values of the known keys of `options` (`null` has none). Unknown keys are errors, so
/// that a typo such as `codesecret` does not silently fall back to a default, in every call.
fn fields(value: &Value) -> Result<Fields<'_>, PhoneError> {
    if value.is_null() {
        return Ok([None; KEYS.len()]);
    }
    Schema { keys: KEYS, deny_unknown: true, hints: &[] }.read(value, "", Blame::Options)
}

impl PhoneRules {
    /// Reads the phone rules of `options` and checks that its other keys are known, but not
    /// their values: `normalizePhone` needs no more, and its first call after a cold start
    /// then compiles and runs only this reader.
    pub fn from_json(value: &Value) -> Result<PhoneRules, PhoneError> {
        Self::from_fields(value, &fields(value)?)
    }

    fn from_fields(value: &Value, fields: &Fields<'_>) -> Result<PhoneRules, PhoneError> {
        let mut rules = PhoneRules::default();
        let b = Blame::Options;
        let [region, allowed, validation, types, ..] = *fields;
        let region_is_null = ["defaultRegion", "default_region"]
            .iter()
            .any(|key| value.get(key).is_some_and(Value::is_null));
        if region_is_null {
            rules.default_region = None;
        }
        if let Some(region) = region {
            rules.default_region = Some(self::region(region, "defaultRegion")?);
        }
        if let Some(v) = allowed {
            let list = v.as_array().ok_or_else(|| {
                b.error(
                    "allowedRegions",
                    FieldProblem::WrongType { expected: "an array of region codes" },
                )
            })?;
            if list.is_empty() {
                return Err(b.error(
                    "allowedRegions",
                    FieldProblem::Invalid("must list at least one region"),
                ));
            }
            // Loops rather than `collect::<Result<..>>`, whose adapters cost 1 KB of wasm each.
            let mut regions = Vec::with_capacity(list.len());
            for (i, item) in list.iter().enumerate() {
                regions.push(self::region(item, &format!("allowedRegions[{i}]"))?);
            }
            rules.allowed_regions = Some(regions);
        }
        if let Some(v) = validation {
            rules.validation = v.as_str().and_then(Validation::parse).ok_or_else(|| {
                b.error(
                    "validation",
                    FieldProblem::Invalid("must be \"valid\", \"possible\" or \"parseable\""),
                )
            })?;
        }
        if let Some(v) = types {
            let list = v.as_array().filter(|l| !l.is_empty()).ok_or_else(|| {
                b.error(
                    "allowedTypes",
                    FieldProblem::Invalid("must be a non-empty array of number types"),
                )
            })?;
            let mut types = Vec::with_capacity(list.len());
            for (i, item) in list.iter().enumerate() {
                types.push(item.as_str().and_then(NumberType::parse).ok_or_else(|| {
                    b.error(
                        &format!("allowedTypes[{i}]"),
                        FieldProblem::Invalid(
                            "must be a number type such as \"mobile\" or \"fixedLine\"",
                        ),
                    )
                })?);
            }
            rules.allowed_types = Some(types);
        }
        Ok(rules)
    }

    /// The rules as the phone parser takes them.
    pub fn parse_options(&self) -> ParseOptions<'_> {
        ParseOptions {
            default_region: self.default_region,
            allowed_regions: self.allowed_regions.as_deref(),
            validation: self.validation,
            allowed_types: self.allowed_types.as_deref(),
        }
    }
}

impl Options {
    /// Reads `options` (`null` gives the defaults). `now` is read by the bindings (it is a
    /// function) and ignored here.
    pub fn from_json(value: &Value) -> Result<Options, PhoneError> {
        let fields = fields(value)?;
        let mut options =
            Options { phone: PhoneRules::from_fields(value, &fields)?, ..Options::default() };
        let [.., caller, secret, code, attempts, cooldown, template, _now, limit, timeout] = fields;
        let b = Blame::Options;
        if let Some(v) = limit {
            options.send_limit = send_limit(v)?;
        }
        if let Some(v) = timeout {
            options.timeout_ms = read::integer(v, "timeoutMs", b, 1, 600_000)? as u32;
        }
        options.caller = caller.map(|v| Caller::from_json(v, "caller")).transpose()?;
        options.code_secret = secret
            .map(|v| v.as_str().map(|s| CodeSecret::new(s.as_bytes())))
            .map(|s| {
                s.ok_or_else(|| {
                    b.error("codeSecret", FieldProblem::WrongType { expected: "a string" })
                })
            })
            .transpose()?;
        if let Some(code) = code {
            options.code = code_policy(code)?;
        }
        if let Some(v) = attempts {
            options.max_attempts = read::integer(v, "maxAttempts", b, 1, 100)? as u32;
        }
        if let Some(v) = cooldown {
            options.resend_cooldown_seconds =
                read::integer(v, "resendCooldownSeconds", b, 0, 86_400)?;
        }
        // The default template suits the default code; checking it again on every call
        // (normalizePhone runs often) would only cost time.
        if template.is_some() || code.is_some() {
            let template =
                template.map(|v| read::string(v, "smsTemplate", b, 1, 1000)).transpose()?;
            let template = template.unwrap_or(DEFAULT_TEMPLATE);
            options.sms_template =
                SmsTemplate::new(template, &options.code.alphabet, options.code.length)
                    .map_err(|why| b.error("smsTemplate", FieldProblem::Invalid(why)))?;
        }
        Ok(options)
    }

    /// The caller, or Unauthenticated.
    pub fn caller(&self) -> Result<&Caller, PhoneError> {
        self.caller.as_ref().ok_or(PhoneError::Unauthenticated(AuthProblem::NoCaller))
    }

    /// The code secret, or the error that names `codeSecret`.
    pub fn code_secret(&self) -> Result<&CodeSecret, PhoneError> {
        match &self.code_secret {
            None => Err(PhoneError::CodeSecret(SecretProblem::Missing)),
            Some(secret) if secret.len() < MIN_SECRET_BYTES => {
                Err(PhoneError::CodeSecret(SecretProblem::TooShort))
            }
            Some(secret) => Ok(secret),
        }
    }
}

fn region(value: &Value, path: &str) -> Result<Region, PhoneError> {
    value.as_str().and_then(Region::parse).ok_or_else(|| {
        Blame::Options.error(
            path,
            FieldProblem::Invalid("must be a known ISO 3166 alpha-2 region such as \"CH\""),
        )
    })
}

fn send_limit(value: &Value) -> Result<SendLimit, PhoneError> {
    let b = Blame::Options;
    let schema = Schema {
        keys: [
            ("perNumber", "per_number"),
            ("perUser", "per_user"),
            ("windowSeconds", "window_seconds"),
        ],
        deny_unknown: true,
        hints: &[],
    };
    let [per_number, per_user, window] = schema.read(value, "sendLimit", b)?;
    let mut limit = SendLimit::default();
    if let Some(v) = per_number {
        limit.per_number = read::integer(v, "sendLimit.perNumber", b, 1, 1000)? as u32;
    }
    if let Some(v) = per_user {
        limit.per_user = read::integer(v, "sendLimit.perUser", b, 1, 1000)? as u32;
    }
    if let Some(v) = window {
        limit.window_seconds = read::integer(v, "sendLimit.windowSeconds", b, 60, 7 * 86_400)?;
    }
    Ok(limit)
}

fn code_policy(value: &Value) -> Result<CodePolicy, PhoneError> {
    let b = Blame::Options;
    let schema = Schema {
        keys: [
            ("length", "length"),
            ("alphabet", "alphabet"),
            ("expiresInSeconds", "expires_in_seconds"),
        ],
        deny_unknown: true,
        hints: &[],
    };
    let [length, alphabet, expires] = schema.read(value, "code", b)?;
    let mut policy = CodePolicy::default();
    if let Some(v) = length {
        policy.length = read::integer(v, "code.length", b, 4, 20)? as usize;
    }
    if let Some(v) = alphabet {
        let spec = read::string(v, "code.alphabet", b, 1, 300)?;
        policy.alphabet = Alphabet::parse(spec)
            .map_err(|why| b.error("code.alphabet", FieldProblem::Invalid(why)))?;
    }
    if let Some(v) = expires {
        policy.expires_in_seconds = read::integer(v, "code.expiresInSeconds", b, 60, 7 * 86_400)?;
    }
    let size = policy.alphabet.len() as u64;
    let space =
        (0..policy.length).try_fold(1u64, |acc, _| acc.checked_mul(size)).unwrap_or(u64::MAX);
    if space < MIN_CODE_SPACE {
        return Err(b.error(
            "code",
            FieldProblem::Invalid(
                "gives fewer than 1 000 000 possible codes: use a longer code or a larger alphabet",
            ),
        ));
    }
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_and_empty_give_zitadel_defaults() {
        for value in [Value::Null, json!({})] {
            let o = Options::from_json(&value).unwrap();
            assert_eq!(o, Options::default());
            assert_eq!(
                o.phone.default_region.map(|r| r.as_str().to_owned()),
                Some("CH".to_owned())
            );
            assert_eq!(
                (
                    o.code.length,
                    o.code.expires_in_seconds,
                    o.max_attempts,
                    o.resend_cooldown_seconds
                ),
                (6, 3600, 5, 30)
            );
        }
    }

    #[test]
    fn reads_every_option() {
        let o = Options::from_json(&json!({
            "caller": {"userId": "u1", "permissions": ["user.write"]},
            "default_region": "de",
            "codeSecret": "k".repeat(32),
            "code": {"length": 8, "alphabet": "0-9", "expiresInSeconds": 600},
            "maxAttempts": 3,
            "resendCooldownSeconds": 0,
            "allowedRegions": ["DE", "AT"],
            "validation": "parseable",
            "allowed_types": ["mobile", "fixedLineOrMobile"],
            "smsTemplate": "Code: {{code}}",
        }))
        .unwrap();
        assert_eq!(o.caller.as_ref().unwrap().user_id.as_deref(), Some("u1"));
        assert_eq!(o.phone.default_region, Region::parse("DE"));
        assert_eq!(o.code.length, 8);
        assert_eq!(o.code.alphabet.len(), 10);
        assert_eq!(
            (o.code.expires_in_seconds, o.max_attempts, o.resend_cooldown_seconds),
            (600, 3, 0)
        );
        assert_eq!(o.phone.allowed_regions.as_ref().unwrap().len(), 2);
        assert_eq!(o.phone.validation, Validation::Parseable);
        assert_eq!(
            o.phone.allowed_types.as_deref(),
            Some(&[NumberType::Mobile, NumberType::FixedLineOrMobile][..])
        );
        assert_eq!(o.sms_template.render("1"), "Code: 1");
        assert!(o.code_secret().is_ok());
    }

    #[test]
    fn the_default_template_suits_the_default_code() {
        let default = CodePolicy::default();
        assert_eq!(
            SmsTemplate::new(DEFAULT_TEMPLATE, &default.alphabet, default.length),
            Ok(SmsTemplate::default())
        );
    }

    #[test]
    fn explicit_null_region_requires_international_form() {
        assert_eq!(
            Options::from_json(&json!({"defaultRegion": null})).unwrap().phone.default_region,
            None
        );
    }

    #[test]
    fn bad_options_name_the_option() {
        let cases = [
            (json!({"codesecret": "x"}), "Options are invalid: codesecret is not a known field"),
            (
                json!({"defaultRegion": "XX"}),
                "Options are invalid: defaultRegion must be a known ISO 3166",
            ),
            (
                json!({"code": {"length": 3}}),
                "Options are invalid: code.length must be an integer from 4 to 20",
            ),
            (
                json!({"code": {"length": 5, "alphabet": "0-9"}}),
                "Options are invalid: code gives fewer than 1 000 000",
            ),
            (
                json!({"code": {"alphabet": "AA"}}),
                "Options are invalid: code.alphabet lists a character twice",
            ),
            (
                json!({"maxAttempts": 0}),
                "Options are invalid: maxAttempts must be an integer from 1 to 100",
            ),
            (
                json!({"allowedRegions": []}),
                "Options are invalid: allowedRegions must list at least one region",
            ),
            (
                json!({"allowedRegions": ["CH", 1]}),
                "Options are invalid: allowedRegions[1] must be a known",
            ),
            (
                json!({"validation": "strict"}),
                "Options are invalid: validation must be \"valid\", \"possible\" or \"parseable\"",
            ),
            (
                json!({"allowedTypes": []}),
                "Options are invalid: allowedTypes must be a non-empty array of number types",
            ),
            (
                json!({"allowedTypes": ["mobile", "cell"]}),
                "Options are invalid: allowedTypes[1] must be a number type",
            ),
            (
                json!({"smsTemplate": "hi"}),
                "Options are invalid: smsTemplate must contain {{code}}",
            ),
            (json!({"codeSecret": 5}), "Options are invalid: codeSecret must be a string"),
            (json!([]), "Options are invalid: options must be an object"),
        ];
        for (value, message) in cases {
            let err = Options::from_json(&value).unwrap_err();
            assert_eq!(err.id(), "CONFIG-invalid");
            assert!(err.message().starts_with(message), "{} vs {message}", err.message());
        }
    }

    #[test]
    fn phone_rules_check_only_the_names_of_other_options() {
        let rules = PhoneRules::from_json(&json!({
            "default_region": "de",
            "validation": "possible",
            "code": {"length": 3},
            "smsTemplate": "hi",
        }))
        .unwrap();
        assert_eq!(
            rules,
            PhoneRules {
                default_region: Region::parse("DE"),
                validation: Validation::Possible,
                ..PhoneRules::default()
            }
        );
        assert_eq!(PhoneRules::from_json(&Value::Null).unwrap(), PhoneRules::default());
        let cases = [
            (json!({"codesecret": "x"}), "Options are invalid: codesecret is not a known field"),
            (
                json!({"allowedTypes": ["cell"]}),
                "Options are invalid: allowedTypes[0] must be a number type",
            ),
            (
                json!({"defaultRegion": "de", "default_region": "de"}),
                "Options are invalid: defaultRegion is given twice",
            ),
            (json!(5), "Options are invalid: options must be an object"),
        ];
        for (value, message) in cases {
            let err = PhoneRules::from_json(&value).unwrap_err();
            assert_eq!(err.id(), "CONFIG-invalid");
            assert!(err.message().starts_with(message), "{} vs {message}", err.message());
        }
    }

    #[test]
    fn code_secret_must_be_present_and_long() {
        let short = Options::from_json(&json!({"codeSecret": "k".repeat(31)})).unwrap();
        assert_eq!(short.code_secret(), Err(PhoneError::CodeSecret(SecretProblem::TooShort)));
        assert_eq!(
            Options::default().code_secret(),
            Err(PhoneError::CodeSecret(SecretProblem::Missing))
        );
        assert_eq!(
            Options::default().caller(),
            Err(PhoneError::Unauthenticated(AuthProblem::NoCaller))
        );
    }
}
