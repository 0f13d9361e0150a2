//! Behaviour tests for `parse`, metadata sanity checks and property tests.

use proptest::prelude::*;

use super::metadata::{CALLING_CODES, METADATA_VERSION, TERRITORIES};
use super::pattern::Regex;
use super::territory::{self, region_code, REGION_COUNT, WORLD};
use super::*;

fn region(code: &str) -> Region {
    Region::parse(code).unwrap_or_else(|| panic!("unknown region {code}"))
}

/// Parsing only (ZITADEL's level), so that parse tests do not depend on the plans.
fn with(default: Option<&str>) -> ParseOptions<'static> {
    ParseOptions {
        default_region: default.map(region),
        validation: Validation::Parseable,
        ..ParseOptions::default()
    }
}

/// The default policy: valid numbers only.
fn valid_only(default: Option<&str>) -> ParseOptions<'static> {
    ParseOptions { default_region: default.map(region), ..ParseOptions::default() }
}

#[track_caller]
fn ok(input: &str, default: Option<&str>, e164: &str, region_code: &str) -> PhoneNumber {
    let n = parse(input, &with(default))
        .unwrap_or_else(|e| panic!("{input:?} (default {default:?}): {e:?}"));
    assert_eq!(n.e164().as_str(), e164, "{input:?} (default {default:?})");
    assert_eq!(n.region().as_str(), region_code, "{input:?} (default {default:?})");
    n
}

#[track_caller]
fn err(input: &str, default: Option<&str>, problem: PhoneProblem) {
    assert_eq!(parse(input, &valid_only(default)), Err(problem), "{input:?} (default {default:?})");
}

#[test]
fn zitadel_cases_with_default_ch() {
    for input in
        ["0711234567", "0041711234567", "071 123 45 67", "+4171 123 45 67", "004171 123 45 67"]
    {
        let n = ok(input, Some("CH"), "+41711234567", "CH");
        assert_eq!(n.country_code(), 41);
        assert_eq!(n.national_number(), "711234567");
        assert!(n.is_possible() && n.is_valid());
    }
    assert!(matches!(
        parse("PhoneNumber", &with(Some("CH"))),
        Err(PhoneProblem::NotANumber | PhoneProblem::NoDigits)
    ));
    err("", Some("CH"), PhoneProblem::Empty);
    err("  \t\n ", Some("CH"), PhoneProblem::Empty);
}

