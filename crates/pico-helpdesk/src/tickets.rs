//! Tickets over HTTP. A signed-in person opens a ticket and follows it; the space's agents
//! work the queue. A requester's page is built from [`model::public_timeline`] only, so an
//! internal note cannot reach it; a ticket of someone else is refused before it is read.

use crate::fields;
use crate::merge;
use crate::model::{self, NewTicket, Priority, Status, ticket};
use crate::notify;
use crate::rating;
use crate::saved;
use crate::sla::{Schedule, Standing};
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use pico_kernel::identity::{Actor, Scope};
use pico_kernel::policy::{Action, allows, authorize};
use pico_kernel::spaces::{self, Space, SpaceKind};
use pico_kernel::web::{Chrome, Crumb, CurrentSpace, check_csrf, render};
use pico_kernel::{AppState, Error};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};
use serde::Deserialize;
use std::borrow::Borrow;

pub const MAX_SUBJECT: usize = 150;
pub const MAX_TEXT: usize = 10_000;
/// Attachments of a ticket: how many, and how large each.
pub const MAX_FILES: usize = 3;
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// The largest request the ticket form may send.
pub const BODY_LIMIT: usize = MAX_FILES * MAX_FILE_BYTES + 64 * 1024;
/// How many tickets the queue lists.
const LISTED: u64 = 500;

pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(BODY_LIMIT)
}

pub(crate) fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Rome)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

pub(crate) fn status_label(s: &str) -> &'static str {
    Status::parse(s).map_or("", Status::label)
}

fn priority_label(p: &str) -> &'static str {
    Priority::parse(p).map_or("", Priority::label)
}

pub(crate) async fn chrome(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    title: &str,
    path: &str,
    parent: Option<(&str, String)>,
) -> Result<Chrome, Error> {
    let mut crumbs = vec![Crumb::link("Assistenza", space.path_to("/helpdesk"))];
    if let Some((label, href)) = parent {
        crumbs.push(Crumb::link(label, href));
    }
    crumbs.push(Crumb::here(title));
    Ok(Chrome::new(state, space, actor, title, path, crumbs).await?)
}

/// The space the requester belongs to: the Province of their Ente, else the first space
/// where they hold a role.
async fn requester_space(state: &AppState, actor: &Actor) -> Result<Option<i32>, Error> {
    let Some(person) = actor.person() else {
        return Ok(None);
    };
    for grant in &person.grants {
        if let Scope::Ente { comune_id } = grant.scope {
            let comune = pico_kernel::territory::model::comune::Entity::find_by_id(comune_id)
                .one(&state.db)
                .await?;
            if let Some(comune) = comune {
                let found = spaces::all(&state.db).await?.into_iter().find(|s| {
                    s.kind() == SpaceKind::Provincial
                        && s.istat_code.as_deref() == Some(comune.province_code.as_str())
                });
                if let Some(space) = found {
                    return Ok(Some(space.id));
                }
            }
        }
    }
    Ok(person.grants.iter().find_map(|g| match g.scope {
        Scope::Space { id, .. } => Some(id),
        _ => None,
    }))
}

// ---------------------------------------------------------------------------------------
// The requester's list and the form.

struct Row {
    id: i32,
    subject: String,
    status: &'static str,
    priority: &'static str,
    updated: String,
    team: String,
    assignee: String,
    standing: Option<Standing>,
}

#[derive(Template)]
#[template(path = "mine.html")]
struct MinePage {
    chrome: Chrome,
    space: Space,
    rows: Vec<Row>,
    agent: bool,
}

pub async fn mine(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
) -> Result<Response, Error> {
    authorize(&actor, Action::OpenTicket(&space))?;
    let me = actor.person().ok_or(Error::Unauthenticated)?.id;
    let tickets = ticket::Entity::find()
        .filter(ticket::Column::SpaceId.eq(space.id))
        .filter(ticket::Column::RequesterId.eq(me))
        .order_by_desc(ticket::Column::UpdatedAt)
        .limit(LISTED)
        .all(&state.db)
        .await?;
    let rows = tickets
        .into_iter()
        .map(|t| Row {
            id: t.id,
            status: status_label(&t.status),
            priority: priority_label(&t.priority),
            updated: when(t.updated_at),
            subject: t.subject,
            team: String::new(),
            assignee: String::new(),
            standing: None,
        })
        .collect();
    let path = space.path_to("/helpdesk");
    let page = MinePage {
        chrome: Chrome::new(
            &state,
            &space,
            &actor,
            "Assistenza",
            &path,
            vec![Crumb::here("Assistenza")],
        )
        .await?,
        agent: allows(&actor, Action::WorkTickets(&space)),
        rows,
        space,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize, Default)]
