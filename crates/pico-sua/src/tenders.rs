//! A tender (*gara*) the SUA runs for an Ente: its ANAC data, its phases with deadlines,
//! responsible people and documents, the participating Enti, and the timeline of every change.

use crate::access::Viewer;
use crate::checks::{self, AwardForm, CheckRow};
use crate::domain::{ContractType, Phase, Procedure};
use crate::model::{self, AnacData, NewDocument, award, document, tender};
use crate::requests::{
    DOCUMENT_LIMIT, Done, TimelineRow, chrome, clean_filename, cpv_of, document_kind,
    timeline_rows, upload_message,
};
use crate::threads::{Thread, threads_for};
use crate::{Cig, Euro, cpv};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use pico_kernel::identity::Actor;
use pico_kernel::spaces::Space;
use pico_kernel::web::audit_log::record;
use pico_kernel::web::{Chrome, ClientAddress, CurrentSpace, check_csrf, render};
use pico_kernel::{AppState, Error};
use serde::Deserialize;

pub struct PhaseRow {
    pub phase: Phase,
    pub deadline: Option<NaiveDate>,
    pub responsible: String,
    /// `done`, `current` or `todo`.
    pub state: &'static str,
    pub documents: Vec<document::Model>,
}

impl PhaseRow {
    pub fn deadline_it(&self) -> String {
        self.deadline
            .map_or_else(String::new, |d| d.format("%d/%m/%Y").to_string())
    }

    pub fn deadline_iso(&self) -> String {
        self.deadline.map_or_else(String::new, |d| d.to_string())
    }

    pub fn state_label(&self) -> &'static str {
        match self.state {
            "done" => "Conclusa",
            "current" => "In corso",
            _ => "Da iniziare",
        }
    }
}

/// The ANAC data form, as typed.
#[derive(Deserialize, Default)]
pub struct AnacForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    cig: String,
    #[serde(default)]
    cup: String,
    #[serde(default)]
    station_fiscal_code: String,
    #[serde(default)]
    ausa_code: String,
    #[serde(default)]
    rup_name: String,
    #[serde(default)]
    pad_name: String,
    #[serde(default)]
    pad_url: String,
}

#[derive(Template)]
#[template(path = "tender.html")]
struct TenderPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    tender: tender::Model,
    ente: String,
    contract_type: &'static str,
    procedure: &'static str,
    amount: String,
    cpv: Vec<cpv::Cpv>,
    current: Option<Phase>,
    next: Option<Phase>,
    phases: Vec<PhaseRow>,
    participants: Vec<String>,
    lots: Vec<crate::lots::LotRow>,
    /// The needs-collection campaign the tender was made from, if any.
    campaign_id: Option<i32>,
    /// Enti of the territory not yet taking part, for the operator's form.
    candidates: Vec<(i32, String)>,
    request_documents: Vec<document::Model>,
    timeline: Vec<TimelineRow>,
    operator: bool,
    anac: AnacForm,
    award: Option<award::Model>,
    award_amount: String,
    award_form: AwardForm,
    checks: Vec<CheckRow>,
    threads: Vec<Thread>,
    /// The registry's available RUPs competent for this tender, for the operator's choice.
    rup_choices: Vec<(i32, String)>,
    error: Option<String>,
    notice: Option<&'static str>,
}

fn anac_form_of(t: &tender::Model) -> AnacForm {
    AnacForm {
        csrf: String::new(),
        cig: t.cig.clone().unwrap_or_default(),
        cup: t.cup.clone().unwrap_or_default(),
        station_fiscal_code: t.station_fiscal_code.clone(),
        ausa_code: t.ausa_code.clone(),
        rup_name: t.rup_name.clone(),
        pad_name: t.pad_name.clone(),
        pad_url: t.pad_url.clone(),
    }
}

