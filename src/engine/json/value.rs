//! [`Value`], [`Map`] and [`Number`]: a JSON document as a tree.
//!
//! Shaped like serde_json's `Value` with `preserve_order` (the crate used it until the wasm
//! size budget of issue 5), so the engine and its tests read the same: objects keep their keys
//! in insertion order, a repeated key keeps its first place and takes the last value, and two
//! objects are equal when they hold the same keys and values in any order.

use crate::engine::decimal::Decimal;
use crate::engine::text::{display_piece, Piece};
use crate::prelude::*;
use core::ops::{Index, IndexMut};

/// A JSON value.
#[derive(Clone, PartialEq, Debug, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Map),
}

/// A JSON number: an integer kept exactly, or a float with the text it was read from.
#[derive(Clone, Debug)]
pub struct Number(N);

#[derive(Clone, Debug)]
enum N {
    /// Zero or more.
    PosInt(u64),
    /// Less than zero.
    NegInt(i64),
    /// Anything else (a fraction, an exponent, `-0`, an integer beyond 64 bits). The text is
    /// what the writer puts out: floats only ever arrive as JSON text, so the crate never
    /// needs float formatting.
    Float(f64, Box<str>),
}

impl Number {
    /// A float read from JSON `text` whose value is `value` (finite).
    pub(super) fn float(value: f64, text: &str) -> Number {
        Number(N::Float(value, text.into()))
    }

    /// The number as a `u64`, if it is a non-negative integer (not a float such as `5.0`).
    pub fn as_u64(&self) -> Option<u64> {
        match self.0 {
            N::PosInt(n) => Some(n),
            _ => None,
        }
    }

    /// The number as an `i64`, if it is an integer in range (not a float such as `5.0`).
    pub fn as_i64(&self) -> Option<i64> {
        match self.0 {
            N::PosInt(n) => i64::try_from(n).ok(),
            N::NegInt(n) => Some(n),
            N::Float(..) => None,
        }
    }

    /// The number as an `f64` (integers beyond 2^53 are rounded).
    pub fn as_f64(&self) -> Option<f64> {
        Some(match self.0 {
            N::PosInt(n) => n as f64,
            N::NegInt(n) => n as f64,
            N::Float(f, _) => f,
        })
    }

    /// Appends the number as JSON text.
    pub(super) fn write(&self, out: &mut String) {
        match &self.0 {
            N::PosInt(n) => out.push_str(Decimal::new(*n).as_str()),
            N::NegInt(n) => {
                out.push('-');
                out.push_str(Decimal::new(n.unsigned_abs()).as_str());
            }
            N::Float(_, text) => out.push_str(text),
        }
    }
}

/// Integers compare exactly and floats by value, each only with their own kind (`5` is not
/// `5.0`), as serde_json compares them.
impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        match (&self.0, &other.0) {
            (N::PosInt(a), N::PosInt(b)) => a == b,
            (N::NegInt(a), N::NegInt(b)) => a == b,
            (N::Float(a, _), N::Float(b, _)) => a == b,
            _ => false,
        }
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Number {
        Number(N::PosInt(n))
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Number {
        Number(u64::try_from(n).map_or(N::NegInt(n), N::PosInt))
    }
}

/// A JSON object: keys in insertion order.
#[derive(Clone, Default, Debug)]
pub struct Map {
    entries: Vec<(String, Value)>,
}

impl Map {
    /// An empty object.
    pub fn new() -> Map {
        Map { entries: Vec::new() }
    }

    /// Sets `key` to `value`; a key already present keeps its place. Returns the value it
    /// replaced.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        match self.get_mut(&key) {
            Some(slot) => Some(core::mem::replace(slot, value)),
            None => {
                self.entries.push((key, value));
                None
            }
        }
    }

    /// The key of the `i`th entry.
    pub(super) fn key_at(&self, i: usize) -> Option<&str> {
        self.entries.get(i).map(|(k, _)| k.as_str())
    }

    /// Sets the value of the `i`th entry.
    pub(super) fn replace_at(&mut self, i: usize, value: Value) {
        if let Some(entry) = self.entries.get_mut(i) {
            entry.1 = value;
        }
    }

    /// Appends an entry whose key the caller knows to be new.
    pub(super) fn push_new(&mut self, key: String, value: Value) {
        self.entries.push((key, value));
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value of `key`, to change it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Removes `key`, keeping the order of the others.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(at).1)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keys and values in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.iter().map(|(k, _)| k)
    }
}

/// Same keys with equal values, in any order.
impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a String, &'a Value);
    type IntoIter = core::iter::Map<
        core::slice::Iter<'a, (String, Value)>,
        fn(&'a (String, Value)) -> (&'a String, &'a Value),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = alloc::vec::IntoIter<(String, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl Extend<(String, Value)> for Map {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, items: I) {
        for (key, value) in items {
            self.insert(key, value);
        }
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(items: I) -> Map {
        let mut map = Map::new();
        map.extend(items);
        map
    }
}

impl Value {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as a `u64`; see [`Number::as_u64`].
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number()?.as_u64()
    }

    /// The number as an `i64`; see [`Number::as_i64`].
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number()?.as_i64()
    }

    /// The number as an `f64`; see [`Number::as_f64`].
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number()?.as_f64()
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// The object, to change it, if this is one.
    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether this is a number.
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }

    /// The value of `key`, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }
}

