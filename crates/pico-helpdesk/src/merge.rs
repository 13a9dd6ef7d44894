//! Merging a duplicate: an agent closes a ticket as a duplicate of another one of the space,
//! with a message to its requester. The other ticket gets the duplicate's subject and
//! description as an internal note, because the two requesters may differ and neither may read
//! the other's words. Attachments stay on the duplicate, which agents still open from the note.

use crate::model::{self, EventKind, Status, ticket};
use crate::notify;
use crate::tickets::{self, MAX_TEXT};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use pico_kernel::identity::Actor;
use pico_kernel::policy::{Action, authorize};
use pico_kernel::web::{CurrentSpace, check_csrf, render};
use pico_kernel::{AppState, Error};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use serde::Deserialize;

pub mod link {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_merge")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        /// The duplicate, closed by the merge.
        #[sea_orm(unique)]
        pub ticket_id: i32,
        /// The ticket the work goes on in.
        pub into_id: i32,
        pub author_id: i32,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// What the requester of a duplicate reads by default.
pub fn default_message(into_id: i32) -> String {
    format!(
        "La sua richiesta riguarda lo stesso problema del ticket n. {into_id}, già in \
         lavorazione: la chiudiamo qui come duplicato e lo seguiamo lì."
    )
}

/// The ticket `id` was merged into, if any.
pub async fn merged_into(db: &impl ConnectionTrait, id: i32) -> Result<Option<i32>, DbErr> {
    Ok(link::Entity::find()
        .filter(link::Column::TicketId.eq(id))
        .one(db)
        .await?
        .map(|m| m.into_id))
}

/// The duplicates merged into `id`.
pub async fn merged_here(db: &impl ConnectionTrait, id: i32) -> Result<Vec<i32>, DbErr> {
    Ok(link::Entity::find()
        .filter(link::Column::IntoId.eq(id))
        .order_by_asc(link::Column::TicketId)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.ticket_id)
        .collect())
}

/// Why `duplicate` cannot be merged into `into`, in Italian, with the status to answer.
pub async fn refusal(
    db: &impl ConnectionTrait,
    duplicate: &ticket::Model,
    into: Option<&ticket::Model>,
) -> Result<Option<(StatusCode, String)>, DbErr> {
    if let Some(other) = merged_into(db, duplicate.id).await? {
        return Ok(Some((
            StatusCode::CONFLICT,
            format!("Il ticket è già stato unito al ticket n. {other}."),
        )));
    }
    if duplicate.status == Status::Closed.as_str() {
        return Ok(Some((
            StatusCode::CONFLICT,
            "Il ticket è chiuso: non si può più unire.".into(),
        )));
    }
    let Some(into) = into.filter(|t| t.space_id == duplicate.space_id && t.id != duplicate.id)
    else {
        return Ok(Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            "Indica il numero di un altro ticket di questo spazio.".into(),
        )));
    };
    if let Some(other) = merged_into(db, into.id).await? {
        return Ok(Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "Il ticket n. {} è a sua volta unito al ticket n. {other}: indica quello.",
                into.id
            ),
        )));
    }
    if into.status == Status::Closed.as_str() {
        return Ok(Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Il ticket n. {} è chiuso: scegline uno aperto.", into.id),
        )));
    }
    Ok(None)
}

/// Merges `duplicate` into `into` (checked with [`refusal`]): the message goes to the
/// duplicate's requester as a public reply, the duplicate is closed, and both timelines record
/// the merge.
pub async fn merge(
    db: &impl ConnectionTrait,
    duplicate: &ticket::Model,
    into: &ticket::Model,
    author: i32,
    message: &str,
    now: DateTime<Utc>,
) -> Result<ticket::Model, DbErr> {
    let replied = model::add_message(db, duplicate, author, message, false, false, now).await?;
    let change = model::Change {
        status: Status::Closed,
        priority: model::Priority::parse(&replied.priority).unwrap_or(model::Priority::Normal),
        category_id: replied.category_id,
        team_id: replied.team_id,
    };
    let closed = model::change(db, &replied, author, change, now).await?;
    let body = format!("Unito come duplicato al ticket n. {}.", into.id);
    model::record(
        db,
        duplicate.id,
        Some(author),
        EventKind::Note,
        body,
        false,
        now,
    )
    .await?;
    let body = format!(
        "Unito qui il ticket n. {} come duplicato: «{}»\n\n{}",
        duplicate.id, duplicate.subject, duplicate.description
    );
    model::record(db, into.id, Some(author), EventKind::Note, body, false, now).await?;
    link::ActiveModel {
        ticket_id: Set(duplicate.id),
        into_id: Set(into.id),
        author_id: Set(author),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(closed)
}

#[derive(Deserialize, Default)]
pub struct MergeForm {
    #[serde(default)]
    csrf: String,
    /// The number of the ticket to merge into.
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    messaggio: String,
}

pub async fn submit(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<MergeForm>,
) -> Result<Response, Error> {
    let duplicate = tickets::find(&state, &actor, &space, id).await?;
    authorize(&actor, Action::WorkTickets(&space))?;
    check_csrf(&actor, &form.csrf)?;
    let me = actor.person().ok_or(Error::Unauthenticated)?.id;
    let into = match form
        .ticket
        .trim()
        .trim_start_matches("n.")
        .trim()
        .parse::<i32>()
    {
        Ok(n) => ticket::Entity::find_by_id(n).one(&state.db).await?,
        Err(_) => None,
    };
    let written = form.messaggio.trim().replace("\r\n", "\n");
    let refused = match refusal(&state.db, &duplicate, into.as_ref()).await? {
        None if written.chars().count() > MAX_TEXT => Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Il messaggio al richiedente supera i {MAX_TEXT} caratteri."),
        )),
        refused => refused,
    };
    let into = match (into, refused) {
        (Some(into), None) => into,
        (_, refused) => {
            let (status, error) = refused.unwrap_or((
                StatusCode::UNPROCESSABLE_ENTITY,
                "Indica il numero di un altro ticket di questo spazio.".into(),
            ));
            let mut page = tickets::ticket_page(&state, &actor, space, duplicate).await?;
            page.merge_error = Some(error);
            page.merge_form = (form.ticket, form.messaggio);
            return Ok((status, render(&page)?).into_response());
        }
    };
    let message = if written.is_empty() {
        default_message(into.id)
    } else {
        written
    };
    let txn = state.db.begin().await?;
    let closed = merge(&txn, &duplicate, &into, me, &message, Utc::now()).await?;
    notify::agent_replied(&state, &txn, &space, &closed, &message).await?;
    txn.commit().await?;
    Ok(Redirect::to(&space.path_to(&format!("/helpdesk/ticket/{id}?fatto=unito"))).into_response())
}
