//! [`Timestamp`]: instants as epoch milliseconds, written as RFC 3339 UTC with milliseconds.
//!
//! The library only needs UTC formatting and parsing of RFC 3339 with milliseconds: Howard
//! Hinnant's public-domain `days_from_civil`/`civil_from_days` (30 lines) do it, where a date
//! crate would bring time zones and calendars that nothing here uses.

use core::fmt;

use serde::{Serialize, Serializer};

/// Milliseconds since 1970-01-01T00:00:00Z, within years 0000..=9999.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct Timestamp(i64);

/// 9999-12-31T23:59:59.999Z, the last instant RFC 3339 can write with four year digits.
const MAX_MILLIS: i64 = 253_402_300_799_999;
/// 0000-01-01T00:00:00.000Z.
const MIN_MILLIS: i64 = -62_167_219_200_000;

impl Timestamp {
    /// 1970-01-01T00:00:00.000Z, a placeholder for a call that ends before its clock is read.
    pub const EPOCH: Timestamp = Timestamp(0);

    /// An instant from epoch milliseconds; `None` outside years 0000..=9999.
    pub fn from_millis(millis: i64) -> Option<Timestamp> {
        (MIN_MILLIS..=MAX_MILLIS).contains(&millis).then_some(Timestamp(millis))
    }

    /// An instant from a JS clock reading (`Date.now()`, `Date#getTime()`); fractions of a
    /// millisecond are dropped. `None` for NaN, infinities and out-of-range values.
    pub fn from_js_millis(millis: f64) -> Option<Timestamp> {
        // NaN fails both comparisons; `floor(millis)` is in range exactly when these hold.
        if !(millis >= MIN_MILLIS as f64 && millis < (MAX_MILLIS + 1) as f64) {
            return None;
        }
        Timestamp::from_millis(millis.floor() as i64)
    }

    /// Epoch milliseconds.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// This instant plus `seconds`, saturating at year 9999.
    pub fn plus_seconds(self, seconds: u64) -> Timestamp {
        let millis = i64::try_from(seconds).unwrap_or(i64::MAX).saturating_mul(1000);
        Timestamp(self.0.saturating_add(millis).min(MAX_MILLIS))
    }

    /// Parses RFC 3339 (`2026-11-28T12:00:00.123Z`, any fraction, `Z` or `±hh:mm`).
    pub fn parse(text: &str) -> Option<Timestamp> {
        let b = text.as_bytes();
        let num = |range: core::ops::Range<usize>| -> Option<i64> {
            let digits = b.get(range)?;
            digits.iter().try_fold(0i64, |acc, &d| {
                d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
            })
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
        if separators.iter().any(|&(i, c)| b.get(i) != Some(&c))
            || !matches!(b.get(10), Some(b'T' | b't' | b' '))
            || !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let mut rest = b.get(19..)?;
        let mut millis = 0;
        if let [b'.', fraction @ ..] = rest {
            let len = fraction.iter().take_while(|d| d.is_ascii_digit()).count();
            if len == 0 {
                return None;
            }
            for (i, d) in fraction.iter().take(3).take_while(|d| d.is_ascii_digit()).enumerate() {
                millis += i64::from(d - b'0') * [100, 10, 1][i];
            }
            rest = &fraction[len..];
        }
        let offset_minutes = match rest {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let digits = [*h1, *h2, *m1, *m2];
                if !digits.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                let [h1, h2, m1, m2] = digits.map(|d| i64::from(d - b'0'));
                let minutes = (h1 * 10 + h2) * 60 + m1 * 10 + m2;
                if *sign == b'-' {
                    -minutes
                } else {
                    minutes
                }
            }
            _ => return None,
        };
        let days = days_from_civil(year, month, day);
        let seconds =
            days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_minutes * 60;
        Timestamp::from_millis(seconds * 1000 + millis)
    }
}

/// RFC 3339 UTC with milliseconds: `2026-11-28T12:00:00.123Z`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0.rem_euclid(1000);
        let seconds = self.0.div_euclid(1000);
        let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        let (hour, minute, second) =
            (second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60);
        write!(f, "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millis:03}Z")
    }
}

/// As its RFC 3339 text, as protobuf JSON writes a `Timestamp`.
impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01 (Hinnant).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rfc3339_with_millis() {
        let t = Timestamp::from_millis(1_795_867_200_123).unwrap();
        assert_eq!(t.to_string(), "2026-11-28T12:00:00.123Z");
        assert_eq!(Timestamp::from_millis(0).unwrap().to_string(), "1970-01-01T00:00:00.000Z");
        assert_eq!(Timestamp::from_millis(-1).unwrap().to_string(), "1969-12-31T23:59:59.999Z");
        assert_eq!(
            Timestamp::from_millis(MAX_MILLIS).unwrap().to_string(),
            "9999-12-31T23:59:59.999Z"
        );
        assert_eq!(
            Timestamp::from_millis(MIN_MILLIS).unwrap().to_string(),
            "0000-01-01T00:00:00.000Z"
        );
        assert_eq!(
            Timestamp::from_millis(951_782_400_000).unwrap().to_string(),
            "2000-02-29T00:00:00.000Z"
        );
    }

    #[test]
    fn parses_what_it_formats_and_offsets() {
        for millis in [0, -1, 1_795_867_200_123, 951_782_400_000, MAX_MILLIS, MIN_MILLIS] {
            let t = Timestamp::from_millis(millis).unwrap();
            assert_eq!(Timestamp::parse(&t.to_string()), Some(t));
        }
        let t = Timestamp::parse("2026-11-28T13:00:00.1234+01:00").unwrap();
        assert_eq!(t.to_string(), "2026-11-28T12:00:00.123Z");
        assert_eq!(Timestamp::parse("2026-11-28T12:00:00Z").unwrap().millis() % 1000, 0);
    }

    #[test]
    fn rejects_malformed_dates() {
        for bad in [
            "",
            "2026-11-28",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-11-28T24:00:00Z",
            "2026-11-28T12:00:00",
            "2026-11-28T12:00:00.Z",
            "2026-11-28T12:00:00+1:00",
            "２026-11-28T12:00:00Z",
            "2026-11-28T12:00:00Zjunk",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn js_clock_readings() {
        assert_eq!(Timestamp::from_js_millis(1.9).map(Timestamp::millis), Some(1));
        assert_eq!(Timestamp::from_js_millis(-1.5).map(Timestamp::millis), Some(-2));
        assert_eq!(Timestamp::from_js_millis(-2.0).map(Timestamp::millis), Some(-2));
        assert_eq!(Timestamp::from_js_millis(MAX_MILLIS as f64 + 0.5), Some(Timestamp(MAX_MILLIS)));
        assert_eq!(Timestamp::from_js_millis(MAX_MILLIS as f64 + 1.0), None);
        assert_eq!(Timestamp::from_js_millis(MIN_MILLIS as f64 - 0.5), None);
        assert_eq!(Timestamp::from_js_millis(f64::NEG_INFINITY), None);
        assert_eq!(Timestamp::from_js_millis(f64::NAN), None);
        assert_eq!(Timestamp::from_js_millis(1e300), None);
        assert_eq!(
            Timestamp::from_millis(MAX_MILLIS).unwrap().plus_seconds(u64::MAX).millis(),
            MAX_MILLIS
        );
    }
}
