//! Needs-collection campaigns (*raccolta dei fabbisogni*): the Province's SUA operators ask
//! the Enti with an agreement how much of each item they need; each Ente answers for itself
//! until the deadline; the operators watch the totals grow and, once the collection is over,
//! turn it into one aggregated tender (*gara aggregata*) with a lot per group of items.

pub mod demo;
pub mod migration;
pub mod model;
pub mod quantity;

use crate::Euro;
use crate::access::Viewer;
use crate::domain::{ContractType, Procedure};
use crate::lots::NewLot;
use crate::requests::{Done, chrome, when};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Rome;
use model::{Refusal, Status, campaign, invited, item};
use pico_kernel::agreements;
use pico_kernel::identity::Actor;
use pico_kernel::jobs::{self, Handler, Outcome};
use pico_kernel::mail::{self, Mail};
use pico_kernel::spaces::{self, Space};
use pico_kernel::web::audit_log::record;
use pico_kernel::web::{Chrome, ClientAddress, CurrentSpace, check_csrf, render};
use pico_kernel::{AppState, Error};
use quantity::Quantity;
use sea_orm::TransactionTrait;
use serde::Deserialize;

/// The job that reminds the Enti that have not submitted yet.
pub const REMINDER_JOB: &str = "sua.campaign_reminder";

/// How many days before the deadline the Enti still silent are reminded.
pub const REMINDER_DAYS: [i64; 2] = [3, 1];

/// A form read as its pairs, so that repeated fields (checkboxes) keep every value.
type Pairs = axum::Form<Vec<(String, String)>>;

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn path_of(space: &Space, id: i32, rest: &str) -> String {
    space.path_to(&format!("/sua/campagne/{id}{rest}"))
}

/// The campaign `id` of the space for its operators; 404 for anyone else.
async fn operated(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    id: i32,
) -> Result<(Viewer, campaign::Model), Error> {
    let viewer = Viewer::of(state, actor, space).await?;
    viewer.require_operator(actor)?;
    let c = model::find(&state.db, space.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((viewer, c))
}

// ------------------------------------------------------------------------------- the list

struct CampaignRow {
    href: String,
    title: String,
    status: &'static str,
    deadline: String,
    /// For an Ente: where its answer stands.
    answer: String,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct ListPage {
    chrome: Chrome,
    space: Space,
    operator: bool,
    rows: Vec<CampaignRow>,
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_any(&actor)?;
    let mine = viewer.ente_ids();
    let scope = (!viewer.operator).then_some(mine.as_slice());
    let mut rows = Vec::new();
    for c in model::campaigns(&state.db, space.id, scope).await? {
        let answer = if viewer.operator {
            String::new()
        } else {
            let invited = model::invited_of(&state.db, c.id).await?;
            let mut states = Vec::new();
            for i in invited.iter().filter(|i| mine.contains(&i.comune_id)) {
                let state_of = match i.submitted_at {
                    Some(at) => format!("inviata il {}", when(at)),
                    None if !model::answers_of(&state.db, c.id, i.comune_id)
                        .await?
                        .is_empty() =>
                    {
                        "bozza salvata".into()
                    }
                    None => "da compilare".into(),
                };
                states.push(format!("{}: {state_of}", viewer.name_of(i.comune_id)));
            }
            states.join("; ")
        };
        rows.push(CampaignRow {
            href: if viewer.operator {
                path_of(&space, c.id, "")
            } else {
                path_of(&space, c.id, "/risposta")
            },
            status: Status::of(&c).label(),
            deadline: when(c.deadline),
            title: c.title,
            answer,
        });
    }
    let page = ListPage {
        chrome: chrome(
            &state,
            &actor,
            &space,
            "Raccolte dei fabbisogni",
            &space.path_to("/sua/campagne"),
        )
        .await?,
        operator: viewer.operator,
        rows,
        space,
    };
    Ok(render(&page)?.into_response())
}

// ------------------------------------------------------------------------ a new campaign

#[derive(Default)]
struct CampaignForm {
    title: String,
    description: String,
    deadline_date: String,
    deadline_time: String,
    enti: Vec<String>,
}

#[derive(Template)]
#[template(path = "campaign_form.html")]
struct FormPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    /// The Comuni of the territory with an agreement in force.
    candidates: Vec<(i32, String)>,
    form: CampaignForm,
    errors: Vec<(&'static str, String)>,
}

impl FormPage {
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| e.as_str())
    }

    fn chosen(&self, id: &i32) -> bool {
        self.form.enti.contains(&id.to_string())
    }
}

/// The Comuni of the space's territory that have an agreement in force today.
async fn with_agreement(
    state: &AppState,
    space: &Space,
    viewer: &Viewer,
) -> Result<Vec<(i32, String)>, Error> {
    let today = Utc::now().date_naive();
    let active: Vec<i32> = agreements::of_space(&state.db, space.id)
        .await?
        .into_iter()
        .filter(|a| a.is_active_on(today))
        .map(|a| a.comune_id)
        .collect();
    Ok(viewer
        .territory
        .iter()
        .filter(|c| active.contains(&c.id))
        .map(|c| (c.id, c.name.clone()))
        .collect())
}

