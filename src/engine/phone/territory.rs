//! The per-territory metadata record and lookups over the generated tables.

use super::metadata::{CALLING_CODES, REGIONS, TERRITORIES};

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