#[test]
fn typical_numbers() {
    let cases: &[(&str, Option<&str>, &str, &str)] = &[
        ("(415) 555-2671", Some("US"), "+14155552671", "US"),
        ("1 (415) 555-2671", Some("US"), "+14155552671", "US"),
        ("+1 415 555 2671", None, "+14155552671", "US"),
        ("+1 415 555 2671", Some("DE"), "+14155552671", "US"),
        ("011 41 71 123 45 67", Some("US"), "+41711234567", "CH"),
        ("020 7946 0958", Some("GB"), "+442079460958", "GB"),
        ("+44 (0) 20 7946 0958", None, "+442079460958", "GB"),
        ("030 123456", Some("DE"), "+4930123456", "DE"),
        ("0049 30 123456", Some("DE"), "+4930123456", "DE"),
        ("02 1234 5678", Some("IT"), "+390212345678", "IT"),
        ("+39 02 1234 5678", None, "+390212345678", "IT"),
        ("+39 312 345 6789", None, "+393123456789", "IT"),
        ("+39 06 698 12345", None, "+390669812345", "VA"),
        ("tel:+41-71-123-45-67;ext=12", None, "+41711234567", "CH"),
        ("tel:71-123-45-67;phone-context=+41", None, "+41711234567", "CH"),
        ("+41 71 123 45 67 ext. 89", None, "+41711234567", "CH"),
        ("+41 71 123 45 67 x89", None, "+41711234567", "CH"),
        ("+41 71 123 45 67 #89", None, "+41711234567", "CH"),
        ("8 912 345 67 89", Some("RU"), "+79123456789", "RU"),
        ("+7 912 345 67 89", None, "+79123456789", "RU"),
        ("+7 701 123 4567", None, "+77011234567", "KZ"),
        ("8 701 123 4567", Some("KZ"), "+77011234567", "KZ"),
        ("+1 876 123 4567", None, "+18761234567", "JM"),
        ("(876) 123-4567", Some("US"), "+18761234567", "JM"),
        ("+800 1234 5678", None, "+80012345678", "001"),
        ("+800 1234 5678", Some("CH"), "+80012345678", "001"),
        ("01 23 45 67 89", Some("FR"), "+33123456789", "FR"),
        ("03-1234-5678", Some("JP"), "+81312345678", "JP"),
        ("033316005", Some("NZ"), "+6433316005", "NZ"),
        ("+64 (0) 3 331 6005", None, "+6433316005", "NZ"),
        ("0011 41 71 123 45 67", Some("AU"), "+41711234567", "CH"),
        // Argentina: national prefix 0 and mobile "15" become the "9" prefix.
        ("011 15 3329 5195", Some("AR"), "+5491133295195", "AR"),
        // Brazil: carrier code (21) after the national prefix is dropped.
        ("0 21 11 91234 5678", Some("BR"), "+5511912345678", "BR"),
        // Antigua: 7-digit local dialling gets the area code via the transform rule.
        ("462 1234", Some("AG"), "+12684621234", "AG"),
        ("+44 1624 123456", None, "+441624123456", "IM"),
        ("+358 18 123456", None, "+35818123456", "AX"),
        // Default region's calling code written without + or IDD.
        ("41 71 123 45 67", Some("CH"), "+41711234567", "CH"),
        // libphonenumber retries an unknown code after + without the plus.
        ("+00 41 71 123 45 67", Some("CH"), "+41711234567", "CH"),
        ("＋４１ ７１ １２３ ４５ ６７", None, "+41711234567", "CH"),
        ("+٤١ ٧١ ١٢٣ ٤٥ ٦٧", None, "+41711234567", "CH"),
        ("  +41.71.123.45.67  ", None, "+41711234567", "CH"),
        ("[+41] 71/123\u{2013}45\u{2013}67", None, "+41711234567", "CH"),
        ("Tel: +41 71 123 45 67", None, "+41711234567", "CH"),
    ];
    for &(input, default, e164, region_code) in cases {
        ok(input, default, e164, region_code);
    }
}

#[test]
fn shared_calling_codes_do_not_depend_on_the_default_region() {
    ok("(416) 555-0123", Some("CA"), "+14165550123", "CA");
    ok("(416) 555-0123", Some("US"), "+14165550123", "CA");
    ok("+1 416 555 0123", Some("CA"), "+14165550123", "CA");
    // A leadingDigits match decides, even for a number invalid there.
    let n = ok("+1 876 123 4567", Some("CA"), "+18761234567", "JM");
    assert!(!n.is_valid());
}

#[test]
fn problems() {
    err("+999 123", None, PhoneProblem::UnknownCountryCode);
    err("+999 123 456", Some("CH"), PhoneProblem::UnknownCountryCode);
    err("+0711234567", None, PhoneProblem::UnknownCountryCode);
    err("0711234567", None, PhoneProblem::MissingRegion);
    err("0711234567", Some("001"), PhoneProblem::MissingRegion);
    err("+41 1", None, PhoneProblem::TooShort);
    err("+1", None, PhoneProblem::NotANumber);
    err("+41", None, PhoneProblem::NotANumber);
    err("071 12", Some("CH"), PhoneProblem::TooShort);
    err("555-2671", Some("US"), PhoneProblem::InvalidForRegion); // 7 digits: possible locally
    err("+41 71 123 45 67 89 01 23", None, PhoneProblem::TooLong);
    err("+41 71 123 45 67 8901", None, PhoneProblem::TooLong);
    err("+1 415 555 26710", None, PhoneProblem::TooLong);
    err(&"1".repeat(300), Some("CH"), PhoneProblem::TooLong);
    err("PhoneNumber", None, PhoneProblem::NoDigits);
    err("+", None, PhoneProblem::NoDigits);
    err("12a345", Some("US"), PhoneProblem::NotANumber);
    err("+41 71 !123 45 67", None, PhoneProblem::NotANumber);
    // Trailing symbols are dropped, as libphonenumber does.
    ok("+41 71 123 45 67 !", None, "+41711234567", "CH");
    // Three or more letters are a vanity number: "odersO" adds six digits.
    err("071 123 45 67 oder so", Some("CH"), PhoneProblem::TooLong);
}

