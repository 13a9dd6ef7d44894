//! What visitors do: subscribe (double opt-in), confirm, and leave with one click. Confirming
//! and leaving need no session and no CSRF token: the secret token in the address, which only
//! the subscriber's mailbox received, is what proves the request. That is also what lets a
//! mail program unsubscribe with one POST (RFC 8058).

use crate::model;
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use pico_kernel::identity::{Actor, accounts};
use pico_kernel::mail::{self, Mail};
use pico_kernel::spaces::Space;
use pico_kernel::web::rate_limit::{Bucket, client_ip};
use pico_kernel::web::{Chrome, Crumb, CurrentSpace, check_form_csrf, form_csrf, render};
use pico_kernel::{AppState, Error};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "subscribe.html")]
struct SubscribePage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    email: String,
    email_error: Option<&'static str>,
    privacy_error: Option<&'static str>,
    requested: bool,
}

#[derive(Deserialize, Default)]
pub struct SubscribeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    privacy: Option<String>,
}

#[derive(Deserialize)]
pub struct Done {
    fatto: Option<String>,
}

async fn chrome(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    here: &str,
) -> Result<Chrome, Error> {
    Ok(Chrome::new(
        state,
        space,
        actor,
        format!("Newsletter di {}", space.name),
        &space.path_to("/newsletter"),
        vec![Crumb::here(here)],
    )
    .await?)
}

pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    CurrentSpace(space): CurrentSpace,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    let (jar, csrf) = form_csrf(&state, &actor, jar);
    let page = SubscribePage {
        chrome: chrome(&state, &actor, &space, "Newsletter").await?,
        csrf,
        email: String::new(),
        email_error: None,
        privacy_error: None,
        requested: done.fatto.as_deref() == Some("richiesta"),
        space,
    };
    Ok((jar, render(&page)?).into_response())
}

#[allow(clippy::too_many_arguments)]
pub async fn subscribe(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    headers: HeaderMap,
    peer: ConnectInfo<SocketAddr>,
    CurrentSpace(space): CurrentSpace,
    Form(form): Form<SubscribeForm>,
) -> Result<Response, Error> {
    check_form_csrf(&actor, &jar, &form.csrf)?;
    state
        .limits
        .check_address(client_ip(&state, &headers, &peer), Bucket::PublicForm)?;
    let email = accounts::parse_email(&form.email);
    let privacy_error = form
        .privacy
        .is_none()
        .then_some("Per iscriverti devi dichiarare di aver letto l'informativa sulla privacy.");
    let email = match (email, privacy_error) {
        (Ok(email), None) => email,
        (email, privacy_error) => {
            let (jar, csrf) = form_csrf(&state, &actor, jar);
            let page = SubscribePage {
                chrome: chrome(&state, &actor, &space, "Newsletter").await?,
                csrf,
                email: form.email,
                email_error: email.err(),
                privacy_error,
                requested: false,
                space,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, render(&page)?).into_response());
        }
    };
    // The same answer whether or not the address was on the list already: the page reveals
    // nothing about who subscribes.
    if let Some(token) = model::subscribe(&state.db, space.id, &email).await? {
        let link = state
            .config
            .url(&space.path_to(&format!("/newsletter/conferma/{token}")));
        let body = format!(
            "Buongiorno,\n\nqualcuno, forse tu, ha chiesto di iscrivere questo indirizzo alla \
             newsletter di {}.\n\nPer confermare l'iscrizione apri questo indirizzo:\n{link}\n\n\
             Se non sei stato tu, ignora questo messaggio: senza conferma non riceverai nulla.\n",
            space.name
        );
        let mail = Mail {
            to: email,
            subject: format!("Conferma l'iscrizione alla newsletter di {}", space.name),
            body,
            ..Default::default()
        };
        mail::queue(&state.db, mail).await?;
    }
    Ok(Redirect::to(&space.path_to("/newsletter?fatto=richiesta")).into_response())
}

/// A short page with a message and, perhaps, one button.
#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    chrome: Chrome,
    heading: &'static str,
    message: String,
    button: Option<&'static str>,
    action: String,
    back: Option<(String, &'static str)>,
}

pub async fn confirm_form(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, token)): Path<(String, String)>,
) -> Result<Response, Error> {
    let found = model::by_token(&state.db, space.id, &token).await?;
    if found.is_none_or(|s| s.status == model::UNSUBSCRIBED) {
        return Err(Error::NotFound);
    }
    let page = NoticePage {
        chrome: chrome(&state, &actor, &space, "Conferma l'iscrizione").await?,
        heading: "Conferma l'iscrizione",
        message: format!(
            "Conferma di voler ricevere la newsletter di {} a questo indirizzo.",
            space.name
        ),
        button: Some("Confermo l'iscrizione"),
        action: space.path_to(&format!("/newsletter/conferma/{token}")),
        back: None,
    };
    Ok(render(&page)?.into_response())
}

pub async fn confirm(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, token)): Path<(String, String)>,
) -> Result<Response, Error> {
    if !model::confirm(&state.db, space.id, &token).await? {
        return Err(Error::NotFound);
    }
    let page = NoticePage {
        chrome: chrome(&state, &actor, &space, "Iscrizione confermata").await?,
        heading: "Iscrizione confermata",
        message: format!(
            "Grazie: riceverai la newsletter di {}. Ogni messaggio contiene il link per \
             annullare l'iscrizione.",
            space.name
        ),
        button: None,
        action: String::new(),
        back: Some((space.path(), "Torna alla home")),
    };
    Ok(render(&page)?.into_response())
}

pub async fn unsubscribe_form(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, token)): Path<(String, String)>,
) -> Result<Response, Error> {
    if model::by_token(&state.db, space.id, &token)
        .await?
        .is_none()
    {
        return Err(Error::NotFound);
    }
    let page = NoticePage {
        chrome: chrome(&state, &actor, &space, "Annulla l'iscrizione").await?,
        heading: "Annulla l'iscrizione",
        message: format!(
            "Con un clic su questo pulsante non riceverai più la newsletter di {}.",
            space.name
        ),
        button: Some("Annulla l'iscrizione"),
        action: space.path_to(&format!("/newsletter/disiscrizione/{token}")),
        back: None,
    };
    Ok(render(&page)?.into_response())
}

/// Also the target of mail programs' one-click unsubscribe, which posts
/// `List-Unsubscribe=One-Click` without cookies.
pub async fn unsubscribe(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, token)): Path<(String, String)>,
) -> Result<Response, Error> {
    if !model::unsubscribe(&state.db, space.id, &token).await? {
        return Err(Error::NotFound);
    }
    let page = NoticePage {
        chrome: chrome(&state, &actor, &space, "Iscrizione annullata").await?,
        heading: "Iscrizione annullata",
        message: format!(
            "Non riceverai più la newsletter di {}. Se cambi idea puoi iscriverti di nuovo.",
            space.name
        ),
        button: None,
        action: String::new(),
        back: Some((space.path_to("/newsletter"), "Iscriviti di nuovo")),
    };
    Ok(render(&page)?.into_response())
}