async fn form_page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    viewer: &Viewer,
    form: CampaignForm,
    errors: Vec<(&'static str, String)>,
) -> Result<FormPage, Error> {
    Ok(FormPage {
        chrome: chrome(
            state,
            actor,
            &space,
            "Nuova raccolta dei fabbisogni",
            &space.path_to("/sua/campagne/nuova"),
        )
        .await?,
        csrf: actor.csrf_token(),
        candidates: with_agreement(state, &space, viewer).await?,
        form,
        errors,
        space,
    })
}

pub async fn new_campaign(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    let form = CampaignForm {
        deadline_time: "12:00".into(),
        ..Default::default()
    };
    let page = form_page(&state, &actor, space, &viewer, form, Vec::new()).await?;
    Ok(render(&page)?.into_response())
}

/// A deadline typed as a date and a time in Italian time.
fn parse_deadline(date: &str, time: &str) -> Result<DateTime<Utc>, String> {
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| "Indica la data di scadenza, per esempio 31/12/2026.".to_owned())?;
    let time = NaiveTime::parse_from_str(time.trim(), "%H:%M")
        .map_err(|_| "Indica l'ora di scadenza, per esempio 12:00.".to_owned())?;
    // On the night the clocks go back an hour repeats: the earlier one is meant.
    Rome.from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| "Quell'ora non esiste in Italia (cambio dell'ora legale).".to_owned())
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    axum::Form(pairs): Pairs,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    check_csrf(&actor, field(&pairs, "csrf"))?;
    let form = CampaignForm {
        title: field(&pairs, "title").into(),
        description: field(&pairs, "description").into(),
        deadline_date: field(&pairs, "deadline_date").into(),
        deadline_time: field(&pairs, "deadline_time").into(),
        enti: pairs
            .iter()
            .filter(|(n, _)| n == "ente")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let mut errors = Vec::new();
    let title = one_line(&form.title);
    if title.is_empty() || title.chars().count() > 200 {
        errors.push((
            "title",
            "Scrivi il titolo della raccolta (al massimo 200 caratteri).".to_owned(),
        ));
    }
    let description = form.description.trim().replace("\r\n", "\n");
    if description.chars().count() > 5000 {
        errors.push((
            "description",
            "La descrizione può avere al massimo 5000 caratteri.".into(),
        ));
    }
    let deadline = parse_deadline(&form.deadline_date, &form.deadline_time);
    match &deadline {
        Err(e) => errors.push(("deadline", e.clone())),
        Ok(at) if *at <= Utc::now() => errors.push((
            "deadline",
            "La scadenza deve essere nel futuro: gli Enti devono avere il tempo di rispondere."
                .into(),
        )),
        Ok(_) => {}
    }
    let candidates = with_agreement(&state, &space, &viewer).await?;
    let mut enti = Vec::new();
    for written in &form.enti {
        match written
            .parse::<i32>()
            .ok()
            .filter(|id| candidates.iter().any(|(c, _)| c == id))
        {
            Some(id) if !enti.contains(&id) => enti.push(id),
            Some(_) => {}
            None => errors.push((
                "enti",
                "Puoi scegliere solo Comuni del territorio con una convenzione in vigore.".into(),
            )),
        }
    }
    if form.enti.is_empty() {
        errors.push((
            "enti",
            "Scegli almeno un Ente a cui chiedere i fabbisogni.".into(),
        ));
    }
    let (Ok(deadline), true) = (deadline, errors.is_empty()) else {
        let page = form_page(&state, &actor, space, &viewer, form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let by = actor.person().ok_or(Error::Unauthenticated)?.id;
    let made = model::create(
        &state.db,
        model::NewCampaign {
            space_id: space.id,
            title,
            description,
            deadline,
            enti: enti.clone(),
            created_by: by,
        },
    )
    .await?;
    record(
        &state,
        &actor,
        &from,
        "sua.campaign.create",
        format!("sua_campaign:{}", made.id),
        Some(space.id),
        serde_json::json!({ "title": made.title, "deadline": made.deadline, "enti": enti }),
    )
    .await?;
    Ok(Redirect::to(&path_of(&space, made.id, "?fatto=creata")).into_response())
}

// ------------------------------------------------------------------- a campaign, operated

#[derive(Default)]
struct ItemForm {
    group_name: String,
    name: String,
    unit: String,
    specifications: String,
    price: String,
}

struct ItemRow {
    id: i32,
    group_name: String,
    name: String,
    unit: String,
    specifications: String,
    price: String,
}

fn item_rows(items: &[item::Model]) -> Vec<ItemRow> {
    items
        .iter()
        .map(|i| ItemRow {
            id: i.id,
            group_name: i.group_name.clone(),
            name: i.name.clone(),
            unit: i.unit.clone(),
            specifications: i.specifications.clone(),
            price: i
                .reference_price_cents
                .map_or_else(String::new, |c| Euro::from_cents(c).to_string()),
        })
        .collect()
}

struct Choice {
    key: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    campaign: campaign::Model,
    status: &'static str,
    deadline: String,
    draft: bool,
    open: bool,
    /// Closed or past its deadline, without its tender yet.
    convertible: bool,
    enti: Vec<(String, String)>,
    items: Vec<ItemRow>,
    item_form: ItemForm,
    errors: Vec<(&'static str, String)>,
    error: Option<String>,
    notice: Option<&'static str>,
    types: Vec<Choice>,
    procedures: Vec<Choice>,
}

impl CampaignPage {
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| e.as_str())
    }
}

async fn campaign_page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    viewer: &Viewer,
    c: campaign::Model,
) -> Result<CampaignPage, Error> {
    let now = Utc::now();
    let items = model::items_of(&state.db, c.id).await?;
    let enti = model::invited_of(&state.db, c.id)
        .await?
        .into_iter()
        .map(|i| {
            (
                viewer.name_of(i.comune_id),
                i.submitted_at.map_or_else(
                    || "non ha ancora inviato".into(),
                    |at| format!("ha inviato il {}", when(at)),
                ),
            )
        })
        .collect();
    let status = Status::of(&c);
    Ok(CampaignPage {
        chrome: chrome(state, actor, &space, &c.title, &path_of(&space, c.id, "")).await?,
        csrf: actor.csrf_token(),
        status: if status == Status::Open && now >= c.deadline {
            "Scaduta"
        } else {
            status.label()
        },
        deadline: when(c.deadline),
        draft: status == Status::Draft,
        open: status == Status::Open && now < c.deadline,
        convertible: model::is_over(&c, now) && c.tender_id.is_none(),
        enti,
        items: item_rows(&items),
        item_form: ItemForm::default(),
        errors: Vec::new(),
        error: None,
        notice: None,
        types: ContractType::ALL
            .iter()
            .map(|t| Choice {
                key: t.key(),
                label: t.label(),
            })
            .collect(),
        procedures: Procedure::ALL
            .iter()
            .map(|p| Choice {
                key: p.key(),
                label: p.label(),
            })
            .collect(),
        campaign: c,
        space,
    })
}