pub struct Origin {
    /// The module the "Assistenza" link was in.
    modulo: Option<String>,
}

#[derive(Template)]
#[template(path = "new.html")]
struct NewPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    categories: Vec<model::category::Model>,
    module: String,
    module_label: String,
    category: String,
    subject: String,
    description: String,
    groups: Vec<fields::Group>,
    errors: Vec<(&'static str, String)>,
    max_files: usize,
    max_mb: usize,
}

impl NewPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| e.as_str())
    }

    fn selected(&self, id: impl Borrow<i32>) -> bool {
        self.category == id.borrow().to_string()
    }
}

async fn new_page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    form: TicketForm,
    errors: Vec<(&'static str, String)>,
) -> Result<NewPage, Error> {
    let module = form
        .module
        .filter(|m| state.registry.get(m).is_some())
        .unwrap_or_default();
    let mut categories = model::categories_of(&state.db, space.id).await?;
    // Who comes from a module finds its categories first.
    categories
        .sort_by_key(|c| c.module_key.as_deref() != Some(module.as_str()) || module.is_empty());
    let path = space.path_to("/helpdesk/nuovo");
    let mut chrome = chrome(
        state,
        actor,
        &space,
        "Nuova richiesta di assistenza",
        &path,
        None,
    )
    .await?;
    chrome.bundles.push(&pico_assets::FAQ_SUGGEST);
    chrome.bundles.push(&pico_assets::CATEGORY_FIELDS);
    let groups = fields::groups(state, &space, &form.extra).await?;
    Ok(NewPage {
        chrome,
        csrf: actor.csrf_token(),
        categories,
        module_label: state
            .registry
            .get(&module)
            .map(|m| m.label().to_owned())
            .unwrap_or_default(),
        module,
        category: form.category,
        subject: form.subject,
        description: form.description,
        groups,
        errors,
        max_files: MAX_FILES,
        max_mb: MAX_FILE_BYTES / (1024 * 1024),
        space,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(origin): Query<Origin>,
) -> Result<Response, Error> {
    authorize(&actor, Action::OpenTicket(&space))?;
    let form = TicketForm {
        module: origin.modulo,
        ..TicketForm::default()
    };
    let page = new_page(&state, &actor, space, form, Vec::new()).await?;
    Ok(render(&page)?.into_response())
}

/// A file attached to the form, as sent.
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

#[derive(Default)]
pub struct TicketForm {
    csrf: String,
    module: Option<String>,
    category: String,
    subject: String,
    description: String,
    files: Vec<Upload>,
    extra: fields::Typed,
    /// A file over the size limit, cut off while reading.
    too_large: bool,
}

fn clean_filename(name: &str) -> String {
    let name: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    name.trim().to_owned()
}

async fn read_form(mut multipart: Multipart) -> TicketForm {
    let mut form = TicketForm::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                form.too_large = true;
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let filename = clean_filename(field.file_name().unwrap_or_default());
        let Ok(bytes) = field.bytes().await else {
            form.too_large = true;
            break;
        };
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "csrf" => form.csrf = text(),
            "modulo" => form.module = Some(text()).filter(|m| !m.is_empty()),
            "categoria" => form.category = text(),
            "oggetto" => form.subject = text(),
            "descrizione" => form.description = text(),
            name if fields::is_input(name) => form.extra.values.push((name.to_owned(), text())),
            "allegati" if !filename.is_empty() || !bytes.is_empty() => form.files.push(Upload {
                filename,
                bytes: bytes.to_vec(),
            }),
            _ => {}
        }
    }
    form
}

/// Checks the attachments; the accepted ones with their type, or the Italian reason.
pub fn check_files(files: &[Upload]) -> Result<Vec<pico_media::Inspected>, String> {
    if files.len() > MAX_FILES {
        return Err(format!("Si possono allegare al massimo {MAX_FILES} file."));
    }
    let mut accepted = Vec::new();
    for file in files {
        if file.bytes.len() > MAX_FILE_BYTES {
            return Err(format!(
                "Il file «{}» supera i {} MB, la dimensione massima consentita.",
                file.filename,
                MAX_FILE_BYTES / (1024 * 1024)
            ));
        }
        match pico_media::inspect(&file.bytes) {
            Ok(i) => accepted.push(i),
            Err(e) => return Err(e.message(&file.filename)),
        }
    }
    Ok(accepted)
}

pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    multipart: Multipart,
) -> Result<Response, Error> {
    authorize(&actor, Action::OpenTicket(&space))?;
    let mut form = read_form(multipart).await;
    check_csrf(&actor, &form.csrf)?;
    let me = actor.person().ok_or(Error::Unauthenticated)?.id;
    let mut errors = Vec::new();
    let subject = one_line(&form.subject);
    if subject.is_empty() || subject.chars().count() > MAX_SUBJECT {
        errors.push((
            "oggetto",
            format!("Scrivi l'oggetto della richiesta (al massimo {MAX_SUBJECT} caratteri)."),
        ));
    }
    let description = form.description.trim().replace("\r\n", "\n");
    if description.is_empty() || description.chars().count() > MAX_TEXT {
        errors.push((
            "descrizione",
            format!("Descrivi il problema (al massimo {MAX_TEXT} caratteri)."),
        ));
    }
    let categories = model::categories_of(&state.db, space.id).await?;
    let category = match form.category.parse::<i32>() {
        Ok(id) if categories.iter().any(|c| c.id == id) => Some(id),
        _ if categories.is_empty() => None,
        _ => {
            errors.push(("categoria", "Scegli la categoria della richiesta.".into()));
            None
        }
    };
    let extra = match fields::check(&state, &space, category, &form.extra).await? {
        Ok(values) => values,
        Err(refused) => {
            errors.extend(refused.iter().map(|(_, e)| ("campi", e.clone())));
            form.extra.errors = refused;
            Vec::new()
        }
    };
    let accepted = if form.too_large {
        Err(format!(
            "Gli allegati superano la dimensione massima: {MAX_FILES} file da {} MB al massimo.",
            MAX_FILE_BYTES / (1024 * 1024)
        ))
    } else {
        check_files(&form.files)
    };
    let accepted = match accepted {
        Ok(a) => a,
        Err(e) => {
            errors.push(("allegati", e));
            Vec::new()
        }
    };
    if !errors.is_empty() {
        let status = if form.too_large {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let page = new_page(&state, &actor, space, form, errors).await?;
        return Ok((status, render(&page)?).into_response());
    }
    let module = form.module.filter(|m| state.registry.get(m).is_some());
    // Attachments are stored under a random folder: the storage serves any key it is asked
    // for, so a key that can be guessed from the file's content would leak it.
    let folder = format!(
        "helpdesk/{}",
        pico_kernel::identity::sessions::random_token()
    );
    let mut stored = Vec::new();
    for (file, inspected) in form.files.into_iter().zip(accepted) {
        let size = file.bytes.len();
        let key = state
            .storage
            .put(&folder, inspected.extension, file.bytes)
            .await?;
        stored.push((key, file.filename, inspected.mime, size));
    }
    let new = NewTicket {
        space_id: space.id,
        requester_id: me,
        category_id: category,
        module_key: module,
        requester_space_id: requester_space(&state, &actor).await?,
        subject,
        description,
        priority: Priority::Normal,
    };
    let txn = state.db.begin().await?;
    let ticket = model::open(&txn, new, Utc::now()).await?;
    for (key, filename, mime, size) in stored {
        model::attach(&txn, ticket.id, &key, &filename, mime, size).await?;
    }
    fields::store(&txn, ticket.id, extra).await?;
    notify::opened(&state, &txn, &space, &ticket).await?;
    txn.commit().await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/helpdesk/ticket/{}?fatto=aperto", ticket.id)))
            .into_response(),
    )
}

// ---------------------------------------------------------------------------------------
// One ticket.

pub(crate) struct Entry {
    pub kind: &'static str,
    pub author: String,
    pub body: String,
    pub at: String,
    pub note: bool,
    pub change: bool,
}

