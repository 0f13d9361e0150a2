//! `handleHttp`: the routes of SPEC §6 behind one function, so a worker or server is a thin
//! adapter. Routing, statuses and bodies come from the engine's [`http`](crate::http)
//! module.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::pending::{serve, PendingCall};

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