/// Shows `page` with `status` and an error at the top.
fn refused(mut page: CampaignPage, status: StatusCode, message: &str) -> Result<Response, Error> {
    page.error = Some(message.into());
    Ok((status, render(&page)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    let (viewer, c) = operated(&state, &actor, &space, id).await?;
    let mut page = campaign_page(&state, &actor, space, &viewer, c).await?;
    page.notice = match done.fatto.as_deref() {
        Some("creata") => {
            Some("Raccolta creata: aggiungi le voci del questionario e inviala agli Enti.")
        }
        Some("voce") => Some("Voce aggiunta."),
        Some("rimossa") => Some("Voce rimossa."),
        Some("inviata") => Some(
            "Raccolta inviata agli Enti: ricevono un messaggio e, prima della scadenza, un promemoria se non hanno ancora risposto.",
        ),
        Some("chiusa") => Some("Raccolta chiusa: gli Enti non possono più rispondere."),
        _ => None,
    };
    Ok(render(&page)?.into_response())
}

pub async fn add_item(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(pairs): Pairs,
) -> Result<Response, Error> {
    let (viewer, c) = operated(&state, &actor, &space, id).await?;
    check_csrf(&actor, field(&pairs, "csrf"))?;
    let form = ItemForm {
        group_name: field(&pairs, "group_name").into(),
        name: field(&pairs, "name").into(),
        unit: field(&pairs, "unit").into(),
        specifications: field(&pairs, "specifications").into(),
        price: field(&pairs, "price").into(),
    };
    let mut errors = Vec::new();
    let group_name = one_line(&form.group_name);
    if group_name.is_empty() || group_name.chars().count() > 200 {
        errors.push((
            "group_name",
            "Indica il lotto a cui appartiene la voce (al massimo 200 caratteri).".to_owned(),
        ));
    }
    let name = one_line(&form.name);
    if name.is_empty() || name.chars().count() > 200 {
        errors.push((
            "name",
            "Scrivi il nome della voce (al massimo 200 caratteri).".into(),
        ));
    }
    let unit = one_line(&form.unit);
    if unit.is_empty() || unit.chars().count() > 50 {
        errors.push((
            "unit",
            "Indica l'unità di misura, per esempio «pezzi» o «litri» (al massimo 50 caratteri)."
                .into(),
        ));
    }
    let specifications = form.specifications.trim().replace("\r\n", "\n");
    if specifications.chars().count() > 2000 {
        errors.push((
            "specifications",
            "Le specifiche possono avere al massimo 2000 caratteri.".into(),
        ));
    }
    let price = if form.price.trim().is_empty() {
        None
    } else {
        match Euro::parse(&form.price) {
            Ok(p) => Some(p.cents()),
            Err(e) => {
                errors.push(("price", format!("Prezzo di riferimento: {e}")));
                None
            }
        }
    };
    if Status::of(&c) != Status::Draft {
        let page = campaign_page(&state, &actor, space, &viewer, c).await?;
        return refused(
            page,
            StatusCode::CONFLICT,
            "La raccolta è già stata inviata agli Enti: le voci non si possono più cambiare.",
        );
    }
    if !errors.is_empty() {
        let mut page = campaign_page(&state, &actor, space, &viewer, c).await?;
        page.item_form = form;
        page.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let new = model::NewItem {
        group_name,
        name,
        unit,
        specifications,
        reference_price_cents: price,
    };
    let Some(made) = model::add_item(&state.db, c.id, new).await? else {
        let page = campaign_page(&state, &actor, space, &viewer, c).await?;
        return refused(
            page,
            StatusCode::CONFLICT,
            "La raccolta è già stata inviata agli Enti: le voci non si possono più cambiare.",
        );
    };
    record(
        &state,
        &actor,
        &from,
        "sua.campaign.item.add",
        format!("sua_campaign:{}", c.id),
        Some(space.id),
        serde_json::json!({ "item_id": made.id, "group": made.group_name, "name": made.name }),
    )
    .await?;
    Ok(Redirect::to(&path_of(&space, c.id, "?fatto=voce#voci")).into_response())
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn remove_item(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id, item_id)): Path<(String, i32, i32)>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Result<Response, Error> {
    let (viewer, c) = operated(&state, &actor, &space, id).await?;
    check_csrf(&actor, &form.csrf)?;
    if !model::remove_item(&state.db, c.id, item_id).await? {
        let page = campaign_page(&state, &actor, space, &viewer, c).await?;
        return refused(
            page,
            StatusCode::CONFLICT,
            "La voce non si può rimuovere: la raccolta è già stata inviata, o la voce non c'è più.",
        );
    }
    record(
        &state,
        &actor,
        &from,
        "sua.campaign.item.remove",
        format!("sua_campaign:{}", c.id),
        Some(space.id),
        serde_json::json!({ "item_id": item_id }),
    )
    .await?;
    Ok(Redirect::to(&path_of(&space, c.id, "?fatto=rimossa#voci")).into_response())
}

fn campaign_url(state: &AppState, space: &Space, id: i32, rest: &str) -> String {
    format!(
        "{}{}",
        state.config.base_url.trim_end_matches('/'),
        path_of(space, id, rest)
    )
}

pub async fn send(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Result<Response, Error> {
    let (viewer, c) = operated(&state, &actor, &space, id).await?;
    check_csrf(&actor, &form.csrf)?;
    let now = Utc::now();
    let items = model::items_of(&state.db, c.id).await?;
    let problem = if Status::of(&c) != Status::Draft {
        Some((
            StatusCode::CONFLICT,
            "La raccolta è già stata inviata agli Enti.",
        ))
    } else if items.is_empty() {
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            "Aggiungi almeno una voce al questionario prima di inviarlo.",
        ))
    } else if c.deadline <= now {
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            "La scadenza della raccolta è già passata: crea una nuova raccolta con una scadenza futura.",
        ))
    } else {
        None
    };
    if let Some((status, message)) = problem {
        let page = campaign_page(&state, &actor, space, &viewer, c).await?;
        return refused(page, status, message);
    }
    let invited = model::invited_of(&state.db, c.id).await?;
    let comuni: Vec<i32> = invited.iter().map(|i| i.comune_id).collect();
    let txn = state.db.begin().await?;
    if !model::send(&txn, c.id).await? {
        drop(txn);
        let page = campaign_page(&state, &actor, space, &viewer, c).await?;
        return refused(
            page,
            StatusCode::CONFLICT,
            "La raccolta è già stata inviata agli Enti.",
        );
    }
    let link = campaign_url(&state, &space, c.id, "/risposta");
    let deadline = when(c.deadline);
    for (comune_id, email) in model::people_of_enti(&txn, &comuni).await? {
        let ente = viewer.name_of(comune_id);
        mail::queue(
            &txn,
            Mail {
                to: email,
                subject: format!("Raccolta dei fabbisogni: {}", c.title),
                body: format!(
                    "{} chiede a {ente} di indicare i propri fabbisogni per «{}», in vista di una gara aggregata della Stazione Unica Appaltante.\n\nRispondi entro il {deadline}:\n{link}\n",
                    space.name, c.title
                ),
                ..Default::default()
            },
        )
        .await?;
    }
    let mut reminders = Vec::new();
    for days in REMINDER_DAYS {
        let at = c.deadline - Duration::days(days);
        if at > now {
            jobs::enqueue_at(
                &txn,
                REMINDER_JOB,
                serde_json::json!({ "campaign_id": c.id, "days": days }),
                at,
            )
            .await?;
            reminders.push(days);
        }
    }
    txn.commit().await?;
    record(
        &state,
        &actor,
        &from,
        "sua.campaign.send",
        format!("sua_campaign:{}", c.id),
        Some(space.id),
        serde_json::json!({ "enti": comuni, "reminders_days_before": reminders }),
    )
    .await?;
    Ok(Redirect::to(&path_of(&space, c.id, "?fatto=inviata")).into_response())
}

