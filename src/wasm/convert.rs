//! JS values ⇄ Rust values.
//!
//! Out: serde types become plain JS objects through serde-wasm-bindgen's JSON-compatible
//! serializer.
//!
//! In: a value from JS is read as JSON: `JSON.stringify`, declared with `catch`, then
//! serde_json. One guarded call meets all of a hostile value's traps at once (getters that
//! throw, Proxies, cycles, BigInts, NaN), and each comes back as an `Err`, never as an exception
//! unwinding through wasm. serde-wasm-bindgen's deserializer reads objects with plain property
//! gets and recurses without a depth limit, so a throwing getter would unwind through the wasm
//! and a cycle would exhaust its stack.

use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::engine::error::{FieldProblem, PhoneError};

#[wasm_bindgen(module = "/js/bindings.js")]
extern "C" {
    /// `JSON.stringify` that rejects NaN and the infinities.
    #[wasm_bindgen(js_name = stringify, catch)]
    fn json_stringify(value: &JsValue) -> Result<JsValue, JsValue>;
    /// The same, of some fields only (comma-separated keys).
    #[cfg(feature = "calls")]
    #[wasm_bindgen(js_name = stringifyFields, catch)]
    fn json_stringify_fields(value: &JsValue, keys: &str) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Reflect, js_name = get, catch)]
    fn reflect_get(target: &JsValue, key: &str) -> Result<JsValue, JsValue>;
}

/// A JS value as JSON: `undefined` becomes `null`; the error says why a value could not be read
/// (a getter threw, a cycle, a BigInt, a NaN or an infinity, a function or a symbol).
pub fn to_json(value: &JsValue) -> Result<Value, String> {
    match stringify(value)? {
        Some(text) => serde_json::from_str(&text).map_err(|e| e.to_string()),
        None => Ok(Value::Null),
    }
}

/// A JS value as JSON text; `undefined` (which JSON cannot hold) is an error too.
pub fn json_text(value: &JsValue) -> Result<String, String> {
    stringify(value)?.ok_or_else(|| "the value has no JSON form".to_owned())
}

/// A JS value as JSON text; `None` for `undefined`.
fn stringify(value: &JsValue) -> Result<Option<String>, String> {
    if value.is_undefined() {
        return Ok(None);
    }
    if let Some(why) = not_json(value) {
        return Err(why);
    }
    Ok(json_stringify(value).map_err(|thrown| describe(&thrown))?.as_string())
}

/// Why `value` is not JSON although `JSON.stringify` gives `undefined` for it, as for
/// `undefined` itself, which would read as "absent".
pub fn not_json(value: &JsValue) -> Option<String> {
    if value.is_function() {
        Some("a function is not JSON".into())
    } else if value.is_symbol() {
        Some("a symbol is not JSON".into())
    } else {
        None
    }
}

/// A request as JSON; what JSON cannot hold is an invalid request.
#[cfg(feature = "calls")]
pub fn request_json(request: &JsValue) -> Result<Value, PhoneError> {
    to_json(request).map_err(|why| PhoneError::field("request", FieldProblem::NotJson(why)))
}

/// Options as JSON.
pub fn options_json(options: &JsValue) -> Result<Value, PhoneError> {
    to_json(options).map_err(|why| PhoneError::option("options", FieldProblem::NotJson(why)))
}

/// A JS string as JSON; anything else (a number, a `Date`, an object with `toJSON`) becomes
/// `null`, which fails the check that it is a string.
#[cfg(feature = "calls")]
pub fn string_json(value: &JsValue) -> Value {
    value.as_string().map(Value::String).unwrap_or(Value::Null)
}

/// A reply, record, event, SMS or error body as a plain JS object.
pub fn to_js(value: &impl Serialize) -> JsValue {
    // The library's serde types hold strings, booleans, safe integers, options and sequences,
    // which the JSON-compatible serializer always writes; `null` is a safe fallback.
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

/// The fields `keys` (comma-separated) of `object` as JSON, read and serialised in one call
/// into JS; other fields (which may hold BigInts, cycles or anything else) are never read.
#[cfg(feature = "calls")]
pub fn fields_to_json(object: &JsValue, keys: &str) -> Result<Value, String> {
    let text = json_stringify_fields(object, keys).map_err(|thrown| describe(&thrown))?;
    let text = text.as_string().unwrap_or_default();
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

/// A property of a JS object, or the description of what its getter threw.
pub fn property(target: &JsValue, key: &str) -> Result<JsValue, String> {
    reflect_get(target, key).map_err(|thrown| describe(&thrown))
}

/// What a thrown or rejected value says, without running more of its code than reading
/// `name` and `message` (each guarded) and at most 300 characters of it.
pub fn describe(thrown: &JsValue) -> String {
    let text = if let Some(text) = thrown.as_string() {
        text
    } else if thrown.is_object() {
        let field = |key| property(thrown, key).ok().and_then(|v| v.as_string());
        match (field("name"), field("message")) {
            (Some(name), Some(message)) => format!("{name}: {message}"),
            (None, Some(message)) => message,
            _ => "a non-Error object".to_owned(),
        }
    } else {
        let kind = thrown.js_typeof().as_string().unwrap_or_default();
        format!("a value of type {kind}")
    };
    text.chars().take(300).collect()
}
