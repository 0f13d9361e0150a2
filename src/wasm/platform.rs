//! The clock and the CSPRNG, read inside each call (Workers refuse randomness at module top
//! level).

use js_sys::{Date, Function};
use wasm_bindgen::{JsCast, JsValue};

use core::cell::RefCell;

use super::convert;
use crate::engine::code::{RandomSource, RandomUnavailable};
use crate::engine::error::{FieldProblem, PhoneError};
use crate::engine::time::Timestamp;

/// `crypto.getRandomValues` through getrandom.
pub struct PlatformRandom;

/// Bytes drawn from the platform at a time: one crossing into JS serves several codes instead
/// of one (a code takes 32). Each byte is handed out once, then overwritten.
const POOL: usize = 256;

struct Pool {
    bytes: [u8; POOL],
    /// Bytes not yet handed out start here.
    next: usize,
}

thread_local! {
    static RANDOM_POOL: RefCell<Pool> = const { RefCell::new(Pool { bytes: [0; POOL], next: POOL }) };
}

impl RandomSource for PlatformRandom {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), RandomUnavailable> {
        if out.len() > POOL {
            return getrandom::fill(out).map_err(|_| RandomUnavailable);
        }
        RANDOM_POOL.with_borrow_mut(|pool| {
            if pool.next + out.len() > POOL {
                getrandom::fill(&mut pool.bytes).map_err(|_| RandomUnavailable)?;
                pool.next = 0;
            }
            let start = pool.next;
            let taken = pool.bytes.get_mut(start..start + out.len()).ok_or(RandomUnavailable)?;
            out.copy_from_slice(taken);
            taken.fill(0);
            pool.next = start + out.len();
            Ok(())
        })
    }
}

/// The time of the call: `options.now()` (epoch milliseconds or a `Date`) or `Date.now()`.
pub fn now(options: &JsValue) -> Result<Timestamp, PhoneError> {
    let invalid = |why: &'static str| PhoneError::option("now", FieldProblem::Invalid(why.into()));
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
