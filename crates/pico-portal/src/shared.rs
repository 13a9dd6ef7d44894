//! What the spaces above share with a space: its editors see each shared item and choose
//! whether their site shows it.

use crate::model;
use crate::time;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use pico_kernel::identity::Actor;
use pico_kernel::policy::{Action, authorize};
use pico_kernel::spaces::{self, Space};
use pico_kernel::web::{Chrome, Crumb, CurrentSpace, check_csrf, render};
use pico_kernel::{AppState, Error};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "manage/shared.html")]
struct SharedPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    rows: Vec<Row>,
    notice: Option<&'static str>,
}

struct Row {
    id: i32,
    title: String,
    kind: &'static str,
    origin: String,
    date: String,
    url: String,
    declined: bool,
}

#[derive(Deserialize)]
pub struct Done {
    fatto: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    let mut rows = Vec::new();
    for (item, declined) in model::shared_with(&state.db, &space).await? {
        let origin = spaces::by_id(&state.db, item.space_id)
            .await?
            .map(|s| s.name)
            .unwrap_or_default();
        let kind = model::kind_of(&item);
        rows.push(Row {
            id: item.id,
            url: space.path_to(&format!("/{}/{}", kind.segment(), item.slug)),
            title: item.title,
            kind: kind.label(),
            origin,
            date: item.published_at.map(time::date).unwrap_or_default(),
            declined,
        });
    }
    let chrome = Chrome::new(
        &state,
        &space,
        &actor,
        "Contenuti condivisi",
        &space.path_to("/gestione/condivisi"),
        vec![
            Crumb::link("Gestione", space.path_to("/gestione")),
            Crumb::here("Contenuti condivisi"),
        ],
    )
    .await?;
    Ok(render(&SharedPage {
        chrome,
        csrf: actor.csrf_token(),
        rows,
        notice: match done.fatto.as_deref() {
            Some("nascosto") => Some("Il contenuto non compare più sul sito."),
            Some("mostrato") => Some("Il contenuto compare di nuovo sul sito."),
            _ => None,
        },
        space,
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct ChoiceForm {
    #[serde(default)]
    csrf: String,
    content_id: i32,
    #[serde(default)]
    show: String,
}

pub async fn choose(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Form(form): Form<ChoiceForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    check_csrf(&actor, &form.csrf)?;
    if !model::shared_with(&state.db, &space)
        .await?
        .iter()
        .any(|(item, _)| item.id == form.content_id)
    {
        return Err(Error::NotFound);
    }
    let show = form.show == "1";
    model::set_declined(&state.db, form.content_id, space.id, !show).await?;
    let done = if show { "mostrato" } else { "nascosto" };
    Ok(Redirect::to(&space.path_to(&format!("/gestione/condivisi?fatto={done}"))).into_response())
}
