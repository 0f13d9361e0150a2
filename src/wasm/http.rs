//! `handleHttp`: the routes of SPEC §6 behind one function, so a worker or server is a thin
//! adapter. Routing, statuses and bodies come from the engine's [`http`] module.

use crate::prelude::*;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::exports::{drive, options_json, promise};
use super::{convert, host};
use crate::engine;
use crate::engine::error::{AuthProblem, FieldProblem, PhoneError};
use crate::engine::http::{self, HttpResponse};
use crate::engine::json::Value;

/// `handleHttp({method, path, headers, body}, host, options)`: always resolves to
/// `{status, headers, body}`, errors included; the caller comes from `host.authenticate`.
#[wasm_bindgen(js_name = handleHttp, unchecked_return_type = "Promise<HttpResponse>")]
pub fn handle_http(
    #[wasm_bindgen(unchecked_param_type = "HttpRequest")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneHost")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PhoneOptions")] options: JsValue,
) -> Promise {
    promise(Box::pin(async move {
        let response = match serve(&request, &host, &options).await {
            Ok(reply) => HttpResponse::ok(&reply),
            Err(error) => HttpResponse::error(&error),
        };
        Ok(convert::to_js(&response.to_json()))
    }))
}

/// Route and body (404, 405, 413, 415, 400), options, bearer token (401), then the call.
async fn serve(request: &JsValue, host: &JsValue, options: &JsValue) -> Result<Value, PhoneError> {
    let request = convert::to_json(request)
        .map_err(|why| PhoneError::field("request", FieldProblem::NotJson(why)))?;
    let routed = http::parse_request(&request)?;
    let operation = routed.call.into_operation();
    let mut policy = engine::configure(&*operation, &options_json(options)?)?;
    let token = routed.token.ok_or(PhoneError::Unauthenticated(AuthProblem::NoToken))?;
    policy.caller = Some(host::authenticate(host, &token, policy.timeout_ms).await?);
    drive(operation, policy, host, options).await
}
