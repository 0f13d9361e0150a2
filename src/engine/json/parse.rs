//! JSON text → [`Value`], with serde_json's error messages and positions.
//!
//! Error texts reach users ("body could not be read as JSON: trailing comma at line 1 column
//! 35"), so this parser follows serde_json 1.0's `from_str::<Value>` step by step: the same
//! checks in the same order, the same 128-level nesting limit, and the same line and column
//! (counted in bytes) for each error. A differential test against serde_json (native only)
//! holds it to that.
//!
//! Numbers are read as serde_json reads them without its `float_roundtrip` feature: an
//! integer that fits 64 bits stays exact; anything else is the 64-bit significand times a
//! power of ten, and an infinite result is "number out of range". Powers above 10^22 are
//! computed rather than tabled, so a float within a few units in the last place of
//! `f64::MAX` may be judged differently; JavaScript never writes such a literal.

use crate::engine::text::{display_piece, put, Piece};
use crate::prelude::*;

use super::value::{Map, Number, Value};

/// Deepest nesting serde_json accepts, plus one.
const DEPTH: u8 = 128;

/// Why JSON text could not be read, and where.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ParseError {
    problem: Problem,
    line: usize,
    column: usize,
}

/// serde_json's syntax error codes (those `from_str::<Value>` can give).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Problem {
    EofWhileParsingList,
    EofWhileParsingObject,
    EofWhileParsingString,
    EofWhileParsingValue,
    ExpectedColon,
    ExpectedListCommaOrEnd,
    ExpectedObjectCommaOrEnd,
    ExpectedSomeIdent,
    ExpectedSomeValue,
    InvalidEscape,
    InvalidNumber,
    NumberOutOfRange,
    ControlCharacterWhileParsingString,
    KeyMustBeAString,
    LoneLeadingSurrogateInHexEscape,
    TrailingComma,
    TrailingCharacters,
    UnexpectedEndOfHexEscape,
    RecursionLimitExceeded,
}

impl Problem {
    fn text(self) -> &'static str {
        use Problem::*;
        match self {
            EofWhileParsingList => "EOF while parsing a list",
            EofWhileParsingObject => "EOF while parsing an object",
            EofWhileParsingString => "EOF while parsing a string",
            EofWhileParsingValue => "EOF while parsing a value",
            ExpectedColon => "expected `:`",
            ExpectedListCommaOrEnd => "expected `,` or `]`",
            ExpectedObjectCommaOrEnd => "expected `,` or `}`",
            ExpectedSomeIdent => "expected ident",
            ExpectedSomeValue => "expected value",
            InvalidEscape => "invalid escape",
            InvalidNumber => "invalid number",
            NumberOutOfRange => "number out of range",
            ControlCharacterWhileParsingString => {
                "control character (\\u0000-\\u001F) found while parsing a string"
            }
            KeyMustBeAString => "key must be a string",
            LoneLeadingSurrogateInHexEscape => "lone leading surrogate in hex escape",
            TrailingComma => "trailing comma",
            TrailingCharacters => "trailing characters",
            UnexpectedEndOfHexEscape => "unexpected end of hex escape",
            RecursionLimitExceeded => "recursion limit exceeded",
        }
    }
}

/// `<problem> at line <l> column <c>`, as serde_json's `Error` displays.
impl Piece for ParseError {
    fn push_to(&self, out: &mut String) {
        put!(out, self.problem.text(), " at line ", self.line, " column ", self.column);
    }
}

display_piece!(ParseError);

impl core::error::Error for ParseError {}

/// Reads `text` as one JSON value, with only whitespace around it.
pub fn parse(text: &str) -> Result<Value, ParseError> {
    let mut parser = Parser { bytes: text.as_bytes(), index: 0, depth: DEPTH };
    let value = parser.value()?;
    match parser.whitespace() {
        Some(_) => Err(parser.peek_error(Problem::TrailingCharacters)),
        None => Ok(value),
    }
}

type Result<T, E = ParseError> = core::result::Result<T, E>;

