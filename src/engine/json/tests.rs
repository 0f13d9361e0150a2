//! The parser and writer against serde_json 1.0, the crate's JSON library before issue 5: same
//! values, same text out, same error messages (with line and column) for any input.

use super::*;

fn message(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

#[test]
fn reads_and_writes_values() {
    let value =
        parse(" {\"a\": [1, -2, 3.5, true, null, \"x\\n\\u00e9\\ud83d\\ude00\"], \"b\": {}} ")
            .unwrap();
    assert_eq!(value, json!({"a": [1, -2, 3.5, true, null, "x\né😀"], "b": {}}));
    assert_eq!(value.to_string(), r#"{"a":[1,-2,3.5,true,null,"x\né😀"],"b":{}}"#);
    assert_eq!(json!("\u{1}\u{1f}\"\\\u{7f}").to_string(), "\"\\u0001\\u001f\\\"\\\\\u{7f}\"");
    // A repeated key keeps its place and takes the last value.
    assert_eq!(parse(r#"{"a":1,"b":2,"a":3}"#).unwrap().to_string(), r#"{"a":3,"b":2}"#);
}

#[test]
fn numbers_as_serde_json_reads_them() {
    assert_eq!(parse("18446744073709551615").unwrap().as_u64(), Some(u64::MAX));
    assert_eq!(parse("-9223372036854775808").unwrap().as_i64(), Some(i64::MIN));
    assert_eq!(parse("18446744073709551616").unwrap().as_f64(), Some(18446744073709551616.0));
    assert_eq!(parse("-0").unwrap().as_u64(), None);
    assert_eq!(parse("5.0").unwrap().as_f64(), Some(5.0));
    assert_eq!(parse("1e2").unwrap().as_f64(), Some(100.0));
    assert_eq!(parse("1e2").unwrap().to_string(), "1e2");
    assert_eq!(parse("1e-400").unwrap().as_f64(), Some(0.0));
    assert_eq!(message("1e309"), "number out of range at line 1 column 5");
    assert_eq!(message("[1e99999999999]"), "number out of range at line 1 column 13");
}

#[test]
fn errors_say_where() {
    assert_eq!(message("{\n  \"phone\": }"), "expected value at line 2 column 12");
    assert_eq!(
        message(r#"{"phone": {"number": "0711234567",}}"#),
        "trailing comma at line 1 column 35"
    );
    assert_eq!(message(""), "EOF while parsing a value at line 1 column 0");
    assert_eq!(message("\"\\ud800\""), "unexpected end of hex escape at line 1 column 8");
    assert_eq!(message("\"\\udc00\""), "lone leading surrogate in hex escape at line 1 column 7");
    assert_eq!(message("[1] x"), "trailing characters at line 1 column 5");
}

#[test]
fn nesting_is_limited_as_in_serde_json() {
    let ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
    assert!(parse(&ok).is_ok());
    let deep = format!("{}{}", "[".repeat(128), "]".repeat(128));
    assert_eq!(message(&deep), "recursion limit exceeded at line 1 column 128");
    assert!(parse(&"{\"a\":".repeat(10_000)).is_err());
}

/// Whether our value is serde_json's, key order and number kinds included.
fn same(ours: &Value, theirs: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (ours, theirs) {
        (Value::Null, J::Null) => true,
        (Value::Bool(a), J::Bool(b)) => a == b,
        (Value::String(a), J::String(b)) => a == b,
        (Value::Number(a), J::Number(b)) => {
            a.as_u64() == b.as_u64()
                && a.as_i64() == b.as_i64()
                && a.as_f64().map(f64::to_bits) == b.as_f64().map(f64::to_bits)
        }
        (Value::Array(a), J::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Object(a), J::Object(b)) => {
            a.len() == b.len()
                && a.iter().zip(b).all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => false,
    }
}

/// Whether a float (written as read, where serde_json reformats it) is anywhere in `value`.
fn has_float(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.as_u64().is_none() && n.as_i64().is_none(),
        Value::Array(items) => items.iter().any(has_float),
        Value::Object(map) => map.iter().any(|(_, v)| has_float(v)),
        _ => false,
    }
}

fn check(text: &str) -> Result<(), String> {
    match (parse(text), serde_json::from_str::<serde_json::Value>(text)) {
        (Ok(ours), Ok(theirs)) if same(&ours, &theirs) => {
            // Apart from float spelling, the text out is serde_json's.
            let reparsed = parse(&ours.to_string()).map_err(|e| e.to_string())?;
            if !same(&reparsed, &theirs) {
                return Err(format!("{text:?}: writes {ours}"));
            }
            let (written, reference) = (ours.to_string(), theirs.to_string());
            if !has_float(&ours) && written != reference {
                return Err(format!("{text:?}: writes {written}, serde_json {reference}"));
            }
            Ok(())
        }
        (Err(ours), Err(theirs)) if ours.to_string() == theirs.to_string() => Ok(()),
        (ours, theirs) => Err(format!("{text:?}: {ours:?} vs {theirs:?}")),
    }
}

#[test]
fn hand_picked_inputs_match_serde_json() {
    let cases = [
        "",
        " ",
        "n",
        "nul",
        "nulx",
        "null",
        "nullx",
        "t",
        "true",
        "f",
        "falsy",
        "-",
        "-x",
        "-0",
        "-0.0",
        "01",
        "-01",
        "1.",
        "1.x",
        "1.e5",
        "1e",
        "1e+",
        "1e+x",
        "1E-2",
        "1.5e3",
        "0.1",
        "1e308",
        "1.7976931348623157e308",
        "1.8e308",
        "2e308",
        "1e-400",
        "123456789012345678901234",
        "-123456789012345678901234",
        "18446744073709551616.5",
        "1e2147483648",
        "0e2147483648",
        "-1e-2147483649",
        "9223372036854775808",
        "-9223372036854775809",
        "\"",
        "\"abc",
        "\"a\\",
        "\"a\\x\"",
        "\"\\u12\"",
        "\"\\u12",
        "\"\\u12g4\"",
        "\"\\ud83d\"",
        "\"\\ud83dx\"",
        "\"\\ud83d\\n\"",
        "\"\\ud83d\\u0041\"",
        "\"\\ud83d\\ude00\"",
        "\"\\udc00\"",
        "\"\u{1}\"",
        "\"\t\"",
        "\"é\u{7f}\"",
        "[",
        "[1",
        "[1,",
        "[1,]",
        "[1 2]",
        "[,1]",
        "[]",
        "[ ]",
        "{",
        "{\"a\"",
        "{\"a\":",
        "{\"a\":1",
        "{\"a\":1,",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{1:2}",
        "{,}",
        "{\"a\":1 \"b\":2}",
        "{\"a\":1,\"a\":2}",
        "{}",
        "\n\n  [1,\n 2,\n ]",
        "[1]\n x",
        "\u{feff}1",
        "[\"a\"\n,\n\"b\"\n,\n]",
        "{\"a\":[{\"b\":{}}],\"c\":\"d\"}",
    ];
    for text in cases {
        check(text).unwrap();
    }
}

#[test]
fn large_objects_with_repeated_keys_match_serde_json() {
    for (keys, repeat_every) in [(17, 5), (40, 3), (1000, 7), (5000, 1)] {
        let members: Vec<String> = (0..keys)
            .flat_map(|i| {
                let mut m = vec![format!("\"k{i}\":{i}")];
                if i % repeat_every == 0 {
                    m.push(format!("\"k{}\":-{i}", i / 2));
                }
                m
            })
            .collect();
        check(&format!("{{{}}}", members.join(","))).unwrap();
    }
}

mod props {
    use super::check;
    use proptest::prelude::*;

    /// Pieces of JSON, valid and broken, so that random sequences hit every error.
    const TOKENS: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\n",
        "\t",
        "\"",
        "\"k\"",
        "\"v\"",
        "\\",
        "\\u",
        "\\n",
        "\\ud83d",
        "\\ude00",
        "\\u00e9",
        "d83d",
        "0",
        "1",
        "9",
        "-",
        ".",
        "e",
        "E",
        "+",
        "18446744073709551615",
        "99999999999999999999",
        "1e400",
        "null",
        "nu",
        "true",
        "false",
        "x",
        "\u{1}",
        "é",
        "😀",
    ];

    fn soup() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(TOKENS), 0..24).prop_map(|t| t.concat())
    }

    /// Valid JSON text of nested values.
    fn valid() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_owned()),
            any::<bool>().prop_map(|b| b.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            (any::<i32>(), 0u32..20, -30i32..30).prop_map(|(m, f, e)| format!("{m}.{f}e{e}")),
            "[ -~é😀\\\\\"\t]{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap_or_default()),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(", "))),
                prop::collection::vec(("[a-c]", inner), 0..4).prop_map(|v| {
                    let members: Vec<String> =
                        v.into_iter().map(|(k, v)| format!("\"{k}\" :\n{v}")).collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn token_soup_matches_serde_json(text in soup()) {
            prop_assert!(check(&text).is_ok(), "{}", check(&text).unwrap_err());
        }

        #[test]
        fn valid_and_damaged_json_matches_serde_json(
            text in valid(),
            cut in any::<prop::sample::Index>(),
            insert in prop::sample::select(super::props::TOKENS),
        ) {
            prop_assert!(check(&text).is_ok(), "{}", check(&text).unwrap_err());
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            if !boundaries.is_empty() {
                let at = boundaries[cut.index(boundaries.len())];
                let truncated = &text[..at];
                prop_assert!(check(truncated).is_ok(), "{}", check(truncated).unwrap_err());
                let damaged = format!("{}{insert}{}", &text[..at], &text[at..]);
                prop_assert!(check(&damaged).is_ok(), "{}", check(&damaged).unwrap_err());
            }
        }
    }
}