pub async fn close(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Result<Response, Error> {
    let (viewer, c) = operated(&state, &actor, &space, id).await?;
    check_csrf(&actor, &form.csrf)?;
    if !model::close(&state.db, c.id).await? {
        let page = campaign_page(&state, &actor, space, &viewer, c).await?;
        return refused(
            page,
            StatusCode::CONFLICT,
            "Si può chiudere solo una raccolta inviata e non ancora chiusa.",
        );
    }
    record(
        &state,
        &actor,
        &from,
        "sua.campaign.close",
        format!("sua_campaign:{}", c.id),
        Some(space.id),
        serde_json::json!({}),
    )
    .await?;
    Ok(Redirect::to(&path_of(&space, c.id, "?fatto=chiusa")).into_response())
}

// -------------------------------------------------------------------- an Ente's answer

struct AnswerRow {
    id: i32,
    group_name: String,
    /// Whether this item starts a new group.
    first_of_group: bool,
    name: String,
    unit: String,
    specifications: String,
    price: String,
    quantity: String,
    note: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "campaign_answer.html")]
struct AnswerPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    campaign: campaign::Model,
    deadline: String,
    ente_id: i32,
    ente: String,
    /// The other invited Enti the person acts for, to switch to.
    others: Vec<(i32, String)>,
    rows: Vec<AnswerRow>,
    editable: bool,
    submitted: Option<String>,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct AnswerQuery {
    ente: Option<i32>,
    fatto: Option<String>,
}

