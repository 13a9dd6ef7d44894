//! Signing in and out with a local account.

use super::account::{self, client_info};
use super::extract::{check_form_csrf, cookie, form_csrf};
use super::rate_limit::{Bucket, client_ip};
use super::{AppState, Chrome, Crumb, Error, check_csrf, render};
use crate::identity::{self, Actor, password, sessions};
use crate::spaces;
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use pico_oidc::ProviderKind;
use serde::Deserialize;
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accedi", get(login_page).post(login))
        .route("/esci", post(logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    email: String,
    error: Option<&'static str>,
    notice: Option<&'static str>,
    /// "Entra con SPID", "Entra con CIE": label and URL of each configured provider.
    providers: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct NextParam {
    next: Option<String>,
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    csrf: String,
    #[serde(default)]
    next: String,
}

/// Only local paths are followed after login, never another site.
pub(super) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

struct Outcome {
    status: StatusCode,
    email: String,
    error: Option<&'static str>,
    notice: Option<&'static str>,
}

async fn page(
    state: &AppState,
    actor: &Actor,
    jar: CookieJar,
    next: String,
    outcome: Outcome,
) -> Result<Response, Error> {
    let (jar, csrf) = form_csrf(state, actor, jar);
    let national = spaces::national(&state.db).await?;
    let chrome = Chrome::new(
        state,
        &national,
        actor,
        "Accedi",
        "/accedi",
        vec![Crumb::here("Accedi")],
    )
    .await?;
    let all = state.oidc.providers();
    let providers = all
        .iter()
        .map(|p| {
            let kind = match p.kind {
                ProviderKind::Spid => "SPID",
                ProviderKind::Cie => "CIE",
            };
            let alone = all.iter().filter(|o| o.kind == p.kind).count() == 1;
            let label = if alone {
                format!("Entra con {kind}")
            } else {
                format!("Entra con {kind}: {}", p.name)
            };
            let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
            (label, format!("/accedi/spid-cie/{}?next={next}", p.key))
        })
        .collect();
    let page = LoginPage {
        chrome,
        csrf,
        providers,
        next,
        email: outcome.email,
        error: outcome.error,
        notice: outcome.notice,
    };
    Ok((outcome.status, jar, render(&page)?).into_response())
}

async fn login_page(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    Query(query): Query<NextParam>,
) -> Result<Response, Error> {
    let outcome = Outcome {
        status: StatusCode::OK,
        email: String::new(),
        error: None,
        notice: None,
    };
    page(
        &state,
        &actor,
        jar,
        safe_next(query.next.as_deref()),
        outcome,
    )
    .await
}

async fn login(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    headers: HeaderMap,
    peer: ConnectInfo<SocketAddr>,
    Form(form): Form<LoginForm>,
) -> Result<Response, Error> {
    check_form_csrf(&actor, &jar, &form.csrf)?;
    state
        .limits
        .check_address(client_ip(&state, &headers, &peer), Bucket::Login)?;
    let next = safe_next(Some(&form.next));
    let person = identity::find_by_email(&state.db, &form.email).await?;
    let verified = match &person {
        Some(p) => password::verify(&form.password, &p.password_hash),
        None => {
            password::verify_against_nothing(&form.password);
            false
        }
    };
    let Some(person) = person.filter(|_| verified) else {
        tracing::info!("failed login");
        state.limits.check_account(&form.email)?;
        // The same message whether the account exists or not.
        let outcome = Outcome {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            email: form.email.trim().to_owned(),
            error: Some("E-mail o password non corretti."),
            notice: None,
        };
        return page(&state, &actor, jar, next, outcome).await;
    };
    if person.email_confirmed_at.is_none() {
        account::send_confirmation(&state, &person, None).await?;
        let outcome = Outcome {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            email: person.email.clone(),
            error: Some(
                "Il tuo indirizzo e-mail non è ancora confermato. Ti abbiamo inviato di nuovo \
                 il messaggio con il link di conferma.",
            ),
            notice: None,
        };
        return page(&state, &actor, jar, next, outcome).await;
    }
    let (ip, agent) = client_info(&state, &headers, &peer);
    let token = sessions::open(&state.db, person.id, ip, agent).await?;
    tracing::info!(person_id = person.id, "signed in");
    let next = if person.password_temporary {
        "/profilo#password-title".to_owned()
    } else {
        next
    };
    Ok((
        jar.add(cookie(&state, sessions::COOKIE, token)),
        Redirect::to(&next),
    )
        .into_response())
}

/// The login page after a completed flow (confirmed address, new password), with a notice.
pub(super) async fn login_with_notice(
    state: &AppState,
    actor: &Actor,
    jar: CookieJar,
    notice: &'static str,
) -> Result<Response, Error> {
    let outcome = Outcome {
        status: StatusCode::OK,
        email: String::new(),
        error: None,
        notice: Some(notice),
    };
    page(state, actor, jar, "/".into(), outcome).await
}

#[derive(Deserialize)]
struct LogoutForm {
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    Form(form): Form<LogoutForm>,
) -> Result<Response, Error> {
    check_csrf(&actor, &form.csrf)?;
    if let Some(c) = jar.get(sessions::COOKIE) {
        sessions::close(&state.db, c.value()).await?;
    }
    let jar = jar.remove(Cookie::build(sessions::COOKIE).path("/").build());
    Ok((jar, Redirect::to("/")).into_response())
}
