//! Help without an account, for who cannot sign in or register: a public form opens a ticket
//! like any other, and the requester follows it through a private link sent by e-mail. The
//! link's token is 256 random bits; only its SHA-256 is stored, so a copy of the database
//! opens no ticket. The form has no CAPTCHA: a field hidden from people (a honeypot) catches
//! simple robots, which are told it worked and leave nothing behind, and the platform's rate
//! limit for public forms slows down the rest.

use crate::fields;
use crate::model::{self, Guest, NewTicket, Priority, Status};
use crate::notify;
use crate::rating;
use crate::tickets::{self, Entry, MAX_SUBJECT, MAX_TEXT, one_line, status_label};
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use chrono::Utc;
use pico_kernel::identity::{Actor, accounts, fiscal_code};
use pico_kernel::spaces::Space;
use pico_kernel::web::rate_limit::{Bucket, client_ip};
use pico_kernel::web::{Chrome, CurrentSpace, check_form_csrf, form_csrf, render};
use pico_kernel::{AppState, Error};
use sea_orm::TransactionTrait;
use serde::Deserialize;
use std::borrow::Borrow;
use std::net::SocketAddr;

pub const MAX_NAME: usize = 100;

#[derive(Deserialize, Default)]
pub struct GuestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    nome: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    codice_fiscale: String,
    #[serde(default)]
    categoria: String,
    #[serde(default)]
    oggetto: String,
    #[serde(default)]
    descrizione: String,
    /// The honeypot: hidden from people, filled by robots.
    #[serde(default)]
    sito_web: String,
    /// The extra fields of the categories, by input name.
    #[serde(flatten)]
    extra: std::collections::HashMap<String, String>,
}

#[derive(Template)]
#[template(path = "guest_new.html")]
struct GuestPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    form: GuestForm,
    categories: Vec<model::category::Model>,
    groups: Vec<fields::Group>,
    errors: Vec<(&'static str, String)>,
    sent: bool,
}

impl GuestPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| e.as_str())
    }

    fn selected(&self, id: impl Borrow<i32>) -> bool {
        self.form.categoria == id.borrow().to_string()
    }
}

const TITLE: &str = "Chiedi aiuto senza account";

#[allow(clippy::too_many_arguments)]
async fn guest_page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    csrf: String,
    form: GuestForm,
    errors: Vec<(&'static str, String)>,
    field_errors: Vec<(String, String)>,
    sent: bool,
) -> Result<GuestPage, Error> {
    let path = space.path_to("/helpdesk/aiuto");
    let mut chrome = tickets::chrome(state, actor, &space, TITLE, &path, None).await?;
    chrome.bundles.push(&pico_assets::FAQ_SUGGEST);
    chrome.bundles.push(&pico_assets::CATEGORY_FIELDS);
    let typed = typed(&form, field_errors);
    Ok(GuestPage {
        groups: fields::groups(state, &space, &typed).await?,
        chrome,
        csrf,
        categories: model::categories_of(&state.db, space.id).await?,
        form,
        errors,
        sent,
        space,
    })
}

#[derive(Deserialize)]
pub struct Done {
    fatto: Option<String>,
}

pub async fn form(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    CurrentSpace(space): CurrentSpace,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    let (jar, csrf) = form_csrf(&state, &actor, jar);
    let sent = done.fatto.as_deref() == Some("inviata");
    let page = guest_page(
        &state,
        &actor,
        space,
        csrf,
        GuestForm::default(),
        Vec::new(),
        Vec::new(),
        sent,
    )
    .await?;
    Ok((jar, render(&page)?).into_response())
}

/// What the form sent in the categories' extra fields, with their refusals.
fn typed(form: &GuestForm, errors: Vec<(String, String)>) -> fields::Typed {
    fields::Typed {
        values: form
            .extra
            .iter()
            .filter(|(name, _)| fields::is_input(name))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect(),
        errors,
    }
}

/// A checked form: the guest, the category, the subject and the description.
type Checked = (Guest, Option<i32>, String, String);

