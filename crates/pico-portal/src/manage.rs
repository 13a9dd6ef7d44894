//! The editors' desk: every item of a space by kind and state, the form that writes a page, a
//! news item or an event, and deleting one.

use crate::html;
use crate::index;
use crate::model::{self, Draft, Kind, Status, content, library};
use crate::pictures;
use crate::time;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use pico_kernel::identity::Actor;
use pico_kernel::policy::{Action, authorize};
use pico_kernel::spaces::{self, Space, SpaceKind};
use pico_kernel::web::audit_log::record;
use pico_kernel::web::{Chrome, ClientAddress, Crumb, CurrentSpace, check_csrf, render};
use pico_kernel::{AppState, Error};
use sea_orm::TransactionTrait;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "manage/list.html")]
struct ListPage {
    chrome: Chrome,
    space: Space,
    rows: Vec<Row>,
    kinds: Vec<(&'static str, &'static str, bool)>,
    statuses: Vec<(&'static str, &'static str, bool)>,
    new_links: Vec<(String, &'static str)>,
    notice: Option<&'static str>,
}

struct Row {
    title: String,
    edit_url: String,
    kind: &'static str,
    status: &'static str,
    scheduled: Option<String>,
    updated: String,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    tipo: Option<String>,
    stato: Option<String>,
    fatto: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(query): Query<ListQuery>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    let kind = query.tipo.as_deref().and_then(Kind::parse);
    let status = query.stato.as_deref().and_then(Status::parse);
    let items = model::all_of_space(&state.db, &space, kind, status).await?;
    let rows = items
        .iter()
        .map(|item| Row {
            title: item.title.clone(),
            edit_url: space.path_to(&format!("/gestione/contenuti/{}", item.id)),
            kind: model::kind_of(item).label(),
            status: model::status_of(item).label(),
            scheduled: schedule_note(item),
            updated: time::date_time(item.updated_at),
        })
        .collect();
    let chrome = Chrome::new(
        &state,
        &space,
        &actor,
        "Contenuti",
        &space.path_to("/gestione/contenuti"),
        vec![
            Crumb::link("Gestione", space.path_to("/gestione")),
            Crumb::here("Contenuti"),
        ],
    )
    .await?;
    Ok(render(&ListPage {
        chrome,
        rows,
        kinds: Kind::ALL
            .iter()
            .map(|k| (k.as_str(), k.plural(), Some(*k) == kind))
            .collect(),
        statuses: Status::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(), Some(*s) == status))
            .collect(),
        new_links: Kind::ALL
            .iter()
            .map(|k| {
                (
                    space.path_to(&format!("/gestione/contenuti/nuovo/{}", k.as_str())),
                    k.new_label(),
                )
            })
            .collect(),
        notice: (query.fatto.as_deref() == Some("eliminato")).then_some("Contenuto eliminato."),
        space,
    })?
    .into_response())
}

/// "Visibile dal 1 dicembre 2026, 09:00" for a publication that waits or ends.
pub fn schedule_note(item: &content::Model) -> Option<String> {
    if model::status_of(item) != Status::Published {
        return None;
    }
    let now = chrono::Utc::now();
    match (item.publish_at, item.unpublish_at) {
        (Some(from), _) if from > now => Some(format!(
            "Programmato: visibile dal {}",
            time::date_time(from)
        )),
        (_, Some(until)) => Some(format!("Visibile fino al {}", time::date_time(until))),
        _ => None,
    }
}

/// The form as sent, kept as text so that a rejected form comes back as the editor wrote it.
#[derive(Deserialize, Default, Clone)]
pub struct ContentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub tags: String,
    /// Key of the image chosen from the space's media library; empty for none.
    #[serde(default)]
    pub image: String,
    #[serde(default)]
    pub image_alt: String,
    #[serde(default)]
    pub parent: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub online_url: String,
    #[serde(default)]
    pub organiser: String,
    pub shared: Option<String>,
    pub highlighted: Option<String>,
    #[serde(default)]
    note: String,
}

