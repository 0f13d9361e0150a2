//! Untrusted JSON values (serde_json's [`Value`]) into serde types, with errors that name the
//! field and say what is wrong in this library's words.
//!
//! Requests, options, stored records and callers are `#[derive(Deserialize)]` types. They are
//! read through [`ValueDeserializer`], whose error type is this crate's own [`ReadError`], so
//! serde's structural errors (missing, unknown or duplicate field, wrong type) arrive as a
//! [`FieldProblem`], not as text, with the path of keys and indexes where they happened.
//! [`read`] turns that into the one error of whoever is to blame ([`Blame`]). Field-level rules
//! (lengths, ranges) live in the leaf types below ([`Text`], [`Int`], [`Flag`]).

use core::fmt;
use core::marker::PhantomData;

use serde::de::value::{BorrowedStrDeserializer, StrDeserializer};
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_json::Value;

use super::error::{Callback, FieldProblem, PhoneError};

/// Whose mistake a malformed value is; decides the error variant.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Blame {
    /// The request (InvalidArgument, `REQUEST-invalid`).
    Request,
    /// The options (Internal, `CONFIG-invalid`).
    Options,
    /// A host callback's return value (Internal, `HOST-storage`).
    Storage(Callback),
}

impl Blame {
    pub(crate) fn error(self, path: &str, problem: FieldProblem) -> PhoneError {
        match self {
            Blame::Request => PhoneError::field(path, problem),
            Blame::Options => PhoneError::option(path, problem),
            Blame::Storage(callback) => {
                let value = if callback == Callback::Authenticate { "caller" } else { "record" };
                PhoneError::storage(callback, format!("returned a {value} whose {path} {problem}"))
            }
        }
    }

    /// The name of the whole value, for errors at its root.
    fn root(self) -> &'static str {
        match self {
            Blame::Request => "request",
            Blame::Options => "options",
            Blame::Storage(_) => "value",
        }
    }
}

/// A hint for a likely mistake: the path of a wrong key and what to write instead.
pub(crate) type Hint = (&'static str, &'static str);

/// Reads `value` as a `T`, naming the field of any error from its path below `root` (`""` for
/// the whole value), with a hint where `hints` has one for that path.
pub(crate) fn read<'a, T: Deserialize<'a>>(
    value: &'a Value,
    root: &str,
    blame: Blame,
    hints: &[Hint],
) -> Result<T, PhoneError> {
    T::deserialize(ValueDeserializer { value, field: false })
        .map_err(|error| error.blamed(root, blame, hints))
}

/// Why a value could not be read, and where.
#[derive(Debug)]
pub(crate) struct ReadError {
    problem: FieldProblem,
    /// Where, innermost first: each map or array the error passes on its way out adds its key
    /// or index.
    path: Vec<Segment>,
}

/// One step of a path.
#[derive(Debug)]
enum Segment {
    Key(String),
    Index(usize),
}

impl ReadError {
    fn new(problem: FieldProblem) -> Self {
        ReadError { problem, path: Vec::new() }
    }

    /// The error of a field: serde reports missing, unknown and duplicate fields at the
    /// struct, before any path step names the field.
    fn of_field(problem: FieldProblem, field: &str) -> Self {
        ReadError { problem, path: vec![Segment::Key(field.to_owned())] }
    }

    fn within(mut self, segment: Segment) -> Self {
        self.path.push(segment);
        self
    }

    /// The error of whoever is to blame, naming the field by its path below `root`. Not
    /// generic, so one copy serves every type [`read`] reads.
    #[cold]
    #[inline(never)]
    fn blamed(self, root: &str, blame: Blame, hints: &[Hint]) -> PhoneError {
        let mut text = root.to_owned();
        for segment in self.path.iter().rev() {
            match segment {
                Segment::Key(key) if text.is_empty() => text.push_str(key),
                Segment::Key(key) => {
                    text.push('.');
                    text.push_str(key);
                }
                Segment::Index(index) => text.push_str(&format!("[{index}]")),
            }
        }
        let path = if text.is_empty() { blame.root().to_owned() } else { text };
        let problem = match self.problem {
            FieldProblem::UnknownKey { .. } => {
                let hint = hints.iter().find(|(wrong, _)| *wrong == path).map(|h| h.1);
                FieldProblem::UnknownKey { hint }
            }
            problem => problem,
        };
        blame.error(&path, problem)
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.problem.fmt(f)
    }
}

