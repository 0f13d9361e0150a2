//! From what people type to a plus flag and ASCII digits.
//!
//! Follows libphonenumber's `extractPossibleNumber`, `maybeStripExtension`,
//! `isViablePhoneNumber` and RFC 3966 handling. Every character is first folded
//! to one byte (digits of any script to ASCII, full-width forms to ASCII, ASCII
//! lower-cased, dashes and spaces unified), so the rest works on bytes.

use std::sync::OnceLock;

use super::pattern::Regex;
use super::PhoneProblem;

/// libphonenumber's `MAX_INPUT_STRING_LENGTH`, in characters.
pub(super) const MAX_INPUT_CHARS: usize = 250;

/// Zero of every run of Unicode decimal digits (category Nd, Unicode 14).
const DIGIT_ZEROS: [u32; 66] = [
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0,
    0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0,
    0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// Extension suffixes (libphonenumber's `EXTN_PATTERNS_FOR_PARSING`), over
/// folded bytes and matched to the end of the input. `D`, `O`, `B` stand for
/// Cyrillic д, о, б; `Q` for ó; `` ` `` for a combining acute accent.
const EXTENSION: &str = concat!(
    r";ext=(\d{1,20})",
    r"|[ ,]*(?:e?xt(?:ensi(?:o`?|Q))?n?|DOB|anexo)[:.]?[ ,-]*(\d{1,20})#?",
    r"|[ ,]*(?:[x#~]|int)[:.]?[ ,-]*(\d{1,9})#?",
    r"|[- ]+(\d{1,6})#",
    r"|[ ]*(?:,{2}|;)[:.]?[ ,-]*(\d{1,15})#?",
    r"|[ ]*,+[:.]?[ ,-]*(\d{1,9})#?",
);

/// Longest tail searched for an extension; real ones are far shorter.
const MAX_EXTENSION_TAIL: usize = 64;

/// The input reduced to what dialling needs.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Dialled {
    /// Written with a leading `+`.
    pub(super) plus: bool,
    /// ASCII digits in order, without any separators.
    pub(super) digits: Vec<u8>,
}

/// Cleans `input`; see the module docs for what is accepted.
pub(super) fn clean(input: &str) -> Result<Dialled, PhoneProblem> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(PhoneProblem::Empty);
    }
    // Bounded look-ahead: never walks more than 251 characters.
    if trimmed.chars().nth(MAX_INPUT_CHARS).is_some() {
        return Err(PhoneProblem::TooLong);
    }
    let folded: Vec<u8> = trimmed.chars().map(fold).collect();
    if !folded.iter().any(u8::is_ascii_digit) {
        return Err(PhoneProblem::NoDigits);
    }
    let uri = tel_uri(folded)?;
    let number = strip_extension(possible_number(&uri));
    if !number.iter().any(u8::is_ascii_digit) {
        return Err(PhoneProblem::NoDigits);
    }
    if !is_viable(number) {
        return Err(PhoneProblem::NotANumber);
    }
    Ok(to_digits(number))
}

/// One byte per character (see the module docs). Bytes that cannot occur in
/// a phone number become `?` (symbols) or `L` (other letters).
fn fold(c: char) -> u8 {
    if c.is_ascii_digit() {
        return c as u8;
    }
    let cp = u32::from(c);
    let run = DIGIT_ZEROS.partition_point(|&z| z <= cp);
    if let Some(zero) = run.checked_sub(1).and_then(|i| DIGIT_ZEROS.get(i)) {
        if cp - zero < 10 {
            return b'0' + (cp - zero) as u8;
        }
    }
    // Full-width ASCII variants (U+FF01..U+FF5E) to ASCII.
    let c = if (0xFF01..=0xFF5E).contains(&cp) {
        char::from_u32(cp - 0xFEE0).unwrap_or('?')
    } else {
        c
    };
    if c.is_ascii() {
        return match c {
            c if c.is_ascii_whitespace() => b' ',
            c if c.is_ascii_control() => b'?',
            '`' => b'?',
            c => (c as u8).to_ascii_lowercase(),
        };
    }
    match c {
        '\u{00AD}' | '\u{200B}' | '\u{2060}' => b' ',
        c if c.is_whitespace() => b' ',
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' => b'-',
        '\u{2053}' | '\u{223C}' => b'~',
        'д' | 'Д' => b'D',
        'о' | 'О' => b'O',
        'б' | 'Б' => b'B',
        'ó' | 'Ó' => b'Q',
        '\u{0301}' => b'`',
        _ => b'L',
    }
}

