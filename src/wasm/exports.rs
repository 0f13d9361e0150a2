//! The exported functions. Each converts its arguments, lets the engine parse them, runs the
//! driver and converts the reply; nothing else.

use crate::engine::text::cat;
use crate::prelude::*;
use core::cell::RefCell;

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::pending::{options_json, AnyCall, Drive, PendingCall};
use super::{convert, error};
use crate::engine::error::{FieldProblem, PhoneError};
use crate::engine::json::{self, Value};
use crate::engine::options::PhoneRules;
use crate::engine::phone::PhoneNumber;
use crate::engine::request::{GetPhone, RemovePhone, ResendCode, SetPhone, VerifyPhone};
use crate::engine::{self, AsJson, Operation};
use crate::sync::Local;

/// `setPhone(userId, {phone: {number, sendCode|returnCode|isVerified}}, host, options)`.
#[wasm_bindgen(js_name = setPhone, unchecked_return_type = "Promise<SetPhoneResponse>")]
pub fn set_phone(
    #[wasm_bindgen(js_name = userId, unchecked_param_type = "string")] user_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "SetPhoneRequest")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneHost")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneOptions")] options: JsValue,
) -> Promise {
    call(Call::Set, user_id, request, host, options)
}

/// `verifyPhone(userId, {verificationCode}, host, options)`.
#[wasm_bindgen(js_name = verifyPhone, unchecked_return_type = "Promise<PhoneDetailsResponse>")]
pub fn verify_phone(
    #[wasm_bindgen(js_name = userId, unchecked_param_type = "string")] user_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyPhoneRequest")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneHost")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneOptions")] options: JsValue,
) -> Promise {
    call(Call::Verify, user_id, request, host, options)
}

/// `resendPhoneCode(userId, {sendCode} | {returnCode}, host, options)`.
#[wasm_bindgen(js_name = resendPhoneCode, unchecked_return_type = "Promise<SetPhoneResponse>")]
pub fn resend_phone_code(
    #[wasm_bindgen(js_name = userId, unchecked_param_type = "string")] user_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ResendPhoneCodeRequest | undefined")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneHost")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneOptions")] options: JsValue,
) -> Promise {
    call(Call::Resend, user_id, request, host, options)
}

/// `removePhone(userId, host, options)`.
#[wasm_bindgen(js_name = removePhone, unchecked_return_type = "Promise<PhoneDetailsResponse>")]
pub fn remove_phone(
    #[wasm_bindgen(js_name = userId, unchecked_param_type = "string")] user_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneHost")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneOptions")] options: JsValue,
) -> Promise {
    call(Call::Remove, user_id, JsValue::UNDEFINED, host, options)
}

/// `getPhone(userId, host, options)`.
#[wasm_bindgen(js_name = getPhone, unchecked_return_type = "Promise<GetPhoneResponse>")]
pub fn get_phone(
    #[wasm_bindgen(js_name = userId, unchecked_param_type = "string")] user_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneHost")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneOptions")] options: JsValue,
) -> Promise {
    call(Call::Get, user_id, JsValue::UNDEFINED, host, options)
}

/// The five calls on a stored user.
#[derive(Clone, Copy)]
enum Call {
    Set,
    Verify,
    Resend,
    Remove,
    Get,
}

/// One call: arguments to engine values (from the microtask queue, as an `async fn` export's
/// body would), then the [`Driver`](crate::driver::Driver) with the host.
fn call(
    call: Call,
    user_id: JsValue,
    request: JsValue,
    host: JsValue,
    options: JsValue,
) -> Promise {
    PendingCall::run(
        false,
        Box::new(move || {
            let parsed = parse(call, &user_id, &request)?;
            let (operation, policy) = engine::prepare(parsed, &options_json(&options)?)?;
            Ok(Drive { operation, policy, host, options }.start())
        }),
    )
}

/// The request (as JSON, when the call has one), then the user id, parsed for `call`.
fn parse(call: Call, user_id: &JsValue, request: &JsValue) -> Result<AnyCall, PhoneError> {
    let user = || string_json(user_id);
    match call {
        Call::Set => request_json(request).and_then(|r| any(SetPhone::parse(&user(), &r))),
        Call::Verify => request_json(request).and_then(|r| any(VerifyPhone::parse(&user(), &r))),
        Call::Resend => request_json(request).and_then(|r| any(ResendCode::parse(&user(), &r))),
        Call::Remove => any(RemovePhone::parse(&user())),
        Call::Get => any(GetPhone::parse(&user())),
    }
}