impl std::error::Error for ReadError {}

impl de::Error for ReadError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        ReadError::new(FieldProblem::Invalid(message.to_string().into()))
    }

    fn invalid_type(_: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        ReadError::new(FieldProblem::WrongType { expected: expected.to_string().into() })
    }

    fn invalid_value(_: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        ReadError::new(FieldProblem::Invalid(format!("must be {expected}").into()))
    }

    fn unknown_variant(_: &str, expected: &'static [&'static str]) -> Self {
        let names = expected.iter().map(|name| format!("\"{name}\"")).collect::<Vec<_>>();
        ReadError::new(FieldProblem::Invalid(format!("must be one of {}", names.join(", ")).into()))
    }

    fn unknown_field(field: &str, _: &'static [&'static str]) -> Self {
        ReadError::of_field(FieldProblem::UnknownKey { hint: None }, field)
    }

    fn missing_field(field: &'static str) -> Self {
        ReadError::of_field(FieldProblem::Missing, field)
    }

    fn duplicate_field(field: &'static str) -> Self {
        ReadError::of_field(FieldProblem::Duplicate, field)
    }
}

/// serde's view of a [`Value`] with [`ReadError`]s. `null` is an absent `Option`, as in
/// protobuf JSON, and as the value of a required field, a missing field.
#[derive(Clone, Copy)]
pub(crate) struct ValueDeserializer<'a> {
    value: &'a Value,
    /// Whether the value is a field of an object (where `null` means absent).
    field: bool,
}

impl<'de> ValueDeserializer<'de> {
    /// A value that must be present: a `null` field is missing.
    fn required<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        if self.field && self.value.is_null() {
            return Err(ReadError::new(FieldProblem::Missing));
        }
        self.deserialize_any(visitor)
    }
}

impl<'de> Deserializer<'de> for ValueDeserializer<'de> {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (None, Some(i), _) => visitor.visit_i64(i),
                (None, None, Some(f)) => visitor.visit_f64(f),
                (None, None, None) => {
                    Err(ReadError::new(FieldProblem::Invalid("is a number out of range".into())))
                }
            },
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Items { items: items.iter().enumerate() }),
            Value::Object(map) => visitor.visit_map(Fields { fields: map.iter(), value: None }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.required(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.required(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.required(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.required(visitor)
    }

    /// Only from an object: serde's derived structs would also take an array of the values.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        match self.value {
            Value::Array(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &visitor)),
            _ => self.required(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        match self.value {
            Value::String(s) => visitor.visit_enum(StrDeserializer::<ReadError>::new(s)),
            _ => self.required(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u128 f32 f64 char string bytes byte_buf
        unit unit_struct newtype_struct tuple tuple_struct map identifier ignored_any
    }
}

/// An object's fields; an error in a value adds its key to the path.
struct Fields<'a> {
    fields: serde_json::map::Iter<'a>,
    /// The value of the key just read.
    value: Option<(&'a str, &'a Value)>,
}

impl<'de> de::MapAccess<'de> for Fields<'de> {
    type Error = ReadError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ReadError> {
        let Some((key, value)) = self.fields.next() else { return Ok(None) };
        self.value = Some((key, value));
        seed.deserialize(BorrowedStrDeserializer::new(key)).map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ReadError> {
        // serde asks for a value only after its key.
        let (key, value) = self.value.take().unwrap_or(("", &Value::Null));
        seed.deserialize(ValueDeserializer { value, field: true })
            .map_err(|error| error.within(Segment::Key(key.to_owned())))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.fields.len())
    }
}

/// An array's items; an error in an item adds its index to the path.
struct Items<'a> {
    items: core::iter::Enumerate<core::slice::Iter<'a, Value>>,
}

