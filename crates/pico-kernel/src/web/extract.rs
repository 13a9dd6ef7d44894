//! Extractors: who is asking ([`Actor`]), in which space ([`CurrentSpace`]), and the CSRF check
//! every state-changing form goes through.

use super::{AppState, Error};
use crate::identity::{Actor, api_tokens, sessions};
use crate::spaces::{self, Space};
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use std::collections::HashMap;

/// Cookie holding the CSRF token of forms posted without a session (login, registration,
/// password recovery): the form must send back the same value (double submit).
const FORM_CSRF_COOKIE: &str = "pico_form_csrf";

/// Who is asking: the person of the session cookie, or, for the JSON API, of a personal
/// token (`Authorization: Bearer pico_…`); a read-only token only reads.
pub async fn load_actor(state: &AppState, parts: &Parts) -> Result<Actor, Error> {
    let headers = &parts.headers;
    // Inside a nested router the URI lost its prefix; the original one still has it.
    let path = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or(parts.uri.path(), |u| u.path());
    if path.starts_with("/api/")
        && let Some(bearer) = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
    {
        let Some((person, can_write)) = api_tokens::resolve(&state.db, bearer.trim()).await? else {
            return Err(Error::Unauthenticated);
        };
        let reads = matches!(
            parts.method,
            axum::http::Method::GET | axum::http::Method::HEAD
        );
        if !reads && !can_write {
            return Err(Error::Forbidden);
        }
        return Ok(Actor::Person(person));
    }
    let jar = CookieJar::from_headers(headers);
    let Some(cookie) = jar.get(sessions::COOKIE) else {
        return Ok(Actor::Anonymous);
    };
    Ok(match sessions::resolve(&state.db, cookie.value()).await? {
        Some(person) => Actor::Person(person),
        None => Actor::Anonymous,
    })
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        if let Some(actor) = parts.extensions.get::<Actor>() {
            return Ok(actor.clone());
        }
        let actor = load_actor(state, parts).await?;
        parts.extensions.insert(actor.clone());
        Ok(actor)
    }
}

/// The space named by the `{space}` path segment; an unknown one is a 404.
pub struct CurrentSpace(pub Space);

impl FromRequestParts<AppState> for CurrentSpace {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound)?;
        let slug = params.get("space").ok_or(Error::NotFound)?;
        spaces::by_slug(&state.db, slug)
            .await?
            .map(CurrentSpace)
            .ok_or(Error::NotFound)
    }
}

/// Checks the token a form sent against the one of the session.
pub fn check_csrf(actor: &Actor, sent: &str) -> Result<(), Error> {
    match actor.person() {
        Some(person) if constant_time_eq(person.csrf_token.as_bytes(), sent.as_bytes()) => Ok(()),
        _ => Err(Error::Csrf),
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token for a form anyone may post: the session's when signed in, otherwise the form
/// cookie's, setting that cookie when there is none yet.
pub fn form_csrf(state: &AppState, actor: &Actor, jar: CookieJar) -> (CookieJar, String) {
    if let Some(person) = actor.person() {
        return (jar, person.csrf_token.clone());
    }
    match jar.get(FORM_CSRF_COOKIE) {
        Some(c) => {
            let token = c.value().to_owned();
            (jar, token)
        }
        None => {
            let token = sessions::random_token();
            (
                jar.add(cookie(state, FORM_CSRF_COOKIE, token.clone())),
                token,
            )
        }
    }
}

pub fn check_form_csrf(actor: &Actor, jar: &CookieJar, sent: &str) -> Result<(), Error> {
    if actor.person().is_some() {
        return check_csrf(actor, sent);
    }
    match jar.get(FORM_CSRF_COOKIE) {
        Some(c) if constant_time_eq(c.value().as_bytes(), sent.as_bytes()) => Ok(()),
        _ => Err(Error::Csrf),
    }
}

/// A cookie for the whole site: HttpOnly, SameSite=Lax, Secure behind HTTPS.
pub fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.behind_https())
        .build()
}

/// The client's address, as recorded in the audit log.
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .cloned()
            .unwrap_or(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [0, 0, 0, 0],
                0,
            ))));
        Ok(ClientAddress(
            super::rate_limit::client_ip(state, &parts.headers, &peer).to_string(),
        ))
    }
}
