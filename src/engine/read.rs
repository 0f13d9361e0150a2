//! Reading untrusted JSON values (serde_json's [`Value`]) field by field, with errors that name
//! the field.
//!
//! Requests, options and stored records all arrive as JSON. They differ only in whom an error
//! blames ([`Blame`]) and whether unknown keys are allowed, so one reader serves all three.

use serde_json::{Map, Value};

use super::error::{FieldProblem, PhoneError};

/// Whose mistake a malformed value is; decides the error variant.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Blame {
    /// The request (InvalidArgument, `REQUEST-invalid`).
    Request,
    /// The options (Internal, `CONFIG-invalid`).
    Options,
    /// A storage callback's return value (Internal, `HOST-storage`).
    Storage(&'static str),
}

impl Blame {
    pub(crate) fn error(self, path: &str, problem: FieldProblem) -> PhoneError {
        match self {
            Blame::Request => PhoneError::field(path, problem),
            Blame::Options => PhoneError::option(path, problem),
            Blame::Storage(callback) => {
                let value = if callback == "authenticate" { "caller" } else { "record" };
                PhoneError::storage(callback, format!("returned a {value} whose {path} {problem}"))
            }
        }
    }
}

/// A field of a message: its camelCase name and the snake_case alias protobuf JSON accepts.
pub(crate) type Key = (&'static str, &'static str);

/// The shape of one JSON object.
pub(crate) struct Schema<const N: usize> {
    /// Known keys, in the order their values are returned.
    pub keys: [Key; N],
    /// Whether keys outside `keys` are an error (requests, options) or kept (records).
    pub deny_unknown: bool,
    /// Hints for likely mistakes: (wrong key, hint).
    pub hints: &'static [(&'static str, &'static str)],
}

impl<const N: usize> Schema<N> {
    /// The values of the known keys of `value` at `path`; `null` counts as absent, as in
    /// protobuf JSON.
    pub(crate) fn read<'a>(
        &self,
        value: &'a Value,
        path: &str,
        blame: Blame,
    ) -> Result<[Option<&'a Value>; N], PhoneError> {
        const { assert!(N <= 64, "seen keys are a 64-bit set") };
        let mut found = [None; N];
        read_fields(&self.keys, self.deny_unknown, self.hints, value, path, blame, &mut found)?;
        Ok(found)
    }
}

/// [`Schema::read`] for any number of keys: one copy in the wasm instead of one per schema
/// size.
fn read_fields<'a>(
    keys: &[Key],
    deny_unknown: bool,
    hints: &[(&'static str, &'static str)],
    value: &'a Value,
    path: &str,
    blame: Blame,
    found: &mut [Option<&'a Value>],
) -> Result<(), PhoneError> {
    let map = object(value, path, blame)?;
    let mut seen = 0u64;
    for (key, field_value) in map {
        let Some(i) = keys.iter().position(|(camel, snake)| key == camel || key == snake) else {
            if deny_unknown {
                let hint = hints.iter().find(|(wrong, _)| wrong == key).map(|h| h.1);
                return Err(blame.error(&join(path, key), FieldProblem::UnknownKey { hint }));
            }
            continue;
        };
        let bit = 1u64.checked_shl(i as u32).unwrap_or(0);
        if seen & bit != 0 {
            let camel = keys.get(i).map_or("", |k| k.0);
            return Err(blame.error(&join(path, camel), FieldProblem::Duplicate));
        }
        seen |= bit;
        if let (false, Some(slot)) = (field_value.is_null(), found.get_mut(i)) {
            *slot = Some(field_value);
        }
    }
    Ok(())
}

/// `value` as an object.
pub(crate) fn object<'a>(
    value: &'a Value,
    path: &str,
    blame: Blame,
) -> Result<&'a Map<String, Value>, PhoneError> {
    value.as_object().ok_or_else(|| blame.error(or_root(path, blame), wrong_type("an object")))
}

/// A required field.
pub(crate) fn required<'a>(
    value: Option<&'a Value>,
    path: &str,
    blame: Blame,
) -> Result<&'a Value, PhoneError> {
    value.ok_or_else(|| blame.error(path, FieldProblem::Missing))
}

/// A string of `min..=max` Unicode code points.
pub(crate) fn string<'a>(
    value: &'a Value,
    path: &str,
    blame: Blame,
    min: usize,
    max: usize,
) -> Result<&'a str, PhoneError> {
    let text = value.as_str().ok_or_else(|| blame.error(path, wrong_type("a string")))?;
    // Counting stops early so that a 1 MB string costs no more than a short one.
    let len = text.chars().take(max + 1).count();
    if len < min || len > max {
        return Err(blame.error(path, FieldProblem::Length { min, max }));
    }
    Ok(text)
}

/// A boolean.
pub(crate) fn boolean(value: &Value, path: &str, blame: Blame) -> Result<bool, PhoneError> {
    value.as_bool().ok_or_else(|| blame.error(path, wrong_type("true or false")))
}