impl<'de> de::SeqAccess<'de> for Items<'de> {
    type Error = ReadError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ReadError> {
        let Some((index, item)) = self.items.next() else { return Ok(None) };
        seed.deserialize(ValueDeserializer { value: item, field: false })
            .map(Some)
            .map_err(|error| error.within(Segment::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// A string of `MIN..=MAX` Unicode code points.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Text<const MIN: usize, const MAX: usize>(pub(crate) String);

impl<'de, const MIN: usize, const MAX: usize> Deserialize<'de> for Text<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = string(deserializer, "a string")?;
        check_length(&text, MIN, MAX).map_err(de::Error::custom)?;
        Ok(Text(text))
    }
}

/// A string, or a type error that says `expected`. One copy serves every leaf type.
#[inline(never)]
fn string<'de, D: Deserializer<'de>>(
    deserializer: D,
    expected: &'static str,
) -> Result<String, D::Error> {
    deserializer.deserialize_str(Expect::<String>::new(expected))
}

#[inline(never)]
fn check_length(text: &str, min: usize, max: usize) -> Result<(), FieldProblem> {
    if min == 0 && max == usize::MAX {
        return Ok(()); // any string (an HTTP body, a secret): nothing to count
    }
    // Counting stops early so that a 1 MB string costs no more than a short one.
    let len = text.chars().take(max.saturating_add(1)).count();
    if len < min || len > max {
        return Err(FieldProblem::Length { min, max });
    }
    Ok(())
}

/// An integer in `MIN..=MAX`: a JSON number without a fraction, such as `5` or `5.0`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Int<const MIN: u64, const MAX: u64>(pub(crate) u64);

impl<'de, const MIN: u64, const MAX: u64> Deserialize<'de> for Int<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        integer(deserializer, MIN, MAX).map(Int)
    }
}

/// An integer in `min..=max`. One copy serves every range.
#[inline(never)]
fn integer<'de, D: Deserializer<'de>>(
    deserializer: D,
    min: u64,
    max: u64,
) -> Result<u64, D::Error> {
    let number = deserializer.deserialize_u64(Expect::<Number>::new("a number"))?;
    let whole = match number {
        Number::Unsigned(n) => Some(n),
        Number::Other(f) => {
            ((0.0..=max as f64).contains(&f) && f.fract() == 0.0).then_some(f as u64)
        }
    };
    match whole {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(de::Error::custom(FieldProblem::Range { min, max })),
    }
}

/// A value known by its name, such as a region code (see [`Named`]).
pub(crate) trait Name: Sized {
    /// What a name must be, as in "must be …".
    const EXPECTED: &'static str;
    /// What a list of names must be, as in "must be …".
    const LIST: &'static str;
    /// The value of `name`, if it is one.
    fn from_name(name: &str) -> Option<Self>;
}

/// A string that names a `T`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Named<T>(pub(crate) T);

impl<'de, T: Name> Deserialize<'de> for Named<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = string(deserializer, T::EXPECTED)?;
        T::from_name(&name)
            .map(Named)
            .ok_or_else(|| de::Error::custom(format_args!("must be {}", T::EXPECTED)))
    }
}

/// An item type of [`List`], and what a list of it must be.
pub(crate) trait Listed {
    /// What the list must be, as in "must be …".
    const LIST: &'static str;
}

impl<T: Name> Listed for Named<T> {
    const LIST: &'static str = T::LIST;
}

impl<const MIN: usize, const MAX: usize> Listed for Text<MIN, MAX> {
    const LIST: &'static str = "an array of strings";
}

/// A JSON array of `T`s.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct List<T>(pub(crate) Vec<T>);

impl<'de, T: Deserialize<'de> + Listed> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Items<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Listed> Visitor<'de> for Items<T> {
            type Value = Vec<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(T::LIST)
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(items)
            }
        }
        deserializer.deserialize_seq(Items(PhantomData)).map(List)
    }
}

/// `true` or `false`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Flag(pub(crate) bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_bool(Expect::<bool>::new("true or false")).map(Flag)
    }
}

/// An empty object, such as `sendCode: {}`; any key in it is an unknown field.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
pub(crate) struct Empty {}

/// For `#[serde(default, deserialize_with = "present")]` on an `Option<Option<T>>`: `None` when
/// the key is absent, `Some(None)` when it is `null`.
pub(crate) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A JSON number as the leaf types read it.
enum Number {
    Unsigned(u64),
    Other(f64),
}