/// The campaign `id` and the Ente the person answers for: one of their Enti invited to it
/// (`wanted` when given). 404 when the campaign was not sent to any of their Enti.
async fn answering(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    id: i32,
    wanted: Option<i32>,
) -> Result<(Viewer, campaign::Model, Vec<invited::Model>, i32), Error> {
    let viewer = Viewer::of(state, actor, space).await?;
    match actor {
        Actor::Anonymous => return Err(Error::Unauthenticated),
        _ if viewer.enti.is_empty() => return Err(Error::Forbidden),
        _ => {}
    }
    let c = model::find(&state.db, space.id, id)
        .await?
        .filter(|c| Status::of(c) != Status::Draft)
        .ok_or(Error::NotFound)?;
    let mine = viewer.ente_ids();
    let invited: Vec<invited::Model> = model::invited_of(&state.db, c.id)
        .await?
        .into_iter()
        .filter(|i| mine.contains(&i.comune_id))
        .collect();
    let ente = match wanted {
        Some(w) => invited.iter().find(|i| i.comune_id == w),
        None => invited.first(),
    }
    .ok_or(Error::NotFound)?
    .comune_id;
    Ok((viewer, c, invited, ente))
}

async fn answer_page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    viewer: &Viewer,
    c: campaign::Model,
    invited: &[invited::Model],
    ente: i32,
) -> Result<AnswerPage, Error> {
    let items = model::items_of(&state.db, c.id).await?;
    let answers = model::answers_of(&state.db, c.id, ente).await?;
    let mine = invited
        .iter()
        .find(|i| i.comune_id == ente)
        .expect("the Ente answering is invited");
    let mut rows = Vec::new();
    let mut previous: Option<String> = None;
    for i in items {
        let answer = answers.iter().find(|a| a.item_id == i.id);
        rows.push(AnswerRow {
            id: i.id,
            first_of_group: previous.as_deref() != Some(i.group_name.as_str()),
            price: i
                .reference_price_cents
                .map_or_else(String::new, |c| Euro::from_cents(c).to_string()),
            quantity: answer.map_or_else(String::new, |a| {
                Quantity::from_milli(a.quantity_milli).to_string()
            }),
            note: answer.map_or_else(String::new, |a| a.note.clone()),
            error: None,
            name: i.name,
            unit: i.unit,
            specifications: i.specifications,
            group_name: i.group_name.clone(),
        });
        previous = Some(i.group_name);
    }
    let ente_name = viewer.name_of(ente);
    Ok(AnswerPage {
        chrome: chrome(
            state,
            actor,
            &space,
            &format!("Fabbisogni di {ente_name}"),
            &path_of(&space, c.id, "/risposta"),
        )
        .await?,
        csrf: actor.csrf_token(),
        deadline: when(c.deadline),
        ente_id: ente,
        others: invited
            .iter()
            .filter(|i| i.comune_id != ente)
            .map(|i| (i.comune_id, viewer.name_of(i.comune_id)))
            .collect(),
        rows,
        editable: mine.submitted_at.is_none() && model::accepts_answers(&c, Utc::now()),
        submitted: mine.submitted_at.map(when),
        error: None,
        notice: None,
        ente: ente_name,
        campaign: c,
        space,
    })
}

pub async fn answer_form(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Query(query): Query<AnswerQuery>,
) -> Result<Response, Error> {
    let (viewer, c, invited, ente) = answering(&state, &actor, &space, id, query.ente).await?;
    let mut page = answer_page(&state, &actor, space, &viewer, c, &invited, ente).await?;
    page.notice = match query.fatto.as_deref() {
        Some("bozza") => Some(
            "Bozza salvata: puoi modificarla fino alla scadenza. La Provincia la vede solo quando la invii.",
        ),
        Some("inviata") => Some("Fabbisogni inviati alla Provincia. Grazie!"),
        _ => None,
    };
    if !page.editable && page.submitted.is_none() {
        page.error = Some("La raccolta è chiusa: non si possono più inviare fabbisogni.".into());
    }
    Ok(render(&page)?.into_response())
}

