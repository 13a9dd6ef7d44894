//! The state of the background jobs, for platform administrators: how many wait, run, are done
//! or failed, the latest problems, and a way to try a failed job again.

use super::audit_log::record;
use super::{AppState, Chrome, ClientAddress, Crumb, Error, check_csrf, render};
use crate::identity::Actor;
use crate::jobs::model;
use crate::policy::{Action, authorize};
use crate::spaces;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/gestione/lavori", get(show))
        .route("/gestione/lavori/riprova", post(retry))
}

#[derive(Template)]
#[template(path = "jobs.html")]
struct JobsPage {
    chrome: Chrome,
    csrf: String,
    counts: Vec<(&'static str, u64)>,
    problems: Vec<Row>,
}

struct Row {
    id: i32,
    kind: String,
    state: &'static str,
    attempts: String,
    next: String,
    error: String,
    failed: bool,
}

fn state_label(state: &str) -> &'static str {
    match state {
        "queued" => "In coda",
        "running" => "In esecuzione",
        "done" => "Completato",
        _ => "Fallito",
    }
}

async fn show(State(state): State<AppState>, actor: Actor) -> Result<Response, Error> {
    authorize(&actor, Action::ViewPlatformAudit)?;
    let mut counts = Vec::new();
    for key in ["queued", "running", "done", "failed"] {
        let n = model::Entity::find()
            .filter(model::Column::State.eq(key))
            .count(&state.db)
            .await?;
        counts.push((state_label(key), n));
    }
    let problems = model::Entity::find()
        .filter(model::Column::LastError.is_not_null())
        .filter(model::Column::State.ne("done"))
        .order_by_desc(model::Column::Id)
        .limit(50)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|j| Row {
            id: j.id,
            kind: j.kind,
            failed: j.state == "failed",
            state: state_label(&j.state),
            attempts: format!("{} di {}", j.attempts, j.max_attempts),
            next: j.run_at.format("%d/%m/%Y %H:%M UTC").to_string(),
            error: j.last_error.unwrap_or_default(),
        })
        .collect();
    let national = spaces::national(&state.db).await?;
    let title = "Lavori in background";
    let page = JobsPage {
        chrome: Chrome::new(
            &state,
            &national,
            &actor,
            title,
            "/gestione/lavori",
            vec![Crumb::here(title)],
        )
        .await?,
        csrf: actor.csrf_token(),
        counts,
        problems,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct RetryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
}

async fn retry(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    Form(form): Form<RetryForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ViewPlatformAudit)?;
    check_csrf(&actor, &form.csrf)?;
    let id: i32 = form.id.parse().map_err(|_| Error::NotFound)?;
    let job = model::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|j| j.state == "failed")
        .ok_or(Error::NotFound)?;
    let kind = job.kind.clone();
    let mut model: model::ActiveModel = job.into();
    model.state = Set("queued".into());
    model.attempts = Set(0);
    model.run_at = Set(Utc::now());
    model.finished_at = Set(None);
    model.update(&state.db).await?;
    let detail = serde_json::json!({ "kind": kind });
    record(
        &state,
        &actor,
        &from,
        "job.retry",
        format!("job:{id}"),
        None,
        detail,
    )
    .await?;
    Ok(Redirect::to("/gestione/lavori").into_response())
}
