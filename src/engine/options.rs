//! [`Options`]: the caller and the policy of a call, read from the JSON-shaped `options`
//! argument. Defaults follow ZITADEL (region CH, 6 characters of A-Z0-9 valid 1 hour).

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;

use super::auth::{Caller, CallerOption};
use super::code::{Alphabet, CodeSecret};
use super::error::{AuthProblem, FieldProblem, PhoneError, SecretProblem};
use super::limits::SendLimit;
use super::phone::{NumberType, ParseOptions, Region, Validation};
use super::read::{present, read, Blame, Flag, Int, List, Name, Named, Text};
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
    /// Whether a caller may have its own code returned (ZITADEL's behaviour); off, since such
    /// a code proves nothing about owning the number.
    pub allow_self_return_code: bool,
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
            allow_self_return_code: false,
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

/// `options` as the calls read it: every key, checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", expecting = "an object")]
struct OptionsBody {
    #[serde(default, deserialize_with = "present", alias = "default_region")]
    default_region: Option<Option<Named<Region>>>,
    #[serde(alias = "allowed_regions")]
    allowed_regions: Option<List<Named<Region>>>,
    validation: Option<Named<Validation>>,
    #[serde(alias = "allowed_types")]
    allowed_types: Option<List<Named<NumberType>>>,
    caller: Option<CallerOption>,
    #[serde(alias = "code_secret")]
    code_secret: Option<Text<0, { usize::MAX }>>,
    code: Option<CodeBody>,
    #[serde(alias = "max_attempts")]
    max_attempts: Option<Int<1, 100>>,
    #[serde(alias = "resend_cooldown_seconds")]
    resend_cooldown_seconds: Option<Int<0, 86_400>>,
    #[serde(alias = "sms_template")]
    sms_template: Option<Text<1, 1000>>,
    /// A function, read by the bindings; JSON drops it.
    #[allow(dead_code)]
    now: Option<IgnoredAny>,
    #[serde(alias = "send_limit")]
    send_limit: Option<SendLimitBody>,
    #[serde(alias = "timeout_ms")]
    timeout_ms: Option<Int<1, 600_000>>,
    #[serde(alias = "allow_self_return_code")]
    allow_self_return_code: Option<Flag>,
}

/// `options` as `normalizePhone` reads it: the phone rules, and only the names of the other
/// keys (the same keys as [`OptionsBody`]; a test keeps them equal).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", expecting = "an object")]
#[allow(dead_code)]
struct PhoneRulesBody {
    #[serde(default, deserialize_with = "present", alias = "default_region")]
    default_region: Option<Option<Named<Region>>>,
    #[serde(alias = "allowed_regions")]
    allowed_regions: Option<List<Named<Region>>>,
    validation: Option<Named<Validation>>,
    #[serde(alias = "allowed_types")]
    allowed_types: Option<List<Named<NumberType>>>,
    caller: Option<IgnoredAny>,
    #[serde(alias = "code_secret")]
    code_secret: Option<IgnoredAny>,
    code: Option<IgnoredAny>,
    #[serde(alias = "max_attempts")]
    max_attempts: Option<IgnoredAny>,
    #[serde(alias = "resend_cooldown_seconds")]
    resend_cooldown_seconds: Option<IgnoredAny>,
    #[serde(alias = "sms_template")]
    sms_template: Option<IgnoredAny>,
    now: Option<IgnoredAny>,
    #[serde(alias = "send_limit")]
    send_limit: Option<IgnoredAny>,
    #[serde(alias = "timeout_ms")]
    timeout_ms: Option<IgnoredAny>,
    #[serde(alias = "allow_self_return_code")]
    allow_self_return_code: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", expecting = "an object")]
struct CodeBody {
    length: Option<Int<4, 20>>,
    alphabet: Option<Text<1, 300>>,
    #[serde(alias = "expires_in_seconds")]
    expires_in_seconds: Option<Int<60, { 7 * 86_400 }>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", expecting = "an object")]
struct SendLimitBody {
    // At most the user's SMS log (limits::MAX_LOG): a larger limit could never be reached.
    #[serde(alias = "per_number")]
    per_number: Option<Int<1, 100>>,
    #[serde(alias = "per_user")]
    per_user: Option<Int<1, 100>>,
    #[serde(alias = "window_seconds")]
    window_seconds: Option<Int<60, { 7 * 86_400 }>>,
}

impl Name for Region {
    const EXPECTED: &'static str = "a known ISO 3166 alpha-2 region such as \"CH\"";
    const LIST: &'static str = "an array of region codes";
    fn from_name(name: &str) -> Option<Region> {
        Region::parse(name)
    }
}

impl Name for NumberType {
    const EXPECTED: &'static str = "a number type such as \"mobile\" or \"fixedLine\"";
    const LIST: &'static str = "a non-empty array of number types";
    fn from_name(name: &str) -> Option<NumberType> {
        NumberType::parse(name)
    }
}

impl Name for Validation {
    const EXPECTED: &'static str = "\"valid\", \"possible\" or \"parseable\"";
    const LIST: &'static str = "an array of validation levels";
    fn from_name(name: &str) -> Option<Validation> {
        Validation::parse(name)
    }
}

impl PhoneRules {
    /// Reads the phone rules of `options` and checks that its other keys are known, but not
    /// their values: `normalizePhone` needs no more, and its first call after a cold start
    /// then compiles and runs only this reader.
    pub fn from_json(value: &Value) -> Result<PhoneRules, PhoneError> {
        if value.is_null() {
            return Ok(PhoneRules::default());
        }
        let body: PhoneRulesBody = read(value, "", Blame::Options, &[])?;
        PhoneRules::from_parts(
            body.default_region,
            body.allowed_regions,
            body.validation,
            body.allowed_types,
        )
    }

