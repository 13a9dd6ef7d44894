//! Personal API tokens: created with a name, a scope and an expiry, shown once, revoked here.

use super::chrome;
use crate::identity::{Actor, api_tokens};
use crate::web::{AppState, Chrome, Crumb, Error, check_csrf, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/profilo/token", get(list).post(create))
        .route("/profilo/token/revoca", post(revoke))
}

#[derive(Template)]
#[template(path = "account/tokens.html")]
struct TokensPage {
    chrome: Chrome,
    csrf: String,
    tokens: Vec<TokenRow>,
    created: Option<String>,
    error: Option<&'static str>,
    name: String,
}

struct TokenRow {
    id: i32,
    name: String,
    prefix: String,
    scope: &'static str,
    expires: String,
    last_used: String,
}

async fn page(
    state: &AppState,
    actor: &Actor,
    status: StatusCode,
    created: Option<String>,
    error: Option<&'static str>,
    name: String,
) -> Result<Response, Error> {
    let me = actor.person().ok_or(Error::Unauthenticated)?;
    let tokens = api_tokens::of_person(&state.db, me.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            scope: if t.can_write {
                "Lettura e scrittura"
            } else {
                "Sola lettura"
            },
            expires: t.expires_at.format("%d/%m/%Y").to_string(),
            last_used: t.last_used_at.map_or_else(
                || "mai".into(),
                |d| d.format("%d/%m/%Y %H:%M UTC").to_string(),
            ),
        })
        .collect();
    let title = "Token per le API";
    let page = TokensPage {
        chrome: chrome(
            state,
            actor,
            title,
            "/profilo/token",
            vec![
                Crumb::link("Il mio profilo", "/profilo"),
                Crumb::here(title),
            ],
        )
        .await?,
        csrf: me.csrf_token.clone(),
        tokens,
        created,
        error,
        name,
    };
    Ok((status, render(&page)?).into_response())
}

async fn list(State(state): State<AppState>, actor: Actor) -> Result<Response, Error> {
    page(&state, &actor, StatusCode::OK, None, None, String::new()).await
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    days: String,
}

async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<CreateForm>,
) -> Result<Response, Error> {
    let me = actor.person().ok_or(Error::Unauthenticated)?;
    check_csrf(&actor, &form.csrf)?;
    let name = form.name.trim();
    let days = form
        .days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=365).contains(d));
    let problem = if name.is_empty() || name.chars().count() > 80 {
        Some("Dai al token un nome di al massimo 80 caratteri, per ricordare a cosa serve.")
    } else if !matches!(form.scope.as_str(), "read" | "write") {
        Some("Scegli se il token può solo leggere o anche scrivere.")
    } else if days.is_none() {
        Some("La durata va da 1 a 365 giorni.")
    } else {
        None
    };
    if let Some(problem) = problem {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return page(&state, &actor, status, None, Some(problem), name.to_owned()).await;
    }
    let lifetime = chrono::Duration::days(days.unwrap_or(90));
    let token = api_tokens::create(&state.db, me.id, name, form.scope == "write", lifetime).await?;
    tracing::info!(person_id = me.id, "API token created");
    page(
        &state,
        &actor,
        StatusCode::OK,
        Some(token),
        None,
        String::new(),
    )
    .await
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
}

async fn revoke(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<RevokeForm>,
) -> Result<Response, Error> {
    let me = actor.person().ok_or(Error::Unauthenticated)?;
    check_csrf(&actor, &form.csrf)?;
    let id = form.id.parse().map_err(|_| Error::NotFound)?;
    if !api_tokens::revoke(&state.db, me.id, id).await? {
        return Err(Error::NotFound);
    }
    Ok(Redirect::to("/profilo/token").into_response())
}
