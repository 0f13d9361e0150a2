//! The parsing algorithm: libphonenumber's `parseHelper`,
//! `maybeExtractCountryCode` and `maybeStripNationalPrefixAndCarrierCode`, then
//! the caller's policy.

use std::borrow::Cow;

use super::pattern;
use super::plan::{self, Length};
use super::territory::{self, Territory};
use super::text::{self, Dialled};
use super::{E164Number, NumberType, ParseOptions, PhoneNumber, PhoneProblem, Region, Validation};

/// libphonenumber's `MIN_LENGTH_FOR_NSN`.
const MIN_NSN: usize = 2;
/// libphonenumber's `MAX_LENGTH_FOR_NSN`.
const MAX_NSN: usize = 17;
/// Longest country calling code.
const MAX_CC_DIGITS: usize = 3;

pub(super) fn parse(input: &str, options: &ParseOptions) -> Result<PhoneNumber, PhoneProblem> {
    let number = parse_number(input, options.default_region)?;
    match options.validation {
        Validation::Parseable => {}
        Validation::Possible | Validation::Valid if !number.possible => {
            let main =
                main_territory(number.country_code).ok_or(PhoneProblem::UnknownCountryCode)?;
            return Err(match plan::test_length(number.national_number().len(), main) {
                Length::TooShort => PhoneProblem::TooShort,
                Length::TooLong => PhoneProblem::TooLong,
                _ => PhoneProblem::ImpossibleLength,
            });
        }
        Validation::Possible => {}
        Validation::Valid if !number.valid => return Err(PhoneProblem::InvalidForRegion),
        Validation::Valid => {}
    }
    if options.allowed_regions.is_some_and(|allowed| !allowed.contains(&number.region)) {
        return Err(PhoneProblem::RegionNotAllowed);
    }
    if options.allowed_types.is_some_and(|allowed| !allowed.contains(&number.number_type)) {
        return Err(PhoneProblem::TypeNotAllowed);
    }
    Ok(number)
}

/// libphonenumber's `parse`, then its verdicts on the result.
fn parse_number(input: &str, default_region: Option<Region>) -> Result<PhoneNumber, PhoneProblem> {
    let Dialled { plus, digits } = text::clean(input)?;
    let home = default_region.and_then(|r| territory::for_region(r.0));
    let (country_code, mut national, code_in_number) = country_code(plus, &digits, home)?;
    if national.len() < MIN_NSN {
        return Err(PhoneProblem::TooShort);
    }

    // National prefix rules: those of the region the number was dialled in, or
    // the calling code's main country when the number carried its own code.
    let home_shares_code = home.is_some_and(|h| h.country_code == country_code);
    let rules = if code_in_number { main_territory(country_code) } else { home };
    if let Some(rules) = rules {
        if let Some(stripped) = strip_national_prefix(&national, rules) {
            // Keep the prefix when stripping leaves an impossible number: the
            // input may be a number that really starts with those digits.
            if matches!(
                plan::test_length(stripped.len(), rules),
                Length::Possible | Length::TooLong
            ) {
                national = Cow::Owned(stripped);
            }
        }
    }
    if national.len() < MIN_NSN {
        return Err(PhoneProblem::TooShort);
    }
    if !national.iter().all(u8::is_ascii_digit) {
        return Err(PhoneProblem::NotANumber); // unreachable with sane metadata
    }
    let code = country_code.to_string();
    let code = code.as_str();
    // libphonenumber's limit, not E.164's 15 digits: its plans have valid numbers beyond
    // that (German national numbers of up to 15 digits).
    if national.len() > MAX_NSN {
        return Err(PhoneProblem::TooLong);
    }

    let list = territory::for_calling_code(country_code);
    let main = main_territory(country_code).ok_or(PhoneProblem::UnknownCountryCode)?;
    let found = match list {
        [only] => territory::get(*only).map(|t| (t, None)),
        _ => plan::region_of(&national, list.iter().filter_map(|&i| territory::get(i))),
    };
    let number_type = match found {
        Some((_, Some(known))) => known,
        Some((t, None)) => plan::number_type(&national, t),
        None => NumberType::Unknown,
    };
    let found = found.map(|(t, _)| t);
    let shown = found.or(home.filter(|_| home_shares_code)).unwrap_or(main);

    let mut e164 = String::with_capacity(1 + code.len() + national.len());
    e164.push('+');
    e164.push_str(code);
    e164.extend(national.iter().map(|&b| char::from(b)));
    Ok(PhoneNumber {
        e164: E164Number(e164),
        country_code,
        national_start: 1 + code.len(),
        region: Region(shown.region),
        number_type,
        possible: plan::test_length(national.len(), main).is_possible(),
        valid: number_type != NumberType::Unknown,
    })
}