#[derive(Template)]
#[template(path = "ticket.html")]
pub(crate) struct TicketPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    ticket: ticket::Model,
    /// Whether the reader works the queue (sees notes, changes the ticket).
    agent: bool,
    status: &'static str,
    priority: &'static str,
    category: String,
    team: String,
    assignee: String,
    requester: String,
    /// How the requester is greeted in a saved reply.
    requester_name: String,
    standing: Option<(&'static str, Standing, String)>,
    entries: Vec<Entry>,
    attachments: Vec<model::attachment::Model>,
    extra: Vec<fields::value::Model>,
    can_reply: bool,
    pub(crate) error: Option<String>,
    notice: Option<&'static str>,
    text: String,
    pub(crate) rating: Option<rating::Panel>,
    statuses: Vec<(&'static str, &'static str)>,
    priorities: Vec<(&'static str, &'static str)>,
    categories: Vec<model::category::Model>,
    teams: Vec<model::team::Model>,
    saved: Vec<saved::reply::Model>,
    /// The saved reply just put into the text.
    saved_chosen: Option<i32>,
    /// The ticket this one was merged into, and whether the reader may open it.
    merged_into: Option<(i32, bool)>,
    merged_here: Vec<i32>,
    pub merge_error: Option<String>,
    /// What the agent wrote in the merge form: the other ticket's number and the message.
    pub merge_form: (String, String),
}

impl TicketPage {
    fn is(&self, a: &str, b: &str) -> bool {
        a == b
    }

    fn same(&self, a: impl Borrow<Option<i32>>, b: impl Borrow<i32>) -> bool {
        *a.borrow() == Some(*b.borrow())
    }
}

pub(crate) async fn name_of(state: &AppState, person: Option<i32>) -> Result<String, Error> {
    let Some(id) = person else {
        return Ok(String::new());
    };
    Ok(pico_kernel::identity::model::person::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .map(|p| p.display_name)
        .unwrap_or_default())
}

/// The ticket of this space, once the actor may read it.
pub(crate) async fn find(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    id: i32,
) -> Result<ticket::Model, Error> {
    // Anonymous visitors sign in first, whatever the ticket.
    authorize(actor, Action::OpenTicket(space))?;
    let ticket = ticket::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|t| t.space_id == space.id)
        .ok_or(Error::NotFound)?;
    authorize(
        actor,
        Action::ViewTicket {
            space,
            requester_id: ticket.requester_id,
        },
    )?;
    Ok(ticket)
}

/// Where the ticket stands against the deadline that matters now.
fn standing_of(
    schedule: &Schedule,
    t: &ticket::Model,
    now: DateTime<Utc>,
) -> Option<(&'static str, Standing, String)> {
    if !Status::parse(&t.status).is_some_and(Status::is_open) {
        return None;
    }
    if t.first_response_at.is_none() {
        let s = schedule.standing(t.created_at, t.first_response_due, now);
        return Some(("Prima risposta", s, when(t.first_response_due)));
    }
    let s = schedule.standing(t.created_at, t.resolution_due, now);
    Some(("Risoluzione", s, when(t.resolution_due)))
}

/// The timeline as shown; a guest's own entries carry their name (`guest`: the placeholder
/// person's id and the name the guest gave).
pub(crate) async fn entries_of(
    state: &AppState,
    events: Vec<model::event::Model>,
    guest: Option<(i32, String)>,
) -> Result<Vec<Entry>, Error> {
    let mut entries = Vec::new();
    for e in events {
        let (kind, note, change) = match e.kind.as_str() {
            "opened" => ("Apertura", false, true),
            "reply" => ("Risposta", false, false),
            "note" => ("Nota interna", true, false),
            "status" => ("Stato", false, true),
            "routed" => ("Gruppo", false, true),
            "assigned" => ("Assegnazione", false, true),
            "priority" => ("Priorità", false, true),
            "category" => ("Categoria", false, true),
            "rating" => ("Valutazione", false, true),
            "sla" => ("SLA", false, true),
            _ => ("Modifica", false, true),
        };
        let author = match (&guest, e.author_id) {
            (_, None) => "Piattaforma".into(),
            (Some((id, name)), Some(a)) if *id == a => name.clone(),
            (_, a) => name_of(state, a).await?,
        };
        entries.push(Entry {
            kind,
            author,
            body: e.body,
            at: when(e.created_at),
            note,
            change,
        });
    }
    Ok(entries)
}

