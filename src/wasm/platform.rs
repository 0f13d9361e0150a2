//! The clock and the CSPRNG, read inside each call (Workers refuse randomness at module top
//! level).

use js_sys::{Date, Function};
use wasm_bindgen::{JsCast, JsValue};

use super::convert;
use crate::engine::code::{RandomSource, RandomUnavailable};
use crate::engine::error::{FieldProblem, PhoneError};
use crate::engine::time::Timestamp;

/// `crypto.getRandomValues` through getrandom.
pub struct PlatformRandom;

impl RandomSource for PlatformRandom {
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), RandomUnavailable> {
        getrandom::fill(bytes).map_err(|_| RandomUnavailable)
    }
}

/// The time of the call: `options.now()` (epoch milliseconds or a `Date`) or `Date.now()`.
pub fn now(options: &JsValue) -> Result<Timestamp, PhoneError> {
    let invalid = |why| PhoneError::option("now", FieldProblem::Invalid(why));
    let clock = if options.is_object() {
        convert::property(options, "now").map_err(|_| invalid("could not be read"))?
    } else {
        JsValue::UNDEFINED
    };
    if clock.is_undefined() || clock.is_null() {
        return Timestamp::from_js_millis(Date::now())
            .ok_or(invalid("the platform clock is out of range"));
    }
    let clock: Function = clock.dyn_into().map_err(|_| invalid("must be a function"))?;
    let reading = clock.call0(options).map_err(|_| invalid("threw"))?;
    let millis = match reading.as_f64() {
        Some(millis) => millis,
        None => reading
            .dyn_ref::<Date>()
            .map(Date::get_time)
            .ok_or(invalid("must return epoch milliseconds or a Date"))?,
    };
    Timestamp::from_js_millis(millis).ok_or(invalid("returned a time outside years 0000 to 9999"))
}
