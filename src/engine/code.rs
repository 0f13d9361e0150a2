//! Verification codes: generated from supplied random bytes without modulo bias, stored only as
//! a keyed hash bound to the user and the number, and checked in constant time.

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Serialize, Serializer};
use sha2::Sha256;

use super::error::PhoneError;

/// A source of cryptographically secure random bytes (the platform CSPRNG in wasm, a scripted
/// source in tests), as rustls's `SecureRandom`.
pub trait RandomSource {
    /// Fills `bytes` with random bytes.
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), RandomUnavailable>;
}

/// The random source could not deliver bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RandomUnavailable;

impl From<RandomUnavailable> for PhoneError {
    fn from(_: RandomUnavailable) -> Self {
        PhoneError::RandomUnavailable
    }
}

/// The characters codes are drawn from: distinct printable ASCII characters.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Alphabet(Vec<u8>);

impl Alphabet {
    /// Parses a list of characters and ranges such as `A-Z0-9` (a `-` at either end is
    /// literal).
    pub fn parse(spec: &str) -> Result<Alphabet, &'static str> {
        let bytes = spec.as_bytes();
        if !bytes.iter().all(|b| b.is_ascii_graphic()) {
            return Err("must list printable ASCII characters only, such as A-Z0-9");
        }
        let mut chars = Vec::new();
        let mut i = 0;
        while let Some(&first) = bytes.get(i) {
            match (bytes.get(i + 1), bytes.get(i + 2)) {
                (Some(b'-'), Some(&last)) => {
                    if last < first {
                        return Err("has a range whose end comes before its start");
                    }
                    chars.extend(first..=last);
                    i += 3;
                }
                _ => {
                    chars.push(first);
                    i += 1;
                }
            }
        }
        // Printable ASCII only (checked above), so a 128-bit set finds repeats.
        let mut seen = 0u128;
        for &c in &chars {
            let bit = 1u128.checked_shl(u32::from(c)).unwrap_or(0);
            if seen & bit != 0 {
                return Err("lists a character twice");
            }
            seen |= bit;
        }
        if chars.len() < 2 {
            return Err("must have at least 2 characters");
        }
        Ok(Alphabet(chars))
    }

    /// Number of characters.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The characters.
    pub fn chars(&self) -> impl Iterator<Item = char> + '_ {
        self.0.iter().map(|&b| char::from(b))
    }

    /// Whether the alphabet is empty (never, once parsed).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Brings a typed code to the alphabet's letter case, so that `x7k2qp` matches `X7K2QP`
    /// when the alphabet has letters of one case only.
    fn fold_case(&self, typed: &str) -> String {
        let has_upper = self.0.iter().any(u8::is_ascii_uppercase);
        let has_lower = self.0.iter().any(u8::is_ascii_lowercase);
        match (has_upper, has_lower) {
            (true, false) => typed.to_ascii_uppercase(),
            (false, true) => typed.to_ascii_lowercase(),
            _ => typed.to_owned(),
        }
    }
}

impl Default for Alphabet {
    /// `A-Z0-9`, ZITADEL's default.
    fn default() -> Self {
        Alphabet((b'A'..=b'Z').chain(b'0'..=b'9').collect())
    }
}

/// A code in clear text. Only ever returned to the caller or sent by SMS, never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct ClearCode(String);

impl ClearCode {
    /// The code's characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClearCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClearCode(<redacted>)")
    }
}

/// Draws a code of `length` characters from `alphabet`.
///
/// Rejection sampling: a byte is used only if it is below the largest multiple of the alphabet
/// size that fits in 256, so every character is equally likely (no modulo bias).
pub fn generate(
    alphabet: &Alphabet,
    length: usize,
    random: &mut dyn RandomSource,
) -> Result<ClearCode, PhoneError> {
    let size = alphabet.0.len();
    if !(2..=256).contains(&size) {
        return Err(PhoneError::RandomUnavailable);
    }
    let limit = 256 - 256 % size;
    let mut code = String::with_capacity(length);
    let mut buffer = [0u8; 32];
    // A working CSPRNG rejects fewer than half the bytes; 64 rounds without a code means the
    // source is broken (e.g. returns only 0xFF), not unlucky.
    for _ in 0..64 {
        random.fill(&mut buffer)?;
        for &byte in &buffer {
            let byte = usize::from(byte);
            if byte < limit {
                if let Some(&c) = alphabet.0.get(byte % size) {
                    code.push(char::from(c));
                }
                if code.len() == length {
                    return Ok(ClearCode(code));
                }
            }
        }
    }
    Err(PhoneError::RandomUnavailable)
}