impl ContentForm {
    pub fn of(draft: &Draft) -> Self {
        Self {
            title: draft.title.clone(),
            slug: draft.slug.clone(),
            summary: draft.summary.clone(),
            body: draft.body.clone(),
            tags: draft.tags.join(", "),
            image: draft.image_key.clone().unwrap_or_default(),
            image_alt: draft.image_alt.clone().unwrap_or_default(),
            parent: draft.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            position: draft.position.to_string(),
            date: time::to_local_input(draft.published_at),
            starts_at: time::to_local_input(draft.starts_at),
            ends_at: time::to_local_input(draft.ends_at),
            place: draft.place.clone().unwrap_or_default(),
            online_url: draft.online_url.clone().unwrap_or_default(),
            organiser: draft.organiser.clone().unwrap_or_default(),
            shared: draft.shared.then(|| "on".into()),
            highlighted: draft.highlighted.then(|| "on".into()),
            ..Default::default()
        }
    }
}

/// A field the editor must fix, with the reason in Italian.
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn is_web_address(text: &str) -> bool {
    text.parse::<axum::http::Uri>()
        .is_ok_and(|uri| matches!(uri.scheme_str(), Some("http" | "https")) && uri.host().is_some())
}

/// Checks the form of an item of `kind` in `space`; `id` is the item being edited.
pub async fn validate(
    state: &AppState,
    space: &Space,
    kind: Kind,
    id: Option<i32>,
    form: &ContentForm,
) -> Result<Result<Draft, Vec<Problem>>, Error> {
    let mut problems = Vec::new();
    let mut problem = |field, message: &str| {
        problems.push(Problem {
            field,
            message: message.into(),
        })
    };
    let title = form.title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        problem("title", "Scrivi il titolo.");
    } else if title.chars().count() > 200 {
        problem("title", "Il titolo può avere al massimo 200 caratteri.");
    }
    let slug = match form.slug.trim() {
        "" => spaces::slugify(&title),
        given => given.to_owned(),
    };
    if !title.is_empty() {
        if slug.is_empty()
            || slug.len() > 120
            || !slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            problem(
                "slug",
                "L'indirizzo può contenere solo lettere minuscole senza accenti, cifre e trattini.",
            );
        } else if model::slug_taken(&state.db, space.id, kind, &slug, id).await? {
            problem(
                "slug",
                "Questo indirizzo è già usato da un altro contenuto dello stesso tipo: scegline un altro.",
            );
        }
    }
    let summary = form.summary.trim().to_owned();
    if summary.chars().count() > 500 {
        problem("summary", "Il sommario può avere al massimo 500 caratteri.");
    }
    if kind == Kind::News && summary.is_empty() {
        problem(
            "summary",
            "Scrivi un sommario: compare negli elenchi e nei feed.",
        );
    }
    let body = html::sanitise(&form.body);
    if body.len() > 500_000 {
        problem("body", "Il testo è troppo lungo.");
    }
    let mut tags: Vec<String> = form
        .tags
        .split(',')
        .map(|t| {
            t.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        })
        .filter(|t| !t.is_empty())
        .collect();
    tags.sort();
    tags.dedup();
    if tags.iter().any(|t| t.chars().count() > 40) || tags.len() > 20 {
        problem(
            "tags",
            "Usa al massimo 20 argomenti, ciascuno di non più di 40 caratteri.",
        );
    }
    let position = match form.position.trim() {
        "" => 0,
        text => text.parse::<i32>().unwrap_or_else(|_| {
            problem("position", "L'ordine è un numero intero.");
            0
        }),
    };
    let parent_id = match form.parent.trim() {
        "" => None,
        _ if kind != Kind::Page => None,
        text => match text.parse::<i32>() {
            Ok(parent) if Some(parent) != id => {
                let pages = model::all_of_space(&state.db, space, Some(Kind::Page), None).await?;
                if !pages.iter().any(|p| p.id == parent) {
                    problem(
                        "parent",
                        "La pagina superiore scelta non esiste in questo spazio.",
                    );
                    None
                } else if id.is_some_and(|id| descends_from(&pages, parent, id)) {
                    problem(
                        "parent",
                        "Una pagina non può stare sotto una delle sue sottopagine.",
                    );
                    None
                } else {
                    Some(parent)
                }
            }
            _ => {
                problem("parent", "Una pagina non può stare sotto sé stessa.");
                None
            }
        },
    };
    let mut when = |field, text: &str| match time::parse_local(text) {
        Ok(at) => at,
        Err(()) => {
            problem(
                field,
                "Data e ora non valide: usa il formato gg/mm/aaaa hh:mm.",
            );
            None
        }
    };
    let published_at = when("date", &form.date);
    let (mut starts_at, mut ends_at) = (None, None);
    let (mut place, mut online_url, mut organiser) = (None, None, None);
    if kind == Kind::Event {
        starts_at = when("starts_at", &form.starts_at);
        ends_at = when("ends_at", &form.ends_at);
        if form.starts_at.trim().is_empty() {
            problem("starts_at", "Indica quando inizia l'evento.");
        }
        if let (Some(start), Some(end)) = (starts_at, ends_at)
            && end < start
        {
            problem("ends_at", "La fine dell'evento viene prima dell'inizio.");
        }
        ends_at = ends_at.or(starts_at);
        place = optional(&form.place);
        online_url = optional(&form.online_url);
        organiser = optional(&form.organiser);
        if let Some(url) = &online_url
            && !is_web_address(url)
        {
            problem(
                "online_url",
                "Il collegamento deve essere un indirizzo web completo (https://…).",
            );
        }
        if place.is_none() && online_url.is_none() {
            problem(
                "place",
                "Indica il luogo dell'evento o il collegamento per seguirlo online.",
            );
        }
    }
    let shared = form.shared.is_some();
    if shared && space.kind() == SpaceKind::Provincial {
        problem(
            "shared",
            "Solo gli spazi nazionale e regionali condividono contenuti con le Province.",
        );
    }
    let image = match form.image.trim() {
        "" => None,
        key => match library::by_key(&state.db, space.id, key).await? {
            Some(file) if library::is_image(&file) => Some(file),
            _ => {
                problem(
                    "image",
                    "L'immagine scelta non è più nella libreria dello spazio: scegline un'altra.",
                );
                None
            }
        },
    };
    // Without a text of its own, the item describes its image as the library does.
    let image_alt = image
        .as_ref()
        .and_then(|file| optional(&form.image_alt).or_else(|| file.alt.clone()));
    if image.is_some() && image_alt.is_none() {
        problem(
            "image_alt",
            "Descrivi l'immagine per chi non la vede (testo alternativo).",
        );
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    Ok(Ok(Draft {
        title,
        slug,
        summary,
        body,
        tags,
        image_key: image.map(|file| file.key),
        image_alt,
        parent_id,
        position,
        published_at,
        starts_at,
        ends_at,
        place,
        online_url,
        organiser,
        shared,
        highlighted: form.highlighted.is_some(),
    }))
}