struct Parser<'a> {
    bytes: &'a [u8],
    /// The next byte to read.
    index: usize,
    /// Nesting levels left.
    depth: u8,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.index).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.index += 1;
        Some(byte)
    }

    /// The next byte after whitespace, not consumed.
    fn whitespace(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.index += 1;
        }
        self.peek()
    }

    /// An error about the byte just read (serde_json's `error`).
    #[cold]
    fn error(&self, problem: Problem) -> ParseError {
        self.error_at(self.index, problem)
    }

    /// An error about the byte about to be read (serde_json's `peek_error`).
    #[cold]
    fn peek_error(&self, problem: Problem) -> ParseError {
        self.error_at(self.index.saturating_add(1).min(self.bytes.len()), problem)
    }

    fn error_at(&self, index: usize, problem: Problem) -> ParseError {
        let before = self.bytes.get(..index).unwrap_or(self.bytes);
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let line = 1 + before.iter().take(line_start).filter(|&&b| b == b'\n').count();
        ParseError { problem, line, column: index - line_start }
    }

    fn value(&mut self) -> Result<Value> {
        let Some(peek) = self.whitespace() else {
            return Err(self.peek_error(Problem::EofWhileParsingValue));
        };
        match peek {
            b'n' => self.ident(b"null", Value::Null),
            b't' => self.ident(b"true", Value::Bool(true)),
            b'f' => self.ident(b"false", Value::Bool(false)),
            b'-' | b'0'..=b'9' => self.number(),
            b'"' => {
                self.index += 1;
                self.string().map(Value::String)
            }
            b'[' | b'{' => {
                self.depth -= 1;
                if self.depth == 0 {
                    return Err(self.peek_error(Problem::RecursionLimitExceeded));
                }
                self.index += 1;
                let value = if peek == b'[' { self.array() } else { self.object() };
                self.depth += 1;
                // Both loops end only on their closing bracket.
                self.index += 1;
                value
            }
            _ => Err(self.peek_error(Problem::ExpectedSomeValue)),
        }
    }

    /// `null`, `true` or `false`, whose first byte is known.
    fn ident(&mut self, word: &[u8], value: Value) -> Result<Value> {
        self.index += 1;
        // The first byte was matched by the caller.
        for expected in word.get(1..).unwrap_or_default() {
            match self.next() {
                None => return Err(self.error(Problem::EofWhileParsingValue)),
                Some(b) if b != *expected => return Err(self.error(Problem::ExpectedSomeIdent)),
                Some(_) => {}
            }
        }
        Ok(value)
    }

    /// Items up to (not past) the closing `]`.
    fn array(&mut self) -> Result<Value> {
        let mut items = Vec::new();
        loop {
            let Some(peek) = self.whitespace() else {
                return Err(self.peek_error(Problem::EofWhileParsingList));
            };
            if peek == b']' {
                return Ok(Value::Array(items));
            }
            if !items.is_empty() {
                if peek != b',' {
                    return Err(self.peek_error(Problem::ExpectedListCommaOrEnd));
                }
                self.index += 1;
                match self.whitespace() {
                    Some(b']') => return Err(self.peek_error(Problem::TrailingComma)),
                    Some(_) => {}
                    None => return Err(self.peek_error(Problem::EofWhileParsingValue)),
                }
            }
            items.push(self.value()?);
        }
    }

    /// Members up to (not past) the closing `}`; a repeated key takes the last value.
    fn object(&mut self) -> Result<Value> {
        let mut members = Members::default();
        let mut first = true;
        loop {
            let Some(peek) = self.whitespace() else {
                return Err(self.peek_error(Problem::EofWhileParsingObject));
            };
            if peek == b'}' {
                return Ok(Value::Object(members.map));
            }
            if first {
                first = false;
                if peek != b'"' {
                    return Err(self.peek_error(Problem::KeyMustBeAString));
                }
            } else if peek == b',' {
                self.index += 1;
                match self.whitespace() {
                    Some(b'"') => {}
                    Some(b'}') => return Err(self.peek_error(Problem::TrailingComma)),
                    Some(_) => return Err(self.peek_error(Problem::KeyMustBeAString)),
                    None => return Err(self.peek_error(Problem::EofWhileParsingValue)),
                }
            } else {
                return Err(self.peek_error(Problem::ExpectedObjectCommaOrEnd));
            }
            self.index += 1;
            let key = self.string()?;
            match self.whitespace() {
                Some(b':') => self.index += 1,
                Some(_) => return Err(self.peek_error(Problem::ExpectedColon)),
                None => return Err(self.peek_error(Problem::EofWhileParsingObject)),
            }
            let value = self.value()?;
            members.insert(key, value);
        }
    }

    /// The rest of a string whose opening quote was read.
    fn string(&mut self) -> Result<String> {
        let mut out = Vec::new();
        loop {
            // Copy the run up to the next quote, backslash or control byte in one go.
            let rest = self.bytes.get(self.index..).unwrap_or_default();
            let run = rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            let plain = rest.get(..run.unwrap_or(rest.len())).unwrap_or_default();
            out.extend_from_slice(plain);
            self.index += plain.len();
            let Some(b) = self.next() else {
                return Err(self.error(Problem::EofWhileParsingString));
            };
            match b {
                b'"' => break,
                b'\\' => self.escape(&mut out)?,
                _ => return Err(self.error(Problem::ControlCharacterWhileParsingString)),
            }
        }
        // The input is UTF-8 and escapes add whole characters, so this cannot fail.
        String::from_utf8(out).map_err(|_| self.error(Problem::InvalidEscape))
    }

    /// One escape after its backslash.
    fn escape(&mut self, out: &mut Vec<u8>) -> Result<()> {
        let Some(b) = self.next() else {
            return Err(self.error(Problem::EofWhileParsingString));
        };
        let byte = match b {
            b'"' | b'\\' | b'/' => b,
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => return self.unicode_escape(out),
            _ => return Err(self.error(Problem::InvalidEscape)),
        };
        out.push(byte);
        Ok(())
    }

    /// `\uXXXX` after its `u`, and a second one for a surrogate pair.
    fn unicode_escape(&mut self, out: &mut Vec<u8>) -> Result<()> {
        let first = self.hex4()?;
        let code = match first {
            0xDC00..=0xDFFF => return Err(self.error(Problem::LoneLeadingSurrogateInHexEscape)),
            0xD800..=0xDBFF => {
                for expected in [b'\\', b'u'] {
                    let Some(b) = self.peek() else {
                        return Err(self.error(Problem::EofWhileParsingString));
                    };
                    self.index += 1;
                    if b != expected {
                        return Err(self.error(Problem::UnexpectedEndOfHexEscape));
                    }
                }
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error(Problem::LoneLeadingSurrogateInHexEscape));
                }
                0x1_0000 + ((u32::from(first) - 0xD800) << 10) + (u32::from(second) - 0xDC00)
            }
            _ => u32::from(first),
        };
        let c = char::from_u32(code).ok_or_else(|| self.error(Problem::InvalidEscape))?;
        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        Ok(())
    }

    /// Four hex digits.
    fn hex4(&mut self) -> Result<u16> {
        let Some(digits) = self.bytes.get(self.index..self.index + 4) else {
            self.index = self.bytes.len();
            return Err(self.error(Problem::EofWhileParsingString));
        };
        self.index += 4;
        let mut value = 0u16;
        for &d in digits {
            let Some(nibble) = super::hex_digit(d) else {
                return Err(self.error(Problem::InvalidEscape));
            };
            value = value << 4 | u16::from(nibble);
        }
        Ok(value)
    }

    /// A number, at its `-` or first digit.
    fn number(&mut self) -> Result<Value> {
        let start = self.index;
        let positive = self.peek() != Some(b'-');
        if !positive {
            self.index += 1;
        }
        let mut significand: u64 = match self.next() {
            None => return Err(self.error(Problem::EofWhileParsingValue)),
            Some(b'0') => {
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.peek_error(Problem::InvalidNumber));
                }
                0
            }
            Some(d @ b'1'..=b'9') => u64::from(d - b'0'),
            Some(_) => return Err(self.error(Problem::InvalidNumber)),
        };
        // Integer digits past 64 bits only scale the number; fraction digits are taken while
        // they fit, then ignored (serde_json's `parse_long_integer` and `parse_decimal`).
        let mut exponent: i32 = 0;
        let mut float = false;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            self.index += 1;
            match append_digit(significand, d).filter(|_| !float) {
                Some(s) => significand = s,
                None => {
                    float = true;
                    exponent = exponent.saturating_add(1);
                }
            }
        }
        if self.peek() == Some(b'.') {
            float = true;
            self.index += 1;
            let mut digits = 0;
            let mut full = false;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                self.index += 1;
                digits += 1;
                match append_digit(significand, d).filter(|_| !full) {
                    Some(s) => {
                        significand = s;
                        exponent = exponent.saturating_sub(1);
                    }
                    None => full = true,
                }
            }
            if digits == 0 {
                return Err(match self.peek() {
                    Some(_) => self.peek_error(Problem::InvalidNumber),
                    None => self.peek_error(Problem::EofWhileParsingValue),
                });
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            float = true;
            self.index += 1;
            let positive_exp = match self.peek() {
                Some(b'+') => {
                    self.index += 1;
                    true
                }
                Some(b'-') => {
                    self.index += 1;
                    false
                }
                _ => true,
            };
            let mut exp: i32 = match self.next() {
                None => return Err(self.error(Problem::EofWhileParsingValue)),
                Some(d @ b'0'..=b'9') => i32::from(d - b'0'),
                Some(_) => return Err(self.error(Problem::InvalidNumber)),
            };
            while let Some(d @ b'0'..=b'9') = self.peek() {
                self.index += 1;
                match exp.checked_mul(10).and_then(|e| e.checked_add(i32::from(d - b'0'))) {
                    Some(e) => exp = e,
                    None => {
                        // An exponent past i32: zero, or out of range when it grows.
                        if significand != 0 && positive_exp {
                            return Err(self.error(Problem::NumberOutOfRange));
                        }
                        while let Some(b'0'..=b'9') = self.peek() {
                            self.index += 1;
                        }
                        let zero = if positive { 0.0 } else { -0.0 };
                        return Ok(self.float(zero, start));
                    }
                }
            }
            exponent = if positive_exp {
                exponent.saturating_add(exp)
            } else {
                exponent.saturating_sub(exp)
            };
        }
        if !float {
            if positive {
                return Ok(Value::Number(Number::from(significand)));
            }
            // `-0` and integers below i64::MIN are floats, as in serde_json.
            if let Some(n) = i64::try_from(significand).ok().map(|n| -n).filter(|n| *n < 0) {
                return Ok(Value::Number(Number::from(n)));
            }
            if significand != 1 << 63 {
                return Ok(self.float(-(significand as f64), start));
            }
            return Ok(Value::Number(Number::from(i64::MIN)));
        }
        let Some(magnitude) = scale(significand, exponent) else {
            return Err(self.error(Problem::NumberOutOfRange));
        };
        Ok(self.float(if positive { magnitude } else { -magnitude }, start))
    }

    fn float(&self, value: f64, start: usize) -> Value {
        let text = self.bytes.get(start..self.index).unwrap_or_default();
        Value::Number(Number::float(value, core::str::from_utf8(text).unwrap_or("0")))
    }
}

