//! `handleHttp`: the routes of SPEC §6 behind one function, so a worker or server is a thin
//! adapter. Routing, statuses and bodies come from the engine's [`http`](crate::http)
//! module.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::convert;
use super::pending::{serve, PendingCall};
use crate::engine::error::PhoneError;
use crate::http::HttpResponse;

/// `handleHttp({method, path, headers, body}, host, options)`: always resolves to
/// `{status, headers, body}`, errors included; the caller comes from `host.authenticate`.
#[wasm_bindgen(js_name = handleHttp, unchecked_return_type = "Promise<HttpResponse>")]
pub fn handle_http(
    #[wasm_bindgen(unchecked_param_type = "HttpRequest")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneHost")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneOptions")] options: JsValue,
) -> Promise {
    PendingCall::run(true, Box::new(move || serve(&request, host, options)))
}

/// `rateLimitedResponse(retryAfterSeconds)`: the `429 HTTP-rate-limited` response, with
/// `Retry-After`, for a server's own per-client limit in front of `handleHttp`, so that its
/// body comes from the same error table as every other.
#[wasm_bindgen(js_name = rateLimitedResponse, unchecked_return_type = "HttpResponse")]
pub fn rate_limited_response(
    #[wasm_bindgen(js_name = retryAfterSeconds)] retry_after_seconds: u32,
) -> JsValue {
    let error = PhoneError::RateLimited { retry_after_seconds: u64::from(retry_after_seconds) };
    convert::to_js(&HttpResponse::error(&error))
}
