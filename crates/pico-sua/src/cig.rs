//! The CIG (*Codice Identificativo Gara*): the code ANAC gives each lot of a tender. Ten
//! characters `[0-9A-Z]`; an ordinary CIG (seven decimal digits then three hexadecimal ones)
//! carries a check: the last three digits, read as hexadecimal, equal the first seven, read
//! as a number, times 211 modulo 4091. Other shapes (SmartCIG, the codes the PCP issues since
//! 2024) are accepted by format only, since their rules are not published.

use std::fmt;

/// A CIG that passed [`Cig::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cig(String);

impl Cig {
    /// Reads a CIG as people type it: spaces around it are ignored, letters are upper-cased.
    /// The error is the Italian message to show next to the field.
    pub fn parse(input: &str) -> Result<Self, String> {
        let code = input.trim().to_ascii_uppercase();
        if code.chars().count() != 10
            || !code
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        {
            return Err(format!(
                "Il CIG «{}» non è valido: deve avere 10 caratteri, solo cifre e lettere maiuscole.",
                input.trim()
            ));
        }
        let (number, check) = code.split_at(7);
        let ordinary = number.chars().all(|c| c.is_ascii_digit())
            && check.chars().all(|c| c.is_ascii_hexdigit());
        if ordinary {
            let number: u64 = number.parse().expect("seven decimal digits");
            let check = u64::from_str_radix(check, 16).expect("three hexadecimal digits");
            if number == 0 || check != (number * 211) % 4091 {
                return Err(format!(
                    "Il CIG «{code}» non è valido: le ultime tre cifre di controllo non corrispondono. Controlla di averlo copiato correttamente."
                ));
            }
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Cig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_real_cig_of_anac_open_data_is_accepted() {
        // 13,683 distinct CIGs of the awards ANAC published in October 2020 (see SOURCE.md).
        let real = include_str!("../tests/data/anac_cigs.txt");
        let mut count = 0;
        for code in real.lines().filter(|l| !l.is_empty()) {
            assert_eq!(Cig::parse(code).map(|c| c.0), Ok(code.to_owned()), "{code}");
            count += 1;
        }
        assert!(count > 13_000);
    }

    #[test]
    fn a_cig_is_read_as_people_type_it() {
        assert_eq!(Cig::parse(" 8479824c20 ").unwrap().as_str(), "8479824C20");
    }

    #[test]
    fn a_mistyped_ordinary_cig_is_refused_with_the_reason() {
        // One digit changed in a real CIG, and its check part changed.
        for wrong in ["8479825C20", "8479824C21", "0000000000"] {
            let error = Cig::parse(wrong).unwrap_err();
            assert!(error.contains("cifre di controllo"), "{wrong}: {error}");
        }
    }

    #[test]
    fn malformed_codes_are_refused() {
        for wrong in [
            "",
            "847982",
            "8479824C2",
            "8479824C201",
            "8479824c2!",
            "84798 4C20",
            "8479824Ç20",
        ] {
            let error = Cig::parse(wrong).unwrap_err();
            assert!(error.contains("10 caratteri"), "{wrong}: {error}");
        }
    }

    #[test]
    fn other_shapes_are_accepted_by_format_only() {
        // A SmartCIG and a code in the shape the PCP issues since 2024.
        for code in ["Z4A2B3C4D5", "B0123ABCDE", "A01F2C3D4E"] {
            assert_eq!(Cig::parse(code).unwrap().as_str(), code);
        }
    }
}
