//! Numbering-plan decisions about a national significant number: possible lengths, the
//! national-number patterns of each number type (libphonenumber's `isNumberMatchingDesc`,
//! `getNumberTypeHelper`) and the region of a shared calling code (`getRegionCodeForNumber`).
//!
//! The patterns come precompiled by `scripts/gen-phone-metadata.mjs` into a tokenised form
//! (`PATTERNS`, one byte per token; the token set is listed there) and are run here by a
//! matcher that follows every alternative at once: the set of positions a pattern can
//! reach is a bit set (bit n = after n digits), so a pattern costs one pass over its tokens,
//! skipping any part that no position reaches, with no backtracking and no allocation. The
//! national numbers are at most 17 digits, and the generator checks that no pattern matches
//! more than 24, so a `u32` holds every position.

use super::metadata::PATTERNS;
use super::territory::{Territory, NONE};
use super::NumberType;

/// libphonenumber's `ValidationResult` for the length of a national number.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Length {
    /// One of the territory's possible lengths.
    Possible,
    /// A length that is possible only when dialled locally (`IS_POSSIBLE_LOCAL_ONLY`).
    LocalOnly,
    /// Shorter than the shortest possible length.
    TooShort,
    /// Longer than the longest possible length.
    TooLong,
    /// Between the shortest and the longest, but not itself possible (or the
    /// territory lists no lengths at all).
    Invalid,
}

impl Length {
    /// `isPossibleNumber`: possible, also when only dialled locally.
    pub(super) fn is_possible(self) -> bool {
        matches!(self, Length::Possible | Length::LocalOnly)
    }
}

/// libphonenumber's `testNumberLength` for the general description of `territory`.
pub(super) fn test_length(len: usize, territory: &Territory) -> Length {
    let lengths = territory.lengths;
    if lengths == 0 {
        return Length::Invalid;
    }
    let bit = |set: u32| u32::try_from(len).ok().and_then(|n| set.checked_shr(n)).unwrap_or(0) & 1;
    if bit(u32::from(territory.local_lengths)) != 0 {
        return Length::LocalOnly;
    }
    let min = lengths.trailing_zeros() as usize;
    let max = 31 - lengths.leading_zeros() as usize;
    if len < min {
        Length::TooShort
    } else if len > max {
        Length::TooLong
    } else if bit(lengths) != 0 {
        Length::Possible
    } else {
        Length::Invalid
    }
}

/// libphonenumber's `matchNationalNumber` against the `generalDesc` pattern (lengths
/// unchecked), which parsing uses to decide whether to strip prefixes.
pub(super) fn matches_general(national: &[u8], territory: &Territory) -> bool {
    let Some(input) = Input::new(national) else { return false };
    Plan::of(territory).is_some_and(|plan| input.full_match(plan.patterns))
}

/// libphonenumber's `getNumberTypeHelper`: the type of `national` in `territory`, or
/// [`NumberType::Unknown`] when it is not a valid number there.
pub(super) fn number_type(national: &[u8], territory: &Territory) -> NumberType {
    let Some(input) = Input::new(national) else { return NumberType::Unknown };
    let Some(plan) = Plan::of(territory) else { return NumberType::Unknown };
    let len_ok = |lengths: u32| lengths == 0 || input.has_length(lengths);
    if !(len_ok(territory.lengths) && input.full_match(plan.patterns)) {
        return NumberType::Unknown;
    }
    // The types' patterns follow the general one, in the order they are tested.
    let mut at = plan.patterns;
    let mut lengths = plan.lengths;
    let mut fixed_line = false;
    for (bit, ty) in [
        (PREMIUM_RATE, NumberType::PremiumRate),
        (TOLL_FREE, NumberType::TollFree),
        (SHARED_COST, NumberType::SharedCost),
        (VOIP, NumberType::Voip),
        (PERSONAL_NUMBER, NumberType::PersonalNumber),
        (PAGER, NumberType::Pager),
        (UAN, NumberType::Uan),
        (VOICEMAIL, NumberType::Voicemail),
        (FIXED_LINE, NumberType::FixedLine),
        (MOBILE, NumberType::Mobile),
    ] {
        if plan.present & (1 << bit) == 0 {
            continue;
        }
        let Some(next) = skip_pattern(at) else { return NumberType::Unknown };
        at = next;
        let Some(type_lengths) = varint(&mut lengths) else { return NumberType::Unknown };
        let same = territory.same_mobile_and_fixed_line;
        if bit == MOBILE && same {
            break; // a fixed-line match would have said so; mobile alone counts not
        }
        if !(len_ok(type_lengths) && input.full_match(at)) {
            continue;
        }
        return match bit {
            FIXED_LINE if same => NumberType::FixedLineOrMobile,
            FIXED_LINE => {
                fixed_line = true;
                continue;
            }
            MOBILE if fixed_line => NumberType::FixedLineOrMobile,
            _ => ty,
        };
    }
    if fixed_line {
        NumberType::FixedLine
    } else {
        NumberType::Unknown
    }
}

