//! The tender's dossier (*fascicolo*) for the e-procurement platform: one zip with a summary
//! sheet, the tender's data as an OCDS release package (the exchange format PADs and ANAC
//! read), and every document, in one folder per phase.

use crate::access::Viewer;
use crate::api::{published, publisher};
use crate::domain::{CheckArea, CheckOutcome, ContractType, Phase, Procedure};
use crate::model::{self, document, tender};
use crate::requests::cpv_of;
use crate::tenders::visible_tender;
use crate::{Euro, ocds};
use axum::extract::{Path, State};
use axum::response::Response;
use pico_kernel::identity::Actor;
use pico_kernel::web::CurrentSpace;
use pico_kernel::{AppState, Error};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Write as _;
use zip::write::SimpleFileOptions;

pub async fn download(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    let tender = visible_tender(&state, &space, &viewer, id).await?;
    let sheet = summary(&state, &viewer, &tender).await?;
    let release = ocds::package(
        &publisher(&state, &space),
        &published(&state.db, &space, Some(tender.id)).await?,
    );
    let mut files = vec![
        ("00-scheda-gara.txt".to_owned(), sheet.into_bytes()),
        (
            "00-dati-gara-ocds.json".to_owned(),
            serde_json::to_vec_pretty(&release).map_err(|e| Error::Internal(e.into()))?,
        ),
    ];
    let mut taken = HashSet::new();
    for doc in model::documents_of_tender(&state.db, tender.id).await? {
        let Some(stored) = state.storage.get(&doc.key).await? else {
            continue;
        };
        files.push((
            unique(&mut taken, folder(&doc), &doc.filename),
            stored.bytes.to_vec(),
        ));
    }
    let zipped = tokio::task::spawn_blocking(move || zip_of(files))
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .map_err(Error::Internal)?;
    Ok(pico_kernel::web::attachment(
        zipped.into(),
        "application/zip",
        &format!("fascicolo-gara-{}.zip", tender.id),
    ))
}

/// Request documents first, then one numbered folder per phase, in the phases' order.
fn folder(doc: &document::Model) -> String {
    match doc.phase.as_deref().and_then(Phase::parse) {
        Some(phase) => format!("{:02}-{}", phase.position(), phase.key()),
        None => "00-richiesta".into(),
    }
}

/// `folder/name`, with a number added when two documents share a name.
fn unique(taken: &mut HashSet<String>, folder: String, name: &str) -> String {
    let mut path = format!("{folder}/{name}");
    let mut n = 2;
    while !taken.insert(path.clone()) {
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
        path = if ext.is_empty() {
            format!("{folder}/{stem}-{n}")
        } else {
            format!("{folder}/{stem}-{n}.{ext}")
        };
        n += 1;
    }
    path
}

fn zip_of(files: Vec<(String, Vec<u8>)>) -> anyhow::Result<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        writer.start_file(name, SimpleFileOptions::default())?;
        writer.write_all(&bytes)?;
    }
    Ok(writer.finish()?.into_inner())
}

/// The summary sheet, in Italian, as plain text anyone can open.
async fn summary(state: &AppState, viewer: &Viewer, t: &tender::Model) -> Result<String, Error> {
    let db = &state.db;
    let not_set = |v: &str| {
        if v.is_empty() {
            "non indicato".to_owned()
        } else {
            v.to_owned()
        }
    };
    let mut s = String::new();
    let _ = writeln!(s, "SCHEDA DELLA GARA N. {}", t.id);
    let _ = writeln!(s, "{}\n", t.object);
    let rows = [
        ("Ente titolare", viewer.name_of(t.titolare_comune_id)),
        (
            "Tipo di contratto",
            ContractType::parse(&t.contract_type)
                .map_or("", |c| c.label())
                .into(),
        ),
        (
            "Procedura",
            Procedure::parse(&t.procedure)
                .map_or("", |p| p.label())
                .into(),
        ),
        (
            "Importo stimato",
            Euro::from_cents(t.amount_cents).to_string(),
        ),
        ("CIG", not_set(t.cig.as_deref().unwrap_or_default())),
        ("CUP", not_set(t.cup.as_deref().unwrap_or_default())),
        (
            "Codice fiscale della stazione appaltante",
            not_set(&t.station_fiscal_code),
        ),
        ("Codice AUSA", not_set(&t.ausa_code)),
        ("RUP", not_set(&t.rup_name)),
        ("Piattaforma", not_set(&t.pad_name)),
        ("Procedura sulla piattaforma", not_set(&t.pad_url)),
        (
            "Fase attuale",
            Phase::parse(&t.phase).map_or("", |p| p.label()).into(),
        ),
    ];
    for (label, value) in rows {
        let _ = writeln!(s, "{label}: {value}");
    }
    let _ = writeln!(s, "\nCodici CPV:");
    for c in cpv_of(&t.cpv_codes) {
        let _ = writeln!(s, "- {} {}", c.display_code, c.label);
    }
    let participants: Vec<String> = model::participants(db, t.id)
        .await?
        .into_iter()
        .map(|p| viewer.name_of(p.comune_id))
        .collect();
    let _ = writeln!(
        s,
        "\nEnti partecipanti: {}",
        if participants.is_empty() {
            "nessuno".to_owned()
        } else {
            participants.join(", ")
        }
    );
    let _ = writeln!(s, "\nFasi:");
    for p in model::phases(db, t.id).await? {
        let label = Phase::parse(&p.phase).map_or("", |ph| ph.label());
        let _ = writeln!(
            s,
            "- {label}: scadenza {}, responsabile {}",
            p.deadline
                .map_or("non indicata".into(), |d| d.format("%d/%m/%Y").to_string()),
            not_set(&p.responsible)
        );
    }
    if let Some(a) = model::award_of(db, t.id).await? {
        let _ = writeln!(
            s,
            "\nAggiudicatario: {} ({}), {} il {}",
            a.supplier_name,
            a.supplier_fiscal_code,
            Euro::from_cents(a.amount_cents),
            a.awarded_on.format("%d/%m/%Y")
        );
        let _ = writeln!(s, "Verifiche sui requisiti:");
        for c in model::checks_of(db, t.id).await? {
            let _ = writeln!(
                s,
                "- [{}] {}: {}{}",
                CheckArea::parse(&c.area).map_or("", |a| a.label()),
                c.requirement,
                CheckOutcome::parse(&c.outcome).map_or("", |o| o.label()),
                c.checked_on
                    .map(|d| format!(" il {} ({})", d.format("%d/%m/%Y"), c.evidence))
                    .unwrap_or_default()
            );
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_documents_with_one_name_both_fit() {
        let mut taken = HashSet::new();
        assert_eq!(
            unique(&mut taken, "03-bando".into(), "bando.pdf"),
            "03-bando/bando.pdf"
        );
        assert_eq!(
            unique(&mut taken, "03-bando".into(), "bando.pdf"),
            "03-bando/bando-2.pdf"
        );
        assert_eq!(
            unique(&mut taken, "03-bando".into(), "bando.pdf"),
            "03-bando/bando-3.pdf"
        );
        assert_eq!(
            unique(&mut taken, "04-valutazione".into(), "bando.pdf"),
            "04-valutazione/bando.pdf"
        );
    }
}
