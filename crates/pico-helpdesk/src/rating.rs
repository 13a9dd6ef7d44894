//! The requester's rating of a resolved ticket: a score from 1 to 5 and an optional comment,
//! one per ticket. The requester rates once the ticket is resolved or closed, and may change
//! the rating while it is resolved; once closed, a rating given is final. Each rating is an
//! entry of the timeline for the team only: the requester sees their own in the rating box.

use crate::guest;
use crate::model::{self, EventKind, Status, ticket};
use crate::tickets;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, Utc};
use pico_kernel::identity::Actor;
use pico_kernel::spaces::Space;
use pico_kernel::web::{CurrentSpace, check_csrf, check_form_csrf, form_csrf, render};
use pico_kernel::{AppState, Error};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, TransactionSession, TransactionTrait,
};
use serde::Deserialize;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_rating")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub ticket_id: i32,
        /// From 1 to 5, see [`super::label`].
        pub score: i32,
        /// Empty when the requester wrote none.
        pub comment: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub const MAX_COMMENT: usize = 1000;

/// The scores with their labels, as the form offers them.
pub const SCORES: [(i32, &str); 5] = [
    (1, "1 – Per niente soddisfatto"),
    (2, "2 – Poco soddisfatto"),
    (3, "3 – Abbastanza soddisfatto"),
    (4, "4 – Soddisfatto"),
    (5, "5 – Molto soddisfatto"),
];

pub fn label(score: i32) -> &'static str {
    SCORES
        .iter()
        .find(|(s, _)| *s == score)
        .map_or("", |(_, l)| l)
}

pub async fn of_ticket(
    db: &impl ConnectionTrait,
    ticket_id: i32,
) -> Result<Option<entity::Model>, DbErr> {
    entity::Entity::find()
        .filter(entity::Column::TicketId.eq(ticket_id))
        .one(db)
        .await
}

/// Why the requester may not rate the ticket now, in Italian.
pub fn refusal(t: &ticket::Model, rated: bool) -> Option<&'static str> {
    match Status::parse(&t.status) {
        Some(Status::Resolved) => None,
        Some(Status::Closed) if !rated => None,
        Some(Status::Closed) => Some("Il ticket è chiuso: la valutazione non si può più cambiare."),
        _ => Some("Si può valutare la risposta solo quando il ticket è risolto."),
    }
}

/// Stores the requester's rating, or their new one, and records it on the timeline.
pub async fn rate(
    db: &impl TransactionTrait,
    t: &ticket::Model,
    score: i32,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    let existing = of_ticket(&txn, t.id).await?;
    let changed = existing.is_some();
    let mut row = match existing {
        Some(r) => entity::ActiveModel {
            id: Set(r.id),
            ..Default::default()
        },
        None => entity::ActiveModel {
            ticket_id: Set(t.id),
            created_at: Set(now),
            ..Default::default()
        },
    };
    row.score = Set(score);
    row.comment = Set(comment.to_owned());
    row.updated_at = Set(now);
    row.save(&txn).await?;
    let mut body = format!(
        "{}: {}.",
        if changed {
            "Valutazione cambiata"
        } else {
            "Valutazione"
        },
        label(score)
    );
    if !comment.is_empty() {
        body.push_str(&format!("\n\n«{comment}»"));
    }
    let requester = Some(t.requester_id);
    model::record(&txn, t.id, requester, EventKind::Rating, body, false, now).await?;
    txn.commit().await
}