pub async fn answer(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(pairs): Pairs,
) -> Result<Response, Error> {
    let wanted = field(&pairs, "ente").parse::<i32>().ok();
    let (viewer, c, invited, ente) = answering(&state, &actor, &space, id, wanted).await?;
    check_csrf(&actor, field(&pairs, "csrf"))?;
    let submit = field(&pairs, "azione") == "invia";
    let already = invited
        .iter()
        .find(|i| i.comune_id == ente)
        .is_some_and(|i| i.submitted_at.is_some());
    let refusal = if !model::accepts_answers(&c, Utc::now()) {
        Some(Refusal::Over)
    } else if already {
        Some(Refusal::Submitted)
    } else {
        None
    };
    let refusal = match refusal {
        Some(r) => Some(r),
        None => {
            let items = model::items_of(&state.db, c.id).await?;
            let mut lines = Vec::new();
            let mut errors: Vec<(i32, String)> = Vec::new();
            for i in &items {
                let typed = field(&pairs, &format!("quantita-{}", i.id));
                let note = field(&pairs, &format!("nota-{}", i.id))
                    .trim()
                    .replace("\r\n", "\n");
                match Quantity::parse(typed) {
                    Ok(quantity) if note.chars().count() <= 1000 => lines.push(model::AnswerLine {
                        item_id: i.id,
                        quantity,
                        note,
                    }),
                    Ok(_) => {
                        errors.push((i.id, "La nota può avere al massimo 1000 caratteri.".into()))
                    }
                    Err(e) => errors.push((i.id, e)),
                }
            }
            if !errors.is_empty() {
                let mut page =
                    answer_page(&state, &actor, space, &viewer, c, &invited, ente).await?;
                for row in &mut page.rows {
                    row.quantity = field(&pairs, &format!("quantita-{}", row.id)).into();
                    row.note = field(&pairs, &format!("nota-{}", row.id)).into();
                    row.error = errors
                        .iter()
                        .find(|(id, _)| *id == row.id)
                        .map(|(_, e)| e.clone());
                }
                page.error = Some(
                    "I fabbisogni non sono stati salvati: correggi le quantità indicate.".into(),
                );
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
            }
            let by = actor.person().ok_or(Error::Unauthenticated)?.id;
            model::save_answer(&state.db, c.id, ente, lines, submit, by)
                .await?
                .err()
        }
    };
    if let Some(refusal) = refusal {
        // Shows what is stored now, untouched.
        let (viewer, c, invited, ente) = answering(&state, &actor, &space, id, Some(ente)).await?;
        let mut page = answer_page(&state, &actor, space, &viewer, c, &invited, ente).await?;
        page.error = Some(
            match refusal {
                Refusal::Over => "La raccolta è chiusa o la scadenza è passata: i fabbisogni non sono stati salvati. Resta valido quanto salvato prima.",
                Refusal::Submitted => "I fabbisogni di questo Ente sono già stati inviati: non si possono più modificare.",
            }
            .into(),
        );
        return Ok((StatusCode::CONFLICT, render(&page)?).into_response());
    }
    record(
        &state,
        &actor,
        &from,
        if submit {
            "sua.campaign.answer.submit"
        } else {
            "sua.campaign.answer.save"
        },
        format!("sua_campaign:{}", c.id),
        Some(space.id),
        serde_json::json!({ "comune_id": ente }),
    )
    .await?;
    let done = if submit { "inviata" } else { "bozza" };
    Ok(Redirect::to(&path_of(
        &space,
        c.id,
        &format!("/risposta?ente={ente}&fatto={done}"),
    ))
    .into_response())
}

// ------------------------------------------------------------------------ the aggregate

struct TotalRow {
    group_name: String,
    name: String,
    unit: String,
    quantity: String,
    price: String,
    value: String,
    /// Quantities by submitted Ente, in the order of `enti`.
    by_ente: Vec<String>,
}

#[derive(Template)]
#[template(path = "campaign_aggregate.html")]
struct AggregatePage {
    chrome: Chrome,
    space: Space,
    campaign: campaign::Model,
    deadline: String,
    /// The Enti that submitted, by name.
    enti: Vec<String>,
    rows: Vec<TotalRow>,
    groups: Vec<(String, String)>,
    total: String,
    /// Every invited Ente with where its answer stands.
    answers: Vec<(String, String)>,
    submitted_count: usize,
    invited_count: usize,
}

struct Aggregated {
    enti: Vec<String>,
    rows: Vec<TotalRow>,
    groups: Vec<(String, String)>,
    total: String,
    answers: Vec<(String, String)>,
    submitted_count: usize,
    invited_count: usize,
}

