//! The per-territory metadata record and lookups over the generated tables.

use std::sync::OnceLock;

use super::metadata::{CALLING_CODES, CODE_TERRITORIES, REGIONS, STRINGS, TERRITORIES};
use super::pattern::Regex;

/// What parsing and validation need to know about one territory of the metadata. Compact
/// (24 bytes, no pointers): the table stays small in the wasm and packs well.
#[derive(Debug)]
pub(super) struct Territory {
    /// Index into `REGIONS`.
    pub(super) region: u16,
    /// Country calling code.
    pub(super) country_code: u16,
    /// Possible national lengths (generalDesc): bit n set = length n is possible.
    pub(super) lengths: u32,
    /// Lengths possible only for local dialling (`possibleLengths localOnly`), same form.
    pub(super) local_lengths: u16,
    /// `internationalPrefix` (IDD) pattern: index into `STRINGS`, 0 (empty) when none.
    idd: u16,
    /// `nationalPrefixForParsing` (or `nationalPrefix`) pattern, index into `STRINGS`.
    national_prefix: u16,
    /// `nationalPrefixTransformRule`, index into `STRINGS`.
    transform: u16,
    /// Offset of the territory's numbering plan in `PLANS` (see `plan.rs`).
    pub(super) plan: u16,
    /// Offset of the `leadingDigits` pattern in `PATTERNS`, [`NONE`] when none: it tells
    /// regions of a shared calling code apart.
    pub(super) leading_digits: u16,
    /// `sameMobileAndFixedLinePattern`: fixed-line numbers are reported as fixed line or mobile.
    pub(super) same_mobile_and_fixed_line: bool,
}

/// No `leadingDigits` pattern.
pub(super) const NONE: u16 = u16::MAX;

impl Territory {
    /// `internationalPrefix` (IDD) pattern, empty when none.
    pub(super) fn idd(&self) -> &'static str {
        string(self.idd)
    }

    /// `nationalPrefixForParsing` (or `nationalPrefix`) pattern, empty when none.
    pub(super) fn national_prefix(&self) -> &'static str {
        string(self.national_prefix)
    }

    /// `nationalPrefixTransformRule`, empty when none.
    pub(super) fn transform(&self) -> &'static str {
        string(self.transform)
    }
}

fn string(index: u16) -> &'static str {
    STRINGS.get(usize::from(index)).copied().unwrap_or("")
}

/// Table constructor used by the generated `metadata.rs` (keeps it short).
#[allow(clippy::too_many_arguments)]
pub(super) const fn t(
    region: u16,
    country_code: u16,
    lengths: u32,
    local_lengths: u16,
    idd: u16,
    national_prefix: u16,
    transform: u16,
    plan: u16,
    leading_digits: u16,
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
    let Ok(i) = CALLING_CODES.binary_search_by_key(&country_code, |(cc, _)| *cc) else {
        return &[];
    };
    let start = CALLING_CODES.get(i).map_or(0, |(_, s)| usize::from(*s));
    let end = CALLING_CODES.get(i + 1).map_or(CODE_TERRITORIES.len(), |(_, s)| usize::from(*s));
    CODE_TERRITORIES.get(start..end).unwrap_or(&[])
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

/// Number of regions in `REGIONS` ("001" included).
pub(super) const REGION_COUNT: usize = REGIONS.len() / 2;

/// Index of `code` (already upper-case) in `REGIONS`.
pub(super) fn region_index(code: &str) -> Option<u16> {
    if code == "001" {
        return Some(WORLD);
    }
    let (mut lo, mut hi) = (1, REGION_COUNT);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match region_code(u16::try_from(mid).ok()?).cmp(code) {
            core::cmp::Ordering::Less => lo = mid + 1,
            core::cmp::Ordering::Greater => hi = mid,
            core::cmp::Ordering::Equal => return u16::try_from(mid).ok(),
        }
    }
    None
}

/// Region code at `index`, "" for none.
pub(super) fn region_code(index: u16) -> &'static str {
    if index == WORLD {
        return "001";
    }
    let at = usize::from(index) * 2;
    REGIONS.get(at..at + 2).unwrap_or("")
}

/// The territory's `internationalPrefix` as a compiled [`Regex`], compiled on first use.
pub(super) fn idd_regex(territory: &'static Territory) -> Option<&'static Regex> {
    static CACHE: [OnceLock<Option<Regex>>; TERRITORIES.len()] =
        [const { OnceLock::new() }; TERRITORIES.len()];
    cached(&CACHE, territory, territory.idd())
}

/// The territory's `nationalPrefixForParsing` as a compiled [`Regex`], compiled on first use.
pub(super) fn national_prefix_regex(territory: &'static Territory) -> Option<&'static Regex> {
    static CACHE: [OnceLock<Option<Regex>>; TERRITORIES.len()] =
        [const { OnceLock::new() }; TERRITORIES.len()];
    cached(&CACHE, territory, territory.national_prefix())
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
        / core::mem::size_of::<Territory>().max(1);
    // Every `&'static Territory` is an element of TERRITORIES (nothing else builds one).
    let entry = TERRITORIES.get(offset).filter(|t| core::ptr::eq(*t, territory));
    debug_assert!(entry.is_some(), "territory outside TERRITORIES");
    entry?;
    cache.get(offset)?.get_or_init(|| Regex::new(pattern)).as_ref()
}
