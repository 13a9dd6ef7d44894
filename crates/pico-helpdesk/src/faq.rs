//! Frequently asked questions of a space's help desk, in the help desk's categories and
//! optionally tied to a module. Anyone reads the published ones, searches them and says whether
//! one helped; agents write them, also from a resolved ticket. Answers are plain text shown in
//! paragraphs (no HTML to sanitise). Search is a case-insensitive match of every word over
//! question and answer, done in memory: a space has tens of entries, not thousands.

use crate::model;
use crate::tickets::{self, one_line};
use askama::Template;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use axum_extra::extract::CookieJar;
use chrono::Utc;
use pico_kernel::identity::Actor;
use pico_kernel::policy::{Action, allows, authorize};
use pico_kernel::spaces::Space;
use pico_kernel::web::rate_limit::{Bucket, client_ip};
use pico_kernel::web::{Chrome, CurrentSpace, check_csrf, check_form_csrf, form_csrf, render};
use pico_kernel::{AppState, Error};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::net::SocketAddr;

pub const MAX_QUESTION: usize = 200;
pub const MAX_ANSWER: usize = 10_000;
/// How many suggestions the subject field gets.
pub const SUGGESTED: usize = 5;

pub mod entry {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_faq")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        pub module_key: Option<String>,
        /// One of the help desk's categories.
        pub category_id: Option<i32>,
        pub question: String,
        /// Plain text; blank lines separate paragraphs.
        pub answer: String,
        pub published: bool,
        pub useful_yes: i32,
        pub useful_no: i32,
        /// The resolved ticket it was written from.
        pub created_from_ticket: Option<i32>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// What an agent writes, checked.
#[derive(Debug, Clone)]
pub struct Draft {
    pub category_id: Option<i32>,
    pub module_key: Option<String>,
    pub question: String,
    pub answer: String,
    pub published: bool,
    pub created_from_ticket: Option<i32>,
}

pub async fn create(
    db: &impl ConnectionTrait,
    space_id: i32,
    d: Draft,
) -> Result<entry::Model, DbErr> {
    let now = Utc::now();
    entry::ActiveModel {
        space_id: Set(space_id),
        module_key: Set(d.module_key),
        category_id: Set(d.category_id),
        question: Set(d.question),
        answer: Set(d.answer),
        published: Set(d.published),
        useful_yes: Set(0),
        useful_no: Set(0),
        created_from_ticket: Set(d.created_from_ticket),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// The entries of a space, published only unless `all`, in question order.
pub async fn of_space(
    db: &impl ConnectionTrait,
    space_id: i32,
    all: bool,
) -> Result<Vec<entry::Model>, DbErr> {
    let mut q = entry::Entity::find().filter(entry::Column::SpaceId.eq(space_id));
    if !all {
        q = q.filter(entry::Column::Published.eq(true));
    }
    q.order_by_asc(entry::Column::Question).all(db).await
}

/// Whether every word of `query` appears in the question or the answer, ignoring case.
pub fn matches(e: &entry::Model, query: &str) -> bool {
    let text = format!("{}\n{}", e.question, e.answer).to_lowercase();
    query
        .to_lowercase()
        .split_whitespace()
        .all(|w| text.contains(w))
}

/// The published entries matching `query`: those whose question matches first, then the
/// most useful.
pub async fn search(
    db: &impl ConnectionTrait,
    space_id: i32,
    query: &str,
) -> Result<Vec<entry::Model>, DbErr> {
    let mut found: Vec<_> = of_space(db, space_id, false)
        .await?
        .into_iter()
        .filter(|e| matches(e, query))
        .collect();
    let q = query.to_lowercase();
    found.sort_by_key(|e| {
        let in_question = q
            .split_whitespace()
            .all(|w| e.question.to_lowercase().contains(w));
        (!in_question, -(e.useful_yes - e.useful_no))
    });
    Ok(found)
}

/// Counts one answer to "Ti è stata utile?".
pub async fn count_feedback(
    db: &impl ConnectionTrait,
    e: &entry::Model,
    useful: bool,
) -> Result<(), DbErr> {
    let mut active: entry::ActiveModel = e.clone().into();
    if useful {
        active.useful_yes = Set(e.useful_yes + 1);
    } else {
        active.useful_no = Set(e.useful_no + 1);
    }
    active.update(db).await?;
    Ok(())
}

async fn find(
    db: &impl ConnectionTrait,
    space: &Space,
    id: i32,
    all: bool,
) -> Result<entry::Model, Error> {
    entry::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|e| e.space_id == space.id && (all || e.published))
        .ok_or(Error::NotFound)
}

// ---------------------------------------------------------------------------------------
// The public page.

struct Shown {
    entry: entry::Model,
    category: String,
}

#[derive(Template)]
#[template(path = "faq.html")]
struct FaqPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    q: String,
    category: String,
    categories: Vec<model::category::Model>,
    entries: Vec<Shown>,
    agent: bool,
    thanks: Option<i32>,
    notice: Option<&'static str>,
}

impl FaqPage {
    fn thanked(&self, id: impl Borrow<i32>) -> bool {
        self.thanks == Some(*id.borrow())
    }

