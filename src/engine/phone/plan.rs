//! Numbering-plan decisions about a national significant number.
//!
//! Today these use only the metadata's possible lengths. They are the single
//! place where per-type `nationalNumberPattern`s (libphonenumber's
//! `isValidNumber` / `matchNationalNumber`) will plug in later, so callers must
//! not duplicate them.

use super::territory::Territory;

/// libphonenumber's `ValidationResult` for the length of a national number.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Length {
    /// One of the territory's possible lengths.
    Possible,
    /// Shorter than the shortest possible length.
    TooShort,
    /// Longer than the longest possible length.
    TooLong,
    /// Between the shortest and the longest, but not itself possible (or the
    /// territory lists no lengths at all).
    Invalid,
}

/// Checks `len` digits against the territory's possible national lengths.
pub(super) fn test_length(len: usize, territory: &Territory) -> Length {
    let lengths = territory.lengths;
    if lengths == 0 {
        return Length::Invalid;
    }
    let min = lengths.trailing_zeros() as usize;
    let max = 31 - lengths.leading_zeros() as usize;
    if len < min {
        Length::TooShort
    } else if len > max {
        Length::TooLong
    } else if lengths & (1u32 << len) != 0 {
        Length::Possible
    } else {
        Length::Invalid
    }
}

/// Stand-in for libphonenumber's match against the `generalDesc` pattern,
/// used when deciding whether to strip a national prefix.
pub(super) fn matches_general(national: &[u8], territory: &Territory) -> bool {
    test_length(national.len(), territory) == Length::Possible
}

/// Whether the number can be a number of the territory; for now the same as
/// a possible length.
pub(super) fn is_valid(national: &[u8], territory: &Territory) -> bool {
    matches_general(national, territory)
}
