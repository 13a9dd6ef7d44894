//! Working for an Ente: a person asks to join a Comune of a Province's territory from the
//! profile; the Ente's administrators or the Province's decide. Approval makes the person a
//! member of the Ente.

use super::audit_log::record;
use super::{AppState, Chrome, ClientAddress, Crumb, CurrentSpace, Error, check_csrf, render};
use crate::identity::model::{ente_request, person, role_grant};
use crate::identity::{self, Actor, Role};
use crate::mail::Mail;
use crate::policy::{Action, allows, authorize};
use crate::spaces::{self, Space, SpaceKind};
use crate::territory::{self, model::comune};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/profilo/enti", get(mine).post(ask))
        .route("/{space}/gestione/richieste", get(pending))
        .route("/{space}/gestione/richieste/decidi", post(decide))
}

#[derive(Template)]
#[template(path = "account/enti.html")]
struct MinePage {
    chrome: Chrome,
    csrf: String,
    /// Each Ente with the role held there, and for its administrators the page of requests.
    memberships: Vec<(String, Option<String>)>,
    requests: Vec<(String, &'static str, String)>,
    provinces: Vec<(String, String)>,
    province: String,
    comuni: Vec<(i32, String)>,
    notice: Option<&'static str>,
    error: Option<&'static str>,
}

#[derive(Deserialize, Default)]
struct Choice {
    #[serde(default)]
    provincia: String,
    fatto: Option<String>,
}

fn status_label(status: &str) -> &'static str {
    match status {
        "approved" => "Approvata",
        "refused" => "Rifiutata",
        _ => "In attesa",
    }
}

