//! Registration with e-mail and password, and the confirmation link.

use super::{chrome, dead_link, notice, send, send_confirmation};
use crate::identity::accounts::{self, Confirmed, Registration};
use crate::identity::{Actor, links};
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
use serde::Deserialize;
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/registrati", get(form).post(register))
        .route("/conferma-email/{token}", get(confirm_page).post(confirm))
}

#[derive(Template)]
#[template(path = "account/register.html")]
struct RegisterPage {
    chrome: Chrome,
    csrf: String,
    form: RegisterForm,
    errors: Errors,
}

#[derive(Deserialize, Default)]
struct RegisterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
    privacy: Option<String>,
    #[serde(default)]
    csrf: String,
}

#[derive(Default)]
struct Errors {
    name: Option<&'static str>,
    email: Option<&'static str>,
    password: Option<&'static str>,
    privacy: Option<&'static str>,
}

impl Errors {
    fn any(&self) -> bool {
        self.name.is_some()
            || self.email.is_some()
            || self.password.is_some()
            || self.privacy.is_some()
    }
}

async fn render_form(
    state: &AppState,
    actor: &Actor,
    jar: CookieJar,
    status: StatusCode,
    form: RegisterForm,
    errors: Errors,
) -> Result<Response, Error> {
    let (jar, csrf) = form_csrf(state, actor, jar);
    let page = RegisterPage {
        chrome: chrome(
            state,
            actor,
            "Registrati",
            "/registrati",
            vec![Crumb::here("Registrati")],
        )
        .await?,
        csrf,
        form: RegisterForm {
            password: String::new(),
            password2: String::new(),
            ..form
        },
        errors,
    };
    Ok((status, jar, render(&page)?).into_response())
}

async fn form(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
) -> Result<Response, Error> {
    render_form(
        &state,
        &actor,
        jar,
        StatusCode::OK,
        RegisterForm::default(),
        Errors::default(),
    )
    .await
}

async fn register(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    headers: HeaderMap,
    peer: ConnectInfo<SocketAddr>,
    Form(form): Form<RegisterForm>,
) -> Result<Response, Error> {
    check_form_csrf(&actor, &jar, &form.csrf)?;
    state
        .limits
        .check_address(client_ip(&state, &headers, &peer), Bucket::PublicForm)?;
    let name = accounts::parse_name(&form.name);
    let email = accounts::parse_email(&form.email);
    let password = accounts::check_new_password(&form.password, &form.password2);
    let errors = Errors {
        name: name.as_ref().err().copied(),
        email: email.as_ref().err().copied(),
        password: password.err(),
        privacy: form.privacy.is_none().then_some(
            "Per registrarti devi dichiarare di aver letto l'informativa sulla privacy.",
        ),
    };
    let (Ok(name), Ok(email), false) = (name, email, errors.any()) else {
        return render_form(
            &state,
            &actor,
            jar,
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            errors,
        )
        .await;
    };
    match accounts::register(&state.db, &name, &email, &form.password).await? {
        Registration::Created(person) => {
            tracing::info!(person_id = person.id, "account registered");
            send_confirmation(&state, &person, None).await?;
        }
        Registration::Existing(person) => {
            // Told like a new registration; the owner of the address learns the truth.
            let body = format!(
                "Gentile {name},\n\nqualcuno ha chiesto di registrarsi su Pi.Co. con questo \
                 indirizzo, che ha già un account.\n\nSe eri tu, accedi da {login}; se non \
                 ricordi la password, reimpostala da {reset}.\n\nSe non eri tu, ignora questo \
                 messaggio: il tuo account non è cambiato.\n\n-- \nPi.Co.\n",
                name = person.display_name,
                login = state.config.url("/accedi"),
                reset = state.config.url("/password-dimenticata"),
            );
            send(
                &state,
                Mail {
                    to: person.email,
                    subject: "Richiesta di registrazione con il tuo indirizzo".into(),
                    body,
                    ..Default::default()
                },
            )
            .await?;
        }
    }
    notice(
        &state,
        &actor,
        StatusCode::OK,
        "Controlla la tua posta",
        &[
            &format!("Abbiamo inviato un messaggio a {email}."),
            "Apri il link che contiene entro 48 ore per attivare l'account. Se non lo trovi, \
             guarda anche nella posta indesiderata.",
        ],
        None,
    )
    .await
}

#[derive(Template)]
#[template(path = "account/confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    csrf: String,
    action: String,
    new_email: Option<String>,
}

/// Shows a button rather than confirming at once: mail scanners open links, people press.
async fn confirm_page(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Result<Response, Error> {
    let Some(link) = links::find_valid(&state.db, &token, links::Purpose::ConfirmEmail).await?
    else {
        return dead_link(&state, &actor).await;
    };
    let (jar, csrf) = form_csrf(&state, &actor, jar);
    let page = ConfirmPage {
        chrome: chrome(
            &state,
            &actor,
            "Conferma l'indirizzo e-mail",
            "",
            vec![Crumb::here("Conferma l'indirizzo e-mail")],
        )
        .await?,
        csrf,
        action: format!("/conferma-email/{token}"),
        new_email: link.new_email,
    };
    Ok((jar, render(&page)?).into_response())
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn confirm(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, Error> {
    check_form_csrf(&actor, &jar, &form.csrf)?;
    let Some(link) = links::find_valid(&state.db, &token, links::Purpose::ConfirmEmail).await?
    else {
        return dead_link(&state, &actor).await;
    };
    match accounts::confirm_email(&state.db, &link).await? {
        None => dead_link(&state, &actor).await,
        Some(Confirmed::AddressTaken) => {
            notice(
                &state,
                &actor,
                StatusCode::CONFLICT,
                "Indirizzo già in uso",
                &["Questo indirizzo è nel frattempo usato da un altro account: il tuo indirizzo non è cambiato."],
                None,
            )
            .await
        }
        Some(Confirmed::Done(person)) => {
            tracing::info!(person_id = person.id, "e-mail address confirmed");
            if actor.person().is_some() {
                notice(
                    &state,
                    &actor,
                    StatusCode::OK,
                    "Indirizzo confermato",
                    &[&format!("Il tuo indirizzo e-mail ora è {}.", person.email)],
                    Some(("Torna al profilo", "/profilo")),
                )
                .await
            } else {
                auth::login_with_notice(
                    &state,
                    &actor,
                    jar,
                    "Indirizzo e-mail confermato: ora puoi accedere.",
                )
                .await
            }
        }
    }
}