/// Whether page `page` is `ancestor` or lies below it.
fn descends_from(pages: &[content::Model], page: i32, ancestor: i32) -> bool {
    let mut current = Some(page);
    let mut steps = 0;
    while let Some(id) = current {
        if id == ancestor {
            return true;
        }
        steps += 1;
        if steps > pages.len() {
            return true;
        }
        current = pages.iter().find(|p| p.id == id).and_then(|p| p.parent_id);
    }
    false
}

#[derive(Template)]
#[template(path = "manage/form.html")]
pub struct FormPage {
    chrome: Chrome,
    kind: Kind,
    action: String,
    csrf: String,
    form: ContentForm,
    problems: Vec<Problem>,
    /// Set when editing an existing item.
    item: Option<ItemPanel>,
    parents: Vec<(i32, String)>,
    images: Vec<ImageChoice>,
    library_url: String,
    can_share: bool,
    notice: Option<&'static str>,
}

/// An image of the space's library the item may show.
pub struct ImageChoice {
    key: String,
    label: String,
    thumbnail: Option<String>,
}

impl FormPage {
    fn problem(&self, field: &str) -> Option<&str> {
        self.problems
            .iter()
            .find(|p| p.field == field)
            .map(|p| p.message.as_str())
    }
}

/// The workflow side of the form: state, next steps, links.
pub struct ItemPanel {
    status: &'static str,
    revision: i32,
    scheduled: Option<String>,
    transitions: Vec<(&'static str, &'static str)>,
    public_url: Option<String>,
    preview_url: String,
    revisions_url: String,
    state_url: String,
    delete_url: String,
    publish_at: String,
    unpublish_at: String,
}