async fn comune_names(
    state: &AppState,
    ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, comune::Model>, Error> {
    Ok(comune::Entity::find()
        .filter(comune::Column::Id.is_in(ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect())
}

async fn mine_page(
    state: &AppState,
    actor: &Actor,
    province: String,
    notice: Option<&'static str>,
    error: Option<&'static str>,
) -> Result<MinePage, Error> {
    let me = actor.person().ok_or(Error::Unauthenticated)?;
    let requests = ente_request::Entity::find()
        .filter(ente_request::Column::PersonId.eq(me.id))
        .order_by_desc(ente_request::Column::Id)
        .all(&state.db)
        .await?;
    let ente_ids: Vec<i32> = me
        .grants
        .iter()
        .filter_map(|g| match g.scope {
            identity::Scope::Ente { comune_id } => Some(comune_id),
            _ => None,
        })
        .collect();
    let names = comune_names(
        state,
        ente_ids
            .iter()
            .copied()
            .chain(requests.iter().map(|r| r.comune_id)),
    )
    .await?;
    let provinces_by_code: HashMap<String, Space> = spaces::all(&state.db)
        .await?
        .into_iter()
        .filter(|s| s.kind() == SpaceKind::Provincial)
        .filter_map(|s| Some((s.istat_code.clone()?, s)))
        .collect();
    let memberships = me
        .grants
        .iter()
        .filter_map(|g| match g.scope {
            identity::Scope::Ente { comune_id } => names.get(&comune_id).map(|c| {
                let requests = (g.role == Role::EnteAdmin)
                    .then(|| provinces_by_code.get(&c.province_code))
                    .flatten()
                    .map(|s| s.path_to("/gestione/richieste"));
                (
                    format!("Comune di {} – {}", c.name, g.role.label()),
                    requests,
                )
            }),
            _ => None,
        })
        .collect();
    let requests = requests
        .into_iter()
        .filter_map(|r| {
            let name = names.get(&r.comune_id)?.name.clone();
            Some((
                format!("Comune di {name}"),
                status_label(&r.status),
                r.reason.unwrap_or_default(),
            ))
        })
        .collect();
    let mut provinces: Vec<(String, String)> = spaces::all(&state.db)
        .await?
        .into_iter()
        .filter(|s| s.kind() == SpaceKind::Provincial)
        .filter_map(|s| Some((s.istat_code?, s.name)))
        .collect();
    provinces.sort_by(|a, b| a.1.cmp(&b.1));
    let comuni = if territory::is_province_code(&province) {
        territory::comuni_of(&state.db, &province)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect()
    } else {
        Vec::new()
    };
    let national = spaces::national(&state.db).await?;
    Ok(MinePage {
        chrome: Chrome::new(
            state,
            &national,
            actor,
            "I miei Enti",
            "/profilo/enti",
            vec![
                Crumb::link("Il mio profilo", "/profilo"),
                Crumb::here("I miei Enti"),
            ],
        )
        .await?,
        csrf: me.csrf_token.clone(),
        memberships,
        requests,
        provinces,
        province,
        comuni,
        notice,
        error,
    })
}

async fn mine(
    State(state): State<AppState>,
    actor: Actor,
    Query(choice): Query<Choice>,
) -> Result<Response, Error> {
    let notice = choice
        .fatto
        .is_some()
        .then_some("Richiesta inviata: riceverai un'e-mail quando sarà decisa.");
    let page = mine_page(&state, &actor, choice.provincia, notice, None).await?;
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct AskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    provincia: String,
    #[serde(default)]
    comune: String,
    #[serde(default)]
    message: String,
}

async fn ask(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<AskForm>,
) -> Result<Response, Error> {
    let me = actor.person().ok_or(Error::Unauthenticated)?;
    check_csrf(&actor, &form.csrf)?;
    let comune = match form.comune.parse::<i32>() {
        Ok(id) => comune::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .filter(|c| c.suppressed_at.is_none()),
        Err(_) => None,
    };
    let message = form.message.trim();
    let problem = match &comune {
        None => Some("Scegli il Comune per cui lavori."),
        Some(_) if message.chars().count() > 1000 => {
            Some("Il messaggio può avere al massimo 1000 caratteri.")
        }
        Some(c) => {
            let open = ente_request::Entity::find()
                .filter(ente_request::Column::PersonId.eq(me.id))
                .filter(ente_request::Column::ComuneId.eq(c.id))
                .filter(ente_request::Column::Status.eq("pending"))
                .count(&state.db)
                .await?;
            let member = me
                .grants
                .iter()
                .any(|g| g.scope == identity::Scope::Ente { comune_id: c.id });
            if member {
                Some("Fai già parte di questo Ente.")
            } else if open > 0 {
                Some("Hai già una richiesta in attesa per questo Ente.")
            } else {
                None
            }
        }
    };
    if let Some(problem) = problem {
        let page = mine_page(&state, &actor, form.provincia, None, Some(problem)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let comune = comune.ok_or(Error::NotFound)?;
    ente_request::ActiveModel {
        person_id: Set(me.id),
        comune_id: Set(comune.id),
        message: Set(message.to_owned()),
        status: Set("pending".into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&state.db)
    .await?;
    notify_deciders(&state, me, &comune).await?;
    Ok(Redirect::to("/profilo/enti?fatto=1").into_response())
}

/// Tells the Ente's administrators, or the Province's when the Ente has none, that a request
/// waits for them.
async fn notify_deciders(
    state: &AppState,
    asker: &identity::Person,
    comune: &comune::Model,
) -> Result<(), Error> {
    let Some(space) = spaces::all(&state.db).await?.into_iter().find(|s| {
        s.kind() == SpaceKind::Provincial
            && s.istat_code.as_deref() == Some(comune.province_code.as_str())
    }) else {
        return Ok(());
    };
    let ente_admins = role_grant::Entity::find()
        .filter(role_grant::Column::Role.eq(Role::EnteAdmin.as_str()))
        .filter(role_grant::Column::ComuneId.eq(comune.id))
        .all(&state.db)
        .await?;
    let deciders = if ente_admins.is_empty() {
        role_grant::Entity::find()
            .filter(role_grant::Column::Role.eq(Role::SpaceAdmin.as_str()))
            .filter(role_grant::Column::SpaceId.eq(space.id))
            .all(&state.db)
            .await?
    } else {
        ente_admins
    };
    let people = person::Entity::find()
        .filter(person::Column::Id.is_in(deciders.iter().map(|g| g.person_id)))
        .filter(person::Column::DeletedAt.is_null())
        .all(&state.db)
        .await?;
    for decider in people {
        let body = format!(
            "Gentile {},\n\n{} chiede di lavorare per il Comune di {} su Pi.Co.\n\nPuoi \
             approvare o rifiutare la richiesta da {}\n\n-- \nPi.Co.\n",
            decider.display_name,
            asker.display_name,
            comune.name,
            state.config.url(&space.path_to("/gestione/richieste")),
        );
        let mail = Mail {
            to: decider.email,
            subject: format!("Richiesta di adesione al Comune di {}", comune.name),
            body,
            ..Default::default()
        };
        crate::mail::queue(&state.db, mail).await?;
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "requests.html")]
struct PendingPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    requests: Vec<RequestRow>,
    notice: Option<&'static str>,
}

struct RequestRow {
    id: i32,
    person: String,
    email: String,
    fiscal_code: String,
    ente: String,
    message: String,
    asked: String,
}

#[derive(Deserialize)]
struct Done {
    fatto: Option<String>,
}

/// The pending requests of the space's Enti that the actor may decide.
async fn decidable(
    state: &AppState,
    actor: &Actor,
    space: &Space,
) -> Result<Vec<(ente_request::Model, comune::Model)>, Error> {
    let Some(province) = space
        .istat_code
        .as_deref()
        .filter(|_| space.kind() == SpaceKind::Provincial)
    else {
        return Err(Error::NotFound);
    };
    let comuni: HashMap<i32, comune::Model> = territory::comuni_of(&state.db, province)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let requests = ente_request::Entity::find()
        .filter(ente_request::Column::Status.eq("pending"))
        .filter(ente_request::Column::ComuneId.is_in(comuni.keys().copied()))
        .order_by_asc(ente_request::Column::Id)
        .all(&state.db)
        .await?;
    Ok(requests
        .into_iter()
        .filter(|r| {
            allows(
                actor,
                Action::DecideEnteRequest {
                    space,
                    comune_id: r.comune_id,
                },
            )
        })
        .filter_map(|r| {
            let comune = comuni.get(&r.comune_id)?.clone();
            Some((r, comune))
        })
        .collect())
}

/// The space's administrators and the administrators of the Enti of its territory may open
/// the page.
async fn may_open(state: &AppState, actor: &Actor, space: &Space) -> Result<(), Error> {
    if allows(actor, Action::ManageSpace(space)) {
        return Ok(());
    }
    let ente_admin_of: Vec<i32> = actor
        .person()
        .map(|p| {
            p.grants
                .iter()
                .filter(|g| g.role == Role::EnteAdmin)
                .filter_map(|g| match g.scope {
                    identity::Scope::Ente { comune_id } => Some(comune_id),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let here = match (space.kind(), space.istat_code.as_deref()) {
        (SpaceKind::Provincial, Some(province)) if !ente_admin_of.is_empty() => {
            comune::Entity::find()
                .filter(comune::Column::Id.is_in(ente_admin_of))
                .filter(comune::Column::ProvinceCode.eq(province))
                .count(&state.db)
                .await?
                > 0
        }
        _ => false,
    };
    if here {
        Ok(())
    } else {
        authorize(actor, Action::ManageSpace(space))
    }
}

async fn pending(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    may_open(&state, &actor, &space).await?;
    let rows = decidable(&state, &actor, &space).await?;
    let people: HashMap<i32, person::Model> = person::Entity::find()
        .filter(person::Column::Id.is_in(rows.iter().map(|(r, _)| r.person_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let requests = rows
        .into_iter()
        .filter_map(|(r, c)| {
            let p = people.get(&r.person_id)?;
            Some(RequestRow {
                id: r.id,
                person: p.display_name.clone(),
                email: p.email.clone(),
                fiscal_code: p
                    .fiscal_code
                    .clone()
                    .unwrap_or_else(|| "non indicato".into()),
                ente: format!("Comune di {}", c.name),
                message: r.message,
                asked: r.created_at.format("%d/%m/%Y").to_string(),
            })
        })
        .collect();
    let notice = match done.fatto.as_deref() {
        Some("approvata") => Some("Richiesta approvata: la persona ora fa parte dell'Ente."),
        Some("rifiutata") => Some("Richiesta rifiutata."),
        _ => None,
    };
    let page = PendingPage {
        chrome: Chrome::new(
            &state,
            &space,
            &actor,
            "Richieste di adesione",
            &space.path_to("/gestione/richieste"),
            vec![Crumb::here("Richieste di adesione")],
        )
        .await?,
        csrf: actor.csrf_token(),
        requests,
        notice,
        space,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    csrf: String,
    id: i32,
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Form(form): Form<DecideForm>,
) -> Result<Response, Error> {
    may_open(&state, &actor, &space).await?;
    check_csrf(&actor, &form.csrf)?;
    let (request, comune) = decidable(&state, &actor, &space)
        .await?
        .into_iter()
        .find(|(r, _)| r.id == form.id)
        .ok_or(Error::NotFound)?;
    authorize(
        &actor,
        Action::DecideEnteRequest {
            space: &space,
            comune_id: comune.id,
        },
    )?;
    let approve = match form.decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => return Err(Error::BadRequest("Decisione non valida.".into())),
    };
    let reason = form.reason.trim();
    if reason.chars().count() > 1000 {
        return Err(Error::BadRequest(
            "La motivazione può avere al massimo 1000 caratteri.".into(),
        ));
    }
    let me = actor.person().ok_or(Error::Unauthenticated)?;
    let person_id = request.person_id;
    let mut model: ente_request::ActiveModel = request.into();
    model.status = Set(if approve { "approved" } else { "refused" }.into());
    model.decided_by = Set(Some(me.id));
    model.decided_at = Set(Some(Utc::now()));
    model.reason = Set(Some(reason.to_owned()).filter(|r| !r.is_empty()));
    model.update(&state.db).await?;
    if approve {
        let already = role_grant::Entity::find()
            .filter(role_grant::Column::PersonId.eq(person_id))
            .filter(role_grant::Column::ComuneId.eq(comune.id))
            .filter(role_grant::Column::Role.eq(Role::EnteMember.as_str()))
            .count(&state.db)
            .await?;
        if already == 0 {
            identity::grant(
                &state.db,
                person_id,
                Role::EnteMember,
                None,
                Some(comune.id),
                None,
            )
            .await?;
        }
    }
    let action = if approve {
        "ente_request.approve"
    } else {
        "ente_request.refuse"
    };
    let detail = serde_json::json!({ "comune": comune.istat_code, "reason": reason });
    record(
        &state,
        &actor,
        &from,
        action,
        format!("person:{person_id}"),
        Some(space.id),
        detail,
    )
    .await?;
    if let Some(person) = person::Entity::find_by_id(person_id).one(&state.db).await? {
        let outcome = if approve {
            format!(
                "è stata approvata: ora fai parte del Comune di {}.",
                comune.name
            )
        } else {
            format!(
                "non è stata accolta.{}",
                if reason.is_empty() {
                    String::new()
                } else {
                    format!("\n\nMotivazione: {reason}")
                }
            )
        };
        let body = format!(
            "Gentile {},\n\nla tua richiesta di lavorare per il Comune di {} su Pi.Co. {outcome}\n\n-- \nPi.Co.\n",
            person.display_name, comune.name
        );
        crate::mail::queue(
            &state.db,
            Mail {
                to: person.email,
                subject: "La tua richiesta di adesione all'Ente".into(),
                body,
                ..Default::default()
            },
        )
        .await?;
    }
    let done = if approve { "approvata" } else { "rifiutata" };
    Ok(Redirect::to(&space.path_to(&format!("/gestione/richieste?fatto={done}"))).into_response())
}
