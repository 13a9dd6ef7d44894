//! Tenders on delegation, from the Ente's side: an Ente with an agreement asks the Province to
//! run a tender for it; the Province's SUA operators accept (which makes the tender) or refuse
//! with a reason.

use crate::access::Viewer;
use crate::domain::{ContractType, Procedure, RequestStatus};
use crate::model::{self, NewDocument, NewRequest, document, event, request};
use crate::{Euro, cpv};
use askama::Template;
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use pico_kernel::agreements;
use pico_kernel::identity::Actor;
use pico_kernel::spaces::Space;
use pico_kernel::web::audit_log::record;
use pico_kernel::web::{Chrome, ClientAddress, Crumb, CurrentSpace, check_csrf, render};
use pico_kernel::{AppState, Error};
use serde::Deserialize;

/// The largest document accepted with a request or a phase.
pub const DOCUMENT_LIMIT: usize = 10 * 1024 * 1024;
/// How many documents a request may carry.
const MAX_DOCUMENTS: usize = 10;

pub async fn chrome(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    title: &str,
    path: &str,
) -> Result<Chrome, Error> {
    let mut crumbs = vec![Crumb::link(
        "Stazione Unica Appaltante",
        space.path_to("/sua"),
    )];
    if title != "Stazione Unica Appaltante" {
        crumbs.push(Crumb::here(title));
    } else {
        crumbs = vec![Crumb::here(title)];
    }
    Ok(Chrome::new(state, space, actor, title, path, crumbs).await?)
}

/// A moment as Italians read it, in Italian time.
pub fn when(at: chrono::DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Rome)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

// ---------------------------------------------------------------- the CPV picker's endpoint

#[derive(Deserialize)]
pub struct CpvQuery {
    #[serde(default)]
    q: String,
}

/// Codes of the CPV vocabulary matching the words typed, for the picker.
pub async fn cpv_search(Query(query): Query<CpvQuery>) -> Json<Vec<cpv::Cpv>> {
    let q = query.q.trim();
    if q.chars().count() < 2 || q.len() > 200 {
        return Json(Vec::new());
    }
    Json(cpv::search(q, 20))
}

// ---------------------------------------------------------------------------- the overview

struct RequestRow {
    id: i32,
    object: String,
    ente: String,
    status: &'static str,
    pending: bool,
    when: String,
}

struct TenderRow {
    id: i32,
    object: String,
    ente: String,
    phase: &'static str,
    cig: String,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    chrome: Chrome,
    space: Space,
    operator: bool,
    can_ask: bool,
    requests: Vec<RequestRow>,
    tenders: Vec<TenderRow>,
}

pub async fn index(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_any(&actor)?;
    let mine = viewer.ente_ids();
    let scope = (!viewer.operator).then_some(mine.as_slice());
    let requests = model::requests(&state.db, space.id, scope)
        .await?
        .into_iter()
        .map(|r| RequestRow {
            id: r.id,
            ente: viewer.name_of(r.comune_id),
            status: RequestStatus::parse(&r.status).map_or("", RequestStatus::label),
            pending: r.status == RequestStatus::Pending.key(),
            when: when(r.created_at),
            object: r.object,
        })
        .collect();
    let mut tenders = model::tenders(&state.db, space.id, scope).await?;
    if !viewer.operator && !viewer.rups.is_empty() {
        for t in model::tenders_of_rups(&state.db, space.id, &viewer.rups).await? {
            if !tenders.iter().any(|known| known.id == t.id) {
                tenders.push(t);
            }
        }
    }
    let tenders = tenders
        .into_iter()
        .map(|t| TenderRow {
            id: t.id,
            ente: viewer.name_of(t.titolare_comune_id),
            phase: crate::domain::Phase::parse(&t.phase).map_or("", |p| p.label()),
            cig: t.cig.unwrap_or_else(|| "non ancora assegnato".into()),
            object: t.object,
        })
        .collect();
    let page = IndexPage {
        chrome: chrome(
            &state,
            &actor,
            &space,
            "Stazione Unica Appaltante",
            &space.path_to("/sua"),
        )
        .await?,
        operator: viewer.operator,
        can_ask: !viewer.enti.is_empty(),
        requests,
        tenders,
        space,
    };
    Ok(render(&page)?.into_response())
}

