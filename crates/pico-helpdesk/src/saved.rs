//! Saved replies: texts a space's agents write once and insert into any reply. `{nome}` and
//! `{numero}` in a text become the requester's name and the ticket's number when inserted.

use crate::tickets::{self, one_line};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use pico_kernel::identity::Actor;
use pico_kernel::policy::{Action, authorize};
use pico_kernel::spaces::Space;
use pico_kernel::web::{Chrome, CurrentSpace, check_csrf, render};
use pico_kernel::{AppState, Error};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde::Deserialize;

pub const MAX_TITLE: usize = 100;
pub const MAX_BODY: usize = tickets::MAX_TEXT;

pub mod reply {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_saved_reply")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        /// Unique within the space: agents pick a reply by it.
        pub title: String,
        pub body: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub async fn of_space(
    db: &impl ConnectionTrait,
    space_id: i32,
) -> Result<Vec<reply::Model>, DbErr> {
    reply::Entity::find()
        .filter(reply::Column::SpaceId.eq(space_id))
        .order_by_asc(reply::Column::Title)
        .all(db)
        .await
}

/// A new saved reply; its title must be new in the space.
pub async fn add(
    db: &impl ConnectionTrait,
    space_id: i32,
    title: String,
    body: String,
) -> Result<reply::Model, DbErr> {
    let now = Utc::now();
    reply::ActiveModel {
        space_id: Set(space_id),
        title: Set(title),
        body: Set(body),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// The saved reply's text for one ticket.
pub fn fill(body: &str, requester: &str, ticket_id: i32) -> String {
    body.replace("{nome}", requester)
        .replace("{numero}", &ticket_id.to_string())
}

#[derive(Deserialize, Default)]
pub struct ReplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    titolo: String,
    #[serde(default)]
    testo: String,
}

#[derive(Template)]
#[template(path = "saved.html")]
struct SavedPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    replies: Vec<reply::Model>,
    /// The reply being edited, or `None` for a new one.
    editing: Option<i32>,
    form: ReplyForm,
    errors: Vec<(&'static str, String)>,
    notice: Option<&'static str>,
}

impl SavedPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| e.as_str())
    }
}

async fn page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    editing: Option<i32>,
    form: ReplyForm,
    errors: Vec<(&'static str, String)>,
) -> Result<SavedPage, Error> {
    let path = space.path_to("/helpdesk/risposte");
    let parent = Some(("Coda dei ticket", space.path_to("/helpdesk/coda")));
    let title = "Risposte predefinite";
    Ok(SavedPage {
        chrome: tickets::chrome(state, actor, &space, title, &path, parent).await?,
        csrf: actor.csrf_token(),
        replies: of_space(&state.db, space.id).await?,
        editing,
        form,
        errors,
        notice: None,
        space,
    })
}

async fn find(state: &AppState, space: &Space, id: i32) -> Result<reply::Model, Error> {
    reply::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|r| r.space_id == space.id)
        .ok_or(Error::NotFound)
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    axum::extract::Query(done): axum::extract::Query<tickets::Done>,
) -> Result<Response, Error> {
    authorize(&actor, Action::WorkTickets(&space))?;
    let mut page = page(&state, &actor, space, None, ReplyForm::default(), vec![]).await?;
    page.notice = match done.fatto.as_deref() {
        Some("salvata") => Some("Risposta predefinita salvata."),
        Some("eliminata") => Some("Risposta predefinita eliminata."),
        _ => None,
    };
    Ok(render(&page)?.into_response())
}

pub async fn edit_form(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
) -> Result<Response, Error> {
    authorize(&actor, Action::WorkTickets(&space))?;
    let found = find(&state, &space, id).await?;
    let form = ReplyForm {
        csrf: String::new(),
        titolo: found.title,
        testo: found.body,
    };
    let page = page(&state, &actor, space, Some(id), form, vec![]).await?;
    Ok(render(&page)?.into_response())
}

/// The title and text, checked; the title must not name another reply of the space.
async fn check(
    state: &AppState,
    space: &Space,
    editing: Option<i32>,
    form: &ReplyForm,
) -> Result<Result<(String, String), Vec<(&'static str, String)>>, Error> {
    let title = one_line(&form.titolo);
    let body = form.testo.trim().replace("\r\n", "\n");
    let mut errors = Vec::new();
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        errors.push((
            "titolo",
            format!("Scrivi un titolo (al massimo {MAX_TITLE} caratteri)."),
        ));
    } else if of_space(&state.db, space.id)
        .await?
        .iter()
        .any(|r| Some(r.id) != editing && r.title.to_lowercase() == title.to_lowercase())
    {
        errors.push((
            "titolo",
            "C'è già una risposta predefinita con questo titolo.".into(),
        ));
    }
    if body.is_empty() || body.chars().count() > MAX_BODY {
        errors.push((
            "testo",
            format!("Scrivi il testo (al massimo {MAX_BODY} caratteri)."),
        ));
    }
    Ok(if errors.is_empty() {
        Ok((title, body))
    } else {
        Err(errors)
    })
}

async fn save(
    state: AppState,
    actor: Actor,
    space: Space,
    editing: Option<i32>,
    form: ReplyForm,
) -> Result<Response, Error> {
    authorize(&actor, Action::WorkTickets(&space))?;
    check_csrf(&actor, &form.csrf)?;
    let existing = match editing {
        Some(id) => Some(find(&state, &space, id).await?),
        None => None,
    };
    let (title, body) = match check(&state, &space, editing, &form).await? {
        Ok(checked) => checked,
        Err(errors) => {
            let page = page(&state, &actor, space, editing, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    match existing {
        Some(found) => {
            let mut active: reply::ActiveModel = found.into();
            active.title = Set(title);
            active.body = Set(body);
            active.updated_at = Set(Utc::now());
            active.update(&state.db).await?;
        }
        None => {
            add(&state.db, space.id, title, body).await?;
        }
    }
    Ok(Redirect::to(&space.path_to("/helpdesk/risposte?fatto=salvata")).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    axum::Form(form): axum::Form<ReplyForm>,
) -> Result<Response, Error> {
    save(state, actor, space, None, form).await
}

pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<ReplyForm>,
) -> Result<Response, Error> {
    save(state, actor, space, Some(id), form).await
}

pub async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<ReplyForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::WorkTickets(&space))?;
    check_csrf(&actor, &form.csrf)?;
    let found = find(&state, &space, id).await?;
    reply::Entity::delete_by_id(found.id)
        .exec(&state.db)
        .await?;
    Ok(Redirect::to(&space.path_to("/helpdesk/risposte?fatto=eliminata")).into_response())
}
