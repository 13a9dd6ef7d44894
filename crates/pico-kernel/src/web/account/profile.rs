//! The personal area: profile with fiscal code, password, e-mail address and open sessions.

use super::{chrome, notice, send_confirmation};
use crate::identity::model::{person, session};
use crate::identity::{self, Actor, accounts, fiscal_code, password, sessions};
use crate::web::{AppState, Chrome, Crumb, Error, check_csrf, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/profilo", get(show).post(save))
        .route("/profilo/password", post(change_password))
        .route("/profilo/email", post(change_email))
        .route("/profilo/sessioni/termina", post(end_session))
}

#[derive(Template)]
#[template(path = "account/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    csrf: String,
    person: person::Model,
    form: ProfileForm,
    sessions: Vec<SessionRow>,
    saved: Option<&'static str>,
    errors: Errors,
}

struct SessionRow {
    id: String,
    current: bool,
    started: String,
    address: String,
    browser: String,
}

#[derive(Default)]
struct Errors {
    name: Option<&'static str>,
    fiscal_code: Option<&'static str>,
    phone: Option<&'static str>,
    password: Option<&'static str>,
    email: Option<&'static str>,
}

#[derive(Deserialize, Default)]
struct ProfileForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    fiscal_code: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    csrf: String,
}

/// The signed-in person's account row; anonymous visitors are sent to the login page.
async fn current(state: &AppState, actor: &Actor) -> Result<person::Model, Error> {
    let me = actor.person().ok_or(Error::Unauthenticated)?;
    person::Entity::find_by_id(me.id)
        .one(&state.db)
        .await?
        .ok_or(Error::Unauthenticated)
}

async fn page(
    state: &AppState,
    actor: &Actor,
    jar: &CookieJar,
    status: StatusCode,
    form: Option<ProfileForm>,
    saved: Option<&'static str>,
    errors: Errors,
) -> Result<Response, Error> {
    let person = current(state, actor).await?;
    let current_session = jar
        .get(sessions::COOKIE)
        .map(|c| sessions::id_of(c.value()));
    let sessions = sessions::of_person(&state.db, person.id)
        .await?
        .into_iter()
        .map(|s: session::Model| SessionRow {
            current: Some(&s.id) == current_session.as_ref(),
            started: s.created_at.format("%d/%m/%Y %H:%M UTC").to_string(),
            address: s.ip.unwrap_or_else(|| "sconosciuto".into()),
            browser: s
                .user_agent
                .as_deref()
                .map_or_else(|| "sconosciuto".into(), browser_summary),
            id: s.id,
        })
        .collect();
    let form = form.unwrap_or_else(|| ProfileForm {
        name: person.display_name.clone(),
        fiscal_code: person.fiscal_code.clone().unwrap_or_default(),
        phone: person.phone.clone().unwrap_or_default(),
        csrf: String::new(),
    });
    let page = ProfilePage {
        chrome: chrome(
            state,
            actor,
            "Il mio profilo",
            "/profilo",
            vec![Crumb::here("Il mio profilo")],
        )
        .await?,
        csrf: actor.csrf_token(),
        person,
        form,
        sessions,
        saved,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
) -> Result<Response, Error> {
    page(
        &state,
        &actor,
        &jar,
        StatusCode::OK,
        None,
        None,
        Errors::default(),
    )
    .await
}

/// "Chrome su Linux" rather than the whole User-Agent string.
fn browser_summary(agent: &str) -> String {
    const BROWSERS: [(&str, &str); 6] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ];
    const SYSTEMS: [(&str, &str); 6] = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    let browser = BROWSERS
        .iter()
        .find(|(mark, _)| agent.contains(mark))
        .map(|(_, name)| *name);
    let system = SYSTEMS
        .iter()
        .find(|(mark, _)| agent.contains(mark))
        .map(|(_, name)| *name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} su {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => format!("Browser su {s}"),
        (None, None) => agent.chars().take(40).collect(),
    }
}

fn parse_phone(input: &str) -> Result<Option<String>, &'static str> {
    let phone: String = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if phone.is_empty() {
        return Ok(None);
    }
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone.chars().enumerate().all(|(i, c)| {
        c.is_ascii_digit() || c == ' ' || c == '.' || c == '-' || (i == 0 && c == '+')
    });
    if !allowed || !(6..=15).contains(&digits) {
        return Err("Il numero di telefono non è valido: usa solo cifre, spazi e il prefisso +.");
    }
    Ok(Some(phone))
}