/// The rating box of a ticket's page: the requester's form, or the rating as the team reads it.
pub struct Panel {
    pub action: String,
    /// Whether the reader may rate now (the requester of a resolved ticket).
    pub open: bool,
    pub score: Option<i32>,
    pub comment: String,
    pub scores: [(i32, &'static str); 5],
}

impl Panel {
    pub fn label(&self) -> &'static str {
        self.score.map_or("", label)
    }

    pub fn checked(&self, score: &i32) -> bool {
        self.score == Some(*score)
    }

    pub fn max_comment(&self) -> usize {
        MAX_COMMENT
    }
}

/// The rating box for a reader of the ticket (`requester`: whether they are its requester);
/// none when there is nothing to show or to do.
pub async fn panel(
    db: &impl ConnectionTrait,
    t: &ticket::Model,
    requester: bool,
    action: String,
) -> Result<Option<Panel>, DbErr> {
    let rating = of_ticket(db, t.id).await?;
    let open = requester && refusal(t, rating.is_some()).is_none();
    if !open && rating.is_none() {
        return Ok(None);
    }
    Ok(Some(Panel {
        action,
        open,
        score: rating.as_ref().map(|r| r.score),
        comment: rating.map(|r| r.comment).unwrap_or_default(),
        scores: SCORES,
    }))
}

#[derive(Deserialize, Default)]
pub struct RatingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    punteggio: String,
    #[serde(default)]
    commento: String,
}

/// The form's score and comment, checked, or the Italian reason.
fn check(form: &RatingForm) -> Result<(i32, String), String> {
    let score = form
        .punteggio
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|s| (1..=5).contains(s))
        .ok_or("Scegli un punteggio da 1 a 5.")?;
    let comment = form.commento.trim().replace("\r\n", "\n");
    if comment.chars().count() > MAX_COMMENT {
        return Err(format!(
            "Il commento può avere al massimo {MAX_COMMENT} caratteri."
        ));
    }
    Ok((score, comment))
}

/// The checked score and comment, or why the rating is refused with the status to answer.
async fn judge(
    state: &AppState,
    t: &ticket::Model,
    form: &RatingForm,
) -> Result<Result<(i32, String), (StatusCode, String)>, Error> {
    let rated = of_ticket(&state.db, t.id).await?.is_some();
    if let Some(reason) = refusal(t, rated) {
        return Ok(Err((StatusCode::CONFLICT, reason.to_owned())));
    }
    Ok(check(form).map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, e)))
}

/// Puts back what the requester typed, after a refusal.
fn keep_typed(panel: Option<&mut Panel>, form: RatingForm) {
    if let Some(p) = panel {
        p.score = form.punteggio.trim().parse().ok();
        p.comment = form.commento;
    }
}

/// A signed-in requester rates their ticket; the team may not rate on their behalf.
pub async fn rate_ticket(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Form(form): Form<RatingForm>,
) -> Result<Response, Error> {
    let t = tickets::find(&state, &actor, &space, id).await?;
    check_csrf(&actor, &form.csrf)?;
    let me = actor.person().ok_or(Error::Unauthenticated)?.id;
    if me != t.requester_id {
        return Err(Error::Forbidden);
    }
    match judge(&state, &t, &form).await? {
        Ok((score, comment)) => {
            rate(&state.db, &t, score, &comment, Utc::now()).await?;
            Ok(Redirect::to(&done(&space, &format!("ticket/{id}"))).into_response())
        }
        Err((status, error)) => {
            let mut page = tickets::ticket_page(&state, &actor, space, t).await?;
            page.error = Some(error);
            keep_typed(page.rating.as_mut(), form);
            Ok((status, render(&page)?).into_response())
        }
    }
}

/// A guest rates their ticket through its private link.
pub async fn rate_guest(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    CurrentSpace(space): CurrentSpace,
    Path((_, token)): Path<(String, String)>,
    Form(form): Form<RatingForm>,
) -> Result<Response, Error> {
    let found = guest::by_token(&state, &space, &token).await?;
    check_form_csrf(&actor, &jar, &form.csrf)?;
    match judge(&state, &found.0, &form).await? {
        Ok((score, comment)) => {
            rate(&state.db, &found.0, score, &comment, Utc::now()).await?;
            Ok(Redirect::to(&done(&space, &format!("segui/{token}"))).into_response())
        }
        Err((status, error)) => {
            let (jar, csrf) = form_csrf(&state, &actor, jar);
            let mut page = guest::follow_page(&state, &actor, &space, &token, csrf, found).await?;
            page.error = Some(error);
            keep_typed(page.rating.as_mut(), form);
            Ok((status, jar, render(&page)?).into_response())
        }
    }
}

fn done(space: &Space, page: &str) -> String {
    space.path_to(&format!("/helpdesk/{page}?fatto=valutato"))
}