/// The members of an object being read. A repeated key takes the last value in its first
/// place, as in serde_json; past [`Members::SMALL`] keys a hash table (FNV-1a, open
/// addressing) finds it, so that reading a large object stays linear in its size.
#[derive(Default)]
struct Members {
    map: Map,
    /// Entry index + 1 per slot, 0 for empty; a power of two at most half full.
    slots: Vec<u32>,
}

impl Members {
    /// Objects up to this many keys are searched key by key.
    const SMALL: usize = 16;

    fn insert(&mut self, key: String, value: Value) {
        let len = self.map.len();
        if len < Self::SMALL {
            self.map.insert(key, value);
            return;
        }
        if self.slots.len() < 2 * (len + 1) {
            self.slots = vec![0; (4 * len).next_power_of_two()];
            for i in 0..len {
                let home = self.map.key_at(i).map_or(0, hash);
                let slot = self.free_slot(home);
                if let Some(s) = self.slots.get_mut(slot) {
                    *s = u32::try_from(i + 1).unwrap_or(u32::MAX);
                }
            }
        }
        let mask = self.slots.len() - 1;
        let mut slot = hash(&key) & mask;
        loop {
            match self.slots.get(slot).copied() {
                Some(0) | None => break,
                Some(entry) => {
                    let i = entry as usize - 1;
                    if self.map.key_at(i) == Some(key.as_str()) {
                        self.map.replace_at(i, value);
                        return;
                    }
                }
            }
            slot = (slot + 1) & mask;
        }
        if let Some(s) = self.slots.get_mut(slot) {
            *s = u32::try_from(len + 1).unwrap_or(u32::MAX);
        }
        self.map.push_new(key, value);
    }