#[test]
fn allowed_regions() {
    let de = [region("DE")];
    let options = ParseOptions {
        default_region: Some(region("CH")),
        allowed_regions: Some(&de),
        ..ParseOptions::default()
    };
    assert_eq!(parse("071 123 45 67", &options), Err(PhoneProblem::RegionNotAllowed));
    assert_eq!(parse("+41711234567", &options), Err(PhoneProblem::RegionNotAllowed));
    assert!(parse("+49 30 123456", &options).is_ok());
    let options = ParseOptions { allowed_regions: Some(&[]), ..ParseOptions::default() };
    assert_eq!(parse("+41711234567", &options), Err(PhoneProblem::RegionNotAllowed));
    let both = [region("CH"), region("001")];
    let options = ParseOptions { allowed_regions: Some(&both), ..ParseOptions::default() };
    assert!(parse("+41711234567", &options).is_ok());
    assert!(parse("+800 1234 5678", &options).is_ok());
}

#[test]
fn possible_and_valid() {
    // CH numbers have 9 (or 12) digits: 10 is in range but not possible.
    let n = ok("+41 71 123 45 678", None, "+417112345678", "CH");
    assert!(!n.is_possible());
    assert!(!n.is_valid());
    assert_eq!(n.number_type(), NumberType::Unknown);
    err("+41 71 123 45 678", None, PhoneProblem::ImpossibleLength);
    let n = ok("+41 71 123 45 67", None, "+41711234567", "CH");
    assert!(n.is_possible() && n.is_valid());
    assert_eq!(n.number_type(), NumberType::FixedLine);
    // Possible but not valid: CH has no numbers starting with 1.
    let n = ok("+41 11 123 45 67", None, "+41111234567", "CH");
    assert!(n.is_possible() && !n.is_valid());
    err("+41 11 123 45 67", None, PhoneProblem::InvalidForRegion);
    let possible = ParseOptions { validation: Validation::Possible, ..ParseOptions::default() };
    assert!(parse("+41 11 123 45 67", &possible).is_ok());
    assert_eq!(parse("+41 71 123", &possible), Err(PhoneProblem::TooShort));
    assert_eq!(parse("+41 71 123 45 67 8901", &possible), Err(PhoneProblem::TooLong));
}

#[test]
fn parseable_accepts_what_zitadel_accepts() {
    // ZITADEL accepts anything libphonenumber parses: `12` with region CH is +4112.
    let n = ok("12", Some("CH"), "+4112", "CH");
    assert!(!n.is_possible() && !n.is_valid());
    assert_eq!(n.number_type(), NumberType::Unknown);
    err("12", Some("CH"), PhoneProblem::TooShort);
    ok("071 12", Some("CH"), "+4107112", "CH");
}