/// RFC 3966: `tel:NUMBER;param=...`. Parameters are dropped; a global
/// `phone-context` (`+41`) is put in front of a local number.
fn tel_uri(s: Vec<u8>) -> Result<Vec<u8>, PhoneProblem> {
    let Some(body) = s.strip_prefix(b"tel:") else {
        return Ok(s);
    };
    let mut parts = body.split(|&b| b == b';');
    let number = parts.next().unwrap_or_default();
    let mut context: &[u8] = &[];
    for param in parts {
        if let Some(value) = param.strip_prefix(b"phone-context=") {
            if value.is_empty() {
                return Err(PhoneProblem::NotANumber);
            }
            context = value;
        }
    }
    let mut out = Vec::with_capacity(context.len() + number.len());
    if context.first() == Some(&b'+') && number.first() != Some(&b'+') {
        out.extend_from_slice(context);
    }
    out.extend_from_slice(number);
    Ok(out)
}

/// libphonenumber's `extractPossibleNumber`: from the first `+` or digit,
/// without trailing symbols, and cut before a second number (`/ x...`).
fn possible_number(s: &[u8]) -> &[u8] {
    let Some(start) = s.iter().position(|&b| b == b'+' || b.is_ascii_digit()) else {
        return &[];
    };
    let mut s = s.get(start..).unwrap_or_default();
    while let Some((&last, rest)) = s.split_last() {
        if last.is_ascii_digit() || last.is_ascii_alphabetic() || last == b'#' {
            break;
        }
        s = rest;
    }
    for (i, &b) in s.iter().enumerate() {
        if b == b'/' || b == b'\\' {
            let after = s.get(i + 1..).unwrap_or_default();
            if after.iter().find(|&&c| c != b' ') == Some(&b'x') {
                return s.get(..i).unwrap_or_default();
            }
        }
    }
    s
}

fn extension_regex() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(EXTENSION)).as_ref()
}

/// Drops an extension suffix (`ext. 12`, `x12`, `#12`, `;ext=12`, ...) when
/// what precedes it is a viable number; the extension itself is not kept.
fn strip_extension(s: &[u8]) -> &[u8] {
    // Every extension pattern needs one of these (a label, `#`, `,`, `;`, `x`, `~`).
    if !s
        .iter()
        .any(|b| matches!(b, b';' | b',' | b'#' | b'~' | b'x' | b'e' | b'i' | b'a' | b'D' | b'Q'))
    {
        return s;
    }
    let Some(re) = extension_regex() else {
        return s;
    };
    let from = s.len().saturating_sub(MAX_EXTENSION_TAIL);
    for start in from..s.len() {
        let Some(tail) = s.get(start..) else { break };
        if !tail.first().is_some_and(|b| b" ,;-exDai#~".contains(b)) {
            continue;
        }
        if re.full_match(tail) {
            // Like Java's find(): only the leftmost match is considered.
            let prefix = s.get(..start).unwrap_or_default();
            return if is_viable(prefix) { prefix } else { s };
        }
    }
    s
}

/// libphonenumber's `VALID_PUNCTUATION` after folding (it includes `x`).
fn is_punctuation(b: u8) -> bool {
    b" -x()[]./~".contains(&b)
}

