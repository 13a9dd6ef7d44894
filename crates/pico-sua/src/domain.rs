//! The SUA's vocabularies: what a contract is about, how the contractor is chosen, where a
//! tender stands. Keys are what the database and the forms hold; labels are Italian.

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => ($key:literal, $label:literal)),+ $(,)? }) => {
        $(#[$doc])*
        /// Ordered as listed.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn key(self) -> &'static str {
                match self {
                    $($name::$variant => $key),+
                }
            }

            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }

            pub fn parse(key: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.key() == key)
            }
        }
    };
}

vocabulary! {
    /// The main object of the contract, as ANAC's `oggetto_principale_contratto`.
    ContractType {
        Works => ("lavori", "Lavori"),
        Services => ("servizi", "Servizi"),
        Supplies => ("forniture", "Forniture"),
    }
}

vocabulary! {
    /// How the contractor is chosen (D.Lgs. 36/2023).
    Procedure {
        Open => ("aperta", "Procedura aperta"),
        Restricted => ("ristretta", "Procedura ristretta"),
        Competitive => ("competitiva", "Procedura competitiva con negoziazione"),
        Dialogue => ("dialogo", "Dialogo competitivo"),
        Negotiated => ("negoziata", "Procedura negoziata senza bando"),
        DirectAward => ("affidamento_diretto", "Affidamento diretto"),
    }
}

vocabulary! {
    /// The phases a tender goes through, in order.
    Phase {
        Programming => ("programmazione", "Programmazione"),
        Design => ("progettazione", "Progettazione"),
        Call => ("bando", "Bando e pubblicazione"),
        Evaluation => ("valutazione", "Valutazione delle offerte"),
        Award => ("aggiudicazione", "Aggiudicazione"),
        Contract => ("contratto", "Contratto"),
        Execution => ("esecuzione", "Esecuzione"),
    }
}

impl Phase {
    /// The phase after this one; `None` after the last.
    pub fn next(self) -> Option<Phase> {
        let i = Self::ALL.iter().position(|p| *p == self).expect("listed");
        Self::ALL.get(i + 1).copied()
    }

    pub fn position(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).expect("listed") + 1
    }
}

vocabulary! {
    /// Where a request for a tender on delegation stands.
    RequestStatus {
        Pending => ("pending", "In attesa di risposta"),
        Accepted => ("accepted", "Accettata"),
        Refused => ("refused", "Rifiutata"),
    }
}

vocabulary! {
    /// The kinds of requirement checked on the winning bidder (D.Lgs. 36/2023, artt. 94-100).
    CheckArea {
        General => ("generali", "Requisiti di ordine generale"),
        Professional => ("idoneita", "Idoneità professionale"),
        Financial => ("economico_finanziaria", "Capacità economica e finanziaria"),
        Technical => ("tecnico_professionale", "Capacità tecniche e professionali"),
    }
}

vocabulary! {
    /// The outcome of one check.
    CheckOutcome {
        Pending => ("da_verificare", "Da verificare"),
        Passed => ("regolare", "Regolare"),
        Failed => ("non_regolare", "Non regolare"),
    }
}

/// The checks every winning bidder goes through, as the FVOE (*fascicolo virtuale
/// dell'operatore economico*) lists them; the operator records outcome and evidence of each.
pub fn standard_checks(contract: Option<ContractType>) -> Vec<(CheckArea, &'static str)> {
    use CheckArea::*;
    vec![
        (
            General,
            "Casellario giudiziale dei soggetti indicati all'art. 94, comma 3",
        ),
        (General, "Regolarità fiscale (Agenzia delle Entrate)"),
        (General, "Regolarità contributiva (DURC)"),
        (General, "Documentazione antimafia (BDNA)"),
        (General, "Annotazioni nel casellario informatico dell'ANAC"),
        (
            General,
            "Assenza di procedure concorsuali (Registro delle imprese)",
        ),
        (
            General,
            "Ottemperanza alla legge 68/1999 (diritto al lavoro dei disabili)",
        ),
        (
            Professional,
            "Iscrizione alla Camera di commercio per l'attività oggetto dell'appalto",
        ),
        (
            Financial,
            "Fatturato o altri requisiti economico-finanziari richiesti dal bando",
        ),
        match contract {
            Some(ContractType::Works) => (
                Technical,
                "Attestazione SOA nelle categorie e classifiche richieste",
            ),
            _ => (
                Technical,
                "Servizi o forniture analoghi richiesti dal bando",
            ),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_follow_each_other_up_to_execution() {
        let mut phase = Phase::Programming;
        let mut seen = vec![phase];
        while let Some(next) = phase.next() {
            seen.push(next);
            phase = next;
        }
        assert_eq!(seen, Phase::ALL);
        assert_eq!(phase, Phase::Execution);
        assert_eq!(Phase::Call.position(), 3);
    }

    #[test]
    fn keys_read_back() {
        for p in Procedure::ALL {
            assert_eq!(Procedure::parse(p.key()), Some(*p));
        }
        assert_eq!(ContractType::parse("lavori"), Some(ContractType::Works));
        assert_eq!(ContractType::parse("altro"), None);
    }
}
