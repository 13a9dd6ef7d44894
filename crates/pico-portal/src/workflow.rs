//! Moving an item through draft → in review → published → archived, with a publication window
//! that opens and closes on its own: a background job at each end of the window archives
//! what expired and refreshes what readers see.

use crate::index;
use crate::manage::{self, ContentForm};
use crate::model::{self, Status, Transition, Window, content};
use crate::time;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use pico_kernel::identity::Actor;
use pico_kernel::jobs::{self, Handler, Outcome};
use pico_kernel::web::audit_log::record;
use pico_kernel::web::{ClientAddress, CurrentSpace, check_csrf, render};
use pico_kernel::{AppState, Error};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, TransactionTrait};
use serde::Deserialize;

/// The job that runs when a publication window opens or closes.
pub const SCHEDULE_JOB: &str = "portale.schedule";

#[derive(Deserialize)]
pub struct StateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    publish_at: String,
    #[serde(default)]
    unpublish_at: String,
}

pub async fn change(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Form(form): Form<StateForm>,
) -> Result<Response, Error> {
    let item = manage::editable(&state, &actor, &space, id).await?;
    check_csrf(&actor, &form.csrf)?;
    let status = model::status_of(&item);
    let transition = Transition::parse(&form.to)
        .filter(|t| status.transitions().contains(t))
        .ok_or_else(|| {
            Error::BadRequest("Questo passaggio non è possibile dallo stato attuale.".into())
        })?;
    let window = match window(&form) {
        Ok(window) if transition == Transition::Publish => window,
        Ok(_) => (None, None),
        Err(message) => {
            let kind = model::kind_of(&item);
            let form = ContentForm::of(&model::draft_of(&state.db, &item).await?);
            let problems = vec![manage::Problem {
                field: "publish_at",
                message: message.into(),
            }];
            let page = manage::form_page(
                &state,
                &actor,
                space,
                kind,
                Some(&item),
                form,
                problems,
                None,
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    let author = actor.person().ok_or(Error::Unauthenticated)?.id;
    let txn = state.db.begin().await?;
    let item = model::transition(&txn, item, transition.target(), window, author).await?;
    schedule(&txn, &item).await?;
    txn.commit().await?;
    index::changed(&state, &item).await?;
    if matches!(transition, Transition::Publish | Transition::Archive) {
        record(
            &state,
            &actor,
            &from,
            if transition == Transition::Publish {
                "content.publish"
            } else {
                "content.archive"
            },
            format!("{} «{}»", model::kind_of(&item).label(), item.title),
            Some(space.id),
            serde_json::json!({
                "id": item.id,
                "publish_at": item.publish_at,
                "unpublish_at": item.unpublish_at,
            }),
        )
        .await?;
    }
    Ok(
        Redirect::to(&space.path_to(&format!("/gestione/contenuti/{id}?fatto=stato")))
            .into_response(),
    )
}

fn window(form: &StateForm) -> Result<Window, &'static str> {
    let from = time::parse_local(&form.publish_at)
        .map_err(|()| "La data di inizio pubblicazione non è valida.")?;
    let until = time::parse_local(&form.unpublish_at)
        .map_err(|()| "La data di fine pubblicazione non è valida.")?;
    if let Some(until) = until
        && until <= from.unwrap_or_else(Utc::now)
    {
        return Err("La fine della pubblicazione deve venire dopo il suo inizio.");
    }
    Ok((from, until))
}

/// Queues the jobs that open and close the item's publication window, if they lie ahead.
async fn schedule(db: &impl ConnectionTrait, item: &content::Model) -> Result<(), DbErr> {
    if model::status_of(item) != Status::Published {
        return Ok(());
    }
    let now = Utc::now();
    for at in [item.publish_at, item.unpublish_at].into_iter().flatten() {
        if at > now {
            jobs::enqueue_at(
                db,
                SCHEDULE_JOB,
                serde_json::json!({ "content_id": item.id }),
                at,
            )
            .await?;
        }
    }
    Ok(())
}

/// When a window opens or closes: archives what expired and refreshes what readers see of
/// the item. Running it early, late or twice does no harm.
pub struct Scheduled;

#[async_trait::async_trait]
impl Handler for Scheduled {
    fn kind(&self) -> &'static str {
        SCHEDULE_JOB
    }

    async fn run(&self, state: &AppState, payload: serde_json::Value) -> anyhow::Result<Outcome> {
        model::archive_expired(&state.db).await?;
        let id = payload["content_id"]
            .as_i64()
            .and_then(|id| i32::try_from(id).ok())
            .ok_or_else(|| anyhow::anyhow!("payload without content_id"))?;
        if let Some(item) = content::Entity::find_by_id(id).one(&state.db).await? {
            index::changed(state, &item).await?;
        }
        state.page_cache.clear();
        Ok(Outcome::Done)
    }
}