async fn tender_page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    viewer: &Viewer,
    tender: tender::Model,
) -> Result<TenderPage, Error> {
    let current = Phase::parse(&tender.phase);
    let documents = model::documents_of_tender(&state.db, tender.id).await?;
    let phases = model::phases(&state.db, tender.id)
        .await?
        .into_iter()
        .filter_map(|row| {
            let phase = Phase::parse(&row.phase)?;
            let state = match current {
                Some(c) if phase.position() < c.position() => "done",
                Some(c) if phase == c => "current",
                _ => "todo",
            };
            Some(PhaseRow {
                phase,
                deadline: row.deadline,
                responsible: row.responsible,
                state,
                documents: documents
                    .iter()
                    .filter(|d| d.phase.as_deref() == Some(phase.key()))
                    .cloned()
                    .collect(),
            })
        })
        .collect();
    let taking_part: Vec<i32> = model::participants(&state.db, tender.id)
        .await?
        .into_iter()
        .map(|p| p.comune_id)
        .collect();
    let title = format!("Gara n. {}", tender.id);
    let award = model::award_of(&state.db, tender.id).await?;
    let checks = model::checks_of(&state.db, tender.id).await?;
    Ok(TenderPage {
        chrome: chrome(
            state,
            actor,
            &space,
            &title,
            &space.path_to(&format!("/sua/gare/{}", tender.id)),
        )
        .await?,
        csrf: actor.csrf_token(),
        ente: viewer.name_of(tender.titolare_comune_id),
        contract_type: ContractType::parse(&tender.contract_type).map_or("", ContractType::label),
        procedure: Procedure::parse(&tender.procedure).map_or("", Procedure::label),
        amount: Euro::from_cents(tender.amount_cents).to_string(),
        cpv: cpv_of(&tender.cpv_codes),
        current,
        next: current.and_then(Phase::next),
        phases,
        participants: taking_part.iter().map(|id| viewer.name_of(*id)).collect(),
        lots: crate::lots::rows(&state.db, tender.id).await?,
        campaign_id: crate::campaigns::model::campaign_of_tender(&state.db, tender.id)
            .await?
            .filter(|_| viewer.operator)
            .map(|c| c.id),
        candidates: viewer
            .territory
            .iter()
            .filter(|c| !taking_part.contains(&c.id))
            .map(|c| (c.id, c.name.clone()))
            .collect(),
        request_documents: documents
            .into_iter()
            .filter(|d| d.phase.is_none())
            .collect(),
        timeline: timeline_rows(
            model::timeline(&state.db, tender.request_id, Some(tender.id)).await?,
        ),
        operator: viewer.operator,
        anac: anac_form_of(&tender),
        award_amount: award.as_ref().map_or_else(String::new, |a| {
            Euro::from_cents(a.amount_cents).to_string()
        }),
        award_form: AwardForm::of(award.as_ref()),
        award,
        checks: checks.into_iter().map(CheckRow::of).collect(),
        threads: threads_for(state, viewer, &tender).await?,
        rup_choices: if viewer.operator {
            let contract = ContractType::parse(&tender.contract_type);
            model::rups(&state.db, space.id, "")
                .await?
                .into_iter()
                .filter(|r| r.available && crate::rup::competent(r, contract))
                .map(|r| (r.id, format!("{} – {}", r.name, r.qualification)))
                .collect()
        } else {
            Vec::new()
        },
        error: None,
        notice: None,
        tender,
        space,
    })
}

/// The tender `id` of the space, if the viewer may see it; 404 otherwise.
pub(crate) async fn visible_tender(
    state: &AppState,
    space: &Space,
    viewer: &Viewer,
    id: i32,
) -> Result<tender::Model, Error> {
    let tender = model::find_tender(&state.db, space.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    if viewer.operator || tender.rup_id.is_some_and(|id| viewer.rups.contains(&id)) {
        return Ok(tender);
    }
    let mut concerned: Vec<i32> = model::participants(&state.db, tender.id)
        .await?
        .into_iter()
        .map(|p| p.comune_id)
        .collect();
    concerned.push(tender.titolare_comune_id);
    if !viewer.sees(&concerned) {
        return Err(Error::NotFound);
    }
    Ok(tender)
}

pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_any(&actor)?;
    let tender = visible_tender(&state, &space, &viewer, id).await?;
    let mut page = tender_page(&state, &actor, space, &viewer, tender).await?;
    page.notice = match done.fatto.as_deref() {
        Some("creata") => Some("Richiesta accettata: la gara è stata creata."),
        Some("salvata") => Some("Dati della gara salvati."),
        Some("fase") => Some("Fase aggiornata."),
        Some("avanzata") => Some("La gara è passata alla fase successiva."),
        Some("ente") => Some("Ente aggiunto ai partecipanti."),
        Some("documento") => Some("Documento aggiunto."),
        Some("aggiudicatario") => Some("Aggiudicatario registrato."),
        Some("verifica") => Some("Verifica registrata."),
        Some("messaggio") => Some("Messaggio inviato."),
        Some("rup") => Some("RUP assegnato."),
        Some("lotto") => Some("Lotto aggiornato."),
        _ => None,
    };
    Ok(render(&page)?.into_response())
}

