//! `normalizePhone`: the one export of the phone-only build (no `calls` feature), so it
//! depends on nothing of the calls on stored users.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use super::convert::{self, options_json};
use super::error;
use super::recent::Recent;
use crate::engine;
use crate::engine::error::{FieldProblem, PhoneError};
use crate::engine::options::PhoneRules;
use crate::engine::reply::NormalizedPhone;

/// `normalizePhone(input, {defaultRegion, validation, allowedRegions, allowedTypes})`: the E.164
/// form, region, type and validity; throws a `PhoneError` for input that fails the options'
/// checks (by default: not a valid number). That error has no stack trace: it answers about
/// the input, and capturing a stack would cost more than the parse.
#[wasm_bindgen(js_name = normalizePhone, unchecked_return_type = "NormalizedPhone")]
pub fn normalize_phone(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "NormalizeOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let result = match input.as_string() {
        Some(input) => with_rules(&options, |rules| engine::parse_phone(&input, rules)),
        // Anything but a string fails the engine's type check, after the options'.
        None => options_json(&options)
            .and_then(|options| engine::normalize_phone(&serde_json::Value::Null, &options)),
    };
    result
        .map(|number| convert::to_js(&NormalizedPhone::from(&number)))
        .map_err(|e| error::to_js_without_stack(&e))
}

thread_local! {
    /// normalizePhone's recent options and their phone rules: reading them costs more than
    /// parsing the number.
    static RECENT_RULES: RefCell<Recent<PhoneRules>> = const { RefCell::new(Recent::new()) };
}

/// Runs `parse` with the phone rules of `options`: the defaults for `undefined` or `null`,
/// else those of the options' JSON text.
fn with_rules<T>(
    options: &JsValue,
    parse: impl FnOnce(&PhoneRules) -> Result<T, PhoneError>,
) -> Result<T, PhoneError> {
    if options.is_undefined() || options.is_null() {
        return parse(&PhoneRules::default());
    }
    let text = convert::json_text(options)
        .map_err(|why| PhoneError::option("options", FieldProblem::NotJson(why)))?;
    RECENT_RULES.with_borrow_mut(|recent| parse(recent.read(text, PhoneRules::from_json)?))
}