/// The form, checked, or the Italian reasons by field.
fn check(
    form: &GuestForm,
    categories: &[model::category::Model],
) -> Result<Checked, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let name = one_line(&form.nome);
    if name.is_empty() || name.chars().count() > MAX_NAME {
        errors.push((
            "nome",
            format!("Scrivi nome e cognome (al massimo {MAX_NAME} caratteri)."),
        ));
    }
    let email = accounts::parse_email(&form.email).map_err(|e| errors.push(("email", e.into())));
    let fiscal = match form.codice_fiscale.trim() {
        "" => Ok(None),
        code => fiscal_code::parse(code)
            .map(Some)
            .map_err(|e| errors.push(("codice_fiscale", e.into()))),
    };
    let category = match form.categoria.parse::<i32>() {
        Ok(id) if categories.iter().any(|c| c.id == id) => Some(id),
        _ if categories.is_empty() => None,
        _ => {
            errors.push(("categoria", "Scegli la categoria della richiesta.".into()));
            None
        }
    };
    let subject = one_line(&form.oggetto);
    if subject.is_empty() || subject.chars().count() > MAX_SUBJECT {
        errors.push((
            "oggetto",
            format!("Scrivi l'oggetto della richiesta (al massimo {MAX_SUBJECT} caratteri)."),
        ));
    }
    let description = form.descrizione.trim().replace("\r\n", "\n");
    if description.is_empty() || description.chars().count() > MAX_TEXT {
        errors.push((
            "descrizione",
            format!("Descrivi il problema (al massimo {MAX_TEXT} caratteri)."),
        ));
    }
    match (email, fiscal) {
        (Ok(email), Ok(fiscal_code)) if errors.is_empty() => Ok((
            Guest {
                name,
                email,
                fiscal_code,
            },
            category,
            subject,
            description,
        )),
        _ => Err(errors),
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn submit(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    headers: HeaderMap,
    peer: ConnectInfo<SocketAddr>,
    CurrentSpace(space): CurrentSpace,
    Form(form): Form<GuestForm>,
) -> Result<Response, Error> {
    check_form_csrf(&actor, &jar, &form.csrf)?;
    state
        .limits
        .check_address(client_ip(&state, &headers, &peer), Bucket::PublicForm)?;
    let done = Redirect::to(&space.path_to("/helpdesk/aiuto?fatto=inviata")).into_response();
    // A robot filled the hidden field: it is told it worked, and nothing is kept.
    if !form.sito_web.is_empty() {
        return Ok(done);
    }
    let categories = model::categories_of(&state.db, space.id).await?;
    let checked = check(&form, &categories);
    let chosen = match &checked {
        Ok((_, category, _, _)) => *category,
        Err(_) => form.categoria.parse().ok(),
    };
    let extra = fields::check(&state, &space, chosen, &typed(&form, Vec::new())).await?;
    let ((guest, category, subject, description), extra) = match (checked, extra) {
        (Ok(checked), Ok(extra)) => (checked, extra),
        (checked, extra) => {
            let mut errors = checked.err().unwrap_or_default();
            let field_errors = extra.err().unwrap_or_default();
            errors.extend(field_errors.iter().map(|(_, e)| ("campi", e.clone())));
            let (jar, csrf) = form_csrf(&state, &actor, jar);
            let page = guest_page(
                &state,
                &actor,
                space,
                csrf,
                form,
                errors,
                field_errors,
                false,
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, render(&page)?).into_response());
        }
    };
    let new = NewTicket {
        space_id: space.id,
        // Set by `open_guest` to the placeholder person.
        requester_id: 0,
        category_id: category,
        module_key: None,
        requester_space_id: None,
        subject,
        description,
        priority: Priority::Normal,
    };
    let txn = state.db.begin().await?;
    let (ticket, token) = model::open_guest(&txn, new, guest.clone(), Utc::now()).await?;
    fields::store(&txn, ticket.id, extra).await?;
    notify::opened(&state, &txn, &space, &ticket).await?;
    notify::guest_opened(&state, &txn, &space, &ticket, &guest, &token).await?;
    txn.commit().await?;
    Ok(done)
}

// ---------------------------------------------------------------------------------------
// The guest's page of the ticket.

#[derive(Template)]
#[template(path = "guest_ticket.html")]
pub(crate) struct FollowPage {
    chrome: Chrome,
    csrf: String,
    action: String,
    ticket: model::ticket::Model,
    guest: model::guest::Model,
    status: &'static str,
    entries: Vec<Entry>,
    extra: Vec<fields::value::Model>,
    can_reply: bool,
    pub(crate) error: Option<String>,
    notice: Option<&'static str>,
    text: String,
    pub(crate) rating: Option<rating::Panel>,
}