/// What was typed in the form that was refused, to show it again.
pub enum Typed {
    Nothing,
    Anac(AnacForm),
    Award(AwardForm),
    /// A message to the thread of an Ente.
    Message(i32, String),
}

/// Shows the tender again with `message`, with `status`.
pub(crate) async fn refuse(
    state: &AppState,
    actor: &Actor,
    space: Space,
    viewer: &Viewer,
    id: i32,
    (status, message): (StatusCode, String),
    typed: Typed,
) -> Result<Response, Error> {
    let tender = visible_tender(state, &space, viewer, id).await?;
    let mut page = tender_page(state, actor, space, viewer, tender).await?;
    page.error = Some(message);
    match typed {
        Typed::Nothing => {}
        Typed::Anac(anac) => page.anac = anac,
        Typed::Award(award) => page.award_form = award,
        Typed::Message(comune_id, body) => {
            if let Some(thread) = page.threads.iter_mut().find(|t| t.comune_id == comune_id) {
                thread.draft = body;
            }
        }
    }
    Ok((status, render(&page)?).into_response())
}

fn optional(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// Checks the ANAC data; the errors are Italian.
fn check_anac(form: &AnacForm) -> Result<AnacData, Vec<String>> {
    let mut errors = Vec::new();
    let cig = match optional(&form.cig) {
        None => None,
        Some(written) => match Cig::parse(&written) {
            Ok(cig) => Some(cig.as_str().to_owned()),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    };
    let cup = optional(&form.cup).map(|c| c.to_ascii_uppercase());
    if let Some(cup) = &cup
        && (cup.len() != 15 || !cup.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        errors.push(format!(
            "Il CUP «{cup}» non è valido: ha 15 caratteri, lettere e cifre."
        ));
    }
    let fiscal = form.station_fiscal_code.trim().to_ascii_uppercase();
    if !fiscal.is_empty() && !digits(&fiscal, 11) {
        errors.push(format!(
            "Il codice fiscale della stazione appaltante «{fiscal}» non è valido: per un ente pubblico sono 11 cifre."
        ));
    }
    let ausa = form.ausa_code.trim().to_owned();
    if !ausa.is_empty() && !digits(&ausa, 10) {
        errors.push(format!(
            "Il codice AUSA «{ausa}» non è valido: sono 10 cifre."
        ));
    }
    let rup_name = form
        .rup_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let pad_name = form
        .pad_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let pad_url = form.pad_url.trim().to_owned();
    if !pad_url.is_empty() && !pad_url.starts_with("https://") && !pad_url.starts_with("http://") {
        errors.push(
            "Il collegamento alla procedura sulla piattaforma deve iniziare con https://.".into(),
        );
    }
    if [&rup_name, &pad_name, &pad_url]
        .iter()
        .any(|s| s.chars().count() > 300)
    {
        errors
            .push("RUP, piattaforma e collegamento possono avere al massimo 300 caratteri.".into());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(AnacData {
        cig,
        cup,
        station_fiscal_code: fiscal,
        ausa_code: ausa,
        rup_name,
        pad_name,
        pad_url,
    })
}

pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<AnacForm>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    check_csrf(&actor, &form.csrf)?;
    let tender = visible_tender(&state, &space, &viewer, id).await?;
    let data = match check_anac(&form) {
        Ok(data) => data,
        Err(errors) => {
            let problem = (StatusCode::UNPROCESSABLE_ENTITY, errors.join(" "));
            return refuse(
                &state,
                &actor,
                space,
                &viewer,
                id,
                problem,
                Typed::Anac(form),
            )
            .await;
        }
    };
    let by = actor.person().ok_or(Error::Unauthenticated)?.id;
    let saved = model::update_anac(&state.db, tender, data, by).await?;
    record(
        &state,
        &actor,
        &from,
        "sua.tender.update",
        format!("sua_tender:{id}"),
        Some(space.id),
        serde_json::json!({ "cig": saved.cig, "cup": saved.cup, "rup": saved.rup_name, "pad": saved.pad_name }),
    )
    .await?;
    Ok(Redirect::to(&space.path_to(&format!("/sua/gare/{id}?fatto=salvata"))).into_response())
}

#[derive(Deserialize)]
pub struct PhaseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    responsible: String,
}

pub async fn update_phase(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id, phase)): Path<(String, i32, String)>,
    axum::Form(form): axum::Form<PhaseForm>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    check_csrf(&actor, &form.csrf)?;
    let tender = visible_tender(&state, &space, &viewer, id).await?;
    let phase = Phase::parse(&phase).ok_or(Error::NotFound)?;
    let deadline = match form.deadline.trim() {
        "" => None,
        value => match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(day) => Some(day),
            Err(_) => {
                let problem = (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "La scadenza della fase «{}» non è una data valida.",
                        phase.label()
                    ),
                );
                return refuse(&state, &actor, space, &viewer, id, problem, Typed::Nothing).await;
            }
        },
    };
    let responsible = form
        .responsible
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if responsible.chars().count() > 200 {
        let problem = (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Il nome del responsabile può avere al massimo 200 caratteri.".to_owned(),
        );
        return refuse(&state, &actor, space, &viewer, id, problem, Typed::Nothing).await;
    }
    let by = actor.person().ok_or(Error::Unauthenticated)?.id;
    model::update_phase(&state.db, &tender, phase, deadline, responsible.clone(), by).await?;
    record(
        &state,
        &actor,
        &from,
        "sua.tender.phase",
        format!("sua_tender:{id}"),
        Some(space.id),
        serde_json::json!({ "phase": phase.key(), "deadline": deadline, "responsible": responsible }),
    )
    .await?;
    Ok(Redirect::to(&space.path_to(&format!("/sua/gare/{id}?fatto=fase"))).into_response())
}

