//! Unsigned integers in decimal without `core::fmt`: JSON numbers and calling codes are
//! written on every call, and the formatting machinery is both slower and larger in the wasm.

/// The decimal digits of a number, on the stack.
pub(crate) struct Decimal {
    digits: [u8; 20],
    start: usize,
}

impl Decimal {
    pub(crate) fn new(mut n: u64) -> Decimal {
        let mut digits = [b'0'; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            if let Some(d) = digits.get_mut(start) {
                *d = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 || start == 0 {
                return Decimal { digits, start };
            }
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        let digits = self.digits.get(self.start..).unwrap_or_default();
        core::str::from_utf8(digits).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::Decimal;

    #[test]
    fn writes_every_width() {
        for (n, text) in
            [(0, "0"), (7, "7"), (41, "41"), (1000, "1000"), (u64::MAX, "18446744073709551615")]
        {
            assert_eq!(Decimal::new(n).as_str(), text);
        }
    }
}