async fn aggregated(
    state: &AppState,
    viewer: &Viewer,
    c: &campaign::Model,
) -> Result<Aggregated, Error> {
    let items = model::items_of(&state.db, c.id).await?;
    let invited = model::invited_of(&state.db, c.id).await?;
    let answers = model::all_answers(&state.db, c.id).await?;
    let a = model::aggregate(items, &invited, &answers);
    let rows = a
        .items
        .iter()
        .map(|t| TotalRow {
            group_name: t.item.group_name.clone(),
            name: t.item.name.clone(),
            unit: t.item.unit.clone(),
            quantity: t.quantity.to_string(),
            price: t.item.reference_price_cents.map_or_else(
                || "non indicato".into(),
                |c| Euro::from_cents(c).to_string(),
            ),
            value: t.value_cents.map_or_else(
                || "non stimabile".into(),
                |c| Euro::from_cents(c).to_string(),
            ),
            by_ente: a
                .submitted
                .iter()
                .map(|e| {
                    a.by_ente
                        .get(&(t.item.id, *e))
                        .copied()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect(),
        })
        .collect();
    let mut answered = Vec::new();
    for i in &invited {
        let state_of = match i.submitted_at {
            Some(at) => format!("Inviati il {}", when(at)),
            None if answers.iter().any(|x| x.comune_id == i.comune_id) => {
                "Bozza non ancora inviata".into()
            }
            None => "Nessuna risposta".into(),
        };
        answered.push((viewer.name_of(i.comune_id), state_of));
    }
    Ok(Aggregated {
        enti: a.submitted.iter().map(|e| viewer.name_of(*e)).collect(),
        rows,
        groups: a
            .groups
            .iter()
            .map(|(g, c)| (g.clone(), Euro::from_cents(*c).to_string()))
            .collect(),
        total: Euro::from_cents(a.total_cents).to_string(),
        submitted_count: a.submitted.len(),
        invited_count: invited.len(),
        answers: answered,
    })
}

pub async fn aggregate(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
) -> Result<Response, Error> {
    let (viewer, c) = operated(&state, &actor, &space, id).await?;
    let a = aggregated(&state, &viewer, &c).await?;
    let page = AggregatePage {
        chrome: chrome(
            &state,
            &actor,
            &space,
            &format!("Fabbisogni aggregati: {}", c.title),
            &path_of(&space, c.id, "/aggregato"),
        )
        .await?,
        deadline: when(c.deadline),
        enti: a.enti,
        rows: a.rows,
        groups: a.groups,
        total: a.total,
        answers: a.answers,
        submitted_count: a.submitted_count,
        invited_count: a.invited_count,
        campaign: c,
        space,
    };
    Ok(render(&page)?.into_response())
}

/// The aggregate as a spreadsheet: one line per item, then a column per Ente that submitted.
pub async fn aggregate_csv(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
) -> Result<Response, Error> {
    let (viewer, c) = operated(&state, &actor, &space, id).await?;
    let a = aggregated(&state, &viewer, &c).await?;
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let mut header = vec![
        "Lotto".to_owned(),
        "Voce".into(),
        "Unità di misura".into(),
        "Quantità totale".into(),
        "Prezzo di riferimento".into(),
        "Valore stimato".into(),
    ];
    header.extend(a.enti.iter().cloned());
    out.write_record(&header).map_err(anyhow::Error::from)?;
    for r in a.rows {
        let mut line = vec![r.group_name, r.name, r.unit, r.quantity, r.price, r.value];
        line.extend(r.by_ente);
        out.write_record(&line).map_err(anyhow::Error::from)?;
    }
    let bytes = out.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(pico_kernel::web::attachment(
        bytes.into(),
        "text/csv; charset=utf-8",
        &format!("fabbisogni-raccolta-{}.csv", c.id),
    ))
}

// ------------------------------------------------------------- the aggregated tender

#[derive(Deserialize)]
pub struct TenderForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    contract_type: String,
    #[serde(default)]
    procedure: String,
}

pub async fn make_tender(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<TenderForm>,
) -> Result<Response, Error> {
    let (viewer, c) = operated(&state, &actor, &space, id).await?;
    check_csrf(&actor, &form.csrf)?;
    let contract_type =
        ContractType::parse(form.contract_type.trim()).unwrap_or(ContractType::Supplies);
    let procedure = Procedure::parse(form.procedure.trim()).unwrap_or(Procedure::Open);
    let plan = tender_plan(&state.db, &c, contract_type, procedure, |id| {
        viewer.name_of(id)
    })
    .await?;
    let problem = if c.tender_id.is_some() {
        Some((
            StatusCode::CONFLICT,
            "La raccolta è già stata trasformata in gara: nessuna nuova gara è stata creata.",
        ))
    } else if !model::is_over(&c, Utc::now()) {
        Some((
            StatusCode::CONFLICT,
            "La raccolta è ancora aperta: chiudila o attendi la scadenza prima di creare la gara.",
        ))
    } else if plan.is_none() {
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            "Nessun Ente ha inviato i propri fabbisogni: non c'è una gara da creare.",
        ))
    } else {
        None
    };
    if let Some((status, message)) = problem {
        let page = campaign_page(&state, &actor, space, &viewer, c).await?;
        return refused(page, status, message);
    }
    let plan = plan.expect("a plan when there is no problem");
    let (titolare, participants) = (plan.titolare, plan.participants.clone());
    let by = actor.person().ok_or(Error::Unauthenticated)?.id;
    let Some(tender) = model::make_tender(&state.db, &c, plan, by).await? else {
        let c = model::find(&state.db, space.id, id)
            .await?
            .ok_or(Error::NotFound)?;
        let page = campaign_page(&state, &actor, space, &viewer, c).await?;
        return refused(
            page,
            StatusCode::CONFLICT,
            "La raccolta è già stata trasformata in gara: nessuna nuova gara è stata creata.",
        );
    };
    record(
        &state,
        &actor,
        &from,
        "sua.campaign.tender",
        format!("sua_campaign:{}", c.id),
        Some(space.id),
        serde_json::json!({
            "tender_id": tender.id,
            "titolare_comune_id": titolare,
            "participants": participants,
            "amount_cents": tender.amount_cents,
        }),
    )
    .await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/sua/gare/{}?fatto=creata", tender.id)))
            .into_response(),
    )
}