pub(crate) async fn ticket_page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    ticket: ticket::Model,
) -> Result<TicketPage, Error> {
    let agent = allows(actor, Action::WorkTickets(&space));
    let events = if agent {
        model::timeline(&state.db, ticket.id).await?
    } else {
        model::public_timeline(&state.db, ticket.id).await?
    };
    let guest = model::guest_of(&state.db, ticket.id).await?;
    let guest_name = guest
        .as_ref()
        .map(|g| (ticket.requester_id, g.name.clone()));
    let entries = entries_of(state, events, guest_name).await?;
    let categories = model::categories_of(&state.db, space.id).await?;
    let teams = model::teams_of(&state.db, space.id).await?;
    let schedule = model::schedule(&state.db, space.id).await?;
    let reopen_days = model::reopen_days(&state.db, space.id).await?;
    let requester_name = match &guest {
        Some(g) => g.name.clone(),
        None => name_of(state, Some(ticket.requester_id)).await?,
    };
    let saved = if agent {
        saved::of_space(&state.db, space.id).await?
    } else {
        Vec::new()
    };
    let merged_into = match merge::merged_into(&state.db, ticket.id).await? {
        Some(into) => {
            let readable = agent
                || ticket::Entity::find_by_id(into)
                    .one(&state.db)
                    .await?
                    .is_some_and(|t| t.requester_id == ticket.requester_id);
            Some((into, readable))
        }
        None => None,
    };
    let merged_here = if agent {
        merge::merged_here(&state.db, ticket.id).await?
    } else {
        Vec::new()
    };
    let path = space.path_to(&format!("/helpdesk/ticket/{}", ticket.id));
    let parent = if agent {
        Some(("Coda dei ticket", space.path_to("/helpdesk/coda")))
    } else {
        None
    };
    let title = format!("Ticket n. {}", ticket.id);
    Ok(TicketPage {
        chrome: chrome(state, actor, &space, &title, &path, parent).await?,
        csrf: actor.csrf_token(),
        agent,
        status: status_label(&ticket.status),
        priority: priority_label(&ticket.priority),
        category: categories
            .iter()
            .find(|c| Some(c.id) == ticket.category_id)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| "Nessuna".into()),
        team: teams
            .iter()
            .find(|t| Some(t.id) == ticket.team_id)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| "Nessuno".into()),
        assignee: name_of(state, ticket.assignee_id).await?,
        requester: match &guest {
            Some(g) => format!("{} <{}> (senza account)", g.name, g.email),
            None => requester_name.clone(),
        },
        requester_name,
        standing: standing_of(&schedule, &ticket, Utc::now()),
        entries,
        attachments: model::attachments_of(&state.db, ticket.id).await?,
        extra: fields::values_of(&state.db, ticket.id).await?,
        can_reply: agent || model::requester_may_reply(&ticket, reopen_days, Utc::now()),
        error: None,
        notice: None,
        text: String::new(),
        rating: rating::panel(
            &state.db,
            &ticket,
            actor.person().is_some_and(|p| p.id == ticket.requester_id),
            format!("{path}/valutazione"),
        )
        .await?,
        statuses: Status::ALL
            .into_iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        priorities: Priority::ALL
            .into_iter()
            .map(|p| (p.as_str(), p.label()))
            .collect(),
        categories,
        teams,
        saved,
        saved_chosen: None,
        merged_into,
        merged_here,
        merge_error: None,
        merge_form: Default::default(),
        ticket,
        space,
    })
}

#[derive(Deserialize)]
pub struct Done {
    pub fatto: Option<String>,
    /// A saved reply to put in the reply's text (agents).
    pub risposta: Option<i32>,
}

pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    let ticket = find(&state, &actor, &space, id).await?;
    let mut page = ticket_page(&state, &actor, space, ticket).await?;
    if let Some(chosen) = done.risposta.filter(|_| page.agent) {
        let found = saved::of_space(&state.db, page.space.id)
            .await?
            .into_iter()
            .find(|r| r.id == chosen)
            .ok_or(Error::NotFound)?;
        page.text = saved::fill(&found.body, &page.requester_name, page.ticket.id);
        page.saved_chosen = Some(found.id);
    }
    page.notice = match done.fatto.as_deref() {
        Some("aperto") => Some("Richiesta inviata: ti scriveremo qui e per e-mail."),
        Some("risposta") => Some("Risposta inviata."),
        Some("nota") => Some("Nota interna aggiunta."),
        Some("modificato") => Some("Ticket aggiornato."),
        Some("unito") => Some("Ticket unito e chiuso come duplicato."),
        Some("valutato") => Some("Grazie per la valutazione."),
        _ => None,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize, Default)]
