//! Self-service account pages: registration and confirmation of the address, password
//! recovery, and the personal area (profile, password, e-mail, sessions).

mod data;
mod profile;
mod recovery;
mod signup;
mod tokens;

use super::rate_limit::client_ip;
use super::{AppState, Chrome, Crumb, Error, render};
use crate::identity::model::person;
use crate::identity::{Actor, links};
use crate::mail::Mail;
use crate::spaces;
use askama::Template;
use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(signup::routes())
        .merge(recovery::routes())
        .merge(profile::routes())
        .merge(tokens::routes())
        .merge(data::routes())
}

/// The frame of an account page, in the national space.
async fn chrome(
    state: &AppState,
    actor: &Actor,
    title: &str,
    path: &str,
    crumbs: Vec<Crumb>,
) -> Result<Chrome, Error> {
    let national = spaces::national(&state.db).await?;
    Ok(Chrome::new(state, &national, actor, title, path, crumbs).await?)
}

/// A page that only tells something: the outcome of a flow, or why a link does not work.
#[derive(Template)]
#[template(path = "account/notice.html")]
struct Notice {
    chrome: Chrome,
    heading: String,
    paragraphs: Vec<String>,
    link: Option<(String, String)>,
}

pub(super) async fn notice(
    state: &AppState,
    actor: &Actor,
    status: StatusCode,
    heading: &str,
    paragraphs: &[&str],
    link: Option<(&str, &str)>,
) -> Result<Response, Error> {
    let page = Notice {
        chrome: chrome(state, actor, heading, "", vec![Crumb::here(heading)]).await?,
        heading: heading.to_owned(),
        paragraphs: paragraphs.iter().map(|p| (*p).to_owned()).collect(),
        link: link.map(|(label, href)| (label.to_owned(), href.to_owned())),
    };
    Ok((status, render(&page)?).into_response())
}

/// The page shown for a link that is unknown, expired or already used.
async fn dead_link(state: &AppState, actor: &Actor) -> Result<Response, Error> {
    notice(
        state,
        actor,
        StatusCode::GONE,
        "Link non valido",
        &[
            "Il link che hai aperto non è valido, è scaduto o è già stato usato.",
            "Se ti serve ancora, chiedine uno nuovo.",
        ],
        Some(("Reimposta la password", "/password-dimenticata")),
    )
    .await
}

/// Sends the link that confirms the address of `person`, or its new address `new_email`.
pub(super) async fn send_confirmation(
    state: &AppState,
    person: &person::Model,
    new_email: Option<&str>,
) -> Result<(), Error> {
    let token = links::create(
        &state.db,
        person.id,
        links::Purpose::ConfirmEmail,
        new_email.map(str::to_owned),
    )
    .await?;
    let url = state.config.url(&format!("/conferma-email/{token}"));
    let (to, subject, opening) = match new_email {
        None => (
            person.email.clone(),
            "Conferma il tuo indirizzo e-mail su Pi.Co.",
            "per attivare il tuo account su Pi.Co. conferma il tuo indirizzo e-mail",
        ),
        Some(new) => (
            new.to_owned(),
            "Conferma il tuo nuovo indirizzo e-mail su Pi.Co.",
            "per usare questo indirizzo con il tuo account su Pi.Co. confermalo",
        ),
    };
    let body = format!(
        "Gentile {name},\n\n{opening} aprendo questo link entro 48 ore:\n\n{url}\n\n\
         Se non sei stato tu, ignora questo messaggio: senza conferma non cambia nulla.\n\n\
         -- \nPi.Co., la piattaforma collaborativa delle Province italiane\n",
        name = person.display_name,
    );
    send(
        state,
        Mail {
            to,
            subject: subject.into(),
            body,
            ..Default::default()
        },
    )
    .await
}

async fn send(state: &AppState, mail: Mail) -> Result<(), Error> {
    Ok(crate::mail::queue(&state.db, mail).await?)
}

/// The client's address and browser, as recorded with a session or an audit entry.
pub(super) fn client_info(
    state: &AppState,
    headers: &HeaderMap,
    peer: &ConnectInfo<SocketAddr>,
) -> (Option<String>, Option<String>) {
    let ip = client_ip(state, headers, peer).to_string();
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (Some(ip), agent)
}