/// The server-side key for code hashes (`codeSecret`), redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct CodeSecret(Vec<u8>);

impl CodeSecret {
    /// Wraps the secret's bytes; length rules live in the options.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        CodeSecret(bytes.into())
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for CodeSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeSecret(<redacted>)")
    }
}

/// HMAC-SHA256 of a code, bound to the user and the number, as stored in the record.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CodeHash([u8; 32]);

impl CodeHash {
    /// The keyed hash of `code` for `user_id` and `number`.
    pub fn of(secret: &CodeSecret, user_id: &str, number: &str, code: &ClearCode) -> CodeHash {
        CodeHash(keyed(secret, user_id, number, &code.0).finalize().into_bytes().into())
    }

    /// Whether `typed` is the code behind this hash; constant time in the hash comparison
    /// (`Mac::verify_slice`), so timing reveals nothing about how much of a guess was right.
    pub fn matches(
        &self,
        secret: &CodeSecret,
        alphabet: &Alphabet,
        user_id: &str,
        number: &str,
        typed: &str,
    ) -> bool {
        let typed = alphabet.fold_case(typed);
        keyed(secret, user_id, number, &typed).verify_slice(&self.0).is_ok()
    }

    /// Lowercase hex, as stored.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses 64 hex digits.
    pub fn from_hex(hex: &str) -> Option<CodeHash> {
        let bytes = hex.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            // Digits only: `u8::from_str_radix` would also take a sign.
            let digit = |d: u8| char::from(d).to_digit(16);
            let [high, low] = pair else { return None };
            *slot = (digit(*high)? << 4 | digit(*low)?) as u8;
        }
        Some(CodeHash(out))
    }
}

/// As stored: lowercase hex.
impl Serialize for CodeHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

