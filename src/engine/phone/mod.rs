//! TEMPORARY stub until the real normaliser lands (same API).
#![allow(missing_docs)]
use std::fmt;
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Region([u8; 3]);
impl Region {
    pub fn parse(s: &str) -> Option<Region> {
        let up = s.to_ascii_uppercase();
        ["CH", "DE", "AT", "US", "GB"].iter().find(|r| **r == up).map(|r| {
            let b = r.as_bytes();
            Region([b[0], b[1], 0])
        })
    }
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0[..2]).unwrap_or("")
    }
}
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct E164Number(String);
impl E164Number {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PhoneNumber {
    e164: E164Number,
    national: String,
    region: Region,
}
impl PhoneNumber {
    pub fn e164(&self) -> &E164Number {
        &self.e164
    }
    pub fn country_code(&self) -> u16 {
        41
    }
    pub fn national_number(&self) -> &str {
        &self.national
    }
    pub fn region(&self) -> Region {
        self.region
    }
    pub fn is_possible(&self) -> bool {
        self.national.len() == 9
    }
    pub fn is_valid(&self) -> bool {
        self.is_possible()
    }
}
pub struct ParseOptions<'a> {
    pub default_region: Option<Region>,
    pub allowed_regions: Option<&'a [Region]>,
}
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum PhoneProblem {
    Empty,
    NoDigits,
    NotANumber,
    UnknownCountryCode,
    MissingRegion,
    TooShort,
    TooLong,
    InvalidForRegion,
    RegionNotAllowed,
}
impl fmt::Display for PhoneProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PhoneProblem::NoDigits => "no digits",
            PhoneProblem::InvalidForRegion => "not a valid number for the region",
            PhoneProblem::RegionNotAllowed => "region not allowed",
            _ => "other",
        })
    }
}
pub fn parse(input: &str, options: &ParseOptions) -> Result<PhoneNumber, PhoneProblem> {
    let t = input.trim();
    if t.is_empty() {
        return Err(PhoneProblem::Empty);
    }
    if t.chars().any(|c| c.is_ascii_alphabetic()) {
        return Err(PhoneProblem::NotANumber);
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Err(PhoneProblem::NoDigits);
    }
    let national = if t.starts_with('+') {
        digits.strip_prefix("41").ok_or(PhoneProblem::UnknownCountryCode)?.to_owned()
    } else if let Some(d) = digits.strip_prefix("0041") {
        d.to_owned()
    } else {
        options.default_region.ok_or(PhoneProblem::MissingRegion)?;
        digits.strip_prefix('0').unwrap_or(&digits).to_owned()
    };
    if national.len() < 2 {
        return Err(PhoneProblem::TooShort);
    }
    if national.len() > 13 {
        return Err(PhoneProblem::TooLong);
    }
    let region = Region::parse("CH").ok_or(PhoneProblem::UnknownCountryCode)?;
    if let Some(allowed) = options.allowed_regions {
        if !allowed.contains(&region) {
            return Err(PhoneProblem::RegionNotAllowed);
        }
    }
    Ok(PhoneNumber { e164: E164Number(format!("+41{national}")), national, region })
}