    /// The rules from the four phone options as read.
    fn from_parts(
        default_region: Option<Option<Named<Region>>>,
        allowed_regions: Option<List<Named<Region>>>,
        validation: Option<Named<Validation>>,
        allowed_types: Option<List<Named<NumberType>>>,
    ) -> Result<PhoneRules, PhoneError> {
        let mut rules = PhoneRules::default();
        if let Some(region) = default_region {
            rules.default_region = region.map(|Named(region)| region);
        }
        if let Some(List(regions)) = allowed_regions {
            if regions.is_empty() {
                let why = "must list at least one region";
                return Err(PhoneError::option(
                    "allowedRegions",
                    FieldProblem::Invalid(why.into()),
                ));
            }
            rules.allowed_regions = Some(regions.into_iter().map(|Named(r)| r).collect());
        }
        if let Some(Named(validation)) = validation {
            rules.validation = validation;
        }
        if let Some(List(types)) = allowed_types {
            if types.is_empty() {
                let expected = NumberType::LIST.into();
                return Err(PhoneError::option(
                    "allowedTypes",
                    FieldProblem::WrongType { expected },
                ));
            }
            rules.allowed_types = Some(types.into_iter().map(|Named(t)| t).collect());
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
        if value.is_null() {
            return Ok(Options::default());
        }
        let body: OptionsBody = read(value, "", Blame::Options, &[])?;
        let mut options = Options {
            phone: PhoneRules::from_parts(
                body.default_region,
                body.allowed_regions,
                body.validation,
                body.allowed_types,
            )?,
            ..Options::default()
        };
        if let Some(limit) = body.send_limit {
            let default = SendLimit::default();
            options.send_limit = SendLimit {
                per_number: limit.per_number.map_or(default.per_number, |Int(n)| n as u32),
                per_user: limit.per_user.map_or(default.per_user, |Int(n)| n as u32),
                window_seconds: limit.window_seconds.map_or(default.window_seconds, |Int(n)| n),
            };
        }
        if let Some(Int(ms)) = body.timeout_ms {
            options.timeout_ms = ms as u32;
        }
        options.allow_self_return_code = body.allow_self_return_code == Some(Flag(true));
        options.caller = body.caller.map(CallerOption::into_caller);
        options.code_secret =
            body.code_secret.map(|Text(secret)| CodeSecret::new(secret.as_bytes()));
        let code_given = body.code.is_some();
        if let Some(code) = body.code {
            options.code = code_policy(code)?;
        }
        if let Some(Int(n)) = body.max_attempts {
            options.max_attempts = n as u32;
        }
        if let Some(Int(seconds)) = body.resend_cooldown_seconds {
            options.resend_cooldown_seconds = seconds;
        }
        // The default template suits the default code; checking it again on every call
        // would only cost time.
        if body.sms_template.is_some() || code_given {
            let template = body.sms_template.as_ref().map_or(DEFAULT_TEMPLATE, |t| t.0.as_str());
            options.sms_template =
                SmsTemplate::new(template, &options.code.alphabet, options.code.length).map_err(
                    |why| PhoneError::option("smsTemplate", FieldProblem::Invalid(why.into())),
                )?;
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
                Err(PhoneError::CodeSecret(SecretProblem::TooShort { min_bytes: MIN_SECRET_BYTES }))
            }
            Some(secret) => Ok(secret),
        }
    }
}

fn code_policy(body: CodeBody) -> Result<CodePolicy, PhoneError> {
    let mut policy = CodePolicy::default();
    if let Some(Int(length)) = body.length {
        policy.length = length as usize;
    }
    if let Some(Text(spec)) = body.alphabet {
        policy.alphabet = Alphabet::parse(&spec).map_err(|why| {
            PhoneError::option("code.alphabet", FieldProblem::Invalid(why.into()))
        })?;
    }
    if let Some(Int(seconds)) = body.expires_in_seconds {
        policy.expires_in_seconds = seconds;
    }
    let size = policy.alphabet.len() as u64;
    let space =
        (0..policy.length).try_fold(1u64, |acc, _| acc.checked_mul(size)).unwrap_or(u64::MAX);
    if space < MIN_CODE_SPACE {
        let why =
            "gives fewer than 1 000 000 possible codes: use a longer code or a larger alphabet";
        return Err(PhoneError::option("code", FieldProblem::Invalid(why.into())));
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

    /// `PhoneRulesBody` and `OptionsBody` list the same keys, with the same aliases.
    #[test]
    fn phone_rules_and_options_know_the_same_keys() {
        let valid = [
            ("defaultRegion", "default_region", json!("DE")),
            ("allowedRegions", "allowed_regions", json!(["DE"])),
            ("validation", "validation", json!("possible")),
            ("allowedTypes", "allowed_types", json!(["mobile"])),
            ("caller", "caller", json!({"userId": "u1"})),
            ("codeSecret", "code_secret", json!("k")),
            ("code", "code", json!({"length": 8})),
            ("maxAttempts", "max_attempts", json!(3)),
            ("resendCooldownSeconds", "resend_cooldown_seconds", json!(0)),
            ("smsTemplate", "sms_template", json!("Code {{code}}")),
            ("now", "now", json!(1)),
            ("sendLimit", "send_limit", json!({"perUser": 2})),
            ("timeoutMs", "timeout_ms", json!(100)),
            ("allowSelfReturnCode", "allow_self_return_code", json!(true)),
        ];
        for (camel, snake, value) in valid {
            for key in [camel, snake] {
                let options = json!({ key: value.clone() });
                assert!(Options::from_json(&options).is_ok(), "{options}");
                assert!(PhoneRules::from_json(&options).is_ok(), "{options}");
            }
        }
        let unknown = json!({"sendlimit": {}});
        assert_eq!(Options::from_json(&unknown).unwrap_err().id(), "CONFIG-invalid");
        assert_eq!(PhoneRules::from_json(&unknown).unwrap_err().id(), "CONFIG-invalid");
    }

    #[test]
    fn code_secret_must_be_present_and_long() {
        let short = Options::from_json(&json!({"codeSecret": "k".repeat(31)})).unwrap();
        assert_eq!(
            short.code_secret(),
            Err(PhoneError::CodeSecret(SecretProblem::TooShort { min_bytes: 32 }))
        );
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