#[test]
fn number_types() {
    let cases = [
        ("+41 79 123 45 67", NumberType::Mobile),
        ("+41 44 668 18 00", NumberType::FixedLine),
        ("+41 800 123 456", NumberType::TollFree),
        ("+41 900 123 456", NumberType::PremiumRate),
        ("+41 840 123 456", NumberType::SharedCost),
        ("+41 878 123 456", NumberType::PersonalNumber),
        ("+41 74 012 34 56", NumberType::Pager),
        ("+1 201 555 0123", NumberType::FixedLineOrMobile),
        ("+44 56 1234 5678", NumberType::Voip),
        ("+44 7640 123456", NumberType::Pager),
        ("+44 55 1234 5678", NumberType::Uan),
        ("+800 1234 5678", NumberType::TollFree),
    ];
    for (input, ty) in cases {
        let n = parse(input, &valid_only(None)).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(n.number_type(), ty, "{input}");
        assert!(n.is_valid());
    }
    let mobile = [NumberType::Mobile];
    let options = ParseOptions { allowed_types: Some(&mobile), ..ParseOptions::default() };
    assert!(parse("+41 79 123 45 67", &options).is_ok());
    assert_eq!(parse("+41 44 668 18 00", &options), Err(PhoneProblem::TypeNotAllowed));
    // Checks run in order: validity before regions and types.
    let fr = [region("FR")];
    let options = ParseOptions { allowed_regions: Some(&fr), ..options };
    assert_eq!(parse("+41 11 123 45 67", &options), Err(PhoneProblem::InvalidForRegion));
    assert_eq!(parse("+41 79 123 45 67", &options), Err(PhoneProblem::RegionNotAllowed));
    for ty in NumberType::ALL {
        assert_eq!(NumberType::parse(ty.as_str()), Some(ty));
        assert_eq!(ty.to_string(), ty.as_str());
    }
    assert_eq!(NumberType::parse("cell"), None);
}

#[test]
fn shared_codes_choose_the_region_where_the_number_is_valid() {
    ok("+1 416 555 0123", None, "+14165550123", "CA");
    ok("+1 416 555 0123", Some("US"), "+14165550123", "CA");
    ok("+1 201 555 0123", Some("CA"), "+12015550123", "US");
    ok("+44 1481 256789", None, "+441481256789", "GG");
    ok("+44 1534 456789", None, "+441534456789", "JE");
    ok("+44 20 7946 0958", None, "+442079460958", "GB");
    ok("+7 701 123 4567", None, "+77011234567", "KZ");
    ok("+39 06 698 12345", None, "+390669812345", "VA");
    ok("+262 269 61 12 34", None, "+262269611234", "YT");
    ok("+590 590 20 12 34", None, "+590590201234", "GP");
    // Valid nowhere: the default region if it shares the code, else the main country.
    let n = ok("+1 099 555 0123", Some("CA"), "+10995550123", "CA");
    assert!(!n.is_valid());
    ok("+1 099 555 0123", None, "+10995550123", "US");
}

#[test]
fn vanity_numbers() {
    let n = parse("1-800-FLOWERS", &valid_only(Some("US"))).unwrap();
    assert_eq!(n.e164().as_str(), "+18003569377");
    assert_eq!(n.number_type(), NumberType::TollFree);
    ok("+1 800 FLOWERS", None, "+18003569377", "US");
}