#[derive(Deserialize)]
pub struct AdvanceForm {
    #[serde(default)]
    csrf: String,
    /// The phase the operator saw as current, so that two clicks do not skip one.
    #[serde(default)]
    from: String,
}

pub async fn advance(
    State(state): State<AppState>,
    actor: Actor,
    from_address: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<AdvanceForm>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    check_csrf(&actor, &form.csrf)?;
    let tender = visible_tender(&state, &space, &viewer, id).await?;
    let Some(from) = Phase::parse(form.from.trim()) else {
        let problem = (
            StatusCode::BAD_REQUEST,
            "Non è indicata la fase da concludere.".to_owned(),
        );
        return refuse(&state, &actor, space, &viewer, id, problem, Typed::Nothing).await;
    };
    let by = actor.person().ok_or(Error::Unauthenticated)?.id;
    if from == Phase::Award && Phase::parse(&tender.phase) == Some(Phase::Award) {
        let award = model::award_of(&state.db, tender.id).await?;
        let checks = model::checks_of(&state.db, tender.id).await?;
        if let Some(message) = checks::blocker(award.as_ref(), &checks) {
            let problem = (StatusCode::CONFLICT, message);
            return refuse(&state, &actor, space, &viewer, id, problem, Typed::Nothing).await;
        }
    }
    let Some(to) = model::advance(&state.db, &tender, from, by).await? else {
        let message = if from.next().is_none() {
            "La gara è già nell'ultima fase, l'esecuzione.".to_owned()
        } else {
            format!(
                "La gara non è più nella fase «{}»: qualcuno l'ha già fatta avanzare. Controlla la fase attuale.",
                from.label()
            )
        };
        let problem = (StatusCode::CONFLICT, message);
        return refuse(&state, &actor, space, &viewer, id, problem, Typed::Nothing).await;
    };
    record(
        &state,
        &actor,
        &from_address,
        "sua.tender.advance",
        format!("sua_tender:{id}"),
        Some(space.id),
        serde_json::json!({ "from": from.key(), "to": to.key() }),
    )
    .await?;
    Ok(Redirect::to(&space.path_to(&format!("/sua/gare/{id}?fatto=avanzata"))).into_response())
}

#[derive(Deserialize)]
pub struct ParticipantForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    ente: String,
}

pub async fn add_participant(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<ParticipantForm>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    check_csrf(&actor, &form.csrf)?;
    let tender = visible_tender(&state, &space, &viewer, id).await?;
    let Some(ente) = form
        .ente
        .trim()
        .parse::<i32>()
        .ok()
        .and_then(|id| viewer.territory.iter().find(|c| c.id == id))
        .cloned()
    else {
        let problem = (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Scegli un Ente del territorio della Provincia.".to_owned(),
        );
        return refuse(&state, &actor, space, &viewer, id, problem, Typed::Nothing).await;
    };
    let by = actor.person().ok_or(Error::Unauthenticated)?.id;
    if !model::add_participant(&state.db, &tender, ente.id, &ente.name, by).await? {
        let problem = (
            StatusCode::CONFLICT,
            format!("{} partecipa già alla gara.", ente.name),
        );
        return refuse(&state, &actor, space, &viewer, id, problem, Typed::Nothing).await;
    }
    record(
        &state,
        &actor,
        &from,
        "sua.tender.participant",
        format!("sua_tender:{id}"),
        Some(space.id),
        serde_json::json!({ "comune_id": ente.id }),
    )
    .await?;
    Ok(Redirect::to(&space.path_to(&format!("/sua/gare/{id}?fatto=ente"))).into_response())
}