/// libphonenumber's `getRegionCodeForNumberFromRegionList`: the first territory whose
/// `leadingDigits` start the number, or that has none and where the number is valid; with the
/// number's type when it was found on the way.
pub(super) fn region_of(
    national: &[u8],
    territories: impl IntoIterator<Item = &'static Territory>,
) -> Option<(&'static Territory, Option<NumberType>)> {
    let input = Input::new(national);
    territories.into_iter().find_map(|t| {
        if t.leading_digits == NONE {
            let ty = number_type(national, t);
            (ty != NumberType::Unknown).then_some((t, Some(ty)))
        } else {
            let pattern = usize::from(t.leading_digits);
            input.as_ref().is_some_and(|input| input.looking_at(pattern)).then_some((t, None))
        }
    })
}

// Bits of a plan's type set, as the generator writes them.
const PREMIUM_RATE: u8 = 2;
const TOLL_FREE: u8 = 3;
const SHARED_COST: u8 = 4;
const VOIP: u8 = 5;
const PERSONAL_NUMBER: u8 = 6;
const PAGER: u8 = 7;
const UAN: u8 = 8;
const VOICEMAIL: u8 = 9;
const FIXED_LINE: u8 = 10;
const MOBILE: u8 = 11;

/// A territory's plan in `PATTERNS`: the set of types present, their possible lengths (one
/// varint each, 0: any), then the generalDesc pattern and the types' patterns in bit order.
struct Plan {
    present: u16,
    /// The lengths, from the first present type on.
    lengths: &'static [u8],
    /// Offset of the generalDesc pattern.
    patterns: usize,
}

impl Plan {
    fn of(territory: &Territory) -> Option<Plan> {
        let start = usize::from(territory.plan);
        let bytes = PATTERNS.get(start..)?;
        let present = u16::from_le_bytes([*bytes.first()?, *bytes.get(1)?]);
        let lengths = bytes.get(2..)?;
        let mut rest = lengths;
        for _ in 0..present.count_ones() {
            varint(&mut rest)?;
        }
        let patterns = PATTERNS.len().checked_sub(rest.len())?;
        Some(Plan { present, lengths, patterns })
    }
}

/// Offset after the pattern (or reference) at `offset`.
fn skip_pattern(offset: usize) -> Option<usize> {
    let code = PATTERNS.get(offset..)?;
    if code.first() == Some(&REF) {
        return Some(offset + 3);
    }
    let mut pos = 0;
    loop {
        match *code.get(pos)? {
            CLOSE => return Some(offset + pos + 1),
            OR => pos += 1,
            _ => pos = skip(code, pos, 0)?,
        }
    }
}