/// `value["key"]`: the key's value, or `null` when this is no object or lacks the key.
impl Index<&str> for Value {
    type Output = Value;

    fn index(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.get(key).unwrap_or(&NULL)
    }
}

/// `value[i]`: the item, or `null` when this is no array or is shorter.
impl Index<usize> for Value {
    type Output = Value;

    fn index(&self, i: usize) -> &Value {
        static NULL: Value = Value::Null;
        self.as_array().and_then(|items| items.get(i)).unwrap_or(&NULL)
    }
}

/// `value["key"] = ...`: adds the key if missing; `null` becomes an empty object first.
///
/// # Panics
///
/// When the value is neither an object nor `null`, as serde_json does; for tests and callers
/// that built the value themselves, never for input.
impl IndexMut<&str> for Value {
    fn index_mut(&mut self, key: &str) -> &mut Value {
        if self.is_null() {
            *self = Value::Object(Map::new());
        }
        let Value::Object(map) = self else {
            panic!("cannot index a non-object JSON value with {key:?}");
        };
        if !map.contains_key(key) {
            map.insert(key.to_owned(), Value::Null);
        }
        // Present: inserted just above if it was not.
        map.get_mut(key).expect("key present")
    }
}

impl PartialEq<str> for Value {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<String> for Value {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}

impl PartialEq<bool> for Value {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

impl PartialEq<i64> for Value {
    fn eq(&self, other: &i64) -> bool {
        self.as_i64() == Some(*other)
    }
}

impl PartialEq<i32> for Value {
    fn eq(&self, other: &i32) -> bool {
        self.as_i64() == Some(i64::from(*other))
    }
}

impl PartialEq<u64> for Value {
    fn eq(&self, other: &u64) -> bool {
        self.as_u64() == Some(*other)
    }
}

/// Compact JSON text, as serde_json's `to_string` writes it.
impl Piece for Value {
    fn push_to(&self, out: &mut String) {
        super::write::write(self, out);
    }
}

display_piece!(Value);

/// A value of a Rust type as JSON, by reference; what [`json!`](crate::json) builds values
/// from.
pub trait ToValue {
    /// The JSON form.
    fn to_value(&self) -> Value;
}

/// [`ToValue::to_value`] as a function, for [`json!`](crate::json).
pub fn to_value<T: ToValue + ?Sized>(value: &T) -> Value {
    value.to_value()
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl ToValue for Map {
    fn to_value(&self) -> Value {
        Value::Object(self.clone())
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::String(self.to_owned())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::String(self.clone())
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

macro_rules! integer_to_value {
    ($via:ty: $($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                // Lossless: every listed type fits `$via`.
                Value::Number(Number::from(*self as $via))
            }
        }
        impl From<$t> for Value {
            fn from(n: $t) -> Value {
                n.to_value()
            }
        }
    )*};
}
integer_to_value!(u64: u8, u16, u32, u64, usize);
integer_to_value!(i64: i8, i16, i32, i64, isize);

/// As serde_json: NaN and the infinities are `null`. The text is Rust's shortest round-trip
/// form, which is valid JSON for every finite value.
impl ToValue for f64 {
    fn to_value(&self) -> Value {
        if self.is_finite() {
            Value::Number(Number::float(*self, &format!("{self:?}")))
        } else {
            Value::Null
        }
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        f.to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::to_value)
    }
}

impl<T: ToValue> ToValue for [T] {
    fn to_value(&self) -> Value {
        Value::Array(self.iter().map(T::to_value).collect())
    }
}

impl<T: ToValue> ToValue for Vec<T> {
    fn to_value(&self) -> Value {
        self.as_slice().to_value()
    }
}

impl<T: ToValue, const N: usize> ToValue for [T; N] {
    fn to_value(&self) -> Value {
        self.as_slice().to_value()
    }
}

impl<T: ToValue + ToOwned + ?Sized> ToValue for alloc::borrow::Cow<'_, T> {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Value {
        Value::Object(map)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::Array(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn objects_keep_order_and_compare_unordered() {
        let mut map = Map::new();
        map.insert("b".into(), json!(1));
        map.insert("a".into(), json!(2));
        assert_eq!(map.insert("b".into(), json!(3)), Some(json!(1)));
        assert_eq!(map.keys().collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(Value::Object(map), json!({"a": 2, "b": 3}));
        assert_ne!(json!({"a": 2}), json!({"a": 2, "b": 3}));
    }

    #[test]
    fn numbers_keep_their_kind() {
        assert_eq!(json!(5).as_u64(), Some(5));
        assert_eq!(json!(-5).as_i64(), Some(-5));
        assert_eq!(json!(-5).as_u64(), None);
        assert_eq!(json!(5.0).as_u64(), None);
        assert_eq!(json!(5.5).as_f64(), Some(5.5));
        assert_ne!(json!(5), json!(5.0));
        assert_eq!(json!(f64::NAN), Value::Null);
        assert_eq!(json!(u64::MAX).to_string(), "18446744073709551615");
        assert_eq!(json!(i64::MIN).to_string(), "-9223372036854775808");
    }

    #[test]
    fn indexing() {
        let mut v = json!({"a": [1, {"b": "c"}]});
        assert_eq!(v["a"][1]["b"], "c");
        assert_eq!(v["x"][9], Value::Null);
        v["d"] = json!(true);
        assert_eq!(v["d"], true);
        let mut n = Value::Null;
        n["k"] = json!(1);
        assert_eq!(n, json!({"k": 1}));
    }
}