/// The code's characters (in a `returnCode` reply).
impl Serialize for ClearCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// The MAC over a domain label and the length-prefixed user id, number and code, so that no two
/// different triples give the same input.
fn keyed(secret: &CodeSecret, user_id: &str, number: &str, code: &str) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret.0).expect("HMAC takes any key length");
    mac.update(b"contact-phone/code/v1");
    for part in [user_id, number, code] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replays the given bytes, then fails.
    struct Scripted(Vec<u8>);

    impl RandomSource for Scripted {
        fn fill(&mut self, bytes: &mut [u8]) -> Result<(), RandomUnavailable> {
            if self.0.len() < bytes.len() {
                return Err(RandomUnavailable);
            }
            let rest = self.0.split_off(bytes.len());
            bytes.copy_from_slice(&self.0);
            self.0 = rest;
            Ok(())
        }
    }

    #[test]
    fn alphabet_ranges_and_errors() {
        assert_eq!(Alphabet::parse("A-Z0-9").unwrap(), Alphabet::default());
        assert_eq!(Alphabet::parse("0-9").unwrap().len(), 10);
        assert_eq!(Alphabet::parse("-ab").unwrap().0, b"-ab");
        assert_eq!(Alphabet::parse("ab-").unwrap().0, b"ab-");
        assert!(Alphabet::parse("Z-A").is_err());
        assert!(Alphabet::parse("A-Z0-9A").is_err());
        assert!(Alphabet::parse("a").is_err());
        assert!(Alphabet::parse("a b").is_err());
        assert!(Alphabet::parse("äb").is_err());
        assert!(Alphabet::parse("").is_err());
    }

    #[test]
    fn rejection_sampling_skips_biased_bytes() {
        // 36 characters: bytes 252..=255 would favour A-D, so they are skipped.
        let mut bytes = vec![252, 253, 254, 255, 0, 35, 36, 51];
        bytes.resize(32, 0);
        let code = generate(&Alphabet::default(), 4, &mut Scripted(bytes)).unwrap();
        assert_eq!(code.as_str(), "A9AP");
    }

    /// SplitMix64: a fixed-seed stand-in for the CSPRNG, so the statistics below are repeatable.
    struct SplitMix(u64);

    impl RandomSource for SplitMix {
        fn fill(&mut self, bytes: &mut [u8]) -> Result<(), RandomUnavailable> {
            for chunk in bytes.chunks_mut(8) {
                self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = self.0;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^= z >> 31;
                chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
            }
            Ok(())
        }
    }

    /// Pearson's chi-square statistic of `counts` against a uniform distribution.
    fn chi_square(counts: &[u64]) -> f64 {
        let total: u64 = counts.iter().sum();
        let expected = total as f64 / counts.len() as f64;
        counts.iter().map(|&c| (c as f64 - expected).powi(2) / expected).sum()
    }

    #[test]
    fn codes_are_uniform_over_the_alphabet() {
        // 36 and 62 characters do not divide 256: plain `byte % size` would favour the first
        // 256 % size characters by 1/7 (36) or 1/4 (62), which this test detects.
        for (spec, critical) in [("A-Z0-9", 66.62), ("a-zA-Z0-9", 99.61), ("0-9", 27.88)] {
            let alphabet = Alphabet::parse(spec).unwrap();
            let mut counts = vec![0u64; alphabet.len()];
            let mut random = SplitMix(0x5EED);
            for _ in 0..20_000 {
                let code = generate(&alphabet, 10, &mut random).unwrap();
                for b in code.as_str().bytes() {
                    let i = alphabet.0.iter().position(|&c| c == b).unwrap();
                    counts[i] += 1;
                }
            }
            // Critical values of chi-square at p = 0.001 for 35, 61 and 9 degrees of freedom.
            let statistic = chi_square(&counts);
            assert!(statistic < critical, "{spec}: chi-square {statistic:.1} >= {critical}");
        }
    }

    #[test]
    fn the_chi_square_test_detects_modulo_bias() {
        let alphabet = Alphabet::default();
        let mut counts = vec![0u64; alphabet.len()];
        let mut random = SplitMix(0x5EED);
        let mut byte = [0u8; 1];
        for _ in 0..200_000 {
            random.fill(&mut byte).unwrap();
            counts[usize::from(byte[0]) % alphabet.len()] += 1;
        }
        assert!(chi_square(&counts) > 66.62);
    }

    #[test]
    fn a_source_of_only_rejected_bytes_or_none_is_an_error() {
        let err = generate(&Alphabet::default(), 6, &mut Scripted(vec![255; 32 * 64]));
        assert_eq!(err, Err(PhoneError::RandomUnavailable));
        let err = generate(&Alphabet::default(), 6, &mut Scripted(vec![]));
        assert_eq!(err, Err(PhoneError::RandomUnavailable));
    }

    #[test]
    fn hash_binds_user_number_and_code_and_folds_case() {
        let secret = CodeSecret::new([7u8; 32]);
        let code = ClearCode("X7K2QP".into());
        let hash = CodeHash::of(&secret, "u1", "+41711234567", &code);
        let abc = Alphabet::default();
        assert!(hash.matches(&secret, &abc, "u1", "+41711234567", "X7K2QP"));
        assert!(hash.matches(&secret, &abc, "u1", "+41711234567", "x7k2qp"));
        assert!(!hash.matches(&secret, &abc, "u2", "+41711234567", "X7K2QP"));
        assert!(!hash.matches(&secret, &abc, "u1", "+41711234568", "X7K2QP"));
        assert!(!hash.matches(&secret, &abc, "u1", "+41711234567", "X7K2QQ"));
        assert!(!hash.matches(&CodeSecret::new([8u8; 32]), &abc, "u1", "+41711234567", "X7K2QP"));
        let mixed = Alphabet::parse("a-zA-Z").unwrap();
        assert!(!hash.matches(&secret, &mixed, "u1", "+41711234567", "x7k2qp"));
        // Length prefixes: moving a character between user id and number changes the hash.
        assert_ne!(
            CodeHash::of(&secret, "u1+", "41711234567", &code),
            CodeHash::of(&secret, "u1", "+41711234567", &code)
        );
    }

    #[test]
    fn hash_hex_round_trip() {
        let hash = CodeHash::of(&CodeSecret::new(*b"k"), "u", "n", &ClearCode("C".into()));
        let hex = hash.to_hex();
        assert_eq!(hex.len(), 64);
        assert_eq!(CodeHash::from_hex(&hex), Some(hash));
        assert_eq!(CodeHash::from_hex(&hex[1..]), None);
        assert_eq!(CodeHash::from_hex(&"g".repeat(64)), None);
        assert_eq!(CodeHash::from_hex(&"+f".repeat(32)), None, "no sign, as from_str_radix takes");
        assert_eq!(CodeHash::from_hex(&"é".repeat(32)), None);
    }

    #[test]
    fn secrets_and_codes_are_redacted_in_debug() {
        assert_eq!(format!("{:?}", CodeSecret::new(*b"hunter2")), "CodeSecret(<redacted>)");
        assert_eq!(format!("{:?}", ClearCode("ABC".into())), "ClearCode(<redacted>)");
    }
}