fn panel(space: &Space, item: &content::Model) -> ItemPanel {
    let base = space.path_to(&format!("/gestione/contenuti/{}", item.id));
    let kind = model::kind_of(item);
    ItemPanel {
        status: model::status_of(item).label(),
        revision: item.revision,
        scheduled: schedule_note(item),
        transitions: model::status_of(item)
            .transitions()
            .iter()
            .map(|t| (t.as_str(), t.label()))
            .collect(),
        public_url: model::is_visible(item, chrono::Utc::now())
            .then(|| space.path_to(&format!("/{}/{}", kind.segment(), item.slug))),
        preview_url: format!("{base}/anteprima"),
        revisions_url: format!("{base}/revisioni"),
        state_url: format!("{base}/stato"),
        delete_url: format!("{base}/elimina"),
        publish_at: time::to_local_input(item.publish_at),
        unpublish_at: time::to_local_input(item.unpublish_at),
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn form_page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    kind: Kind,
    item: Option<&content::Model>,
    form: ContentForm,
    problems: Vec<Problem>,
    notice: Option<&'static str>,
) -> Result<FormPage, Error> {
    let title = match item {
        Some(item) => format!("Modifica: {}", item.title),
        None => kind.new_label().to_owned(),
    };
    let action = match item {
        Some(item) => space.path_to(&format!("/gestione/contenuti/{}", item.id)),
        None => space.path_to(&format!("/gestione/contenuti/nuovo/{}", kind.as_str())),
    };
    let mut chrome = Chrome::new(
        state,
        &space,
        actor,
        title.clone(),
        &action,
        vec![
            Crumb::link("Gestione", space.path_to("/gestione")),
            Crumb::link("Contenuti", space.path_to("/gestione/contenuti")),
            Crumb::here(title),
        ],
    )
    .await?;
    chrome.bundles.push(&pico_assets::EDITOR);
    let parents = if kind == Kind::Page {
        model::all_of_space(&state.db, &space, Some(Kind::Page), None)
            .await?
            .into_iter()
            .filter(|p| Some(p.id) != item.map(|i| i.id))
            .map(|p| (p.id, p.title))
            .collect()
    } else {
        Vec::new()
    };
    let files: Vec<_> = library::all_of_space(&state.db, space.id)
        .await?
        .into_iter()
        .filter(library::is_image)
        .collect();
    let mut renditions = library::renditions_of(&state.db, files.iter().map(|f| f.id)).await?;
    let images = files
        .into_iter()
        .map(|file| ImageChoice {
            thumbnail: pictures::thumbnail(&renditions.remove(&file.id).unwrap_or_default()),
            label: library::name(&file).to_owned(),
            key: file.key,
        })
        .collect();
    Ok(FormPage {
        chrome,
        kind,
        action,
        csrf: actor.csrf_token(),
        form,
        problems,
        item: item.map(|item| panel(&space, item)),
        parents,
        images,
        library_url: space.path_to("/gestione/media"),
        can_share: space.kind() != SpaceKind::Provincial,
        notice,
    })
}

/// The item `id` of `space`, for someone who may edit the space's content.
pub async fn editable(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    id: i32,
) -> Result<content::Model, Error> {
    authorize(actor, Action::EditContent(space))?;
    model::of_space(&state.db, space, id)
        .await?
        .ok_or(Error::NotFound)
}

fn kind_from_path(key: &str) -> Result<Kind, Error> {
    Kind::parse(key).ok_or(Error::NotFound)
}

pub async fn new_form(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, kind)): Path<(String, String)>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    let kind = kind_from_path(&kind)?;
    let page = form_page(
        &state,
        &actor,
        space,
        kind,
        None,
        ContentForm::default(),
        vec![],
        None,
    )
    .await?;
    Ok(render(&page)?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, kind)): Path<(String, String)>,
    Form(form): Form<ContentForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    check_csrf(&actor, &form.csrf)?;
    let kind = kind_from_path(&kind)?;
    let draft = match validate(&state, &space, kind, None, &form).await? {
        Ok(draft) => draft,
        Err(problems) => {
            let page = form_page(&state, &actor, space, kind, None, form, problems, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    let author = actor.person().ok_or(Error::Unauthenticated)?.id;
    let item = model::create(&state.db, space.id, kind, &draft, author).await?;
    index::changed(&state, &item).await?;
    record(
        &state,
        &actor,
        &from,
        "content.create",
        format!("{} «{}»", kind.label(), item.title),
        Some(space.id),
        serde_json::json!({ "id": item.id, "kind": kind.as_str() }),
    )
    .await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/gestione/contenuti/{}?fatto=creato", item.id)))
            .into_response(),
    )
}

#[derive(Deserialize)]
pub struct Done {
    fatto: Option<String>,
}

pub async fn edit_form(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    let item = editable(&state, &actor, &space, id).await?;
    let form = ContentForm::of(&model::draft_of(&state.db, &item).await?);
    let notice = match done.fatto.as_deref() {
        Some("creato") => Some("Bozza creata. Quando è pronta, inviala in revisione o pubblicala."),
        Some("salvato") => Some("Modifiche salvate in una nuova revisione."),
        Some("stato") => Some("Stato aggiornato."),
        Some("ripristinato") => Some("Revisione ripristinata."),
        _ => None,
    };
    let kind = model::kind_of(&item);
    let page = form_page(
        &state,
        &actor,
        space,
        kind,
        Some(&item),
        form,
        vec![],
        notice,
    )
    .await?;
    Ok(render(&page)?.into_response())
}

pub async fn save(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Form(form): Form<ContentForm>,
) -> Result<Response, Error> {
    let item = editable(&state, &actor, &space, id).await?;
    check_csrf(&actor, &form.csrf)?;
    let kind = model::kind_of(&item);
    let draft = match validate(&state, &space, kind, Some(id), &form).await? {
        Ok(draft) => draft,
        Err(problems) => {
            let page = form_page(
                &state,
                &actor,
                space,
                kind,
                Some(&item),
                form,
                problems,
                None,
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    let author = actor.person().ok_or(Error::Unauthenticated)?.id;
    let note = match form.note.trim() {
        "" => "Modifica".to_owned(),
        note => note.chars().take(200).collect(),
    };
    let txn = state.db.begin().await?;
    let item = model::update(&txn, item, &draft, &note, author).await?;
    txn.commit().await?;
    index::changed(&state, &item).await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/gestione/contenuti/{id}?fatto=salvato")))
            .into_response(),
    )
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

pub async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, Error> {
    let item = editable(&state, &actor, &space, id).await?;
    check_csrf(&actor, &form.csrf)?;
    let title = item.title.clone();
    let kind = model::kind_of(&item);
    model::delete(&state.db, &item).await?;
    index::removed(&state, &item).await?;
    record(
        &state,
        &actor,
        &from,
        "content.delete",
        format!("{} «{title}»", kind.label()),
        Some(space.id),
        serde_json::json!({ "id": id, "kind": kind.as_str() }),
    )
    .await?;
    Ok(Redirect::to(&space.path_to("/gestione/contenuti?fatto=eliminato")).into_response())
}
