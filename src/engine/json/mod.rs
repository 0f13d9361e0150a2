//! JSON: the boundary format of every call. Requests, options and stored records arrive as
//! JSON values; replies, events and records leave as JSON.
//!
//! - [`Value`], [`Map`], [`Number`] and the [`json!`](crate::json) macro build and read values;
//! - [`parse`] reads text with serde_json's error messages, which users see;
//! - `Display` on [`Value`] writes compact text;
//! - the field readers (crate-private) read untrusted values field by field, with errors that
//!   name the field.
//!
//! Why not serde_json: the engine needs a value tree, a parser and a writer, nothing that
//! serde's generic (de)serialisation adds. serde_json with its hash map, float parsing and
//! float formatting was 29 KB of the 275 KB wasm, 14 KB gzip (README, "Size and speed").

use crate::prelude::*;

mod fields;
mod parse;
mod value;
mod write;

pub(crate) use fields::*;
pub use parse::{parse, ParseError};
pub use value::{to_value, Map, Number, ToValue, Value};

/// Builds a [`Value`] from JSON-like syntax, as serde_json's `json!` does: `null`, arrays,
/// objects with string-literal keys, and any Rust expression whose type implements
/// [`ToValue`] (taken by reference).
///
/// ```
/// use contact_phone::json;
/// let number = "+41711234567";
/// let value = json!({"phone": {"number": number, "isVerified": true}, "tags": ["a", null]});
/// assert_eq!(value.to_string(), r#"{"phone":{"number":"+41711234567","isVerified":true},"tags":["a",null]}"#);
/// ```
#[macro_export]
macro_rules! json {
    (null) => {
        $crate::engine::json::Value::Null
    };
    ([]) => {
        $crate::engine::json::Value::Array($crate::__private::vec::Vec::new())
    };
    ([ $($tt:tt)+ ]) => {
        $crate::engine::json::Value::Array($crate::__json_items!([] $($tt)+))
    };
    ({}) => {
        $crate::engine::json::Value::Object($crate::engine::json::Map::new())
    };
    ({ $($tt:tt)+ }) => {
        $crate::engine::json::build_object(&mut $crate::__json_members!([] $($tt)+))
    };
    ($other:expr) => {
        $crate::engine::json::to_value(&$other)
    };
}

/// Array items of [`json!`]: one item per step, `null`, `[..]` and `{..}` before expressions.
#[doc(hidden)]
#[macro_export]
macro_rules! __json_items {
    ([$($done:expr,)*]) => {
        $crate::__private::vec![$($done),*]
    };
    ([$($done:expr,)*] null $(, $($rest:tt)*)?) => {
        $crate::__json_items!([$($done,)* $crate::json!(null),] $($($rest)*)?)
    };
    ([$($done:expr,)*] [$($array:tt)*] $(, $($rest:tt)*)?) => {
        $crate::__json_items!([$($done,)* $crate::json!([$($array)*]),] $($($rest)*)?)
    };
    ([$($done:expr,)*] {$($object:tt)*} $(, $($rest:tt)*)?) => {
        $crate::__json_items!([$($done,)* $crate::json!({$($object)*}),] $($($rest)*)?)
    };
    ([$($done:expr,)*] $item:expr $(, $($rest:tt)*)?) => {
        $crate::__json_items!([$($done,)* $crate::engine::json::to_value(&$item),] $($($rest)*)?)
    };
}

/// Object members of [`json!`]: one `("key", value)` pair per step, into an array that
/// [`build_object`] turns into the object in one call.
#[doc(hidden)]
#[macro_export]
macro_rules! __json_members {
    ([$($done:expr,)*]) => {
        [$($done,)*]
    };
    ([$($done:expr,)*] $key:literal : null $(, $($rest:tt)*)?) => {
        $crate::__json_members!([$($done,)* ($key, $crate::json!(null)),] $($($rest)*)?)
    };
    ([$($done:expr,)*] $key:literal : [$($array:tt)*] $(, $($rest:tt)*)?) => {
        $crate::__json_members!([$($done,)* ($key, $crate::json!([$($array)*])),] $($($rest)*)?)
    };
    ([$($done:expr,)*] $key:literal : {$($inner:tt)*} $(, $($rest:tt)*)?) => {
        $crate::__json_members!([$($done,)* ($key, $crate::json!({$($inner)*})),] $($($rest)*)?)
    };
    ([$($done:expr,)*] $key:literal : $value:expr $(, $($rest:tt)*)?) => {
        $crate::__json_members!(
            [$($done,)* ($key, $crate::engine::json::to_value(&$value)),] $($($rest)*)?
        )
    };
}

/// The value of one hex digit (`0-9`, `a-f`, `A-F`), for JSON's `\u` escapes, stored code
/// hashes and percent-encoding alike; unlike `u8::from_str_radix`, no sign is accepted.
pub(crate) fn hex_digit(d: u8) -> Option<u8> {
    match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        b'A'..=b'F' => Some(d - b'A' + 10),
        _ => None,
    }
}

/// The lowercase hex digit of a nibble (0-15), as JSON's `\u00xx` escapes and stored code
/// hashes write it.
pub(crate) fn hex_char(nibble: u8) -> char {
    let nibble = nibble & 15;
    char::from(if nibble < 10 { b'0' + nibble } else { b'a' + nibble - 10 })
}

/// The byte written as two hex digits.
pub(crate) fn hex_byte(high: u8, low: u8) -> Option<u8> {
    Some(hex_digit(high)? << 4 | hex_digit(low)?)
}

/// The object of [`json!`]'s `(key, value)` pairs, in order (a repeated key keeps its first
/// place and takes the last value); the values are taken, leaving `null`. One call per object
/// keeps each member of a `json!` literal down to a few stores in the wasm.
#[doc(hidden)]
pub fn build_object(members: &mut [(&str, Value)]) -> Value {
    let mut map = Map::new();
    for (key, value) in members {
        map.insert((*key).to_owned(), core::mem::take(value));
    }
    Value::Object(map)
}

// serde_json and proptest are native-only dev-dependencies; the engine is tested natively.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