/// Reads a LEB128 number (at most 32 bits) off the front of `bytes`.
fn varint(bytes: &mut &[u8]) -> Option<u32> {
    let mut value = 0u32;
    for shift in [0, 7, 14, 21, 28] {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        value |= u32::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

// Tokens (see scripts/gen-phone-metadata.mjs); 0-9 are the digits themselves.
const ANY: u8 = 10;
const CLASS: u8 = 11;
const RANGE: u8 = 12;
const ANY_RUN: u8 = 13;
const REPEAT: u8 = 14;
const OPEN: u8 = 15;
const OR: u8 = 16;
const CLOSE: u8 = 17;
const LONG: u8 = 18;
const REF: u8 = 19;
/// A group as the bitmap of the 2-digit (or, `BITMAP3`, 3-digit) strings it matches.
const BITMAP2: u8 = 20;
const BITMAP3: u8 = 21;
/// From here on, `EXACT_RUN + n`: exactly n digits.
const EXACT_RUN: u8 = 32;
/// Unbounded repeat count.
const UNBOUNDED: u8 = 255;
/// Deepest group nesting followed (the metadata nests at most 6 deep).
const MAX_DEPTH: u8 = 16;
/// Longest number a pattern is matched against; see the module docs.
const MAX_DIGITS: usize = 24;

/// A digit string as bit sets of positions.
struct Input {
    /// The digits, 0-9.
    digits: [u8; MAX_DIGITS],
    len: usize,
    /// Bit p set when the digit at p is d.
    at: [u32; 10],
    /// Bit p set for every digit position.
    all: u32,
}

impl Input {
    fn new(digits: &[u8]) -> Option<Input> {
        if digits.len() > MAX_DIGITS {
            return None;
        }
        let mut at = [0u32; 10];
        let mut values = [0u8; MAX_DIGITS];
        for ((p, &b), value) in digits.iter().enumerate().zip(&mut values) {
            *value = b.wrapping_sub(b'0');
            *at.get_mut(usize::from(*value))? |= 1 << p;
        }
        Some(Input { digits: values, len: digits.len(), at, all: (1 << digits.len()) - 1 })
    }

    fn has_length(&self, lengths: u32) -> bool {
        lengths.checked_shr(self.len as u32).unwrap_or(0) & 1 != 0
    }

    /// Java `matches()` of the pattern at `offset` in `PATTERNS`.
    fn full_match(&self, offset: usize) -> bool {
        self.ends(offset)
            .is_some_and(|ends| ends.checked_shr(self.len as u32).unwrap_or(0) & 1 != 0)
    }

    /// Java `lookingAt()`: some prefix matches.
    fn looking_at(&self, offset: usize) -> bool {
        self.ends(offset).is_some_and(|ends| ends != 0)
    }

    /// Positions where a match of the pattern at `offset`, started at 0, can end.
    fn ends(&self, offset: usize) -> Option<u32> {
        let mut code = PATTERNS.get(offset..)?;
        if let [REF, lo, hi, ..] = *code {
            code = PATTERNS.get(usize::from(u16::from_le_bytes([lo, hi]))..)?;
        }
        Some(self.alternatives(code, 0, 1, 0)?.0)
    }

    /// The alternatives at `pos` up to their `CLOSE`: the union of their end positions, and
    /// the position after the `CLOSE`.
    fn alternatives(
        &self,
        code: &[u8],
        mut pos: usize,
        cur: u32,
        depth: u8,
    ) -> Option<(u32, usize)> {
        let mut ends = 0;
        loop {
            let (e, end) = self.sequence(code, pos, cur, depth)?;
            ends |= e;
            match *code.get(end)? {
                OR => pos = end + 1,
                _ => return Some((ends, end + 1)),
            }
        }
    }

    /// Runs the sequence at `pos` up to the `OR` or `CLOSE` that ends it; returns the end
    /// positions and where that token is.
    fn sequence(
        &self,
        code: &[u8],
        mut pos: usize,
        mut cur: u32,
        depth: u8,
    ) -> Option<(u32, usize)> {
        loop {
            match *code.get(pos)? {
                OR | CLOSE => return Some((cur, pos)),
                _ if cur == 0 => pos = skip(code, pos, depth)?,
                ANY_RUN => {
                    let (min, max) = (*code.get(pos + 1)?, *code.get(pos + 2)?);
                    cur = self.any_run(cur, min, max);
                    pos += 3;
                }
                run @ EXACT_RUN.. => {
                    let n = run - EXACT_RUN;
                    cur = self.any_run(cur, n, n);
                    pos += 1;
                }
                REPEAT => {
                    let (min, max) = (*code.get(pos + 1)?, *code.get(pos + 2)?);
                    let item = pos + 3;
                    let mut next = skip(code, item, depth)?;
                    let max = if max == UNBOUNDED { self.len + 1 } else { usize::from(max) };
                    let mut ends = 0;
                    for i in 0..=max {
                        if i >= usize::from(min) {
                            ends |= cur;
                        }
                        if cur == 0 || i == max {
                            break;
                        }
                        (cur, next) = self.item(code, item, cur, depth)?;
                    }
                    cur = ends;
                    pos = next;
                }
                _ => (cur, pos) = self.item(code, pos, cur, depth)?,
            }
        }
    }

    /// One digit, class or group at `pos`, from the positions `cur`.
    fn item(&self, code: &[u8], pos: usize, cur: u32, depth: u8) -> Option<(u32, usize)> {
        let (class, next) = match *code.get(pos)? {
            d @ 0..=9 => (1u16 << d, pos + 1),
            ANY => (0x3ff, pos + 1),
            CLASS => (u16::from_le_bytes([*code.get(pos + 1)?, *code.get(pos + 2)?]), pos + 3),
            RANGE => {
                let b = *code.get(pos + 1)?;
                let (lo, hi) = (b & 15, (b >> 4).min(9));
                (((2u16 << hi) - 1) & !((1u16 << lo) - 1), pos + 2)
            }
            b @ (BITMAP2 | BITMAP3) => {
                return self.bitmap(code, pos, cur, usize::from(b - BITMAP2) + 2);
            }
            OPEN if depth < MAX_DEPTH => return self.alternatives(code, pos + 1, cur, depth + 1),
            LONG if depth < MAX_DEPTH => return self.alternatives(code, pos + 3, cur, depth + 1),
            _ => return None,
        };
        let mut reach = 0;
        for (d, at) in self.at.iter().enumerate() {
            if class & (1 << d) != 0 {
                reach |= at;
            }
        }
        Some(((cur & reach) << 1, next))
    }

    /// A bitmap of 2- or 3-digit strings at `pos`, from the positions `cur`: the positions
    /// after each string that is in it.
    fn bitmap(&self, code: &[u8], pos: usize, cur: u32, width: usize) -> Option<(u32, usize)> {
        let bits = code.get(pos + 1..pos + 1 + bitmap_bytes(width))?;
        let mut reach = 0;
        for start in 0..self.len.saturating_sub(width - 1) {
            if cur & (1 << start) == 0 {
                continue;
            }
            let digits = self.digits.get(start..start + width)?;
            let value = digits.iter().fold(0, |v, &d| v * 10 + usize::from(d));
            if bits.get(value >> 3).is_some_and(|b| b & (1 << (value & 7)) != 0) {
                reach |= 1 << (start + width);
            }
        }
        Some((reach, pos + 1 + bits.len()))
    }

    /// Positions after `min` to `max` more digits (any digits) from `cur`.
    fn any_run(&self, mut cur: u32, min: u8, max: u8) -> u32 {
        let mut ends = 0;
        let max = if max == UNBOUNDED { self.len } else { usize::from(max) };
        for i in 0..=max {
            if i >= usize::from(min) {
                ends |= cur;
            }
            cur = (cur & self.all) << 1;
            if cur == 0 {
                break;
            }
        }
        ends
    }
}

/// Bytes of the bitmap of all `width`-digit strings.
fn bitmap_bytes(width: usize) -> usize {
    if width == 2 {
        13
    } else {
        125
    }
}

/// Position after the item at `pos` (None at `OR`/`CLOSE` or in malformed code). For a
/// sequence that no position reaches, skipping item by item brings `sequence` to its end.
fn skip(code: &[u8], pos: usize, depth: u8) -> Option<usize> {
    Some(match *code.get(pos)? {
        0..=9 | ANY | EXACT_RUN.. => pos + 1,
        b @ (BITMAP2 | BITMAP3) => pos + 1 + bitmap_bytes(usize::from(b - BITMAP2) + 2),
        RANGE => pos + 2,
        CLASS | ANY_RUN => pos + 3,
        REPEAT if depth < MAX_DEPTH => skip(code, pos + 3, depth + 1)?,
        LONG => {
            let len = u16::from_le_bytes([*code.get(pos + 1)?, *code.get(pos + 2)?]);
            pos + 3 + usize::from(len)
        }
        OPEN if depth < MAX_DEPTH => {
            let mut at = pos + 1;
            loop {
                match *code.get(at)? {
                    OR => at += 1,
                    CLOSE => return Some(at + 1),
                    _ => at = skip(code, at, depth + 1)?,
                }
            }
        }
        _ => return None,
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Any digits against any offset into the tables (also mid-token, i.e. malformed
        /// code): no panic, and the result is a set of positions within the input.
        #[test]
        fn never_panics(digits in "[0-9]{0,30}", offset in 0..PATTERNS.len() + 8) {
            if let Some(input) = Input::new(digits.as_bytes()) {
                if let Some(ends) = input.ends(offset) {
                    prop_assert!(ends >> (digits.len() + 1) == 0);
                }
                let _ = skip_pattern(offset);
            }
        }
    }

    #[test]
    fn matches_as_regexes_do() {
        // Patterns of CH's plan (generalDesc first): a valid mobile, a too-long one.
        let ch = super::super::territory::for_region(
            super::super::Region::parse("CH").map(|r| r.0).unwrap_or_default(),
        )
        .unwrap();
        assert!(matches_general(b"791234567", ch));
        assert!(!matches_general(b"7912345678", ch));
        assert!(!matches_general(b"", ch));
        assert!(!matches_general(&[b'7'; 40], ch), "longer than any pattern");
        assert_eq!(number_type(b"791234567", ch), NumberType::Mobile);
        assert_eq!(number_type(b"79123456x", ch), NumberType::Unknown);
    }
}