/// Calling code, national number, and whether the code was in the input.
fn country_code<'a>(
    plus: bool,
    digits: &'a [u8],
    home: Option<&'static Territory>,
) -> Result<(u16, Cow<'a, [u8]>, bool), PhoneProblem> {
    if plus {
        return match after_international_prefix(digits) {
            Ok((cc, national)) => Ok((cc, Cow::Borrowed(national), true)),
            // Like libphonenumber, retry without the plus ("+00 41 ...").
            Err(PhoneProblem::UnknownCountryCode) if home.is_some() => {
                match without_plus(digits, home)? {
                    Some((cc, national)) => Ok((cc, Cow::Owned(national), true)),
                    None => Err(PhoneProblem::UnknownCountryCode),
                }
            }
            Err(e) => Err(e),
        };
    }
    let home = home.ok_or(PhoneProblem::MissingRegion)?;
    Ok(match without_plus(digits, Some(home))? {
        Some((cc, national)) => (cc, Cow::Owned(national), true),
        None => (home.country_code, Cow::Borrowed(digits), false),
    })
}

/// The number after `+` or an IDD: a known calling code, then the rest.
fn after_international_prefix(digits: &[u8]) -> Result<(u16, &[u8]), PhoneProblem> {
    if digits.len() <= MIN_NSN {
        return Err(PhoneProblem::TooShort);
    }
    if digits.first() == Some(&b'0') {
        return Err(PhoneProblem::UnknownCountryCode);
    }
    // Calling codes form a prefix code, so the first hit is the only one.
    let mut cc: u16 = 0;
    for (i, &d) in digits.iter().take(MAX_CC_DIGITS).enumerate() {
        let Some(value) = d.checked_sub(b'0').filter(|v| *v < 10) else {
            break;
        };
        cc = cc * 10 + u16::from(value);
        if !territory::for_calling_code(cc).is_empty() {
            return Ok((cc, digits.get(i + 1..).unwrap_or_default()));
        }
    }
    Err(PhoneProblem::UnknownCountryCode)
}

/// A number without `+` that still carries a calling code: after the home
/// region's IDD, or starting with the home calling code where that reads
/// better than a national number (libphonenumber's `maybeExtractCountryCode`).
fn without_plus(
    digits: &[u8],
    home: Option<&'static Territory>,
) -> Result<Option<(u16, Vec<u8>)>, PhoneProblem> {
    let Some(home) = home else {
        return Ok(None);
    };
    if !home.idd().is_empty() {
        if let Some(caps) = territory::idd_regex(home).and_then(|re| re.looking_at(digits)) {
            let rest = digits.get(caps.end()..).unwrap_or_default();
            // A calling code cannot start with 0, so then it was no IDD.
            if rest.first() != Some(&b'0') {
                let (cc, national) = after_international_prefix(rest)?;
                return Ok(Some((cc, national.to_vec())));
            }
        }
    }
    let code = home.country_code.to_string();
    if let Some(rest) = digits.strip_prefix(code.as_bytes()) {
        let national = strip_national_prefix(rest, home).unwrap_or_else(|| rest.to_vec());
        if (!plan::matches_general(digits, home) && plan::matches_general(&national, home))
            || plan::test_length(digits.len(), home) == Length::TooLong
        {
            return Ok(Some((home.country_code, national)));
        }
    }
    Ok(None)
}

/// libphonenumber's `maybeStripNationalPrefixAndCarrierCode`: the number
/// without its national (trunk) prefix, after the transform rule if any;
/// None when there is nothing to strip or stripping would spoil a number
/// that looked right (the carrier code is dropped).
fn strip_national_prefix(number: &[u8], rules: &'static Territory) -> Option<Vec<u8>> {
    if number.is_empty() || rules.national_prefix().is_empty() {
        return None;
    }
    let caps = territory::national_prefix_regex(rules)?.looking_at(number)?;
    let rest = number.get(caps.end()..)?;
    let candidate = if rules.transform().is_empty() || caps.group(caps.group_count()).is_none() {
        rest.to_vec()
    } else {
        let mut out = pattern::expand(rules.transform(), &caps, number)?;
        out.extend_from_slice(rest);
        out
    };
    if plan::matches_general(number, rules) && !plan::matches_general(&candidate, rules) {
        return None;
    }
    Some(candidate)
}

/// First territory listed for the calling code (its main country).
fn main_territory(country_code: u16) -> Option<&'static Territory> {
    territory::for_calling_code(country_code).first().and_then(|&i| territory::get(i))
}