/// libphonenumber's `isViablePhoneNumber`: two digits, or pluses, then at
/// least three digits among punctuation, then anything phone-like.
fn is_viable(s: &[u8]) -> bool {
    if s.len() == 2 && s.iter().all(u8::is_ascii_digit) {
        return true;
    }
    let body = s.get(s.iter().take_while(|&&b| b == b'+').count()..);
    let mut digits = 0usize;
    for &b in body.unwrap_or_default() {
        if b.is_ascii_digit() {
            digits += 1;
        } else if !(is_punctuation(b) || b == b'*' || (digits >= 3 && b.is_ascii_lowercase())) {
            return false;
        }
    }
    digits >= 3
}

/// libphonenumber's `normalize` of a viable number: the digits, and with three or more
/// letters (a vanity number such as `1-800-FLOWERS`) the letters as their keypad digits;
/// fewer letters and the separators are dropped.
fn to_digits(s: &[u8]) -> Dialled {
    let pluses = s.iter().take_while(|&&b| b == b'+').count();
    let body = s.get(pluses..).unwrap_or_default();
    let vanity = body.iter().filter(|b| b.is_ascii_lowercase()).count() >= 3;
    let digits = body
        .iter()
        .filter_map(|&b| match b {
            b'0'..=b'9' => Some(b),
            b'a'..=b'z' if vanity => Some(keypad(b)),
            _ => None,
        })
        .collect();
    Dialled { plus: pluses > 0, digits }
}