    /// The first empty slot from `home` on.
    fn free_slot(&self, home: usize) -> usize {
        let mask = self.slots.len() - 1;
        let mut slot = home & mask;
        while self.slots.get(slot).is_some_and(|&s| s != 0) {
            slot = (slot + 1) & mask;
        }
        slot
    }
}

/// FNV-1a of a key.
fn hash(key: &str) -> usize {
    key.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193)) as usize
}

/// `significand * 10 + digit`, or `None` past 64 bits.
fn append_digit(significand: u64, digit: u8) -> Option<u64> {
    significand.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
}

/// `significand × 10^exponent` as serde_json computes it; `None` when infinite.
fn scale(significand: u64, mut exponent: i32) -> Option<f64> {
    let mut f = significand as f64;
    loop {
        if exponent.unsigned_abs() <= 308 {
            let pow = pow10(exponent.unsigned_abs());
            if exponent >= 0 {
                f *= pow;
                return f.is_finite().then_some(f);
            }
            return Some(f / pow);
        }
        if f == 0.0 {
            return Some(f);
        }
        if exponent >= 0 {
            return None;
        }
        f /= 1e308;
        exponent += 308;
    }
}

/// 10^n for n ≤ 308 as the nearest `f64`, which is what serde_json's table of `1eN` literals
/// holds: exact up to 10^22, beyond that rounded from the exact integer (half to even).
fn pow10(n: u32) -> f64 {
    if n <= 22 {
        return (0..n).fold(1.0, |pow, _| pow * 10.0);
    }
    // 10^n in 64-bit limbs, least significant first; 10^308 < 2^1024.
    let mut limbs = [0u64; 17];
    limbs[0] = 1;
    for _ in 0..n.min(308) {
        let mut carry = 0u128;
        for limb in limbs.iter_mut() {
            let product = u128::from(*limb) * 10 + carry;
            *limb = product as u64;
            carry = product >> 64;
        }
    }
    // The top 64 bits, and whether any bit below them is set.
    let top = limbs.iter().rposition(|&l| l != 0).unwrap_or(1).max(1);
    let (hi, lo) = (limbs[top], limbs[top - 1]);
    let shift = hi.leading_zeros();
    let window = if shift == 0 { hi } else { hi << shift | lo >> (64 - shift) };
    let sticky = lo << shift != 0 || limbs[..top - 1].iter().any(|&l| l != 0);
    // 53 significant bits, rounded half to even.
    let mut mantissa = window >> 11;
    let rest = window & 0x7ff;
    let mut exponent = 64 * top as u64 + 63 - u64::from(shift);
    if rest > 0x400 || (rest == 0x400 && (sticky || mantissa & 1 == 1)) {
        mantissa += 1;
        if mantissa == 1 << 53 {
            mantissa >>= 1;
            exponent += 1;
        }
    }
    f64::from_bits((exponent + 1023) << 52 | (mantissa & ((1 << 52) - 1)))
}
