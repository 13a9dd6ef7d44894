//! The registry of the people able to act as RUP (*responsabile unico del progetto*, D.Lgs.
//! 36/2023 art. 15) for the Province's tenders: who they are, for which Ente they work, in
//! which kinds of contract they are competent, how to reach them, whether they are available.
//! The operators search it and assign a RUP to a tender; the RUP, signed in with the e-mail of
//! the registry, sees the tenders assigned.

use crate::access::Viewer;
use crate::domain::ContractType;
use crate::model::{self, rup};
use crate::requests::chrome;
use crate::tenders::{Typed, refuse, visible_tender};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use pico_kernel::identity::Actor;
use pico_kernel::spaces::Space;
use pico_kernel::web::audit_log::record;
use pico_kernel::web::{Chrome, ClientAddress, CurrentSpace, check_csrf, render};
use pico_kernel::{AppState, Error};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde::Deserialize;

/// The filters of the registry page.
#[derive(Deserialize, Default)]
pub struct Filters {
    #[serde(default)]
    q: String,
    /// `lavori`, `servizi` or `forniture`.
    #[serde(default)]
    competenza: String,
    #[serde(default)]
    disponibili: Option<String>,
}

/// The new entry, as typed.
#[derive(Deserialize, Default)]
pub struct RupForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    ente: String,
    #[serde(default)]
    qualification: String,
    #[serde(default)]
    works: Option<String>,
    #[serde(default)]
    services: Option<String>,
    #[serde(default)]
    supplies: Option<String>,
    #[serde(default)]
    available: Option<String>,
}

pub struct RupRow {
    pub rup: rup::Model,
    pub ente: String,
    pub competences: String,
}

#[derive(Template)]
#[template(path = "rup.html")]
struct RegistryPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    filters: Filters,
    rows: Vec<RupRow>,
    enti: Vec<(i32, String)>,
    form: RupForm,
    error: Option<String>,
    notice: bool,
}

/// The kinds of contract a RUP is competent in, in Italian.
pub fn competences(r: &rup::Model) -> String {
    [
        (r.works, ContractType::Works),
        (r.services, ContractType::Services),
        (r.supplies, ContractType::Supplies),
    ]
    .iter()
    .filter(|(yes, _)| *yes)
    .map(|(_, c)| c.label())
    .collect::<Vec<_>>()
    .join(", ")
}

/// Whether `r` may be the RUP of a contract of kind `contract`.
pub fn competent(r: &rup::Model, contract: Option<ContractType>) -> bool {
    match contract {
        Some(ContractType::Works) => r.works,
        Some(ContractType::Services) => r.services,
        Some(ContractType::Supplies) => r.supplies,
        None => true,
    }
}

async fn registry_page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    viewer: &Viewer,
    filters: Filters,
) -> Result<RegistryPage, Error> {
    let wanted = ContractType::parse(&filters.competenza);
    let rows = model::rups(&state.db, space.id, &filters.q)
        .await?
        .into_iter()
        .filter(|r| wanted.is_none() || competent(r, wanted))
        .filter(|r| filters.disponibili.is_none() || r.available)
        .map(|r| RupRow {
            ente: r
                .comune_id
                .map_or_else(|| space.name.clone(), |id| viewer.name_of(id)),
            competences: competences(&r),
            rup: r,
        })
        .collect();
    Ok(RegistryPage {
        chrome: chrome(
            state,
            actor,
            &space,
            "Albo dei RUP",
            &space.path_to("/sua/rup"),
        )
        .await?,
        csrf: actor.csrf_token(),
        filters,
        rows,
        enti: viewer
            .territory
            .iter()
            .map(|c| (c.id, c.name.clone()))
            .collect(),
        form: RupForm {
            available: Some("on".into()),
            ..RupForm::default()
        },
        error: None,
        notice: false,
        space,
    })
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    fatto: Option<String>,
    #[serde(flatten)]
    filters: Filters,
}

pub async fn registry(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(query): Query<Done>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    let mut page = registry_page(&state, &actor, space, &viewer, query.filters).await?;
    page.notice = query.fatto.is_some();
    Ok(render(&page)?.into_response())
}