async fn save(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    Form(form): Form<ProfileForm>,
) -> Result<Response, Error> {
    check_csrf(&actor, &form.csrf)?;
    let person = current(&state, &actor).await?;
    let name = accounts::parse_name(&form.name);
    let fiscal = match form.fiscal_code.trim() {
        "" => Ok(None),
        code => fiscal_code::parse(code).map(Some),
    };
    let phone = parse_phone(&form.phone);
    let mut errors = Errors {
        name: name.as_ref().err().copied(),
        fiscal_code: fiscal.as_ref().err().copied(),
        phone: phone.as_ref().err().copied(),
        ..Errors::default()
    };
    if let Ok(Some(code)) = &fiscal {
        let taken = person::Entity::find()
            .filter(person::Column::FiscalCode.eq(code.as_str()))
            .filter(person::Column::Id.ne(person.id))
            .one(&state.db)
            .await?
            .is_some();
        if taken {
            errors.fiscal_code = Some(
                "Questo codice fiscale è già associato a un altro account. Se è tuo, scrivi \
                 all'assistenza.",
            );
        }
    }
    let (Ok(name), Ok(fiscal), Ok(phone), None) = (name, fiscal, phone, errors.fiscal_code) else {
        return page(
            &state,
            &actor,
            &jar,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(form),
            None,
            errors,
        )
        .await;
    };
    let mut model: person::ActiveModel = person.into();
    model.display_name = Set(name);
    model.fiscal_code = Set(fiscal);
    model.phone = Set(phone);
    model.update(&state.db).await?;
    page(
        &state,
        &actor,
        &jar,
        StatusCode::OK,
        None,
        Some("Profilo salvato."),
        Errors::default(),
    )
    .await
}

/// Changing the password or the address asks for the current password, when there is one
/// (someone who only signs in with SPID or CIE has none).
fn check_current_password(person: &person::Model, typed: &str) -> Result<(), &'static str> {
    if person.password_hash.is_empty() || password::verify(typed, &person.password_hash) {
        Ok(())
    } else {
        Err("La password attuale non è corretta.")
    }
}

/// The profile again, with what was refused.
async fn refuse(
    state: &AppState,
    actor: &Actor,
    jar: &CookieJar,
    errors: Errors,
) -> Result<Response, Error> {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    page(state, actor, jar, status, None, None, errors).await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
    #[serde(default)]
    csrf: String,
}

async fn change_password(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    Form(form): Form<PasswordForm>,
) -> Result<Response, Error> {
    check_csrf(&actor, &form.csrf)?;
    let person = current(&state, &actor).await?;
    let checked = check_current_password(&person, &form.current)
        .and_then(|()| accounts::check_new_password(&form.password, &form.password2));
    if let Err(problem) = checked {
        let errors = Errors {
            password: Some(problem),
            ..Errors::default()
        };
        return refuse(&state, &actor, &jar, errors).await;
    }
    let keep = jar
        .get(sessions::COOKIE)
        .map(|c| sessions::id_of(c.value()));
    accounts::set_password(&state.db, person, &form.password, keep.as_deref()).await?;
    page(
        &state,
        &actor,
        &jar,
        StatusCode::OK,
        None,
        Some("Password cambiata. Le altre sessioni sono state chiuse."),
        Errors::default(),
    )
    .await
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    csrf: String,
}

async fn change_email(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    Form(form): Form<EmailForm>,
) -> Result<Response, Error> {
    check_csrf(&actor, &form.csrf)?;
    let person = current(&state, &actor).await?;
    let email = check_current_password(&person, &form.current)
        .and_then(|()| accounts::parse_email(&form.email));
    let email = match email {
        Ok(email) if email == person.email => Err("È già l'indirizzo del tuo account."),
        other => other,
    };
    let email = match email {
        Ok(email) => email,
        Err(problem) => {
            let errors = Errors {
                email: Some(problem),
                ..Errors::default()
            };
            return refuse(&state, &actor, &jar, errors).await;
        }
    };
    // Whether the address is taken is checked when the link is followed, so that this page
    // does not reveal which addresses have an account.
    if identity::find_by_email(&state.db, &email).await?.is_none() {
        send_confirmation(&state, &person, Some(&email)).await?;
    }
    notice(
        &state,
        &actor,
        StatusCode::OK,
        "Controlla la tua posta",
        &[&format!(
            "Abbiamo inviato a {email} un link per confermare il nuovo indirizzo. Fino ad allora \
             il tuo account resta legato a {}.",
            person.email
        )],
        Some(("Torna al profilo", "/profilo")),
    )
    .await
}

#[derive(Deserialize)]
struct EndSessionForm {
    id: String,
    #[serde(default)]
    csrf: String,
}

async fn end_session(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<EndSessionForm>,
) -> Result<Response, Error> {
    check_csrf(&actor, &form.csrf)?;
    let person = current(&state, &actor).await?;
    if !sessions::close_by_id(&state.db, person.id, &form.id).await? {
        return Err(Error::NotFound);
    }
    Ok(Redirect::to("/profilo#sessioni").into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn browsers_are_named_briefly() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
        assert_eq!(super::browser_summary(chrome), "Chrome su Linux");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0";
        assert_eq!(super::browser_summary(edge), "Edge su Windows");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(super::browser_summary(iphone), "Safari su iPhone");
    }
}
