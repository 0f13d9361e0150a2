//! The per-territory metadata record and lookups over the generated tables.

use std::sync::OnceLock;

use super::metadata::{CALLING_CODES, REGIONS, TERRITORIES};
use super::pattern::Regex;

/// What parsing and validation need to know about one territory of the metadata.
#[derive(Debug)]
pub(super) struct Territory {
    /// Index into `REGIONS`.
    pub(super) region: u16,
    /// Country calling code.
    pub(super) country_code: u16,
    /// Possible national lengths (generalDesc): bit n set = length n is possible.
    pub(super) lengths: u32,
    /// Lengths possible only for local dialling (`possibleLengths localOnly`), same form.
    pub(super) local_lengths: u32,
    /// `internationalPrefix` pattern (IDD), empty when none.
    pub(super) idd: &'static str,
    /// `nationalPrefixForParsing` (or `nationalPrefix`) pattern, empty when none.
    pub(super) national_prefix: &'static str,
    /// `nationalPrefixTransformRule`, empty when none.
    pub(super) transform: &'static str,
    /// Offset of the territory's numbering plan in `PLANS` (see `plan.rs`).
    pub(super) plan: u32,
    /// Offset of the `leadingDigits` pattern in `PATTERNS`, `u32::MAX` when none: it tells
    /// regions of a shared calling code apart.
    pub(super) leading_digits: u32,
    /// `sameMobileAndFixedLinePattern`: fixed-line numbers are reported as fixed line or mobile.
    pub(super) same_mobile_and_fixed_line: bool,
}

/// Table constructor used by the generated `metadata.rs` (keeps it short).
#[allow(clippy::too_many_arguments)]
pub(super) const fn t(
    region: u16,
    country_code: u16,
    lengths: u32,
    local_lengths: u32,
    idd: &'static str,
    national_prefix: &'static str,
    transform: &'static str,
    plan: u32,
    leading_digits: u32,
    same_mobile_and_fixed_line: bool,
) -> Territory {
    Territory {
        region,
        country_code,
        lengths,
        local_lengths,
        idd,
        national_prefix,
        transform,
        plan,
        leading_digits,
        same_mobile_and_fixed_line,
    }
}

/// Index of the non-geographic pseudo-region "001" in `REGIONS` (it sorts first).
pub(super) const WORLD: u16 = 0;

/// Territories using `country_code`, main country first; empty when unknown.
pub(super) fn for_calling_code(country_code: u16) -> &'static [u16] {
    CALLING_CODES
        .binary_search_by_key(&country_code, |(cc, _)| *cc)
        .ok()
        .and_then(|i| CALLING_CODES.get(i))
        .map_or(&[], |(_, list)| list)
}

/// Territory at `index` in `TERRITORIES`.
pub(super) fn get(index: u16) -> Option<&'static Territory> {
    TERRITORIES.get(usize::from(index))
}

/// The territory of a geographic region; None for "001" (several calling codes).
pub(super) fn for_region(region: u16) -> Option<&'static Territory> {
    if region == WORLD {
        return None;
    }
    let i = TERRITORIES.partition_point(|t| t.region < region);
    TERRITORIES.get(i).filter(|t| t.region == region)
}

/// Index of `code` (already upper-case) in `REGIONS`.
pub(super) fn region_index(code: &str) -> Option<u16> {
    let i = REGIONS.binary_search(&code).ok()?;
    u16::try_from(i).ok()
}

/// Region code at `index`.
pub(super) fn region_code(index: u16) -> &'static str {
    REGIONS.get(usize::from(index)).copied().unwrap_or("")
}

/// The territory's `internationalPrefix` as a compiled [`Regex`], compiled on first use.
pub(super) fn idd_regex(territory: &'static Territory) -> Option<&'static Regex> {
    static CACHE: [OnceLock<Option<Regex>>; TERRITORIES.len()] =
        [const { OnceLock::new() }; TERRITORIES.len()];
    cached(&CACHE, territory, territory.idd)
}

/// The territory's `nationalPrefixForParsing` as a compiled [`Regex`], compiled on first use.
pub(super) fn national_prefix_regex(territory: &'static Territory) -> Option<&'static Regex> {
    static CACHE: [OnceLock<Option<Regex>>; TERRITORIES.len()] =
        [const { OnceLock::new() }; TERRITORIES.len()];
    cached(&CACHE, territory, territory.national_prefix)
}

/// Compiles `pattern` of `territory` once per territory (the first call builds nothing
/// for territories it does not touch); None for an empty or unsupported pattern.
fn cached(
    cache: &'static [OnceLock<Option<Regex>>],
    territory: &'static Territory,
    pattern: &'static str,
) -> Option<&'static Regex> {
    if pattern.is_empty() {
        return None;
    }
    // The territory's index, from its address in TERRITORIES (checked below).
    let offset = (territory as *const Territory as usize)
        .checked_sub(TERRITORIES.as_ptr() as usize)?
        / std::mem::size_of::<Territory>().max(1);
    // Every `&'static Territory` is an element of TERRITORIES (nothing else builds one).
    let entry = TERRITORIES.get(offset).filter(|t| std::ptr::eq(*t, territory));
    debug_assert!(entry.is_some(), "territory outside TERRITORIES");
    entry?;
    cache.get(offset)?.get_or_init(|| Regex::new(pattern)).as_ref()
}
