//! JS values ⇄ JSON, through the engine's own `JSON.stringify`/`JSON.parse`.
//!
//! Going through JSON text (rather than walking objects with serde-wasm-bindgen) means one
//! call, declared with `catch`, meets all of a hostile value's traps at once: getters that
//! throw, Proxies, cycles and BigInts all come back as an `Err`, never as an exception
//! unwinding through wasm. The same parser then serves HTTP bodies.

use crate::engine::error::{FieldProblem, PhoneError};
use crate::engine::json::{self, Value};
use crate::engine::text::cat;
use crate::prelude::*;
use wasm_bindgen::prelude::*;

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
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = Reflect, js_name = get, catch)]
    fn reflect_get(target: &JsValue, key: &str) -> Result<JsValue, JsValue>;
}

/// A JS value as JSON: `undefined` becomes `null`; the error says why a value could not be read
/// (a getter threw, a cycle, a BigInt, a NaN or an infinity, a function or a symbol).
pub fn to_json(value: &JsValue) -> Result<Value, String> {
    match stringify(value)? {
        Some(text) => json::parse(&text).map_err(|e| cat!(e)),
        None => Ok(Value::Null),
    }
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
pub fn string_json(value: &JsValue) -> Value {
    value.as_string().map(Value::String).unwrap_or(Value::Null)
}

/// JSON as a plain JS value.
pub fn to_js(value: &Value) -> JsValue {
    // Serialising a `Value` cannot fail and its text always parses; `null` is a safe fallback.
    json_parse(&cat!(value)).unwrap_or(JsValue::NULL)
}

/// The fields `keys` (comma-separated) of `object` as JSON, read and serialised in one call
/// into JS; other fields (which may hold BigInts, cycles or anything else) are never read.
#[cfg(feature = "calls")]
pub fn fields_to_json(object: &JsValue, keys: &str) -> Result<Value, String> {
    let text = json_stringify_fields(object, keys).map_err(|thrown| describe(&thrown))?;
    let text = text.as_string().unwrap_or_default();
    crate::engine::json::parse(&text).map_err(|e| cat!(e))
}

/// JSON text (valid by construction) as a plain JS value.
pub fn text_to_js(text: &str) -> JsValue {
    json_parse(text).unwrap_or(JsValue::NULL)
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
            (Some(name), Some(message)) => cat!(name, ": ", message),
            (None, Some(message)) => message,
            _ => "a non-Error object".to_owned(),
        }
    } else {
        let kind = thrown.js_typeof().as_string().unwrap_or_default();
        cat!("a value of type ", kind)
    };
    text.chars().take(300).collect()
}
