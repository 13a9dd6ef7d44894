//! The useful links of a space's home page, kept by its editors.

use crate::model::{self, useful_link};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use pico_kernel::identity::Actor;
use pico_kernel::policy::{Action, authorize};
use pico_kernel::spaces::Space;
use pico_kernel::web::{Chrome, Crumb, CurrentSpace, check_csrf, render};
use pico_kernel::{AppState, Error};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

const MAX_LINKS: usize = 20;

#[derive(Template)]
#[template(path = "manage/links.html")]
struct LinksPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    links: Vec<useful_link::Model>,
    form: LinkForm,
    error: Option<&'static str>,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    position: String,
}

#[derive(Deserialize)]
pub struct Done {
    fatto: Option<String>,
}

async fn page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    form: LinkForm,
    error: Option<&'static str>,
    notice: Option<&'static str>,
) -> Result<LinksPage, Error> {
    let chrome = Chrome::new(
        state,
        &space,
        actor,
        "Link utili della home",
        &space.path_to("/gestione/link"),
        vec![
            Crumb::link("Gestione", space.path_to("/gestione")),
            Crumb::here("Link utili"),
        ],
    )
    .await?;
    Ok(LinksPage {
        chrome,
        csrf: actor.csrf_token(),
        links: model::links_of(&state.db, space.id).await?,
        form,
        error,
        notice,
        space,
    })
}

pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    let notice = match done.fatto.as_deref() {
        Some("aggiunto") => Some("Link aggiunto alla home."),
        Some("rimosso") => Some("Link rimosso."),
        _ => None,
    };
    let page = page(&state, &actor, space, LinkForm::default(), None, notice).await?;
    Ok(render(&page)?.into_response())
}

fn check(form: &LinkForm) -> Result<(String, String, i32), &'static str> {
    let label = form.label.split_whitespace().collect::<Vec<_>>().join(" ");
    if label.is_empty() || label.chars().count() > 100 {
        return Err("Scrivi il testo del link (al massimo 100 caratteri).");
    }
    let url = form.url.trim().to_owned();
    let internal = url.starts_with('/') && !url.starts_with("//");
    let external = url::Url::parse(&url)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !(internal || external) || url.len() > 500 {
        return Err("L'indirizzo deve iniziare con https:// oppure con / per una pagina del sito.");
    }
    let position = match form.position.trim() {
        "" => 0,
        text => text.parse().map_err(|_| "L'ordine è un numero intero.")?,
    };
    Ok((label, url, position))
}

pub async fn add(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Form(form): Form<LinkForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    check_csrf(&actor, &form.csrf)?;
    let (label, url, position) = match check(&form) {
        Ok(link) => link,
        Err(error) => {
            let page = page(&state, &actor, space, form, Some(error), None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    if model::links_of(&state.db, space.id).await?.len() >= MAX_LINKS {
        let page = page(
            &state,
            &actor,
            space,
            form,
            Some("Una home può avere al massimo 20 link utili."),
            None,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    useful_link::ActiveModel {
        space_id: Set(space.id),
        label: Set(label),
        url: Set(url),
        position: Set(position),
        ..Default::default()
    }
    .insert(&state.db)
    .await?;
    Ok(Redirect::to(&space.path_to("/gestione/link?fatto=aggiunto")).into_response())
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    csrf: String,
    id: i32,
}

pub async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Form(form): Form<RemoveForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    check_csrf(&actor, &form.csrf)?;
    let removed = useful_link::Entity::delete_many()
        .filter(useful_link::Column::Id.eq(form.id))
        .filter(useful_link::Column::SpaceId.eq(space.id))
        .exec(&state.db)
        .await?;
    if removed.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    Ok(Redirect::to(&space.path_to("/gestione/link?fatto=rimosso")).into_response())
}