pub struct ReplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    testo: String,
    /// `nota` for an internal note (agents only).
    #[serde(default)]
    tipo: String,
}

pub async fn reply(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<ReplyForm>,
) -> Result<Response, Error> {
    let ticket = find(&state, &actor, &space, id).await?;
    check_csrf(&actor, &form.csrf)?;
    let me = actor.person().ok_or(Error::Unauthenticated)?.id;
    let agent = allows(&actor, Action::WorkTickets(&space));
    let note = agent && form.tipo == "nota";
    let text = form.testo.trim().replace("\r\n", "\n");
    let reopen_days = model::reopen_days(&state.db, space.id).await?;
    let refusal = if text.is_empty() || text.chars().count() > MAX_TEXT {
        Some(format!(
            "Scrivi il testo (al massimo {MAX_TEXT} caratteri)."
        ))
    } else if !agent && !model::requester_may_reply(&ticket, reopen_days, Utc::now()) {
        Some("Il ticket è chiuso: per un nuovo problema apri una nuova richiesta.".into())
    } else {
        None
    };
    if let Some(error) = refusal {
        let mut page = ticket_page(&state, &actor, space, ticket).await?;
        page.error = Some(error);
        page.text = form.testo;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let txn = state.db.begin().await?;
    let now = Utc::now();
    let by_requester = me == ticket.requester_id && !agent;
    let updated = model::add_message(&txn, &ticket, me, &text, note, by_requester, now).await?;
    if !note {
        if by_requester {
            notify::requester_replied(&state, &txn, &space, &updated).await?;
        } else {
            notify::agent_replied(&state, &txn, &space, &updated, &text).await?;
        }
    }
    if updated.status != ticket.status {
        notify::status_changed(&state, &txn, &space, &updated).await?;
    }
    txn.commit().await?;
    let done = if note { "nota" } else { "risposta" };
    Ok(
        Redirect::to(&space.path_to(&format!("/helpdesk/ticket/{id}?fatto={done}")))
            .into_response(),
    )
}

#[derive(Deserialize, Default)]
pub struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    stato: String,
    #[serde(default)]
    priorita: String,
    #[serde(default)]
    categoria: String,
    #[serde(default)]
    gruppo: String,
}

pub async fn change(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<ChangeForm>,
) -> Result<Response, Error> {
    let ticket = find(&state, &actor, &space, id).await?;
    authorize(&actor, Action::WorkTickets(&space))?;
    check_csrf(&actor, &form.csrf)?;
    let me = actor.person().ok_or(Error::Unauthenticated)?.id;
    let status = Status::parse(&form.stato);
    let priority = Priority::parse(&form.priorita);
    let categories = model::categories_of(&state.db, space.id).await?;
    let teams = model::teams_of(&state.db, space.id).await?;
    let category = match form.categoria.as_str() {
        "" => Some(None),
        text => text
            .parse::<i32>()
            .ok()
            .filter(|c| categories.iter().any(|x| x.id == *c))
            .map(Some),
    };
    let team = match form.gruppo.as_str() {
        "" => Some(None),
        text => text
            .parse::<i32>()
            .ok()
            .filter(|t| teams.iter().any(|x| x.id == *t))
            .map(Some),
    };
    let (Some(status), Some(priority), Some(category), Some(team)) =
        (status, priority, category, team)
    else {
        let mut page = ticket_page(&state, &actor, space, ticket).await?;
        page.error = Some("Scegli stato, priorità, categoria e gruppo tra quelli proposti.".into());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let txn = state.db.begin().await?;
    let change = model::Change {
        status,
        priority,
        category_id: category,
        team_id: team,
    };
    let updated = model::change(&txn, &ticket, me, change, Utc::now()).await?;
    if updated.status != ticket.status {
        notify::status_changed(&state, &txn, &space, &updated).await?;
    }
    if updated.assignee_id != ticket.assignee_id && updated.assignee_id.is_some() {
        notify::assigned(&state, &txn, &space, &updated).await?;
    }
    txn.commit().await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/helpdesk/ticket/{id}?fatto=modificato")))
            .into_response(),
    )
}