    fn selected(&self, id: impl Borrow<i32>) -> bool {
        self.category == id.borrow().to_string()
    }
}

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    q: String,
    #[serde(default)]
    categoria: String,
    grazie: Option<i32>,
    fatto: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    CurrentSpace(space): CurrentSpace,
    Query(filter): Query<Filter>,
) -> Result<Response, Error> {
    let agent = allows(&actor, Action::WorkTickets(&space));
    let categories = model::categories_of(&state.db, space.id).await?;
    let q = one_line(&filter.q);
    let category = filter.categoria.parse::<i32>().ok();
    let entries = of_space(&state.db, space.id, agent)
        .await?
        .into_iter()
        .filter(|e| q.is_empty() || matches(e, &q))
        .filter(|e| category.is_none() || e.category_id == category)
        .map(|e| Shown {
            category: categories
                .iter()
                .find(|c| Some(c.id) == e.category_id)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            entry: e,
        })
        .collect();
    let (jar, csrf) = form_csrf(&state, &actor, jar);
    let path = space.path_to("/helpdesk/faq");
    let page = FaqPage {
        chrome: tickets::chrome(&state, &actor, &space, "Domande frequenti", &path, None).await?,
        csrf,
        q,
        category: filter.categoria,
        categories,
        entries,
        agent,
        thanks: filter.grazie,
        notice: match filter.fatto.as_deref() {
            Some("salvata") => Some("Domanda salvata."),
            Some("eliminata") => Some("Domanda eliminata."),
            _ => None,
        },
        space,
    };
    Ok((jar, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
pub struct FeedbackForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    utile: String,
}

#[allow(clippy::too_many_arguments)]
pub async fn feedback(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    headers: HeaderMap,
    peer: ConnectInfo<SocketAddr>,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Form(form): Form<FeedbackForm>,
) -> Result<Response, Error> {
    let found = find(&state.db, &space, id, false).await?;
    check_form_csrf(&actor, &jar, &form.csrf)?;
    state
        .limits
        .check_address(client_ip(&state, &headers, &peer), Bucket::PublicForm)?;
    let useful = match form.utile.as_str() {
        "si" => true,
        "no" => false,
        _ => return Err(Error::BadRequest("Rispondi «Sì» o «No».".into())),
    };
    count_feedback(&state.db, &found, useful).await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/helpdesk/faq?grazie={id}#faq-{id}")))
            .into_response(),
    )
}

#[derive(Deserialize, Default)]
pub struct SuggestQuery {
    #[serde(default)]
    q: String,
}

#[derive(Serialize)]
pub struct Suggestion {
    question: String,
    href: String,
}

/// Italian words too common to tell one question from another.
const STOPWORDS: &[&str] = &[
    "non", "con", "per", "che", "una", "uno", "del", "dei", "della", "delle", "dello", "degli",
    "nel", "nella", "nelle", "negli", "sul", "sulla", "sulle", "dal", "dalla", "dalle", "alla",
    "alle", "allo", "agli", "come", "cosa", "sono", "mio", "mia", "miei", "mie", "più", "anche",
    "questo", "questa", "quando", "dove", "perché", "però", "ancora", "posso", "riesco", "devo",
];

/// The published entries that may answer what is being typed, as JSON.
pub async fn suggestions(
    State(state): State<AppState>,
    CurrentSpace(space): CurrentSpace,
    Query(query): Query<SuggestQuery>,
) -> Result<Json<Vec<Suggestion>>, Error> {
    let q = one_line(&query.q);
    if q.chars().count() < 3 {
        return Ok(Json(Vec::new()));
    }
    // Any word may match: a subject is a sentence, not a search. Words that every sentence
    // has ("non riesco con…") would suggest every entry.
    let words: Vec<_> = q
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3 && !STOPWORDS.contains(w))
        .map(str::to_owned)
        .collect();
    let mut scored: Vec<_> = of_space(&state.db, space.id, false)
        .await?
        .into_iter()
        .map(|e| {
            let text = format!("{}\n{}", e.question, e.answer).to_lowercase();
            let hits = words.iter().filter(|w| text.contains(w.as_str())).count();
            (hits, e)
        })
        .filter(|(hits, _)| *hits > 0)
        .collect();
    scored.sort_by_key(|(hits, e)| (std::cmp::Reverse(*hits), e.id));
    Ok(Json(
        scored
            .into_iter()
            .take(SUGGESTED)
            .map(|(_, e)| Suggestion {
                href: space.path_to(&format!("/helpdesk/faq#faq-{}", e.id)),
                question: e.question,
            })
            .collect(),
    ))
}

