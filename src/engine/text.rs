//! Messages built without `core::fmt`: every text the engine writes (error messages, JSON,
//! timestamps) is plain pieces joined, and the formatting machinery (`Formatter`, padding,
//! `Arguments` built at each call site) cost 1.6 KB raw, 0.9 KB gzip of the wasm for that.
//!
//! [`put!`] appends [`Piece`]s to a `String`, [`cat!`] joins them into a new one. Types that
//! users also print keep a `Display` impl, which writes their piece; the wasm never calls it,
//! so it is not linked there.

use super::decimal::Decimal;
use crate::prelude::*;

/// Something that appends its text to a `String`.
pub(crate) trait Piece {
    fn push_to(&self, out: &mut String);
}

impl Piece for str {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for String {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn push_to(&self, out: &mut String) {
        (**self).push_to(out);
    }
}

impl Piece for u64 {
    fn push_to(&self, out: &mut String) {
        out.push_str(Decimal::new(*self).as_str());
    }
}

impl Piece for u32 {
    fn push_to(&self, out: &mut String) {
        u64::from(*self).push_to(out);
    }
}

impl Piece for usize {
    fn push_to(&self, out: &mut String) {
        (*self as u64).push_to(out);
    }
}

/// Appends the pieces to `out`, as `write!` with only `{}` would: `put!(out, "at ", line)`.
macro_rules! put {
    ($out:expr, $($piece:expr),+ $(,)?) => {{
        $( $crate::engine::text::Piece::push_to(&$piece, $out); )+
    }};
}
pub(crate) use put;

/// The pieces joined, as `format!` with only `{}` would: `cat!("over ", limit, " bytes")`.
macro_rules! cat {
    ($($piece:expr),+ $(,)?) => {{
        let mut out = $crate::prelude::String::new();
        $crate::engine::text::put!(&mut out, $($piece),+);
        out
    }};
}
pub(crate) use cat;

/// `Display` for a type with a [`Piece`]: its text, for users who print it natively.
macro_rules! display_piece {
    ($($ty:ty),+) => {$(
        impl core::fmt::Display for $ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(&$crate::engine::text::cat!(self))
            }
        }
    )+};
}
pub(crate) use display_piece;

#[cfg(test)]
mod tests {
    #[test]
    fn joins_strings_and_numbers() {
        let name = String::from("loadUser");
        assert_eq!(
            cat!("Host callback ", name, " took ", 10_000u32, " ms"),
            "Host callback loadUser took 10000 ms"
        );
        assert_eq!(cat!("[", 0usize, "]", u64::MAX), "[0]18446744073709551615");
    }
}
