//! The pages every public-administration site links from its footer.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use pico_kernel::identity::Actor;
use pico_kernel::spaces;
use pico_kernel::web::{Chrome, Crumb, render};
use pico_kernel::{AppState, Error};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Accessibility,
    Privacy,
    LegalNotes,
}

#[derive(Template)]
#[template(path = "legal.html")]
struct LegalPage {
    chrome: Chrome,
    kind: Kind,
    base_url: String,
}

async fn show(
    state: AppState,
    actor: Actor,
    kind: Kind,
    title: &str,
    path: &str,
) -> Result<Response, Error> {
    let national = spaces::national(&state.db).await?;
    let chrome = Chrome::new(
        &state,
        &national,
        &actor,
        title,
        path,
        vec![Crumb::here(title)],
    )
    .await?;
    Ok(render(&LegalPage {
        chrome,
        kind,
        base_url: state.config.base_url.clone(),
    })?
    .into_response())
}

pub async fn accessibility(State(state): State<AppState>, actor: Actor) -> Result<Response, Error> {
    show(
        state,
        actor,
        Kind::Accessibility,
        "Dichiarazione di accessibilità",
        "/accessibilita",
    )
    .await
}

pub async fn privacy(State(state): State<AppState>, actor: Actor) -> Result<Response, Error> {
    show(
        state,
        actor,
        Kind::Privacy,
        "Informativa privacy",
        "/privacy",
    )
    .await
}

pub async fn legal_notes(State(state): State<AppState>, actor: Actor) -> Result<Response, Error> {
    show(
        state,
        actor,
        Kind::LegalNotes,
        "Note legali",
        "/note-legali",
    )
    .await
}
