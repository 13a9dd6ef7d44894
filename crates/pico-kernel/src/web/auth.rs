//! Signing in and out with a local account. (SPID/CIE, registration and password reset come
//! with the identity module.)

use super::extract::constant_time_eq;
use super::{AppState, Chrome, Crumb, Error, check_csrf, render};
use crate::identity::{self, Actor, password, sessions};
use crate::spaces;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

/// Cookie holding the CSRF token of the login form, before any session exists.
const LOGIN_CSRF_COOKIE: &str = "pico_login_csrf";

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
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.behind_https())
        .build()
}

async fn page(
    state: &AppState,
    jar: CookieJar,
    next: String,
    email: String,
    error: Option<&'static str>,
) -> Result<(CookieJar, LoginPage), Error> {
    let (jar, csrf) = match jar.get(LOGIN_CSRF_COOKIE) {
        Some(c) => (jar.clone(), c.value().to_owned()),
        None => {
            let token = sessions::random_token();
            (
                jar.add(cookie(state, LOGIN_CSRF_COOKIE, token.clone())),
                token,
            )
        }
    };
    let national = spaces::national(&state.db).await?;
    let chrome = Chrome::new(
        state,
        &national,
        &Actor::Anonymous,
        "Accedi",
        "/accedi",
        vec![Crumb::here("Accedi")],
    )
    .await?;
    Ok((
        jar,
        LoginPage {
            chrome,
            csrf,
            next,
            email,
            error,
        },
    ))
}

async fn login_page(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(query): Query<NextParam>,
) -> Result<Response, Error> {
    let (jar, page) = page(
        &state,
        jar,
        safe_next(query.next.as_deref()),
        String::new(),
        None,
    )
    .await?;
    Ok((jar, render(&page)?).into_response())
}

async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, Error> {
    let expected = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.csrf.as_bytes()) {
        return Err(Error::Csrf);
    }
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
        // The same message whether the account exists or not.
        let (jar, page) = page(
            &state,
            jar,
            next,
            form.email.trim().to_owned(),
            Some("E-mail o password non corretti."),
        )
        .await?;
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            jar,
            render(&page)?,
        )
            .into_response());
    };
    let ip = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.split(',').next().unwrap_or(s).trim().to_owned());
    let agent = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let token = sessions::open(&state.db, person.id, ip, agent).await?;
    tracing::info!(person_id = person.id, "signed in");
    let jar =
        jar.remove(Cookie::from(LOGIN_CSRF_COOKIE))
            .add(cookie(&state, sessions::COOKIE, token));
    Ok((jar, Redirect::to(&next)).into_response())
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
