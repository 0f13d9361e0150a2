//! The five calls on a stored user. Each converts its arguments, lets the engine parse them,
//! runs the driver and converts the reply; nothing else.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::convert::{options_json, request_json, string_json};
use super::pending::{AnyCall, PendingCall, Started};
use super::platform;
use crate::driver::Driver;
use crate::engine::error::PhoneError;
use crate::engine::request::{GetPhone, RemovePhone, ResendCode, SetPhone, VerifyPhone};
use crate::engine::{self, Erased, Operation, AS_IS};

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
/// body would), then the [`Driver`] with the host.
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
            let now = platform::now(&options)?;
            Ok(Started { driver: Driver::new(operation, policy, now), host })
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

/// Boxes a parsed call, so that the driver exists once in the wasm, not five times.
fn any<O: Operation + 'static>(parsed: Result<O, PhoneError>) -> Result<AnyCall, PhoneError> {
    parsed.map(|operation| Box::new(Erased(operation, AS_IS)) as AnyCall)
}