fn check(form: &RupForm, viewer: &Viewer) -> Result<rup::ActiveModel, Vec<String>> {
    let mut errors = Vec::new();
    let tidy = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = tidy(&form.name);
    if name.is_empty() || name.chars().count() > 200 {
        errors.push("Indica nome e cognome (al massimo 200 caratteri).".to_owned());
    }
    let email = form.email.trim().to_lowercase();
    let shape_ok = email
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !host.contains('@'));
    if !shape_ok || email.chars().count() > 200 {
        errors.push(format!("L'indirizzo e-mail «{email}» non è valido."));
    }
    let qualification = tidy(&form.qualification);
    if qualification.is_empty() || qualification.chars().count() > 200 {
        errors
            .push("Indica la qualifica (per esempio «Funzionario tecnico, ingegnere»).".to_owned());
    }
    let phone = tidy(&form.phone);
    if phone.chars().count() > 40 {
        errors.push("Il telefono può avere al massimo 40 caratteri.".to_owned());
    }
    let comune_id = match form.ente.trim() {
        "" => None,
        value => match value.parse::<i32>() {
            Ok(id) if viewer.territory.iter().any(|c| c.id == id) => Some(id),
            _ => {
                errors.push("L'Ente scelto non è del territorio della Provincia.".to_owned());
                None
            }
        },
    };
    let (works, services, supplies) = (
        form.works.is_some(),
        form.services.is_some(),
        form.supplies.is_some(),
    );
    if !(works || services || supplies) {
        errors.push("Indica almeno una competenza: lavori, servizi o forniture.".to_owned());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(rup::ActiveModel {
        name: Set(name),
        email: Set(email),
        phone: Set(phone),
        comune_id: Set(comune_id),
        qualification: Set(qualification),
        works: Set(works),
        services: Set(services),
        supplies: Set(supplies),
        available: Set(form.available.is_some()),
        ..Default::default()
    })
}

pub async fn add(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    axum::Form(form): axum::Form<RupForm>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    check_csrf(&actor, &form.csrf)?;
    let mut entry = match check(&form, &viewer) {
        Ok(entry) => entry,
        Err(errors) => {
            return refuse_registry(&state, &actor, space, &viewer, form, errors.join(" ")).await;
        }
    };
    let email = form.email.trim().to_lowercase();
    if !model::rups_with_email(&state.db, space.id, &email)
        .await?
        .is_empty()
    {
        let message = format!("Nell'albo c'è già una persona con l'indirizzo {email}.");
        return refuse_registry(&state, &actor, space, &viewer, form, message).await;
    }
    entry.space_id = Set(space.id);
    entry.created_at = Set(Utc::now());
    let saved = entry.insert(&state.db).await?;
    record(
        &state,
        &actor,
        &from,
        "sua.rup.create",
        format!("sua_rup:{}", saved.id),
        Some(space.id),
        serde_json::json!({ "name": saved.name, "email": saved.email }),
    )
    .await?;
    Ok(Redirect::to(&space.path_to("/sua/rup?fatto=aggiunto")).into_response())
}

async fn refuse_registry(
    state: &AppState,
    actor: &Actor,
    space: Space,
    viewer: &Viewer,
    form: RupForm,
    message: String,
) -> Result<Response, Error> {
    let mut page = registry_page(state, actor, space, viewer, Filters::default()).await?;
    page.form = form;
    page.error = Some(message);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

#[derive(Deserialize)]
pub struct AvailabilityForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    available: Option<String>,
}

pub async fn set_availability(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<AvailabilityForm>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    check_csrf(&actor, &form.csrf)?;
    let found = model::find_rup(&state.db, space.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut entry: rup::ActiveModel = found.into();
    entry.available = Set(form.available.is_some());
    let saved = entry.update(&state.db).await?;
    record(
        &state,
        &actor,
        &from,
        "sua.rup.availability",
        format!("sua_rup:{id}"),
        Some(space.id),
        serde_json::json!({ "available": saved.available }),
    )
    .await?;
    Ok(Redirect::to(&space.path_to("/sua/rup?fatto=salvato")).into_response())
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    rup: String,
}

pub async fn assign(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<AssignForm>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    check_csrf(&actor, &form.csrf)?;
    let tender = visible_tender(&state, &space, &viewer, id).await?;
    let chosen = match form.rup.trim().parse::<i32>() {
        Ok(rup_id) => model::find_rup(&state.db, space.id, rup_id).await?,
        Err(_) => None,
    };
    let contract = ContractType::parse(&tender.contract_type);
    let problem = match &chosen {
        None => Some("Scegli un RUP dall'albo.".to_owned()),
        Some(r) if !r.available => Some(format!("{} al momento non è disponibile.", r.name)),
        Some(r) if !competent(r, contract) => Some(format!(
            "{} non ha la competenza richiesta da questa gara ({}).",
            r.name,
            contract.map_or("", ContractType::label).to_lowercase()
        )),
        Some(_) => None,
    };
    let Some(chosen) = chosen.filter(|_| problem.is_none()) else {
        let problem = (
            StatusCode::UNPROCESSABLE_ENTITY,
            problem.unwrap_or_default(),
        );
        return refuse(&state, &actor, space, &viewer, id, problem, Typed::Nothing).await;
    };
    let by = actor.person().ok_or(Error::Unauthenticated)?.id;
    model::assign_rup(&state.db, &tender, &chosen, by).await?;
    record(
        &state,
        &actor,
        &from,
        "sua.tender.rup",
        format!("sua_tender:{id}"),
        Some(space.id),
        serde_json::json!({ "rup": chosen.id, "name": chosen.name }),
    )
    .await?;
    Ok(Redirect::to(&space.path_to(&format!("/sua/gare/{id}?fatto=rup"))).into_response())
}