/// The aggregated tender a campaign makes: a lot per group of items, priced with the
/// submitted quantities; `None` when no Ente submitted.
///
/// The Ente that submitted first is the titolare: a tender's titolare is an Ente of the
/// territory (the Province is the contracting station, and is not a Comune); every Ente that
/// submitted takes part.
pub async fn tender_plan(
    db: &impl sea_orm::ConnectionTrait,
    c: &campaign::Model,
    contract_type: ContractType,
    procedure: Procedure,
    name_of: impl Fn(i32) -> String,
) -> Result<Option<model::TenderPlan>, sea_orm::DbErr> {
    let items = model::items_of(db, c.id).await?;
    let invited = model::invited_of(db, c.id).await?;
    let answers = model::all_answers(db, c.id).await?;
    let a = model::aggregate(items, &invited, &answers);
    let Some(first) = invited
        .iter()
        .filter(|i| i.submitted_at.is_some())
        .min_by_key(|i| (i.submitted_at, i.id))
        .map(|i| i.comune_id)
    else {
        return Ok(None);
    };
    let lots: Vec<NewLot> = a
        .groups
        .iter()
        .map(|(title, cents)| NewLot {
            title: title.clone(),
            cig: None,
            amount: Euro::from_cents(*cents),
            cpv: None,
        })
        .collect();
    let names: Vec<String> = a.submitted.iter().map(|e| name_of(*e)).collect();
    Ok(Some(model::TenderPlan {
        titolare: first,
        participants: a.submitted,
        contract_type: contract_type.key().into(),
        procedure: procedure.key().into(),
        summary: format!(
            "Gara aggregata creata dalla raccolta dei fabbisogni «{}»: {} lotti, Enti partecipanti {}.",
            c.title,
            lots.len(),
            names.join(", ")
        ),
        lots,
    }))
}

// ------------------------------------------------------------------------- reminders

/// Reminds the Enti of an open campaign that have not submitted yet. Runs again harmlessly:
/// each message carries a stable id, so a mail program shows a repeated one once.
pub struct Reminder;

#[async_trait::async_trait]
impl Handler for Reminder {
    fn kind(&self) -> &'static str {
        REMINDER_JOB
    }

    async fn run(&self, state: &AppState, payload: serde_json::Value) -> anyhow::Result<Outcome> {
        let id = payload["campaign_id"]
            .as_i64()
            .and_then(|id| i32::try_from(id).ok())
            .ok_or_else(|| anyhow::anyhow!("payload without campaign_id"))?;
        let days = payload["days"].as_i64().unwrap_or(0);
        remind(state, id, days).await?;
        Ok(Outcome::Done)
    }
}

/// Queues the reminders of campaign `id`; returns how many messages.
pub async fn remind(state: &AppState, id: i32, days: i64) -> anyhow::Result<usize> {
    use sea_orm::EntityTrait;
    let db = &state.db;
    let Some(c) = campaign::Entity::find_by_id(id).one(db).await? else {
        return Ok(0);
    };
    if !model::accepts_answers(&c, Utc::now()) {
        return Ok(0);
    }
    let Some(space) = spaces::by_id(db, c.space_id).await? else {
        return Ok(0);
    };
    let silent: Vec<i32> = model::invited_of(db, c.id)
        .await?
        .into_iter()
        .filter(|i| i.submitted_at.is_none())
        .map(|i| i.comune_id)
        .collect();
    let link = campaign_url(state, &space, c.id, "/risposta");
    let people = model::people_of_enti(db, &silent).await?;
    let count = people.len();
    let txn = db.begin().await?;
    for (comune_id, email) in people {
        mail::queue(
            &txn,
            Mail {
                message_id: Some(format!(
                    "sua-raccolta-{}-promemoria-{days}-{comune_id}-{}@pico",
                    c.id,
                    email.replace('@', ".")
                )),
                to: email,
                subject: format!("Promemoria: raccolta dei fabbisogni «{}»", c.title),
                body: format!(
                    "La raccolta dei fabbisogni «{}» di {} si chiude il {}, e il tuo Ente non ha ancora inviato la sua risposta.\n\nRispondi qui:\n{link}\n",
                    c.title,
                    space.name,
                    when(c.deadline)
                ),
                ..Default::default()
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(count)
}
