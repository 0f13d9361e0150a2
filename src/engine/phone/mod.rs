//! Phone-number normalisation to E.164.
//!
//! [`parse()`] follows Google libphonenumber's `PhoneNumberUtil.parse`,
//! `isValidNumber`, `getNumberType`, `getRegionCodeForNumber` and
//! `isPossibleNumber` on libphonenumber's own metadata, generated into
//! `metadata.rs` by `scripts/gen-phone-metadata.mjs`, then applies the caller's
//! policy ([`Validation`], allowed regions and types).
//!
//! Std only, no allocation of the tables, no panics on any input, and work
//! bounded by the (capped) input length.

use core::fmt;

#[cfg(all(test, not(target_arch = "wasm32")))]
#[rustfmt::skip]
mod examples;
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
        let code = core::str::from_utf8(upper.get(..bytes.len())?).ok()?;
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
    number_type: NumberType,
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
    /// libphonenumber's `getRegionCodeForNumber`: for calling codes shared by
    /// regions, the first region (main country first) whose `leadingDigits`
    /// start the number or, for regions without them, where the number is
    /// valid (`+1 416 555 0123` is CA, `+44 1481 ...` is GG). A number valid
    /// in none of them has no region there; this then gives the default region
    /// when it shares the code, else the code's main country.
    pub fn region(&self) -> Region {
        self.region
    }

    /// libphonenumber's `getNumberType`; [`NumberType::Unknown`] when not valid.
    pub fn number_type(&self) -> NumberType {
        self.number_type
    }

    /// libphonenumber's `isPossibleNumber`: the national number has one of the
    /// calling code's possible lengths (also lengths possible only locally).
    pub fn is_possible(&self) -> bool {
        self.possible
    }

    /// libphonenumber's `isValidNumber`: the number matches a number type of its
    /// region's numbering plan.
    pub fn is_valid(&self) -> bool {
        self.valid
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.e164.as_str())
    }
}

/// The kind of a phone number, libphonenumber's `PhoneNumberType`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum NumberType {
    /// A mobile number.
    Mobile,
    /// A fixed-line (landline) number.
    FixedLine,
    /// A number that can be either, where the plan does not tell them apart (e.g. US).
    FixedLineOrMobile,
    /// Free to the caller.
    TollFree,
    /// Charged above the normal rate.
    PremiumRate,
    /// The cost is split between caller and recipient.
    SharedCost,
    /// Voice over IP.
    Voip,
    /// A personal number that is routed to wherever its owner is.
    PersonalNumber,
    /// A pager.
    Pager,
    /// A company number that is routed to one of its offices (universal access number).
    Uan,
    /// Direct access to a voicemail box.
    Voicemail,
    /// Not a valid number, so of no type.
    Unknown,
}

impl NumberType {
    /// Every type, in the order of [`NumberType::as_str`]'s documentation.
    pub const ALL: [NumberType; 12] = [
        NumberType::Mobile,
        NumberType::FixedLine,
        NumberType::FixedLineOrMobile,
        NumberType::TollFree,
        NumberType::PremiumRate,
        NumberType::SharedCost,
        NumberType::Voip,
        NumberType::PersonalNumber,
        NumberType::Pager,
        NumberType::Uan,
        NumberType::Voicemail,
        NumberType::Unknown,
    ];

    /// The name used in JSON: `mobile`, `fixedLine`, `fixedLineOrMobile`, `tollFree`,
    /// `premiumRate`, `sharedCost`, `voip`, `personalNumber`, `pager`, `uan`, `voicemail`,
    /// `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            NumberType::Mobile => "mobile",
            NumberType::FixedLine => "fixedLine",
            NumberType::FixedLineOrMobile => "fixedLineOrMobile",
            NumberType::TollFree => "tollFree",
            NumberType::PremiumRate => "premiumRate",
            NumberType::SharedCost => "sharedCost",
            NumberType::Voip => "voip",
            NumberType::PersonalNumber => "personalNumber",
            NumberType::Pager => "pager",
            NumberType::Uan => "uan",
            NumberType::Voicemail => "voicemail",
            NumberType::Unknown => "unknown",
        }
    }

    /// Reads a name written by [`as_str`](Self::as_str).
    pub fn parse(name: &str) -> Option<NumberType> {
        NumberType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl fmt::Display for NumberType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much of libphonenumber's checking a number must pass.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Validation {
    /// `isValidNumber`: the number matches its region's numbering plan (the default).
    #[default]
    Valid,
    /// `isPossibleNumber`: only its length is checked.
    Possible,
    /// Anything libphonenumber can parse, as ZITADEL accepts (`12` in CH is `+4112`).
    Parseable,
}

impl Validation {
    /// The option value: `valid`, `possible` or `parseable`.
    pub fn as_str(self) -> &'static str {
        match self {
            Validation::Valid => "valid",
            Validation::Possible => "possible",
            Validation::Parseable => "parseable",
        }
    }

    /// Reads an option value written by [`as_str`](Self::as_str).
    pub fn parse(name: &str) -> Option<Validation> {
        [Validation::Valid, Validation::Possible, Validation::Parseable]
            .into_iter()
            .find(|v| v.as_str() == name)
    }
}

/// How to read an input, and which numbers to accept.
#[derive(Clone, Copy, Debug, Default)]
pub struct ParseOptions<'a> {
    /// Region whose dialling rules apply to numbers written without `+`.
    /// "001" cannot be a default region (it has no national dialling).
    pub default_region: Option<Region>,
    /// When set, a number from any other region is rejected.
    pub allowed_regions: Option<&'a [Region]>,
    /// How much checking a number must pass.
    pub validation: Validation,
    /// When set, a number of any other type is rejected (an invalid number's type is
    /// [`NumberType::Unknown`]).
    pub allowed_types: Option<&'a [NumberType]>,
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
    /// Between the region's shortest and longest numbers, but of no possible length.
    ImpossibleLength,
    /// Not a valid number for its region ([`PhoneNumber::is_valid`]).
    InvalidForRegion,
    /// The number's region is not in [`ParseOptions::allowed_regions`].
    RegionNotAllowed,
    /// The number's type is not in [`ParseOptions::allowed_types`].
    TypeNotAllowed,
}

impl PhoneProblem {
    /// The short lowercase reason, as Display writes it.
    pub fn as_str(&self) -> &'static str {
        match self {
            PhoneProblem::Empty => "empty",
            PhoneProblem::NoDigits => "no digits",
            PhoneProblem::NotANumber => "not a phone number",
            PhoneProblem::UnknownCountryCode => "unknown country calling code",
            PhoneProblem::MissingRegion => "national number without a default region",
            PhoneProblem::TooShort => "too short",
            PhoneProblem::TooLong => "too long",
            PhoneProblem::ImpossibleLength => "not a possible length for the region",
            PhoneProblem::InvalidForRegion => "not a valid number for the region",
            PhoneProblem::RegionNotAllowed => "region not allowed",
            PhoneProblem::TypeNotAllowed => "type not allowed",
        }
    }
}

impl fmt::Display for PhoneProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for PhoneProblem {}

/// Parses what a person typed into a phone number and checks it against the
/// options' policy.
///
/// Accepts separators, a leading `+`, the default region's international
/// (IDD) and national prefixes, `tel:` URIs, vanity letters (`1-800-FLOWERS`)
/// and extensions (dropped); see [`PhoneProblem`] for what is rejected. The
/// checks run in this order: parsing, [`ParseOptions::validation`], the
/// allowed regions, the allowed types.
pub fn parse(input: &str, options: &ParseOptions) -> Result<PhoneNumber, PhoneProblem> {
    parse::parse(input, options)
}
