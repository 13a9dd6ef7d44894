//! A person's own data: downloaded as JSON, or deleted on request (the account is then
//! pseudonymised, see [`accounts::forget`]).

use super::{chrome, notice};
use crate::audit::entry;
use crate::identity::model::{api_token, ente_request, person};
use crate::identity::{Actor, Scope, accounts, password, sessions};
use crate::web::audit_log::record;
use crate::web::{AppState, Chrome, ClientAddress, Crumb, Error, check_csrf, render};
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/profilo/dati", get(show))
        .route("/profilo/dati/esporta", get(export))
        .route("/profilo/elimina", post(delete))
}

#[derive(Template)]
#[template(path = "account/data.html")]
struct DataPage {
    chrome: Chrome,
    csrf: String,
    has_password: bool,
    error: Option<&'static str>,
}

async fn me(state: &AppState, actor: &Actor) -> Result<person::Model, Error> {
    let id = actor.person().ok_or(Error::Unauthenticated)?.id;
    person::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(Error::Unauthenticated)
}

async fn page(
    state: &AppState,
    actor: &Actor,
    status: StatusCode,
    error: Option<&'static str>,
) -> Result<Response, Error> {
    let person = me(state, actor).await?;
    let title = "I miei dati";
    let page = DataPage {
        chrome: chrome(
            state,
            actor,
            title,
            "/profilo/dati",
            vec![
                Crumb::link("Il mio profilo", "/profilo"),
                Crumb::here(title),
            ],
        )
        .await?,
        csrf: actor.csrf_token(),
        has_password: !person.password_hash.is_empty(),
        error,
    };
    Ok((status, render(&page)?).into_response())
}

async fn show(State(state): State<AppState>, actor: Actor) -> Result<Response, Error> {
    page(&state, &actor, StatusCode::OK, None).await
}

/// Everything the platform keeps about the person, in one JSON document.
async fn export(State(state): State<AppState>, actor: Actor) -> Result<Response, Error> {
    let person = me(&state, &actor).await?;
    let grants = actor.person().map(|p| p.grants.clone()).unwrap_or_default();
    let roles: Vec<_> = grants
        .iter()
        .map(|g| {
            let scope = match &g.scope {
                Scope::Platform => json!({ "platform": true }),
                Scope::Space { id, .. } => json!({ "space_id": id }),
                Scope::Ente { comune_id } => json!({ "comune_id": comune_id }),
            };
            json!({ "role": g.role.as_str(), "scope": scope, "module": g.module_key })
        })
        .collect();
    let sessions: Vec<_> = sessions::of_person(&state.db, person.id)
        .await?
        .into_iter()
        .map(|s| json!({ "started": s.created_at, "expires": s.expires_at, "ip": s.ip, "user_agent": s.user_agent }))
        .collect();
    let requests: Vec<_> = ente_request::Entity::find()
        .filter(ente_request::Column::PersonId.eq(person.id))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| json!({ "comune_id": r.comune_id, "message": r.message, "status": r.status, "reason": r.reason, "asked": r.created_at, "decided": r.decided_at }))
        .collect();
    let tokens: Vec<_> = api_token::Entity::find()
        .filter(api_token::Column::PersonId.eq(person.id))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|t| json!({ "name": t.name, "prefix": t.prefix, "can_write": t.can_write, "created": t.created_at, "expires": t.expires_at, "last_used": t.last_used_at, "revoked": t.revoked_at }))
        .collect();
    let actions: Vec<_> = entry::Entity::find()
        .filter(entry::Column::ActorId.eq(person.id))
        .order_by_asc(entry::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|e| json!({ "at": e.at, "action": e.action, "object": e.object, "ip": e.ip }))
        .collect();
    let mut modules = serde_json::Map::new();
    for module in state.registry.iter() {
        if let Some(data) = module.personal_data(&state, person.id).await? {
            modules.insert(module.key().to_owned(), data);
        }
    }
    let document = json!({
        "exported_at": chrono::Utc::now(),
        "person": {
            "email": person.email,
            "name": person.display_name,
            "fiscal_code": person.fiscal_code,
            "phone": person.phone,
            "created": person.created_at,
            "email_confirmed": person.email_confirmed_at,
            "last_login": person.last_login_at,
            "signs_in_with_password": !person.password_hash.is_empty(),
        },
        "roles": roles,
        "sessions": sessions,
        "ente_requests": requests,
        "api_tokens": tokens,
        "audit_log_actions": actions,
        "modules": modules,
    });
    let body = serde_json::to_vec_pretty(&document).map_err(anyhow::Error::from)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"i-miei-dati-pico.json\"",
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(Deserialize)]
struct DeleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    confirm: Option<String>,
}

async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    jar: CookieJar,
    Form(form): Form<DeleteForm>,
) -> Result<Response, Error> {
    check_csrf(&actor, &form.csrf)?;
    let person = me(&state, &actor).await?;
    let problem = if form.confirm.is_none() {
        Some("Per eliminare l'account conferma di aver capito che non si può annullare.")
    } else if !person.password_hash.is_empty()
        && !password::verify(&form.current, &person.password_hash)
    {
        Some("La password attuale non è corretta.")
    } else {
        None
    };
    if let Some(problem) = problem {
        return page(
            &state,
            &actor,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(problem),
        )
        .await;
    }
    record(
        &state,
        &actor,
        &from,
        "person.forget",
        format!("person:{}", person.id),
        None,
        json!({}),
    )
    .await?;
    accounts::forget(&state.db, person.id).await?;
    tracing::info!(
        person_id = person.id,
        "account deleted at the person's request"
    );
    let jar = jar.remove(Cookie::build(sessions::COOKIE).path("/").build());
    let response = notice(
        &state,
        &Actor::Anonymous,
        StatusCode::OK,
        "Account eliminato",
        &["Il tuo account è stato eliminato e i tuoi dati personali cancellati. Restano, senza il tuo nome, solo le tracce che altri Enti devono conservare per legge."],
        Some(("Torna alla home", "/")),
    )
    .await?;
    Ok((jar, response).into_response())
}