/// A visitor that takes one kind of value and names it in its type errors.
struct Expect<T> {
    expected: &'static str,
    kind: PhantomData<T>,
}

impl<T> Expect<T> {
    fn new(expected: &'static str) -> Self {
        Expect { expected, kind: PhantomData }
    }
}

impl<'de> Visitor<'de> for Expect<String> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expected)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<String, E> {
        Ok(text.to_owned())
    }
}

impl<'de> Visitor<'de> for Expect<bool> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expected)
    }

    fn visit_bool<E: de::Error>(self, flag: bool) -> Result<bool, E> {
        Ok(flag)
    }
}

impl<'de> Visitor<'de> for Expect<Number> {
    type Value = Number;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expected)
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Number, E> {
        Ok(Number::Unsigned(n))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Number, E> {
        Ok(u64::try_from(n).map_or(Number::Other(n as f64), Number::Unsigned))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Number, E> {
        Ok(Number::Other(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields, rename_all = "camelCase", expecting = "an object")]
    struct Phone {
        number: Text<1, 2>,
        #[serde(alias = "return_code")]
        return_code: Option<Empty>,
        tries: Option<Int<1, 9>>,
        #[allow(dead_code)]
        on: Option<Flag>,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields, expecting = "an object")]
    struct Request {
        phone: Phone,
    }

    fn err(value: Value) -> String {
        let hints = [("phone.phone", "the field is `number`")];
        read::<Request>(&value, "", Blame::Request, &hints).unwrap_err().message()
    }

    #[test]
    fn reads_camel_and_snake_keys_and_treats_null_as_absent() {
        let r: Request = read(
            &json!({"phone": {"number": "äb", "return_code": {}, "tries": 5.0}}),
            "",
            Blame::Request,
            &[],
        )
        .unwrap();
        assert_eq!((r.phone.number.0.as_str(), r.phone.tries), ("äb", Some(Int(5))));
        assert!(r.phone.return_code.is_some());
        let r: Request =
            read(&json!({"phone": {"number": "1", "returnCode": null}}), "", Blame::Request, &[])
                .unwrap();
        assert!(r.phone.return_code.is_none());
    }

    #[test]
    fn errors_name_the_field_in_the_library_s_words() {
        let cases = [
            (json!(null), "request must be an object"),
            (json!({}), "phone is required"),
            (json!({"phone": null}), "phone is required"),
            (json!({"phone": {"number": null}}), "phone.number is required"),
            (json!({"phone": []}), "phone must be an object"),
            (json!({"phone": {}}), "phone.number is required"),
            (
                json!({"phone": {"phone": 1}}),
                "phone.phone is not a known field (the field is `number`)",
            ),
            (json!({"phone": {"number": "abc"}}), "phone.number must be 1 to 2 characters long"),
            (json!({"phone": {"number": 5}}), "phone.number must be a string"),
            (
                json!({"phone": {"number": "1", "tries": 5.5}}),
                "phone.tries must be an integer from 1 to 9",
            ),
            (
                json!({"phone": {"number": "1", "tries": -1}}),
                "phone.tries must be an integer from 1 to 9",
            ),
            (json!({"phone": {"number": "1", "tries": "5"}}), "phone.tries must be a number"),
            (json!({"phone": {"number": "1", "on": 1}}), "phone.on must be true or false"),
            (
                json!({"phone": {"number": "1", "returnCode": {"x": 1}}}),
                "phone.returnCode.x is not a known field",
            ),
            (
                json!({"phone": {"number": "1", "returnCode": {}, "return_code": {}}}),
                "phone.returnCode is given twice (camelCase and snake_case)",
            ),
        ];
        for (value, message) in cases {
            assert_eq!(err(value.clone()), format!("Request is invalid: {message}"), "{value}");
        }
    }

    #[test]
    fn storage_blame_names_the_callback() {
        let err = Blame::Storage(Callback::LoadUser).error("sequence", FieldProblem::Missing);
        assert_eq!(
            err,
            PhoneError::storage(Callback::LoadUser, "returned a record whose sequence is required")
        );
    }
}