pub(crate) async fn follow_page(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    token: &str,
    csrf: String,
    (ticket, guest): (model::ticket::Model, model::guest::Model),
) -> Result<FollowPage, Error> {
    let events = model::public_timeline(&state.db, ticket.id).await?;
    let entries = tickets::entries_of(
        state,
        events,
        Some((ticket.requester_id, guest.name.clone())),
    )
    .await?;
    let reopen_days = model::reopen_days(&state.db, space.id).await?;
    let path = space.path_to(&format!("/helpdesk/segui/{token}"));
    let title = format!("Ticket n. {}", ticket.id);
    Ok(FollowPage {
        // The breadcrumb leads to the help desk's home, which asks to sign in.
        chrome: tickets::chrome(state, actor, space, &title, &path, None).await?,
        csrf,
        action: format!("{path}/risposta"),
        status: status_label(&ticket.status),
        can_reply: model::requester_may_reply(&ticket, reopen_days, Utc::now()),
        extra: fields::values_of(&state.db, ticket.id).await?,
        entries,
        error: None,
        notice: None,
        text: String::new(),
        rating: rating::panel(&state.db, &ticket, true, format!("{path}/valutazione")).await?,
        ticket,
        guest,
    })
}

pub(crate) async fn by_token(
    state: &AppState,
    space: &Space,
    token: &str,
) -> Result<(model::ticket::Model, model::guest::Model), Error> {
    model::by_guest_token(&state.db, space.id, token)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn follow(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    CurrentSpace(space): CurrentSpace,
    Path((_, token)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    let found = by_token(&state, &space, &token).await?;
    let (jar, csrf) = form_csrf(&state, &actor, jar);
    let mut page = follow_page(&state, &actor, &space, &token, csrf, found).await?;
    page.notice = match done.fatto.as_deref() {
        Some("risposta") => Some("Risposta inviata."),
        Some("valutato") => Some("Grazie per la valutazione."),
        _ => None,
    };
    // The address is a secret: no referrer, no cache.
    Ok((
        jar,
        [
            (axum::http::header::REFERRER_POLICY, "no-referrer"),
            (axum::http::header::CACHE_CONTROL, "private, no-store"),
        ],
        render(&page)?,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
pub struct ReplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    testo: String,
}

pub async fn reply(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    CurrentSpace(space): CurrentSpace,
    Path((_, token)): Path<(String, String)>,
    Form(form): Form<ReplyForm>,
) -> Result<Response, Error> {
    let (ticket, guest) = by_token(&state, &space, &token).await?;
    check_form_csrf(&actor, &jar, &form.csrf)?;
    let text = form.testo.trim().replace("\r\n", "\n");
    let reopen_days = model::reopen_days(&state.db, space.id).await?;
    let refusal = if text.is_empty() || text.chars().count() > MAX_TEXT {
        Some(format!(
            "Scrivi il testo (al massimo {MAX_TEXT} caratteri)."
        ))
    } else if !model::requester_may_reply(&ticket, reopen_days, Utc::now()) {
        Some("Il ticket è chiuso: per un nuovo problema apri una nuova richiesta.".into())
    } else {
        None
    };
    if let Some(error) = refusal {
        let (jar, csrf) = form_csrf(&state, &actor, jar);
        let mut page = follow_page(&state, &actor, &space, &token, csrf, (ticket, guest)).await?;
        page.error = Some(error);
        page.text = form.testo;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, render(&page)?).into_response());
    }
    let txn = state.db.begin().await?;
    let updated = model::add_message(
        &txn,
        &ticket,
        ticket.requester_id,
        &text,
        false,
        true,
        Utc::now(),
    )
    .await?;
    notify::requester_replied(&state, &txn, &space, &updated).await?;
    if updated.status != ticket.status && Status::parse(&updated.status).is_some() {
        notify::status_changed(&state, &txn, &space, &updated).await?;
    }
    txn.commit().await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/helpdesk/segui/{token}?fatto=risposta")))
            .into_response(),
    )
}