pub async fn add_document(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    mut multipart: Multipart,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    let mut csrf = String::new();
    let mut phase = String::new();
    let mut file = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                let problem = (e.status(), upload_message(e.status()));
                return refuse(&state, &actor, space, &viewer, id, problem, Typed::Nothing).await;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field.file_name().map(str::to_owned);
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(e) => {
                let problem = (e.status(), upload_message(e.status()));
                return refuse(&state, &actor, space, &viewer, id, problem, Typed::Nothing).await;
            }
        };
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "phase" => phase = String::from_utf8_lossy(&bytes).into_owned(),
            "document" if !bytes.is_empty() => {
                file = Some((filename.unwrap_or_default(), bytes.to_vec()))
            }
            _ => {}
        }
    }
    check_csrf(&actor, &csrf)?;
    let tender = visible_tender(&state, &space, &viewer, id).await?;
    let unprocessable = |m: String| (StatusCode::UNPROCESSABLE_ENTITY, m);
    let Some(phase) = Phase::parse(phase.trim()) else {
        let problem = unprocessable("Scegli la fase a cui aggiungere il documento.".into());
        return refuse(&state, &actor, space, &viewer, id, problem, Typed::Nothing).await;
    };
    let Some((name, bytes)) = file else {
        let problem = unprocessable("Scegli il documento da aggiungere.".into());
        return refuse(&state, &actor, space, &viewer, id, problem, Typed::Nothing).await;
    };
    let kind = match document_kind(&bytes) {
        Some(kind) if bytes.len() <= DOCUMENT_LIMIT => kind,
        Some(_) => {
            let problem = unprocessable(format!(
                "Il documento è troppo grande: al massimo {} MB.",
                DOCUMENT_LIMIT / 1024 / 1024
            ));
            return refuse(&state, &actor, space, &viewer, id, problem, Typed::Nothing).await;
        }
        None => {
            let problem = unprocessable(
                "Il documento non è in un formato accettato: allega PDF, documenti firmati (.p7m) o file di Office/LibreOffice.".into(),
            );
            return refuse(&state, &actor, space, &viewer, id, problem, Typed::Nothing).await;
        }
    };
    let key = state
        .storage
        .put(&format!("sua/{}", space.id), kind, bytes)
        .await?;
    let filename = clean_filename(&name, "documento");
    let by = actor.person().ok_or(Error::Unauthenticated)?.id;
    model::add_document(
        &state.db,
        &tender,
        phase,
        NewDocument {
            key,
            filename: filename.clone(),
        },
        by,
    )
    .await?;
    record(
        &state,
        &actor,
        &from,
        "sua.tender.document",
        format!("sua_tender:{id}"),
        Some(space.id),
        serde_json::json!({ "phase": phase.key(), "filename": filename }),
    )
    .await?;
    Ok(Redirect::to(&space.path_to(&format!("/sua/gare/{id}?fatto=documento"))).into_response())
}

/// Whether `text` is exactly `count` decimal digits.
fn digits(text: &str, count: usize) -> bool {
    text.len() == count && text.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anac_data_is_checked_field_by_field() {
        let good = AnacForm {
            cig: "8479824c20".into(),
            cup: "e11b19000420004".into(),
            station_fiscal_code: "80008870265".into(),
            ausa_code: "0000226345".into(),
            rup_name: " Maria  Rossi ".into(),
            pad_name: "Sintel".into(),
            pad_url: "https://www.sintel.regione.lombardia.it/".into(),
            ..Default::default()
        };
        let data = check_anac(&good).unwrap();
        assert_eq!(data.cig.as_deref(), Some("8479824C20"));
        assert_eq!(data.cup.as_deref(), Some("E11B19000420004"));
        assert_eq!(data.rup_name, "Maria Rossi");
        let bad = AnacForm {
            cig: "8479825C20".into(),
            ..Default::default()
        };
        let errors = check_anac(&bad).unwrap_err();
        assert!(errors[0].contains("cifre di controllo"), "{errors:?}");
        assert!(check_anac(&AnacForm::default()).is_ok());
    }
}
