//! Amounts in euro, exact to the cent: a tender's amount is never a float.

use rust_decimal::Decimal;
use std::fmt;

/// A non-negative amount in euro with at most two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Euro(Decimal);

/// The largest amount accepted, far above any public tender, so that cents fit an `i64`.
const MAX_EURO: i64 = 1_000_000_000_000;

impl Euro {
    /// Reads an amount as Italians write it ("1.234.567,89", "1234567,89") or as a machine
    /// does ("1234567.89"). A lone dot followed by exactly three digits ("1.234") is a
    /// thousands separator, as in Italian. The error is the Italian message to show.
    pub fn parse(input: &str) -> Result<Self, String> {
        let cleaned = without_spaces(input.trim().trim_start_matches('€').trim_end_matches('€'));
        let bad = || {
            format!(
                "L'importo «{}» non è valido: scrivilo in euro, per esempio 1.234.567,89.",
                input.trim()
            )
        };
        if cleaned.is_empty() {
            return Err("Indica l'importo in euro.".into());
        }
        if cleaned.starts_with('-') {
            return Err("L'importo non può essere negativo.".into());
        }
        let normalised = plain_decimal(&cleaned).ok_or_else(bad)?;
        let decimals = normalised.split_once('.').map_or("", |(_, d)| d);
        if decimals.len() > 2 {
            return Err(format!(
                "L'importo «{}» ha più di due decimali: indica i centesimi al massimo.",
                input.trim()
            ));
        }
        let amount: Decimal = normalised.parse().map_err(|_| bad())?;
        if amount > Decimal::from(MAX_EURO) {
            return Err("L'importo è troppo grande.".into());
        }
        Ok(Self(amount))
    }

    pub fn from_cents(cents: i64) -> Self {
        Self(Decimal::new(cents, 2))
    }

    /// The amount in cents, as the database keeps it.
    pub fn cents(self) -> i64 {
        let scaled = self.0 * Decimal::from(100);
        i64::try_from(scaled.trunc()).expect("at most MAX_EURO, two decimals")
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }
}

/// `s` without the spaces (also non-breaking) and apostrophes people put between digits.
pub(crate) fn without_spaces(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\'')
        .collect()
}

/// A number written as Italians do ("1.234.567,89", "1234567,89") or as a machine does
/// ("1234567.89"), as plain digits with a dot before the decimals; `None` when it is not a
/// non-negative number. A lone dot followed by exactly three digits ("1.234") groups
/// thousands, as in Italian.
pub(crate) fn plain_decimal(cleaned: &str) -> Option<String> {
    let normalised = if cleaned.contains(',') {
        // Italian: dots group thousands, the comma marks the decimals.
        let (whole, decimals) = cleaned.rsplit_once(',')?;
        if !grouped(whole) {
            return None;
        }
        format!("{}.{decimals}", whole.replace('.', ""))
    } else if cleaned.matches('.').count() == 1 {
        let (whole, decimals) = cleaned.split_once('.').expect("one dot");
        if decimals.len() == 3 && grouped(cleaned) {
            cleaned.replace('.', "")
        } else {
            format!("{whole}.{decimals}")
        }
    } else if grouped(cleaned) {
        cleaned.replace('.', "")
    } else {
        return None;
    };
    let (whole, decimals) = normalised
        .split_once('.')
        .unwrap_or((normalised.as_str(), ""));
    let valid = !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && decimals.chars().all(|c| c.is_ascii_digit())
        && !(normalised.contains('.') && decimals.is_empty());
    valid.then_some(normalised)
}

/// Whether `s` is digits grouped by dots in threes ("1.234.567") or plain digits.
fn grouped(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    let digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [only] => digits(only),
        [first, rest @ ..] => {
            digits(first) && first.len() <= 3 && rest.iter().all(|p| p.len() == 3 && digits(p))
        }
        [] => false,
    }
}

/// Italian form: "1.234.567,89 €".
impl fmt::Display for Euro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = self.cents();
        let whole = (cents / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push('.');
            }
            grouped.push(c);
        }
        write!(f, "{grouped},{:02} €", cents % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(s: &str) -> i64 {
        Euro::parse(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .cents()
    }

    #[test]
    fn italian_and_machine_forms_are_read_exactly() {
        assert_eq!(cents("1.234.567,89"), 123_456_789);
        assert_eq!(cents("1234567,89"), 123_456_789);
        assert_eq!(cents("1234567.89"), 123_456_789);
        assert_eq!(cents("€ 1.234.567,89"), 123_456_789);
        assert_eq!(cents("150.000"), 15_000_000);
        assert_eq!(cents("150000"), 15_000_000);
        assert_eq!(cents("0,1"), 10);
        assert_eq!(cents("99.5"), 9950);
        assert_eq!(cents(" 40.000,00 € "), 4_000_000);
        // No float anywhere: 0.1 + 0.2 stays 0.30.
        assert_eq!(
            (Euro::parse("0,1").unwrap().decimal() + Euro::parse("0,2").unwrap().decimal())
                .to_string(),
            "0.3"
        );
    }

    #[test]
    fn negative_amounts_are_refused() {
        assert_eq!(
            Euro::parse("-100").unwrap_err(),
            "L'importo non può essere negativo."
        );
    }

    #[test]
    fn more_than_two_decimals_are_refused() {
        assert!(
            Euro::parse("10,123")
                .unwrap_err()
                .contains("più di due decimali")
        );
        assert!(
            Euro::parse("1.5555")
                .unwrap_err()
                .contains("più di due decimali")
        );
    }

    #[test]
    fn malformed_amounts_are_refused() {
        for wrong in [
            "",
            "abc",
            "1,2,3",
            "12.34.5",
            "1.23,4.5",
            "1e6",
            "12,",
            ",5",
            "1..2",
            "dieci euro",
        ] {
            assert!(Euro::parse(wrong).is_err(), "{wrong} was accepted");
        }
        assert!(Euro::parse("abc").unwrap_err().contains("non è valido"));
    }

    #[test]
    fn amounts_are_shown_in_italian() {
        assert_eq!(Euro::from_cents(123_456_789).to_string(), "1.234.567,89 €");
        assert_eq!(Euro::from_cents(5).to_string(), "0,05 €");
        assert_eq!(Euro::from_cents(100_000).to_string(), "1.000,00 €");
    }
}