pub async fn attachment(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id, file)): Path<(String, i32, i32)>,
) -> Result<Response, Error> {
    let ticket = find(&state, &actor, &space, id).await?;
    let found = model::attachments_of(&state.db, ticket.id)
        .await?
        .into_iter()
        .find(|a| a.id == file)
        .ok_or(Error::NotFound)?;
    let stored = state
        .storage
        .get(&found.key)
        .await?
        .ok_or(Error::NotFound)?;
    let filename: String = found
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    let mime = HeaderValue::from_str(&found.mime)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        stored.bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------
// The agents' queue.

#[derive(Deserialize, Default)]
pub struct QueueFilter {
    #[serde(default)]
    gruppo: String,
    #[serde(default)]
    stato: String,
    #[serde(default)]
    priorita: String,
    #[serde(default)]
    miei: String,
    /// `rischio` (at risk) or `scaduti` (in breach).
    #[serde(default)]
    sla: String,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    chrome: Chrome,
    space: Space,
    filter: QueueFilter,
    rows: Vec<Row>,
    counts: Vec<(&'static str, usize)>,
    teams: Vec<model::team::Model>,
    statuses: Vec<(&'static str, &'static str)>,
    priorities: Vec<(&'static str, &'static str)>,
}

impl QueuePage {
    fn is(&self, a: &str, b: &str) -> bool {
        a == b
    }

    fn team_chosen(&self, id: impl Borrow<i32>) -> bool {
        self.filter.gruppo == id.borrow().to_string()
    }
}

pub async fn queue(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(filter): Query<QueueFilter>,
) -> Result<Response, Error> {
    authorize(&actor, Action::WorkTickets(&space))?;
    let me = actor.person().ok_or(Error::Unauthenticated)?.id;
    let schedule = model::schedule(&state.db, space.id).await?;
    let teams = model::teams_of(&state.db, space.id).await?;
    let now = Utc::now();
    let all = ticket::Entity::find()
        .filter(ticket::Column::SpaceId.eq(space.id))
        .order_by_desc(ticket::Column::CreatedAt)
        .limit(LISTED)
        .all(&state.db)
        .await?;
    let standing = |t: &ticket::Model| standing_of(&schedule, t, now).map(|s| s.1);
    let open = |t: &ticket::Model| Status::parse(&t.status).is_some_and(Status::is_open);
    let counts = vec![
        ("Aperti", all.iter().filter(|t| open(t)).count()),
        (
            "Assegnati a me",
            all.iter()
                .filter(|t| open(t) && t.assignee_id == Some(me))
                .count(),
        ),
        (
            "Non assegnati",
            all.iter()
                .filter(|t| open(t) && t.assignee_id.is_none())
                .count(),
        ),
        (
            "A rischio",
            all.iter()
                .filter(|t| standing(t) == Some(Standing::AtRisk))
                .count(),
        ),
        (
            "Scaduti",
            all.iter()
                .filter(|t| standing(t) == Some(Standing::Breached))
                .count(),
        ),
    ];
    let mut rows = Vec::new();
    for t in &all {
        let keep = match filter.stato.as_str() {
            "" => open(t),
            "tutti" => true,
            s => t.status == s,
        } && (filter.gruppo.is_empty()
            || t.team_id.map(|x| x.to_string()) == Some(filter.gruppo.clone()))
            && (filter.priorita.is_empty() || t.priority == filter.priorita)
            && (filter.miei.is_empty() || t.assignee_id == Some(me))
            && match filter.sla.as_str() {
                "rischio" => standing(t) == Some(Standing::AtRisk),
                "scaduti" => standing(t) == Some(Standing::Breached),
                _ => true,
            };
        if !keep {
            continue;
        }
        rows.push(Row {
            id: t.id,
            subject: t.subject.clone(),
            status: status_label(&t.status),
            priority: priority_label(&t.priority),
            updated: when(t.updated_at),
            team: teams
                .iter()
                .find(|x| Some(x.id) == t.team_id)
                .map(|x| x.name.clone())
                .unwrap_or_default(),
            assignee: name_of(&state, t.assignee_id).await?,
            standing: standing(t),
        });
    }
    let path = space.path_to("/helpdesk/coda");
    let page = QueuePage {
        chrome: chrome(&state, &actor, &space, "Coda dei ticket", &path, None).await?,
        filter,
        rows,
        counts,
        teams,
        statuses: Status::ALL
            .into_iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        priorities: Priority::ALL
            .into_iter()
            .map(|p| (p.as_str(), p.label()))
            .collect(),
        space,
    };
    Ok(render(&page)?.into_response())
}
