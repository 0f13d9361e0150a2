//! `normalizePhone`: the one export of the phone-only build (no `calls` feature), so it
//! depends on nothing of the calls on stored users.

use crate::engine::text::cat;
use crate::prelude::*;
use core::cell::RefCell;

use wasm_bindgen::prelude::*;

use super::convert::{self, options_json, string_json};
use super::error;
use crate::engine;
use crate::engine::error::{FieldProblem, PhoneError};
use crate::engine::json::{self, Value};
use crate::engine::options::PhoneRules;
use crate::engine::phone::PhoneNumber;
use crate::sync::Local;

/// `normalizePhone(input, {defaultRegion, validation, allowedRegions, allowedTypes})`: the E.164
/// form, region, type and validity; throws a `PhoneError` for input that fails the options'
/// checks (by default: not a valid number).
#[wasm_bindgen(js_name = normalizePhone, unchecked_return_type = "NormalizedPhone")]
pub fn normalize_phone(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "NormalizeOptions")] options: JsValue,
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