// ---------------------------------------------------------------------------------------
// Writing entries (agents).

#[derive(Template)]
#[template(path = "faq_edit.html")]
struct EditPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    action: String,
    form: EditForm,
    categories: Vec<model::category::Model>,
    errors: Vec<(&'static str, String)>,
    existing: Option<i32>,
}

impl EditPage {
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

#[derive(Deserialize, Default)]
pub struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    domanda: String,
    #[serde(default)]
    risposta: String,
    #[serde(default)]
    categoria: String,
    #[serde(default)]
    modulo: String,
    pubblicata: Option<String>,
    /// The ticket it comes from.
    #[serde(default)]
    ticket: String,
}

async fn edit_page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    existing: Option<i32>,
    form: EditForm,
    errors: Vec<(&'static str, String)>,
) -> Result<EditPage, Error> {
    let (title, action) = match existing {
        Some(id) => (
            "Modifica la domanda frequente",
            space.path_to(&format!("/helpdesk/faq/{id}/modifica")),
        ),
        None => (
            "Nuova domanda frequente",
            space.path_to("/helpdesk/faq/nuova"),
        ),
    };
    let parent = Some(("Domande frequenti", space.path_to("/helpdesk/faq")));
    Ok(EditPage {
        chrome: tickets::chrome(state, actor, &space, title, &action, parent).await?,
        csrf: actor.csrf_token(),
        action,
        categories: model::categories_of(&state.db, space.id).await?,
        form,
        errors,
        existing,
        space,
    })
}

#[derive(Deserialize, Default)]
pub struct FromTicket {
    ticket: Option<i32>,
}

/// The form for a new entry; from a resolved ticket, the question is its subject and the
/// answer the team's last public reply.
pub async fn new_form(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(from): Query<FromTicket>,
) -> Result<Response, Error> {
    authorize(&actor, Action::WorkTickets(&space))?;
    let mut form = EditForm {
        pubblicata: Some("1".into()),
        ..EditForm::default()
    };
    if let Some(id) = from.ticket {
        let t = model::ticket::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .filter(|t| t.space_id == space.id)
            .ok_or(Error::NotFound)?;
        let answer = model::public_timeline(&state.db, t.id)
            .await?
            .into_iter()
            .rev()
            .find(|e| {
                e.kind == "reply" && e.author_id.is_some() && e.author_id != Some(t.requester_id)
            })
            .map(|e| e.body)
            .unwrap_or_default();
        form.domanda = t.subject.clone();
        form.risposta = answer;
        form.categoria = t.category_id.map(|c| c.to_string()).unwrap_or_default();
        form.modulo = t.module_key.clone().unwrap_or_default();
        form.ticket = t.id.to_string();
    }
    let page = edit_page(&state, &actor, space, None, form, Vec::new()).await?;
    Ok(render(&page)?.into_response())
}

