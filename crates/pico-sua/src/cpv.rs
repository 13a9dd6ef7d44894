//! The CPV 2008 vocabulary (Common Procurement Vocabulary, Reg. (EC) 213/2008), embedded in
//! the binary: each tender names what it buys with these codes. A code is eight digits, often
//! written with a check digit ("45316110-9"); the check digit's algorithm is not published, so
//! it is never computed: where the vocabulary knows it, a written one must match it.

use serde::Serialize;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

/// One entry of the vocabulary.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Cpv {
    /// Eight digits.
    pub code: String,
    /// `code-K` where the check digit is known, else the eight digits.
    pub display_code: String,
    /// The Italian label ANAC uses where there is one, else the English one.
    pub label: String,
}

struct Entry {
    cpv: Cpv,
    check: Option<char>,
    /// Code and both labels, lower-case and without accents, for the search.
    haystack: String,
}

static VOCABULARY: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    let mut reader = csv::Reader::from_reader(include_bytes!("../data/cpv2008.csv").as_slice());
    let mut entries: Vec<Entry> = reader
        .records()
        .map(|row| {
            let row = row.expect("the embedded CPV vocabulary is valid CSV");
            let (code, with_check, en, it) = (&row[0], &row[1], &row[2], &row[3]);
            let label = if it.is_empty() { en } else { it };
            Entry {
                haystack: fold(&format!("{code} {en} {it}")),
                check: with_check.chars().last().filter(|_| !with_check.is_empty()),
                cpv: Cpv {
                    code: code.to_owned(),
                    display_code: if with_check.is_empty() {
                        code.to_owned()
                    } else {
                        with_check.to_owned()
                    },
                    label: sentence_case(label),
                },
            }
        })
        .collect();
    entries.sort_by(|a, b| a.cpv.code.cmp(&b.cpv.code));
    entries
});

/// ANAC writes its labels in capitals; shown in a list they read better as a sentence.
fn sentence_case(label: &str) -> String {
    if label.chars().any(|c| c.is_lowercase()) {
        return label.to_owned();
    }
    let lower = label.to_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Lower case, accents removed.
fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

/// How many codes the vocabulary holds.
pub fn len() -> usize {
    VOCABULARY.len()
}

/// Finds a code as people write it: "45316110", "45316110-9", with spaces around. The error is
/// the Italian message to show.
pub fn lookup(input: &str) -> Result<Cpv, String> {
    let written = input.trim();
    let (code, check) = match written.split_once('-') {
        Some((code, check)) => (code.trim(), Some(check.trim())),
        None => (written, None),
    };
    let well_formed = code.len() == 8
        && code.chars().all(|c| c.is_ascii_digit())
        && check.is_none_or(|k| k.len() == 1 && k.chars().all(|c| c.is_ascii_digit()));
    if !well_formed {
        return Err(format!(
            "Il codice CPV «{written}» non è valido: sono otto cifre, con o senza la cifra di controllo (per esempio 45000000-7)."
        ));
    }
    let entry = VOCABULARY
        .binary_search_by(|e| e.cpv.code.as_str().cmp(code))
        .ok()
        .map(|i| &VOCABULARY[i])
        .ok_or_else(|| format!("Il codice CPV «{written}» non esiste nel vocabolario CPV 2008."))?;
    if let (Some(written_check), Some(known)) = (check, entry.check)
        && !written_check.starts_with(known)
    {
        return Err(format!(
            "Il codice CPV «{written}» ha una cifra di controllo sbagliata: il codice corretto è {}.",
            entry.cpv.display_code
        ));
    }
    Ok(entry.cpv.clone())
}

/// Codes whose code or label contains every word of `query`, the most general first (fewer
/// significant digits), at most `limit`.
pub fn search(query: &str, limit: usize) -> Vec<Cpv> {
    let words: Vec<String> = fold(query)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<&Entry> = VOCABULARY
        .iter()
        .filter(|e| words.iter().all(|w| e.haystack.contains(w.as_str())))
        .collect();
    found.sort_by_key(|e| (e.cpv.code.trim_end_matches('0').len(), e.cpv.code.clone()));
    found
        .into_iter()
        .take(limit)
        .map(|e| e.cpv.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_vocabulary_is_embedded_and_sorted() {
        assert_eq!(len(), 9455);
        assert!(VOCABULARY.windows(2).all(|w| w[0].cpv.code < w[1].cpv.code));
    }

    #[test]
    fn a_code_is_found_with_or_without_its_check_digit() {
        let lighting = lookup("45316110-9").unwrap();
        assert_eq!(lighting.code, "45316110");
        assert_eq!(lighting.display_code, "45316110-9");
        assert_eq!(
            lighting.label,
            "Installazione di impianti di illuminazione stradale"
        );
        assert_eq!(lookup(" 45316110 ").unwrap(), lighting);
        // Known only in English, without a check digit: any written one is taken as is.
        assert_eq!(
            lookup("03000000-1").unwrap().label,
            "Agricultural, farming, fishing, forestry and related products"
        );
    }

    #[test]
    fn a_wrong_check_digit_is_refused_with_the_right_code() {
        let error = lookup("45316110-3").unwrap_err();
        assert!(error.contains("45316110-9"), "{error}");
    }

    #[test]
    fn unknown_and_malformed_codes_are_refused() {
        assert!(lookup("99999999").unwrap_err().contains("non esiste"));
        for wrong in [
            "",
            "4531611",
            "45316110-",
            "45316110-99",
            "4531611X",
            "strade",
        ] {
            assert!(
                lookup(wrong).unwrap_err().contains("non è valido"),
                "{wrong}"
            );
        }
    }

    #[test]
    fn the_picker_finds_codes_by_words_in_italian_or_english_and_by_code() {
        let found = search("illuminazione stradale", 10);
        assert!(found.iter().any(|c| c.code == "45316110"), "{found:?}");
        let found = search("Construction work", 5);
        assert_eq!(found[0].code, "45000000");
        let found = search("4531611", 5);
        assert_eq!(found[0].code, "45316110");
        assert!(search("   ", 5).is_empty());
        assert!(search("parolachenonesiste", 5).is_empty());
        assert_eq!(search("servizi", 3).len(), 3);
    }
}
