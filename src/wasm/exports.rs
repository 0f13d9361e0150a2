//! The exported functions. Each converts its arguments, lets the engine parse them, runs the
//! driver and converts the reply; nothing else.

use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::host::JsHost;
use super::{convert, error, platform};
use crate::driver;
use crate::engine::error::{FieldProblem, PhoneError};
use crate::engine::options::Options;
use crate::engine::request::{GetPhone, RemovePhone, ResendCode, SetPhone, VerifyPhone};
use crate::engine::{self, AsJson, Context, Operation};

/// `setPhone(userId, {phone: {number, sendCode|returnCode|isVerified}}, host, options)`.
#[wasm_bindgen(js_name = setPhone, unchecked_return_type = "Promise<SetPhoneResponse>")]
pub async fn set_phone(
    #[wasm_bindgen(js_name = userId, unchecked_param_type = "string")] user_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "SetPhoneRequest")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneHost")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let parsed = request_json(&request).and_then(|r| SetPhone::parse(&user_id_json(&user_id), &r));
    respond(run(any(parsed), &host, &options).await)
}

/// `verifyPhone(userId, {verificationCode}, host, options)`.
#[wasm_bindgen(js_name = verifyPhone, unchecked_return_type = "Promise<PhoneDetailsResponse>")]
pub async fn verify_phone(
    #[wasm_bindgen(js_name = userId, unchecked_param_type = "string")] user_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyPhoneRequest")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneHost")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let parsed =
        request_json(&request).and_then(|r| VerifyPhone::parse(&user_id_json(&user_id), &r));
    respond(run(any(parsed), &host, &options).await)
}

/// `resendPhoneCode(userId, {sendCode} | {returnCode}, host, options)`.
#[wasm_bindgen(js_name = resendPhoneCode, unchecked_return_type = "Promise<SetPhoneResponse>")]
pub async fn resend_phone_code(
    #[wasm_bindgen(js_name = userId, unchecked_param_type = "string")] user_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ResendPhoneCodeRequest | undefined")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneHost")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let parsed =
        request_json(&request).and_then(|r| ResendCode::parse(&user_id_json(&user_id), &r));
    respond(run(any(parsed), &host, &options).await)
}

/// `removePhone(userId, host, options)`.
#[wasm_bindgen(js_name = removePhone, unchecked_return_type = "Promise<PhoneDetailsResponse>")]
pub async fn remove_phone(
    #[wasm_bindgen(js_name = userId, unchecked_param_type = "string")] user_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneHost")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    respond(run(any(RemovePhone::parse(&user_id_json(&user_id))), &host, &options).await)
}

/// `getPhone(userId, host, options)`.
#[wasm_bindgen(js_name = getPhone, unchecked_return_type = "Promise<GetPhoneResponse>")]
pub async fn get_phone(
    #[wasm_bindgen(js_name = userId, unchecked_param_type = "string")] user_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneHost")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    respond(run(any(GetPhone::parse(&user_id_json(&user_id))), &host, &options).await)
}

/// `normalizePhone(input, {defaultRegion, validation, allowedRegions, allowedTypes})`: the E.164
/// form, region, type and validity; throws a `PhoneError` for input that fails the options'
/// checks (by default: not a valid number).
#[wasm_bindgen(js_name = normalizePhone, unchecked_return_type = "NormalizedPhone")]
pub fn normalize_phone(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "NormalizeOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    // Fast paths for the common shapes (a string, no options): they cross as they are, without
    // a round trip through JSON text; anything else takes the checked JSON route.
    let input = match input.as_string() {
        Some(text) => Ok(Value::String(text)),
        None => request_json(&input),
    };
    let result = input.and_then(|input| {
        let options = if options.is_undefined() { Value::Null } else { options_json(&options)? };
        engine::normalize_phone(&input, &options)
    });
    result.map(|text| convert::text_to_js(&text)).map_err(|e| error::to_js(&e))
}

/// A parsed call of any kind, replying in JSON.
pub(super) type AnyCall = Box<dyn Operation<Reply = Value>>;

/// Boxes a parsed call, so that [`run`] and the driver exist once in the wasm, not five times.
fn any<O: Operation + 'static>(parsed: Result<O, PhoneError>) -> Result<AnyCall, PhoneError> {
    parsed.map(|operation| Box::new(AsJson(operation)) as AnyCall)
}

/// Steps shared by the five calls: options, caller, then [`drive`].
async fn run(
    parsed: Result<AnyCall, PhoneError>,
    host: &JsValue,
    options: &JsValue,
) -> Result<Value, PhoneError> {
    let (operation, policy) = engine::prepare(parsed?, &options_json(options)?)?;
    drive(operation, policy, host, options).await
}

/// Reads the clock, checks the host's callbacks, and runs the driver.
pub(super) async fn drive(
    operation: AnyCall,
    policy: Options,
    host: &JsValue,
    options: &JsValue,
) -> Result<Value, PhoneError> {
    let ctx = Context { options: &policy, now: platform::now(options)? };
    let host = JsHost::new(host, operation.writes(), operation.needs_sms())?;
    driver::run(&host, &operation, &ctx, &mut platform::PlatformRandom).await
}

fn respond(result: Result<Value, PhoneError>) -> Result<JsValue, JsValue> {
    result.map(|reply| convert::to_js(&reply)).map_err(|e| error::to_js(&e))
}

/// The user id as JSON; a value JSON cannot hold becomes `null` and fails the type check.
fn user_id_json(user_id: &JsValue) -> Value {
    user_id
        .as_string()
        .map(Value::String)
        .unwrap_or_else(|| convert::to_json(user_id).unwrap_or(Value::Null))
}

fn request_json(request: &JsValue) -> Result<Value, PhoneError> {
    convert::to_json(request)
        .map_err(|why| PhoneError::field("request", FieldProblem::NotJson(why)))
}

pub(super) fn options_json(options: &JsValue) -> Result<Value, PhoneError> {
    convert::to_json(options)
        .map_err(|why| PhoneError::option("options", FieldProblem::NotJson(why)))
}