async fn check(
    state: &AppState,
    space: &Space,
    form: &EditForm,
) -> Result<Result<Draft, Vec<(&'static str, String)>>, Error> {
    let mut errors = Vec::new();
    let question = one_line(&form.domanda);
    if question.is_empty() || question.chars().count() > MAX_QUESTION {
        errors.push((
            "domanda",
            format!("Scrivi la domanda (al massimo {MAX_QUESTION} caratteri)."),
        ));
    }
    let answer = form.risposta.trim().replace("\r\n", "\n");
    if answer.is_empty() || answer.chars().count() > MAX_ANSWER {
        errors.push((
            "risposta",
            format!("Scrivi la risposta (al massimo {MAX_ANSWER} caratteri)."),
        ));
    }
    let categories = model::categories_of(&state.db, space.id).await?;
    let category = match form.categoria.as_str() {
        "" => None,
        text => match text.parse::<i32>() {
            Ok(id) if categories.iter().any(|c| c.id == id) => Some(id),
            _ => {
                errors.push((
                    "categoria",
                    "Scegli una categoria tra quelle proposte.".into(),
                ));
                None
            }
        },
    };
    let ticket = match form.ticket.parse::<i32>() {
        Ok(id) => model::ticket::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .filter(|t| t.space_id == space.id)
            .map(|t| t.id),
        Err(_) => None,
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    Ok(Ok(Draft {
        category_id: category,
        module_key: Some(form.modulo.clone()).filter(|m| state.registry.get(m).is_some()),
        question,
        answer,
        published: form.pubblicata.is_some(),
        created_from_ticket: ticket,
    }))
}

pub async fn create_entry(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Form(form): Form<EditForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::WorkTickets(&space))?;
    check_csrf(&actor, &form.csrf)?;
    match check(&state, &space, &form).await? {
        Ok(draft) => {
            let made = create(&state.db, space.id, draft).await?;
            Ok(Redirect::to(
                &space.path_to(&format!("/helpdesk/faq?fatto=salvata#faq-{}", made.id)),
            )
            .into_response())
        }
        Err(errors) => {
            let page = edit_page(&state, &actor, space, None, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
) -> Result<Response, Error> {
    authorize(&actor, Action::WorkTickets(&space))?;
    let e = find(&state.db, &space, id, true).await?;
    let form = EditForm {
        domanda: e.question,
        risposta: e.answer,
        categoria: e.category_id.map(|c| c.to_string()).unwrap_or_default(),
        modulo: e.module_key.unwrap_or_default(),
        pubblicata: e.published.then(|| "1".into()),
        ticket: e
            .created_from_ticket
            .map(|t| t.to_string())
            .unwrap_or_default(),
        ..EditForm::default()
    };
    let page = edit_page(&state, &actor, space, Some(id), form, Vec::new()).await?;
    Ok(render(&page)?.into_response())
}

pub async fn save_entry(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Form(form): Form<EditForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::WorkTickets(&space))?;
    let e = find(&state.db, &space, id, true).await?;
    check_csrf(&actor, &form.csrf)?;
    match check(&state, &space, &form).await? {
        Ok(draft) => {
            let mut active: entry::ActiveModel = e.into();
            active.question = Set(draft.question);
            active.answer = Set(draft.answer);
            active.category_id = Set(draft.category_id);
            active.module_key = Set(draft.module_key);
            active.published = Set(draft.published);
            active.updated_at = Set(Utc::now());
            active.update(&state.db).await?;
            Ok(
                Redirect::to(&space.path_to(&format!("/helpdesk/faq?fatto=salvata#faq-{id}")))
                    .into_response(),
            )
        }
        Err(errors) => {
            let page = edit_page(&state, &actor, space, Some(id), form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn delete_entry(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, Error> {
    authorize(&actor, Action::WorkTickets(&space))?;
    let e = find(&state.db, &space, id, true).await?;
    check_csrf(&actor, &form.csrf)?;
    entry::Entity::delete_by_id(e.id).exec(&state.db).await?;
    Ok(Redirect::to(&space.path_to("/helpdesk/faq?fatto=eliminata")).into_response())
}