/// `normalizePhone(input, {defaultRegion, validation, allowedRegions, allowedTypes})`: the E.164
/// form, region, type and validity; throws a `PhoneError` for input that fails the options'
/// checks (by default: not a valid number).
#[wasm_bindgen(js_name = normalizePhone, unchecked_return_type = "NormalizedPhone")]
pub fn normalize_phone(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "NormalizeOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    // The input crosses as a string (anything else fails the engine's type check). Options are
    // read only when their JSON text is new (js/bindings.js numbers the texts): the same
    // few options come with most calls, and reading them costs more than parsing the number.
    let Some(input) = input.as_string() else {
        let result = options_json(&options)
            .and_then(|options| engine::normalize_phone(&string_json(&input), &options));
        return result.map(|text| convert::text_to_js(&text)).map_err(|e| error::to_js(&e));
    };
    let result = convert::not_json(&options)
        .map_or_else(|| options_key(&options).map_err(|e| convert::describe(&e)), Err)
        .map_err(|why| PhoneError::option("options", FieldProblem::NotJson(why)))
        .and_then(|key| {
            let mut recent = RECENT_OPTIONS.0.borrow_mut();
            match recent.iter().position(|(seen, _)| *seen == key) {
                Some(i) => recent.swap(0, i),
                None => {
                    let text = options_text();
                    let options = PhoneRules::from_json(&parse_options_text(&text)?)?;
                    recent.truncate(RECENT - 1);
                    recent.insert(0, (key, options));
                }
            }
            match recent.first() {
                Some((_, options)) => engine::parse_phone(&input, options),
                None => engine::parse_phone(&input, &PhoneRules::default()),
            }
        });
    result.map(|number| normalized_phone(&compact(&number))).map_err(|e| error::to_js(&e))
}

#[wasm_bindgen(module = "/js/bindings.js")]
extern "C" {
    /// The number of the options' JSON text; throws what `JSON.stringify` throws.
    #[wasm_bindgen(js_name = optionsKey, catch)]
    fn options_key(options: &JsValue) -> Result<f64, JsValue>;
    /// The JSON text behind the number `optionsKey` just gave ("" for `undefined`).
    #[wasm_bindgen(js_name = optionsText)]
    fn options_text() -> String;
}

#[wasm_bindgen(module = "/js/bindings.js")]
extern "C" {
    /// normalizePhone's reply object from [`compact`] text.
    #[wasm_bindgen(js_name = normalizedPhone)]
    fn normalized_phone(text: &str) -> JsValue;
}

/// The reply as js/bindings.js reads it: `e164|region|type|valid|possible|` and the
/// number of digits of the calling code; none of the fields can contain a `|`.
fn compact(number: &PhoneNumber) -> String {
    let flag = |b: bool| if b { "|1" } else { "|0" };
    let e164 = number.e164().as_str();
    let code_digits = e164.len().saturating_sub(1 + number.national_number().len());
    let mut text = String::with_capacity(48);
    for part in [e164, "|", number.region().as_str(), "|", number.number_type().as_str()] {
        text.push_str(part);
    }
    for part in [flag(number.is_valid()), flag(number.is_possible()), "|"] {
        text.push_str(part);
    }
    text.push(char::from(b'0' + (code_digits as u8 % 10)));
    text
}

/// How many options texts normalizePhone remembers (e.g. one per default region in use).
const RECENT: usize = 8;

/// normalizePhone's recent options: the number of their JSON text and their phone rules.
static RECENT_OPTIONS: Local<RefCell<Vec<(f64, PhoneRules)>>> = Local(RefCell::new(Vec::new()));

/// Options JSON text (from `JSON.stringify`, "" for `undefined`) as a value.
fn parse_options_text(text: &str) -> Result<Value, PhoneError> {
    if text.is_empty() {
        return Ok(Value::Null);
    }
    json::parse(text).map_err(|e| PhoneError::option("options", FieldProblem::NotJson(cat!(e))))
}

/// Boxes a parsed call, so that the driver exists once in the wasm, not five times.
fn any<O: Operation + 'static>(parsed: Result<O, PhoneError>) -> Result<AnyCall, PhoneError> {
    parsed.map(|operation| Box::new(AsJson(operation)) as AnyCall)
}

/// The user id as JSON; a value JSON cannot hold becomes `null` and fails the type check.
/// A JS string as JSON; anything else (a number, a `Date`, an object with `toJSON`) becomes
/// `null`, which fails the check that it is a string.
fn string_json(value: &JsValue) -> Value {
    value.as_string().map(Value::String).unwrap_or(Value::Null)
}

fn request_json(request: &JsValue) -> Result<Value, PhoneError> {
    convert::to_json(request)
        .map_err(|why| PhoneError::field("request", FieldProblem::NotJson(why)))
}
