//! A forgotten password: a single-use link by e-mail, valid for one hour.

use super::{chrome, dead_link, notice, send};
use crate::identity::model::person;
use crate::identity::{self, Actor, accounts, links};
use crate::mail::Mail;
use crate::web::extract::{check_form_csrf, form_csrf};
use crate::web::rate_limit::{Bucket, client_ip};
use crate::web::{AppState, Chrome, Crumb, Error, auth, render};
use askama::Template;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use sea_orm::{EntityTrait, TransactionTrait};
use serde::Deserialize;
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/password-dimenticata", get(forgot_form).post(forgot))
        .route("/reimposta-password/{token}", get(reset_form).post(reset))
}

#[derive(Template)]
#[template(path = "account/forgot.html")]
struct ForgotPage {
    chrome: Chrome,
    csrf: String,
    email: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf: String,
}

async fn forgot_page(
    state: &AppState,
    actor: &Actor,
    jar: CookieJar,
    status: StatusCode,
    email: String,
    error: Option<&'static str>,
) -> Result<Response, Error> {
    let (jar, csrf) = form_csrf(state, actor, jar);
    let title = "Password dimenticata";
    let page = ForgotPage {
        chrome: chrome(state, actor, title, "", vec![Crumb::here(title)]).await?,
        csrf,
        email,
        error,
    };
    Ok((status, jar, render(&page)?).into_response())
}

async fn forgot_form(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
) -> Result<Response, Error> {
    forgot_page(&state, &actor, jar, StatusCode::OK, String::new(), None).await
}

async fn forgot(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    headers: HeaderMap,
    peer: ConnectInfo<SocketAddr>,
    Form(form): Form<ForgotForm>,
) -> Result<Response, Error> {
    check_form_csrf(&actor, &jar, &form.csrf)?;
    state
        .limits
        .check_address(client_ip(&state, &headers, &peer), Bucket::PublicForm)?;
    let email = match accounts::parse_email(&form.email) {
        Ok(email) => email,
        Err(message) => {
            return forgot_page(
                &state,
                &actor,
                jar,
                StatusCode::UNPROCESSABLE_ENTITY,
                form.email,
                Some(message),
            )
            .await;
        }
    };
    // Per account too, so that nobody floods a person's inbox with reset links.
    state.limits.check_account(&email)?;
    if let Some(person) = identity::find_by_email(&state.db, &email).await? {
        let token =
            links::create(&state.db, person.id, links::Purpose::ResetPassword, None).await?;
        let body = format!(
            "Gentile {name},\n\nabbiamo ricevuto una richiesta di reimpostare la password del tuo \
             account su Pi.Co. Per sceglierne una nuova apri questo link entro un'ora:\n\n{url}\n\n\
             Il link vale una volta sola. Se non sei stato tu, ignora questo messaggio: la tua \
             password non cambia.\n\n-- \nPi.Co.\n",
            name = person.display_name,
            url = state.config.url(&format!("/reimposta-password/{token}")),
        );
        send(
            &state,
            Mail {
                to: person.email,
                subject: "Reimposta la tua password su Pi.Co.".into(),
                body,
                ..Default::default()
            },
        )
        .await?;
    }
    // The same answer whether the account exists or not.
    notice(
        &state,
        &actor,
        StatusCode::OK,
        "Controlla la tua posta",
        &[
            &format!(
                "Se {email} corrisponde a un account, riceverai a breve un messaggio con il link \
                 per scegliere una nuova password."
            ),
            "Il link vale un'ora e si può usare una volta sola.",
        ],
        None,
    )
    .await
}

#[derive(Template)]
#[template(path = "account/reset.html")]
struct ResetPage {
    chrome: Chrome,
    csrf: String,
    action: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
    #[serde(default)]
    csrf: String,
}

async fn reset_page(
    state: &AppState,
    actor: &Actor,
    jar: CookieJar,
    token: &str,
    status: StatusCode,
    error: Option<&'static str>,
) -> Result<Response, Error> {
    let (jar, csrf) = form_csrf(state, actor, jar);
    let title = "Scegli una nuova password";
    let page = ResetPage {
        chrome: chrome(state, actor, title, "", vec![Crumb::here(title)]).await?,
        csrf,
        action: format!("/reimposta-password/{token}"),
        error,
    };
    Ok((status, jar, render(&page)?).into_response())
}

async fn reset_form(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Result<Response, Error> {
    if links::find_valid(&state.db, &token, links::Purpose::ResetPassword)
        .await?
        .is_none()
    {
        return dead_link(&state, &actor).await;
    }
    reset_page(&state, &actor, jar, &token, StatusCode::OK, None).await
}

async fn reset(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, Error> {
    check_form_csrf(&actor, &jar, &form.csrf)?;
    let Some(link) = links::find_valid(&state.db, &token, links::Purpose::ResetPassword).await?
    else {
        return dead_link(&state, &actor).await;
    };
    if let Err(message) = accounts::check_new_password(&form.password, &form.password2) {
        return reset_page(
            &state,
            &actor,
            jar,
            &token,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message),
        )
        .await;
    }
    let txn = state.db.begin().await?;
    let person = person::Entity::find_by_id(link.person_id).one(&txn).await?;
    let (true, Some(person)) = (links::consume(&txn, &link).await?, person) else {
        return dead_link(&state, &actor).await;
    };
    let person_id = person.id;
    // Following the link proves the address too.
    let confirmed = person.email_confirmed_at.is_some();
    accounts::set_password(&txn, person, &form.password, None).await?;
    if !confirmed {
        accounts::mark_confirmed(&txn, person_id).await?;
    }
    txn.commit().await?;
    tracing::info!(person_id, "password reset");
    auth::login_with_notice(
        &state,
        &actor,
        jar,
        "Password cambiata: accedi con la nuova password. Le sessioni aperte sono state chiuse.",
    )
    .await
}