/// Every example number of the metadata gets libphonenumber's verdict (generated by
/// scripts/gen-phone-metadata.mjs from google-libphonenumber).
#[test]
fn example_numbers_match_libphonenumber() {
    let mut mismatches = Vec::new();
    for &(e164, listed, ty, valid, region_code, number_type) in examples::EXAMPLES {
        let Ok(n) = parse(e164, &with(None)) else {
            mismatches.push(format!("{e164} ({listed} {ty}) does not parse"));
            continue;
        };
        let got_type = n.number_type().as_str();
        let want_type = match number_type {
            "FIXED_LINE" => "fixedLine",
            "MOBILE" => "mobile",
            "FIXED_LINE_OR_MOBILE" => "fixedLineOrMobile",
            "TOLL_FREE" => "tollFree",
            "PREMIUM_RATE" => "premiumRate",
            "SHARED_COST" => "sharedCost",
            "VOIP" => "voip",
            "PERSONAL_NUMBER" => "personalNumber",
            "PAGER" => "pager",
            "UAN" => "uan",
            "VOICEMAIL" => "voicemail",
            _ => "unknown",
        };
        let region_ok = region_code.is_empty() || n.region().as_str() == region_code;
        if n.is_valid() != valid || got_type != want_type || !region_ok {
            mismatches.push(format!(
                "{e164} ({listed} {ty}): valid {} type {got_type} region {}, libphonenumber: \
                 {valid} {want_type} {region_code}",
                n.is_valid(),
                n.region()
            ));
        }
    }
    assert!(examples::EXAMPLES.len() > 1000);
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[test]
fn regions() {
    assert_eq!(Region::parse("ch"), Some(region("CH")));
    assert_eq!(Region::parse("Ch").map(|r| r.as_str()), Some("CH"));
    assert_eq!(Region::parse("XX"), None);
    assert_eq!(Region::parse(""), None);
    assert_eq!(Region::parse("C"), None);
    assert_eq!(Region::parse("CHE"), None);
    assert_eq!(Region::parse("é"), None);
    assert_eq!(Region::parse("001").map(|r| r.as_str()), Some("001"));
    assert_eq!(region("CH").calling_code(), Some(41));
    assert_eq!(region("US").calling_code(), Some(1));
    assert_eq!(region("001").calling_code(), None);
    assert_eq!(region("CH").to_string(), "CH");
    assert_eq!(format!("{:?}", region("CH")), "Region(\"CH\")");
    assert!(region("001") < region("AC") && region("CH") < region("DE"));
}

#[test]
fn display_strings() {
    let all = [
        (PhoneProblem::Empty, "empty"),
        (PhoneProblem::NoDigits, "no digits"),
        (PhoneProblem::NotANumber, "not a phone number"),
        (PhoneProblem::UnknownCountryCode, "unknown country calling code"),
        (PhoneProblem::MissingRegion, "national number without a default region"),
        (PhoneProblem::TooShort, "too short"),
        (PhoneProblem::TooLong, "too long"),
        (PhoneProblem::ImpossibleLength, "not a possible length for the region"),
        (PhoneProblem::InvalidForRegion, "not a valid number for the region"),
        (PhoneProblem::RegionNotAllowed, "region not allowed"),
        (PhoneProblem::TypeNotAllowed, "type not allowed"),
    ];
    for (p, s) in all {
        assert_eq!(p.to_string(), s);
    }
    let n = ok("+41711234567", None, "+41711234567", "CH");
    assert_eq!(n.to_string(), "+41711234567");
    assert_eq!(n.e164().to_string(), "+41711234567");
    assert_eq!(String::from(n.e164().clone()), "+41711234567");
}

#[test]
fn metadata_is_consistent() {
    assert_eq!(METADATA_VERSION, "9.0.40");
    assert_eq!(region_code(WORLD), "001");
    assert!((1..REGION_COUNT as u16).all(|i| region_code(i - 1) < region_code(i)), "sorted");
    for i in 0..REGION_COUNT as u16 {
        assert_eq!(territory::region_index(region_code(i)), Some(i));
    }
    assert!(TERRITORIES
        .windows(2)
        .all(|w| (w[0].region, w[0].country_code) < (w[1].region, w[1].country_code)));
    assert!(CALLING_CODES.windows(2).all(|w| w[0].0 < w[1].0));
    for (i, t) in TERRITORIES.iter().enumerate() {
        let code = region_code(t.region);
        assert_ne!(t.lengths, 0, "{code} has possible lengths");
        assert!(t.lengths.trailing_zeros() >= 2, "{code}: national numbers of 2+ digits");
        for p in [t.idd(), t.national_prefix()] {
            assert!(p.is_empty() || Regex::new(p).is_some(), "{code}: {p:?} compiles");
        }
        let list = territory::for_calling_code(t.country_code);
        assert!(list.contains(&(i as u16)), "{code} listed under {}", t.country_code);
        if t.region != WORLD {
            assert!(!t.idd().is_empty(), "{code} has an international prefix");
            assert!(core::ptr::eq(territory::for_region(t.region).unwrap(), t));
        }
    }
    let listed: usize =
        CALLING_CODES.iter().map(|(cc, _)| territory::for_calling_code(*cc).len()).sum();
    assert_eq!(listed, TERRITORIES.len());
    // Calling codes are a prefix code, so the first match after + is the only one.
    for (a, _) in &CALLING_CODES {
        for (b, _) in &CALLING_CODES {
            let (a, b) = (a.to_string(), b.to_string());
            assert!(a == b || !b.starts_with(&a), "{a} is a prefix of {b}");
        }
    }
    for (cc, main) in [
        (1, "US"),
        (7, "RU"),
        (44, "GB"),
        (47, "NO"),
        (61, "AU"),
        (212, "MA"),
        (262, "RE"),
        (290, "SH"),
        (358, "FI"),
        (590, "GP"),
        (599, "CW"),
    ] {
        let first = territory::for_calling_code(cc)[0];
        assert_eq!(region_code(TERRITORIES[usize::from(first)].region), main);
    }
    for cc in [800, 808, 870, 878, 881, 882, 883, 888, 979] {
        let list = territory::for_calling_code(cc);
        assert_eq!(list.len(), 1);
        assert_eq!(TERRITORIES[usize::from(list[0])].region, WORLD);
    }
}

#[test]
fn every_calling_code_and_length() {
    for (cc, _) in &CALLING_CODES {
        for len in 0..=18 {
            for digit in ["0", "1", "5", "9"] {
                let input = format!("+{cc} {}", digit.repeat(len));
                if let Ok(n) = parse(&input, &ParseOptions::default()) {
                    assert_e164_shape(&n);
                }
            }
        }
    }
}

fn assert_e164_shape(n: &PhoneNumber) {
    let s = n.e164().as_str();
    let digits = s.strip_prefix('+').expect("leading +");
    assert!((3..=20).contains(&digits.len()), "{s}");
    assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{s}");
    assert!(digits.starts_with(&n.country_code().to_string()), "{s}");
    assert_eq!(format!("+{}{}", n.country_code(), n.national_number()), s);
    assert!(n.national_number().len() >= 2, "{s}");
}

fn any_region() -> impl Strategy<Value = Option<Region>> {
    prop::option::of((0..REGION_COUNT).prop_map(|i| Region(i as u16)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_on_any_string(s in any::<String>(), r in any_region()) {
        let _ = parse(&s, &ParseOptions { default_region: r, validation: Validation::Parseable, ..ParseOptions::default() });
    }

    #[test]
    fn never_panics_on_long_or_odd_input(
        s in "[0-9+＋ ()\\-.xX#;,:=/\\\\a-zA-Z٠-٩０-９\u{0}-\u{7f}é]{0,300}",
        r in any_region(),
    ) {
        let _ = parse(&s, &ParseOptions { default_region: r, validation: Validation::Parseable, ..ParseOptions::default() });
    }

    #[test]
    fn results_are_e164(s in "[0-9+ ()\\-]{0,40}", r in any_region()) {
        if let Ok(n) = parse(&s, &ParseOptions { default_region: r, validation: Validation::Parseable, ..ParseOptions::default() }) {
            assert_e164_shape(&n);
        }
    }

    #[test]
    fn international_results_are_e164(s in "\\+[1-9][0-9 ()\\-]{0,25}", r in any_region()) {
        if let Ok(n) = parse(&s, &ParseOptions { default_region: r, validation: Validation::Parseable, ..ParseOptions::default() }) {
            assert_e164_shape(&n);
        }
    }
}