// ------------------------------------------------------------------------ the request form

/// The form as typed, kept whole when it is refused.
#[derive(Default)]
struct RequestForm {
    csrf: String,
    ente: String,
    object: String,
    contract_type: String,
    amount: String,
    cpv: String,
    procedure: String,
    timeline: String,
    files: Vec<(String, Vec<u8>)>,
}

struct Choice {
    key: String,
    label: String,
}

#[derive(Template)]
#[template(path = "request_form.html")]
struct RequestFormPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    enti: Vec<(i32, String, bool)>,
    types: Vec<Choice>,
    procedures: Vec<Choice>,
    form: RequestForm,
    /// Each error with the field it is about (`""`: the whole form).
    errors: Vec<(&'static str, String)>,
}

fn choices<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            key: key(*v).into(),
            label: label(*v).into(),
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    viewer: &Viewer,
    form: RequestForm,
    errors: Vec<(&'static str, String)>,
) -> Result<RequestFormPage, Error> {
    let today = Utc::now().date_naive();
    let mut enti = Vec::new();
    for ente in &viewer.enti {
        let active = agreements::is_active(&state.db, space.id, ente.id, today).await?;
        enti.push((ente.id, ente.name.clone(), active));
    }
    let mut chrome = chrome(
        state,
        actor,
        &space,
        "Nuova richiesta di gara su delega",
        &space.path_to("/sua/richieste/nuova"),
    )
    .await?;
    chrome.bundles.push(&pico_assets::CPV_PICKER);
    Ok(RequestFormPage {
        chrome,
        csrf: actor.csrf_token(),
        enti,
        types: choices(ContractType::ALL, ContractType::key, ContractType::label),
        procedures: choices(Procedure::ALL, Procedure::key, Procedure::label),
        form,
        errors,
        space,
    })
}

impl RequestFormPage {
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| e.as_str())
    }

    fn any_agreement(&self) -> bool {
        self.enti.iter().any(|(_, _, active)| *active)
    }
}

/// Only the people of an Ente of the territory ask; refuses everyone else.
fn require_ente(actor: &Actor, viewer: &Viewer) -> Result<(), Error> {
    match actor {
        Actor::Anonymous => Err(Error::Unauthenticated),
        _ if viewer.enti.is_empty() => Err(Error::Forbidden),
        _ => Ok(()),
    }
}

pub async fn new_request(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    require_ente(&actor, &viewer)?;
    let form = RequestForm {
        ente: viewer
            .enti
            .first()
            .map(|e| e.id.to_string())
            .unwrap_or_default(),
        ..Default::default()
    };
    let page = form_page(&state, &actor, space, &viewer, form, Vec::new()).await?;
    Ok(render(&page)?.into_response())
}

/// Reads the multipart form; `Err` holds the status and message of an upload that failed.
async fn read_form(multipart: &mut Multipart) -> Result<RequestForm, (StatusCode, String)> {
    let mut form = RequestForm::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err((e.status(), upload_message(e.status()))),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field.file_name().map(str::to_owned);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| (e.status(), upload_message(e.status())))?;
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "csrf" => form.csrf = text(),
            "ente" => form.ente = text(),
            "object" => form.object = text(),
            "contract_type" => form.contract_type = text(),
            "amount" => form.amount = text(),
            "cpv" => form.cpv = text(),
            "procedure" => form.procedure = text(),
            "timeline" => form.timeline = text(),
            "documents" if !bytes.is_empty() => form
                .files
                .push((filename.unwrap_or_default(), bytes.to_vec())),
            _ => {}
        }
    }
    Ok(form)
}

pub fn upload_message(status: StatusCode) -> String {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        format!(
            "I documenti sono troppo grandi: al massimo {} MB in tutto.",
            DOCUMENT_LIMIT / 1024 / 1024
        )
    } else {
        "Il caricamento non è riuscito: riprova.".into()
    }
}

/// A file name safe to show and to offer for download.
pub fn clean_filename(name: &str, fallback: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(150)
        .collect();
    if cleaned.is_empty() {
        fallback.into()
    } else {
        cleaned
    }
}

