//! Quantities an Ente needs, exact to the thousandth of the unit, read as Italians write them
//! ("1.234,5") like [`crate::Euro`] reads amounts.

use crate::money::{plain_decimal, without_spaces};
use rust_decimal::Decimal;
use std::fmt;

/// A non-negative quantity with at most three decimals, kept in thousandths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Quantity(i64);

/// Far above any need, so that sums of thousandths fit an `i64`.
const MAX: i64 = 1_000_000_000_000;

impl Quantity {
    /// Reads "1.234,5", "1234,5", "1234.5" or "1.234" (a lone dot before exactly three digits
    /// groups thousands, as in Italian). An empty field is zero: the Ente needs none. The
    /// error is the Italian message to show.
    pub fn parse(input: &str) -> Result<Self, String> {
        let cleaned = without_spaces(input);
        let bad = || {
            format!(
                "La quantità «{}» non è valida: scrivi un numero, per esempio 1.234,5.",
                input.trim()
            )
        };
        if cleaned.is_empty() {
            return Ok(Self(0));
        }
        if cleaned.starts_with('-') {
            return Err("La quantità non può essere negativa.".into());
        }
        let normalised = plain_decimal(&cleaned).ok_or_else(bad)?;
        let decimals = normalised.split_once('.').map_or("", |(_, d)| d);
        if decimals.len() > 3 {
            return Err(format!(
                "La quantità «{}» ha più di tre decimali.",
                input.trim()
            ));
        }
        let value: Decimal = normalised.parse().map_err(|_| bad())?;
        if value > Decimal::from(MAX) {
            return Err("La quantità è troppo grande.".into());
        }
        let milli = (value * Decimal::from(1000)).trunc();
        Ok(Self(i64::try_from(milli).map_err(|_| bad())?))
    }

    pub fn from_milli(milli: i64) -> Self {
        Self(milli)
    }

    pub fn milli(self) -> i64 {
        self.0
    }

    /// The value of this quantity at `price_cents` a unit, in cents, rounded half up.
    pub fn times_cents(self, price_cents: i64) -> i64 {
        let product = i128::from(self.0) * i128::from(price_cents);
        i64::try_from((product + 500) / 1000).unwrap_or(i64::MAX)
    }
}

/// Italian form without useless zeros: "1.234,5", "12", "0,125".
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = (self.0 / 1000).to_string();
        let mut out = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                out.push('.');
            }
            out.push(c);
        }
        let fraction = format!("{:03}", self.0 % 1000);
        let fraction = fraction.trim_end_matches('0');
        if !fraction.is_empty() {
            out.push(',');
            out.push_str(fraction);
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn milli(s: &str) -> i64 {
        Quantity::parse(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .milli()
    }

    #[test]
    fn italian_and_machine_forms_are_read_exactly() {
        assert_eq!(milli("1.234,5"), 1_234_500);
        assert_eq!(milli("1234,5"), 1_234_500);
        assert_eq!(milli("1234.5"), 1_234_500);
        assert_eq!(milli("1.234"), 1_234_000);
        assert_eq!(milli("0,125"), 125);
        assert_eq!(milli(" 12 "), 12_000);
        assert_eq!(milli(""), 0);
    }

    #[test]
    fn wrong_quantities_are_refused_in_italian() {
        assert_eq!(
            Quantity::parse("-3").unwrap_err(),
            "La quantità non può essere negativa."
        );
        for wrong in ["abc", "1,2,3", "12,", ",5", "1e3", "dieci"] {
            assert!(
                Quantity::parse(wrong).unwrap_err().contains("non è valida"),
                "{wrong}"
            );
        }
        assert!(
            Quantity::parse("1,2345")
                .unwrap_err()
                .contains("tre decimali")
        );
    }

    #[test]
    fn quantities_are_shown_in_italian() {
        assert_eq!(Quantity::from_milli(1_234_500).to_string(), "1.234,5");
        assert_eq!(Quantity::from_milli(12_000).to_string(), "12");
        assert_eq!(Quantity::from_milli(125).to_string(), "0,125");
        assert_eq!(Quantity::from_milli(0).to_string(), "0");
    }

    #[test]
    fn values_are_rounded_half_up_to_the_cent() {
        // 2,5 units at 0,33 € = 0,825 € → 0,83 €.
        assert_eq!(Quantity::from_milli(2_500).times_cents(33), 83);
        assert_eq!(Quantity::from_milli(10_000).times_cents(1_250), 12_500);
    }
}