/// An integer in `min..=max` (JSON numbers with no fraction, such as `5` or `5.0`).
pub(crate) fn integer(
    value: &Value,
    path: &str,
    blame: Blame,
    min: u64,
    max: u64,
) -> Result<u64, PhoneError> {
    let number = value.as_u64().or_else(|| {
        let float = value.as_f64()?;
        ((0.0..=max as f64).contains(&float) && float.fract() == 0.0).then_some(float as u64)
    });
    match number {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ if !value.is_number() => Err(blame.error(path, wrong_type("a number"))),
        _ => Err(blame.error(path, FieldProblem::Range { min, max })),
    }
}

/// An empty object, such as `sendCode: {}`; its unknown keys are errors.
pub(crate) fn empty_object(value: &Value, path: &str, blame: Blame) -> Result<(), PhoneError> {
    Schema::<0> { keys: [], deny_unknown: true, hints: &[] }.read(value, path, blame).map(|_| ())
}

/// An array of strings, each `1..=max` code points.
pub(crate) fn strings<'a>(
    value: &'a Value,
    path: &str,
    blame: Blame,
    max: usize,
) -> Result<Vec<&'a str>, PhoneError> {
    let items =
        value.as_array().ok_or_else(|| blame.error(path, wrong_type("an array of strings")))?;
    let mut strings = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        strings.push(string(item, &format!("{path}[{i}]"), blame, 1, max)?);
    }
    Ok(strings)
}

/// `parent.key`, or `key` at the root.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// `path`, or the name of the whole value at the root.
fn or_root(path: &str, blame: Blame) -> &str {
    match (path.is_empty(), blame) {
        (false, _) => path,
        (true, Blame::Request) => "request",
        (true, Blame::Options) => "options",
        (true, Blame::Storage(_)) => "value",
    }
}

fn wrong_type(expected: &'static str) -> FieldProblem {
    FieldProblem::WrongType { expected }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SCHEMA: Schema<2> = Schema {
        keys: [("number", "number"), ("returnCode", "return_code")],
        deny_unknown: true,
        hints: &[("phone", "the field is `number`")],
    };

    #[test]
    fn reads_camel_and_snake_keys_and_treats_null_as_absent() {
        let v = json!({"number": "1", "return_code": {}});
        let [n, r] = SCHEMA.read(&v, "phone", Blame::Request).unwrap();
        assert_eq!(n, Some(&json!("1")));
        assert_eq!(r, Some(&json!({})));
        let v = json!({"returnCode": null});
        assert_eq!(SCHEMA.read(&v, "phone", Blame::Request).unwrap(), [None, None]);
    }

    #[test]
    fn names_unknown_and_duplicate_keys() {
        let v = json!({"phone": "1"});
        let err = SCHEMA.read(&v, "phone", Blame::Request).unwrap_err();
        assert_eq!(
            err,
            PhoneError::field(
                "phone.phone",
                FieldProblem::UnknownKey { hint: Some("the field is `number`") }
            )
        );
        let v = json!({"returnCode": {}, "return_code": {}});
        let err = SCHEMA.read(&v, "", Blame::Options).unwrap_err();
        assert_eq!(err, PhoneError::option("returnCode", FieldProblem::Duplicate));
    }

    #[test]
    fn typed_readers_reject_wrong_types_and_ranges() {
        let b = Blame::Request;
        assert_eq!(string(&json!("äb"), "x", b, 1, 2), Ok("äb"));
        assert!(string(&json!("abc"), "x", b, 1, 2).is_err());
        assert!(string(&json!(""), "x", b, 1, 2).is_err());
        assert!(string(&json!(5), "x", b, 1, 2).is_err());
        assert_eq!(integer(&json!(5.0), "x", b, 1, 9), Ok(5));
        assert_eq!(
            integer(&json!(5.5), "x", b, 1, 9),
            Err(PhoneError::field("x", FieldProblem::Range { min: 1, max: 9 }))
        );
        assert!(integer(&json!(-1), "x", b, 0, 9).is_err());
        assert!(integer(&json!("5"), "x", b, 0, 9).is_err());
        assert!(empty_object(&json!({"a": 1}), "sendCode", b).is_err());
        assert_eq!(strings(&json!(["a", "b"]), "x", b, 5), Ok(vec!["a", "b"]));
        assert!(strings(&json!(["a", 1]), "x", b, 5).is_err());
        let err = object(&json!([]), "", b).unwrap_err();
        assert_eq!(err.message(), "Request is invalid: request must be an object");
    }

    #[test]
    fn storage_blame_names_the_callback() {
        let err = Blame::Storage("loadUser").error("sequence", FieldProblem::Missing);
        assert_eq!(
            err,
            PhoneError::storage("loadUser", "returned a record whose sequence is required")
        );
    }
}