/// The documents accepted: PDF (signed or not) and the office formats of a tender's papers,
/// recognised by their content.
pub fn document_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("pdf")
    } else if bytes.starts_with(b"PK\x03\x04") {
        // DOCX, XLSX, ODT, ODS and ZIP archives share this signature.
        Some("zip")
    } else if bytes.starts_with(b"0\x82") {
        // A CAdES signed file (.p7m): DER starts with a SEQUENCE.
        Some("p7m")
    } else {
        None
    }
}

pub async fn create_request(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    mut multipart: Multipart,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    require_ente(&actor, &viewer)?;
    let form = match read_form(&mut multipart).await {
        Ok(form) => form,
        Err((status, message)) => {
            let page = form_page(
                &state,
                &actor,
                space,
                &viewer,
                RequestForm::default(),
                vec![("documents", message)],
            )
            .await?;
            return Ok((status, render(&page)?).into_response());
        }
    };
    check_csrf(&actor, &form.csrf)?;
    let Some(ente) = form
        .ente
        .trim()
        .parse::<i32>()
        .ok()
        .and_then(|id| viewer.enti.iter().find(|e| e.id == id))
        .cloned()
    else {
        let page = form_page(
            &state,
            &actor,
            space,
            &viewer,
            form,
            vec![(
                "ente",
                "Scegli l'Ente per cui chiedi la gara, tra quelli per cui operi.".into(),
            )],
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let today = Utc::now().date_naive();
    if !agreements::is_active(&state.db, space.id, ente.id, today).await? {
        let message = format!(
            "{} non ha una convenzione in vigore con {}: la Stazione Unica Appaltante può gestire gare solo per gli Enti convenzionati. Contatta la Provincia per sottoscriverla.",
            ente.name, space.name
        );
        let page = form_page(
            &state,
            &actor,
            space,
            &viewer,
            form,
            vec![("ente", message)],
        )
        .await?;
        return Ok((StatusCode::FORBIDDEN, render(&page)?).into_response());
    }
    let mut errors = Vec::new();
    let object = form.object.split_whitespace().collect::<Vec<_>>().join(" ");
    if object.is_empty() || object.chars().count() > 300 {
        errors.push((
            "object",
            "Descrivi l'oggetto della gara (al massimo 300 caratteri).".to_owned(),
        ));
    }
    let contract_type = ContractType::parse(form.contract_type.trim());
    if contract_type.is_none() {
        errors.push((
            "contract_type",
            "Scegli il tipo di contratto: lavori, servizi o forniture.".into(),
        ));
    }
    let amount = Euro::parse(&form.amount);
    if let Err(e) = &amount {
        errors.push(("amount", e.clone()));
    }
    let mut codes = Vec::new();
    for written in form
        .cpv
        .split([',', ';', '\n', '\r'])
        .map(|w| w.split_whitespace().next().unwrap_or_default())
        .filter(|w| !w.is_empty())
    {
        match cpv::lookup(written) {
            Ok(found) if !codes.contains(&found.code) => codes.push(found.code),
            Ok(_) => {}
            Err(e) => errors.push(("cpv", e)),
        }
    }
    if codes.is_empty() && form.cpv.trim().is_empty() {
        errors.push((
            "cpv",
            "Indica almeno un codice CPV: cerca per parole o scrivi il codice.".into(),
        ));
    }
    let procedure = Procedure::parse(form.procedure.trim());
    if procedure.is_none() {
        errors.push((
            "procedure",
            "Scegli la procedura di scelta del contraente.".into(),
        ));
    }
    let timeline = form.timeline.trim().replace("\r\n", "\n");
    if timeline.chars().count() > 2000 {
        errors.push((
            "timeline",
            "I tempi desiderati possono avere al massimo 2000 caratteri.".into(),
        ));
    }
    if form.files.len() > MAX_DOCUMENTS {
        errors.push((
            "documents",
            format!("Allega al massimo {MAX_DOCUMENTS} documenti."),
        ));
    }
    let mut kinds = Vec::new();
    for (name, bytes) in &form.files {
        match document_kind(bytes) {
            Some(kind) if bytes.len() <= DOCUMENT_LIMIT => kinds.push(kind),
            Some(_) => errors.push(("documents", format!(
                "Il documento «{}» è troppo grande: al massimo {} MB.",
                clean_filename(name, "senza nome"),
                DOCUMENT_LIMIT / 1024 / 1024
            ))),
            None => errors.push(("documents", format!(
                "Il documento «{}» non è in un formato accettato: allega PDF, documenti firmati (.p7m) o file di Office/LibreOffice.",
                clean_filename(name, "senza nome")
            ))),
        }
    }
    let (Some(contract_type), Ok(amount), Some(procedure), true) =
        (contract_type, amount, procedure, errors.is_empty())
    else {
        if !form.files.is_empty() {
            errors.push((
                "",
                "I documenti non sono stati salvati: sceglili di nuovo.".into(),
            ));
        }
        let page = form_page(&state, &actor, space, &viewer, form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let mut documents = Vec::new();
    for ((name, bytes), kind) in form.files.into_iter().zip(kinds) {
        let key = state
            .storage
            .put(&format!("sua/{}", space.id), kind, bytes)
            .await?;
        documents.push(NewDocument {
            key,
            filename: clean_filename(&name, "documento"),
        });
    }
    let by = actor.person().ok_or(Error::Unauthenticated)?.id;
    let made = model::create_request(
        &state.db,
        NewRequest {
            space_id: space.id,
            comune_id: ente.id,
            object,
            contract_type: contract_type.key().into(),
            amount_cents: amount.cents(),
            cpv_codes: codes,
            procedure: procedure.key().into(),
            timeline,
            created_by: by,
        },
        documents,
    )
    .await?;
    record(
        &state,
        &actor,
        &from,
        "sua.request.create",
        format!("sua_request:{}", made.id),
        Some(space.id),
        serde_json::json!({ "comune_id": ente.id, "object": made.object, "amount_cents": made.amount_cents }),
    )
    .await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/sua/richieste/{}?fatto=inviata", made.id)))
            .into_response(),
    )
}

// ---------------------------------------------------------------------- a request, decided

pub struct TimelineRow {
    pub when: String,
    pub summary: String,
}

pub fn timeline_rows(events: Vec<event::Model>) -> Vec<TimelineRow> {
    events
        .into_iter()
        .map(|e| TimelineRow {
            when: when(e.at),
            summary: e.summary,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "request.html")]
struct RequestPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    request: request::Model,
    ente: String,
    status: &'static str,
    contract_type: &'static str,
    procedure: &'static str,
    amount: String,
    cpv: Vec<cpv::Cpv>,
    documents: Vec<document::Model>,
    timeline: Vec<TimelineRow>,
    tender_id: Option<i32>,
    operator: bool,
    pending: bool,
    error: Option<String>,
    notice: Option<&'static str>,
    reason: String,
}

pub fn cpv_of(codes: &str) -> Vec<cpv::Cpv> {
    codes
        .split_whitespace()
        .filter_map(|c| cpv::lookup(c).ok())
        .collect()
}

async fn request_page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    viewer: &Viewer,
    request: request::Model,
) -> Result<RequestPage, Error> {
    let tender_id = model::tender_of_request(&state.db, request.id)
        .await?
        .map(|t| t.id);
    let title = format!("Richiesta n. {}", request.id);
    Ok(RequestPage {
        chrome: chrome(
            state,
            actor,
            &space,
            &title,
            &space.path_to(&format!("/sua/richieste/{}", request.id)),
        )
        .await?,
        csrf: actor.csrf_token(),
        ente: viewer.name_of(request.comune_id),
        status: RequestStatus::parse(&request.status).map_or("", RequestStatus::label),
        contract_type: ContractType::parse(&request.contract_type).map_or("", ContractType::label),
        procedure: Procedure::parse(&request.procedure).map_or("", Procedure::label),
        amount: Euro::from_cents(request.amount_cents).to_string(),
        cpv: cpv_of(&request.cpv_codes),
        documents: model::documents_of_request(&state.db, request.id).await?,
        timeline: timeline_rows(model::timeline(&state.db, Some(request.id), None).await?),
        tender_id,
        operator: viewer.operator,
        pending: request.status == RequestStatus::Pending.key(),
        error: None,
        notice: None,
        reason: String::new(),
        request,
        space,
    })
}

/// The request `id` of the space, if the viewer may see it; 404 otherwise, so that nobody
/// learns which requests exist.
async fn visible_request(
    state: &AppState,
    space: &Space,
    viewer: &Viewer,
    id: i32,
) -> Result<request::Model, Error> {
    let request = model::find_request(&state.db, space.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    if !viewer.sees(&[request.comune_id]) {
        return Err(Error::NotFound);
    }
    Ok(request)
}

#[derive(Deserialize)]
pub struct Done {
    pub fatto: Option<String>,
}

pub async fn show_request(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_any(&actor)?;
    let request = visible_request(&state, &space, &viewer, id).await?;
    let mut page = request_page(&state, &actor, space, &viewer, request).await?;
    page.notice = match done.fatto.as_deref() {
        Some("inviata") => Some("Richiesta inviata alla Provincia."),
        Some("rifiutata") => Some("Richiesta rifiutata: l'Ente vede il motivo."),
        _ => None,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

pub async fn accept(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<DecisionForm>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    check_csrf(&actor, &form.csrf)?;
    let request = visible_request(&state, &space, &viewer, id).await?;
    let by = actor.person().ok_or(Error::Unauthenticated)?.id;
    let Some(tender) = model::accept(&state.db, &request, by).await? else {
        let request = visible_request(&state, &space, &viewer, id).await?;
        let mut page = request_page(&state, &actor, space, &viewer, request).await?;
        page.error = Some(
            "La richiesta è già stata decisa: non si può accettare di nuovo. Nessuna gara è stata creata."
                .into(),
        );
        return Ok((StatusCode::CONFLICT, render(&page)?).into_response());
    };
    record(
        &state,
        &actor,
        &from,
        "sua.request.accept",
        format!("sua_request:{}", request.id),
        Some(space.id),
        serde_json::json!({ "tender_id": tender.id }),
    )
    .await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/sua/gare/{}?fatto=creata", tender.id)))
            .into_response(),
    )
}

pub async fn refuse(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<DecisionForm>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    check_csrf(&actor, &form.csrf)?;
    let request = visible_request(&state, &space, &viewer, id).await?;
    let reason = form.reason.trim().replace("\r\n", "\n");
    let problem = if reason.is_empty() {
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            "Scrivi il motivo del rifiuto: l'Ente lo legge nella sua richiesta.",
        ))
    } else if reason.chars().count() > 2000 {
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            "Il motivo del rifiuto può avere al massimo 2000 caratteri.",
        ))
    } else if !model::refuse(
        &state.db,
        &request,
        actor.person().ok_or(Error::Unauthenticated)?.id,
        &reason,
    )
    .await?
    {
        Some((
            StatusCode::CONFLICT,
            "La richiesta è già stata decisa: non si può più rifiutare.",
        ))
    } else {
        None
    };
    if let Some((status, message)) = problem {
        let request = visible_request(&state, &space, &viewer, id).await?;
        let mut page = request_page(&state, &actor, space, &viewer, request).await?;
        page.error = Some(message.into());
        page.reason = form.reason;
        return Ok((status, render(&page)?).into_response());
    }
    record(
        &state,
        &actor,
        &from,
        "sua.request.refuse",
        format!("sua_request:{}", request.id),
        Some(space.id),
        serde_json::json!({ "reason": reason }),
    )
    .await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/sua/richieste/{id}?fatto=rifiutata")))
            .into_response(),
    )
}

/// A document of a request or a tender, for whoever may see them.
pub async fn document(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_any(&actor)?;
    let doc = model::find_document(&state.db, space.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut concerned = Vec::new();
    if let Some(request_id) = doc.request_id
        && let Some(request) = model::find_request(&state.db, space.id, request_id).await?
    {
        concerned.push(request.comune_id);
    }
    if let Some(tender_id) = doc.tender_id {
        if let Some(tender) = model::find_tender(&state.db, space.id, tender_id).await? {
            concerned.push(tender.titolare_comune_id);
        }
        concerned.extend(
            model::participants(&state.db, tender_id)
                .await?
                .into_iter()
                .map(|p| p.comune_id),
        );
    }
    if !viewer.sees(&concerned) {
        return Err(Error::NotFound);
    }
    let file = state.storage.get(&doc.key).await?.ok_or(Error::NotFound)?;
    let content_type = match document_kind(&file.bytes) {
        Some("pdf") => "application/pdf",
        Some("p7m") => "application/pkcs7-mime",
        _ => "application/octet-stream",
    };
    Ok(pico_kernel::web::attachment(
        file.bytes,
        content_type,
        &doc.filename,
    ))
}