/// The digit of a (lower-case) letter on a phone keypad (ITU E.161).
fn keypad(letter: u8) -> u8 {
    match letter {
        b'a'..=b'c' => b'2',
        b'd'..=b'f' => b'3',
        b'g'..=b'i' => b'4',
        b'j'..=b'l' => b'5',
        b'm'..=b'o' => b'6',
        b'p'..=b's' => b'7',
        b't'..=b'v' => b'8',
        _ => b'9',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> (bool, String) {
        let d = clean(input).unwrap_or_else(|e| panic!("{input:?}: {e:?}"));
        (d.plus, String::from_utf8(d.digits).unwrap())
    }

    #[test]
    fn folds_digits_and_symbols() {
        assert_eq!(fold('7'), b'7');
        assert_eq!(fold('\u{FF17}'), b'7'); // full-width
        assert_eq!(fold('\u{0667}'), b'7'); // Arabic-Indic
        assert_eq!(fold('\u{06F7}'), b'7'); // Extended Arabic-Indic
        assert_eq!(fold('\u{096D}'), b'7'); // Devanagari
        assert_eq!(fold('\u{FF0B}'), b'+');
        assert_eq!(fold('\u{2013}'), b'-');
        assert_eq!(fold('\u{00A0}'), b' ');
        assert_eq!(fold('\t'), b' ');
        assert_eq!(fold('E'), b'e');
        assert_eq!(fold('Д'), b'D');
        assert_eq!(fold('ü'), b'L');
        assert_eq!(fold('\u{0}'), b'?');
        assert_eq!(fold('`'), b'?');
        assert_eq!(fold('\u{10FFFF}'), b'L');
        assert_eq!(fold('\u{1D7D9}'), b'1'); // mathematical double-struck
    }

    #[test]
    fn cleans_typed_numbers() {
        assert_eq!(ok(" 071 123 45 67 "), (false, "0711234567".into()));
        assert_eq!(ok("+41 (71) 123-45.67"), (true, "41711234567".into()));
        assert_eq!(ok("＋４１ ７１ １２３ ４５ ６７"), (true, "41711234567".into()));
        assert_eq!(ok("++41 71 123 45 67"), (true, "41711234567".into()));
        assert_eq!(ok("Tel: 071/123 45 67."), (false, "0711234567".into()));
        assert_eq!(ok("tel:+41-71-123-45-67;ext=12"), (true, "41711234567".into()));
        assert_eq!(ok("TEL:+41-71-123-45-67"), (true, "41711234567".into()));
        assert_eq!(ok("tel:711234567;phone-context=+41"), (true, "41711234567".into()));
        assert_eq!(ok("tel:0711234567;phone-context=example.com"), (false, "0711234567".into()));
        assert_eq!(ok("tel:+41711234567;isub=12;foo=bar"), (true, "41711234567".into()));
        assert_eq!(ok("*100*1"), (false, "1001".into()));
        // Vanity numbers: three or more letters are keypad digits, fewer are dropped.
        assert_eq!(ok("1-800-FLOWERS"), (false, "18003569377".into()));
        assert_eq!(ok("+1 800 MICROSOFT"), (true, "1800642767638".into()));
        assert_eq!(ok("0800 ab 123"), (false, "0800123".into()));
    }

    #[test]
    fn strips_extensions() {
        for input in [
            "+41 71 123 45 67 ext. 89",
            "+41 71 123 45 67 ext 89",
            "+41 71 123 45 67 EXT: 89",
            "+41 71 123 45 67 extension 89",
            "+41 71 123 45 67 extensión 89",
            "+41 71 123 45 67 x89",
            "+41 71 123 45 67 X 89",
            "+41 71 123 45 67 #89",
            "+41 71 123 45 67 #89#",
            "+41 71 123 45 67;ext=89",
            "+41 71 123 45 67 доб. 89",
            "+41 71 123 45 67 anexo 89",
            "+41 71 123 45 67 int 89",
            "+41 71 123 45 67,,89",
            "+41 71 123 45 67;89",
            "+41 71 123 45 67 ｅｘｔ ８９",
            "+41 71 123 45 67 - 89#",
            "+41 71 123 45 67 x89/x90",
        ] {
            assert_eq!(ok(input), (true, "41711234567".into()), "{input}");
        }
        // Too many digits for the label: not an extension; `x` is punctuation to
        // libphonenumber, so the digits join the number.
        assert_eq!(ok("+41 71 123 45 67 x1234567890"), (true, "417112345671234567890".into()));
        // Nothing viable before it: kept, then rejected for the letters.
        assert_eq!(clean("1 ext 5"), Err(PhoneProblem::NotANumber));
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        assert_eq!(clean(""), Err(PhoneProblem::Empty));
        assert_eq!(clean(" \t\u{3000} "), Err(PhoneProblem::Empty));
        assert_eq!(clean("PhoneNumber"), Err(PhoneProblem::NoDigits));
        assert_eq!(clean("+"), Err(PhoneProblem::NoDigits));
        assert_eq!(clean("tel:;ext=1"), Err(PhoneProblem::NoDigits));
        assert_eq!(
            ok("FLOWERS-1-800"),
            (false, "1800".into()),
            "text before the number is dropped"
        );
        assert_eq!(clean("12a345"), Err(PhoneProblem::NotANumber));
        assert_eq!(clean("41+71"), Err(PhoneProblem::NotANumber));
        assert_eq!(clean("071 123 45 67 ü"), Err(PhoneProblem::NotANumber));
        assert_eq!(clean("071@123"), Err(PhoneProblem::NotANumber));
        assert_eq!(clean("tel:0711234567;phone-context="), Err(PhoneProblem::NotANumber));
        assert_eq!(clean(&"1".repeat(251)), Err(PhoneProblem::TooLong));
        assert_eq!(clean(&"é".repeat(251)), Err(PhoneProblem::TooLong));
        assert!(clean(&format!("{}{}", " ".repeat(1000), "1".repeat(250))).is_ok());
    }

    #[test]
    fn viability() {
        assert!(is_viable(b"12"));
        assert!(is_viable(b"+123"));
        assert!(is_viable(b"(1) 2-3 abc"));
        assert!(!is_viable(b"1"));
        assert!(is_viable(b"12 3a"));
        assert!(!is_viable(b"1a23"));
        assert!(!is_viable(b"12,3"));
    }
}
