//! Phone-number normalisation to E.164.
//!
//! [`parse()`] follows Google libphonenumber's `PhoneNumberUtil.parse` (and
//! `getRegionCodeForNumber`, `isPossibleNumber`) on libphonenumber's own
//! metadata, generated into `metadata.rs` by `scripts/gen-phone-metadata.mjs`.
//! Full numbering-plan validation is not done yet: [`PhoneNumber::is_valid`]
//! is the same as [`PhoneNumber::is_possible`] (see `plan.rs`).
//!
//! Std only, no allocation of the tables, no panics on any input, and work
//! bounded by the (capped) input length.

use std::fmt;

#[rustfmt::skip]
mod metadata;
mod parse;
mod pattern;
mod plan;
mod territory;
mod text;

// proptest is a native-only dev-dependency; the engine is tested natively.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

pub use metadata::METADATA_VERSION;

/// ISO 3166-1 alpha-2 region known to the metadata, or the non-geographic "001".
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(u16);

impl Region {
    /// Parses a region code case-insensitively; only regions in the metadata
    /// (and "001") are accepted, so a `Region` always has metadata behind it.
    pub fn parse(s: &str) -> Option<Region> {
        let bytes = s.as_bytes();
        if !(2..=3).contains(&bytes.len()) {
            return None;
        }
        let mut upper = [0u8; 3];
        for (dst, src) in upper.iter_mut().zip(bytes) {
            *dst = src.to_ascii_uppercase();
        }
        let code = std::str::from_utf8(upper.get(..bytes.len())?).ok()?;
        territory::region_index(code).map(Region)
    }

    /// The upper-case region code, e.g. "CH" or "001".
    pub fn as_str(&self) -> &'static str {
        territory::region_code(self.0)
    }

    /// The region's country calling code; None for "001", which has several.
    pub fn calling_code(&self) -> Option<u16> {
        territory::for_region(self.0).map(|t| t.country_code)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Region({:?})", self.as_str())
    }
}

/// A phone number in E.164 (`+41711234567`), built only by parsing.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct E164Number(String);

impl E164Number {
    /// `+`, the country calling code and the national number, digits only.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for E164Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for E164Number {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<E164Number> for String {
    fn from(n: E164Number) -> String {
        n.0
    }
}

/// A parsed phone number.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PhoneNumber {
    e164: E164Number,
    country_code: u16,
    /// Byte offset of the national number in `e164`.
    national_start: usize,
    region: Region,
    possible: bool,
    valid: bool,
}

impl PhoneNumber {
    /// The number in E.164 form.
    pub fn e164(&self) -> &E164Number {
        &self.e164
    }

    /// Country calling code, e.g. 41.
    pub fn country_code(&self) -> u16 {
        self.country_code
    }

    /// National significant number (after the calling code), leading zeros kept.
    pub fn national_number(&self) -> &str {
        self.e164.0.get(self.national_start..).unwrap_or("")
    }

    /// Region the number belongs to ("001" for non-geographic calling codes).
    ///
    /// For calling codes shared by regions this uses the metadata's
    /// `leadingDigits`, else the default region when it shares the code, else
    /// the code's main country (so `+1 416...` is US unless the default is CA).
    pub fn region(&self) -> Region {
        self.region
    }

    /// The national number has one of the region's possible lengths.
    pub fn is_possible(&self) -> bool {
        self.possible
    }

    /// The number is valid for its region. For now the same as
    /// [`is_possible`](Self::is_possible): numbering-plan patterns come later.
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// Keeps the number only if [`is_valid`](Self::is_valid), else
    /// [`PhoneProblem::InvalidForRegion`]: `parse(..).and_then(PhoneNumber::require_valid)`.
    pub fn require_valid(self) -> Result<PhoneNumber, PhoneProblem> {
        if self.valid {
            Ok(self)
        } else {
            Err(PhoneProblem::InvalidForRegion)
        }
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.e164.as_str())
    }
}

/// How to read an input.
#[derive(Clone, Copy, Debug, Default)]
pub struct ParseOptions<'a> {
    /// Region whose dialling rules apply to numbers written without `+`.
    /// "001" cannot be a default region (it has no national dialling).
    pub default_region: Option<Region>,
    /// When set, a number from any other region is rejected.
    pub allowed_regions: Option<&'a [Region]>,
}

/// Why an input is not an acceptable phone number; Display gives a short
/// lowercase reason for error messages.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum PhoneProblem {
    /// Nothing left after trimming.
    Empty,
    /// No digit at all.
    NoDigits,
    /// Letters or symbols a phone number cannot contain.
    NotANumber,
    /// The country calling code after `+` or an international prefix is unknown.
    UnknownCountryCode,
    /// A national number was given without a default region.
    MissingRegion,
    /// Too few digits for the region (or for any number).
    TooShort,
    /// Too many digits for the region, for E.164, or input over 250 characters.
    TooLong,
    /// Not a valid number for its region (see [`PhoneNumber::require_valid`]).
    InvalidForRegion,
    /// The number's region is not in [`ParseOptions::allowed_regions`].
    RegionNotAllowed,
}

impl fmt::Display for PhoneProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PhoneProblem::Empty => "empty",
            PhoneProblem::NoDigits => "no digits",
            PhoneProblem::NotANumber => "not a phone number",
            PhoneProblem::UnknownCountryCode => "unknown country calling code",
            PhoneProblem::MissingRegion => "national number without a default region",
            PhoneProblem::TooShort => "too short",
            PhoneProblem::TooLong => "too long",
            PhoneProblem::InvalidForRegion => "not a valid number for the region",
            PhoneProblem::RegionNotAllowed => "region not allowed",
        })
    }
}

impl std::error::Error for PhoneProblem {}

/// Parses what a person typed into a phone number.
///
/// Accepts separators, a leading `+`, the default region's international
/// (IDD) and national prefixes, `tel:` URIs and extensions (dropped); see
/// [`PhoneProblem`] for what is rejected.
pub fn parse(input: &str, options: &ParseOptions) -> Result<PhoneNumber, PhoneProblem> {
    parse::parse(input, options)
}
