//! The only place that builds the JS `PhoneError`.

use wasm_bindgen::prelude::*;

use super::convert;
use crate::engine::error::PhoneError;

#[wasm_bindgen(module = "/js/bindings.js")]
extern "C" {
    #[wasm_bindgen(js_name = PhoneError)]
    type JsPhoneError;

    #[wasm_bindgen(constructor, js_class = "PhoneError")]
    fn new(body: JsValue, status: u16, client_message: Option<String>) -> JsPhoneError;

    #[wasm_bindgen(js_name = phoneErrorWithoutStack)]
    fn without_stack(body: JsValue, status: u16) -> JsPhoneError;
}

/// `error` as an instance of the exported `PhoneError` class.
#[cfg(feature = "calls")]
pub fn to_js(error: &PhoneError) -> JsValue {
    JsPhoneError::new(convert::to_js(&error.body()), error.http_status(), error.client_message())
        .into()
}

/// `error` as a `PhoneError` without a stack trace, for answers rather than faults (an invalid
/// number in `normalizePhone`), where capturing the stack would cost more than the call.
pub fn to_js_without_stack(error: &PhoneError) -> JsValue {
    without_stack(convert::to_js(&error.body()), error.http_status()).into()
}
