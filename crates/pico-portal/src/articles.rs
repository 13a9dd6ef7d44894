//! What readers see of the content: the news list with its tag filter and pages, the events of
//! a month, a news item, an event or a page, and an editor's preview of any of them.

use crate::manage;
use crate::model::{self, Kind, ListFilter, content};
use crate::pictures::{self, Picture};
use crate::time;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use pico_kernel::identity::Actor;
use pico_kernel::policy::{Action, authorize};
use pico_kernel::spaces::{self, Space};
use pico_kernel::web::layout::Alternate;
use pico_kernel::web::{Chrome, Crumb, CurrentSpace, render};
use pico_kernel::{AppState, Error};
use serde::Deserialize;

const NEWS_PER_PAGE: u64 = 10;

/// An item as a card in a list.
pub struct Card {
    pub title: String,
    pub url: String,
    pub summary: String,
    pub kind: &'static str,
    pub date: Option<(String, String)>,
    pub origin: Option<String>,
    pub image: Option<Picture>,
}

/// Cards for items shown in `space`: a shared item links to the space's own address for it and
/// says where it comes from.
pub async fn cards(
    state: &AppState,
    space: &Space,
    items: &[content::Model],
) -> Result<Vec<Card>, Error> {
    let mut origins = std::collections::HashMap::new();
    for item in items.iter().filter(|i| i.space_id != space.id) {
        if !origins.contains_key(&item.space_id)
            && let Some(origin) = spaces::by_id(&state.db, item.space_id).await?
        {
            origins.insert(item.space_id, origin.name);
        }
    }
    let mut images = pictures::of_items(&state.db, items).await?;
    Ok(items
        .iter()
        .map(|item| {
            let kind = model::kind_of(item);
            let date = match kind {
                Kind::Event => item.starts_at,
                _ => item.published_at,
            };
            Card {
                title: item.title.clone(),
                url: space.path_to(&format!("/{}/{}", kind.segment(), item.slug)),
                summary: item.summary.clone(),
                kind: kind.label(),
                date: date.map(|at| {
                    (
                        time::iso_date(at),
                        match kind {
                            Kind::Event => time::date_time(at),
                            _ => time::date(at),
                        },
                    )
                }),
                origin: origins.get(&item.space_id).cloned(),
                image: images.remove(&item.id),
            }
        })
        .collect())
}

/// The feeds a space advertises on its pages.
pub fn feeds(space: &Space) -> Vec<Alternate> {
    vec![
        Alternate {
            mime: "application/atom+xml",
            title: format!("Notizie – {} (Atom)", space.name),
            href: space.path_to("/feed.atom"),
        },
        Alternate {
            mime: "application/rss+xml",
            title: format!("Notizie – {} (RSS)", space.name),
            href: space.path_to("/feed.rss"),
        },
        Alternate {
            mime: "text/calendar",
            title: format!("Eventi – {} (iCalendar)", space.name),
            href: space.path_to("/eventi.ics"),
        },
    ]
}

#[derive(Template)]
#[template(path = "news_list.html")]
struct NewsList {
    chrome: Chrome,
    space: Space,
    cards: Vec<Card>,
    tags: Vec<(String, String, bool)>,
    tag: Option<String>,
    total: u64,
    pages: Vec<(u64, String, bool)>,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct NewsQuery {
    pagina: Option<u64>,
    argomento: Option<String>,
}

pub async fn news(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(query): Query<NewsQuery>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ViewSpace(&space))?;
    let tag = query.argomento.filter(|t| !t.trim().is_empty());
    let page = query.pagina.unwrap_or(1).max(1);
    let listing = model::list(
        &state.db,
        &space,
        Some(Kind::News),
        ListFilter {
            tag: tag.as_deref(),
            ..Default::default()
        },
        (page - 1) * NEWS_PER_PAGE,
        NEWS_PER_PAGE,
    )
    .await?;
    let last = listing.total.div_ceil(NEWS_PER_PAGE).max(1);
    if page > last {
        return Err(Error::NotFound);
    }
    let base = space.path_to("/notizie");
    let link = |n: u64| {
        let mut params = Vec::new();
        if let Some(tag) = &tag {
            params.push(format!("argomento={}", encode(tag)));
        }
        if n > 1 {
            params.push(format!("pagina={n}"));
        }
        if params.is_empty() {
            base.clone()
        } else {
            format!("{base}?{}", params.join("&"))
        }
    };
    let tags = model::news_tags(&state.db, &space)
        .await?
        .into_iter()
        .map(|t| {
            let url = format!("{base}?argomento={}", encode(&t));
            let active = Some(&t) == tag.as_ref();
            (t, url, active)
        })
        .collect();
    let mut chrome = Chrome::new(
        &state,
        &space,
        &actor,
        "Notizie",
        &base,
        vec![Crumb::here("Notizie")],
    )
    .await?;
    chrome.alternates = feeds(&space);
    Ok(render(&NewsList {
        chrome,
        cards: cards(&state, &space, &listing.items).await?,
        tags,
        total: listing.total,
        pages: (1..=last).map(|n| (n, link(n), n == page)).collect(),
        previous: (page > 1).then(|| link(page - 1)),
        next: (page < last).then(|| link(page + 1)),
        tag,
        space,
    })?
    .into_response())
}

/// A query-string value, percent-encoded.
pub fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[derive(Template)]
#[template(path = "events_month.html")]
struct EventsMonth {
    chrome: Chrome,
    space: Space,
    month: String,
    days: Vec<(String, Vec<Card>)>,
    previous: String,
    next: String,
    calendar_url: String,
}

#[derive(Deserialize)]
pub struct MonthQuery {
    mese: Option<String>,
}

fn parse_month(text: &str) -> Option<(i32, u32)> {
    let (year, month) = text.split_once('-')?;
    let (year, month) = (year.parse().ok()?, month.parse().ok()?);
    ((1..=12).contains(&month) && (2000..=2100).contains(&year)).then_some((year, month))
}

pub async fn events(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(query): Query<MonthQuery>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ViewSpace(&space))?;
    let (year, month) = match query.mese.as_deref() {
        None => time::this_month(),
        Some(text) => parse_month(text)
            .ok_or_else(|| Error::BadRequest("Mese non valido: usa il formato aaaa-mm.".into()))?,
    };
    let (start, end) = time::month_bounds(year, month).ok_or(Error::NotFound)?;
    let listing = model::list(
        &state.db,
        &space,
        Some(Kind::Event),
        ListFilter {
            ending_after: Some(start),
            starting_before: Some(end),
            ..Default::default()
        },
        0,
        500,
    )
    .await?;
    let mut days: Vec<(String, Vec<Card>)> = Vec::new();
    for (item, card) in listing
        .items
        .iter()
        .zip(cards(&state, &space, &listing.items).await?)
    {
        let day = time::date(item.starts_at.unwrap_or(start).max(start));
        match days.last_mut() {
            Some((last, cards)) if *last == day => cards.push(card),
            _ => days.push((day, vec![card])),
        }
    }
    let base = space.path_to("/eventi");
    let (py, pm) = if month == 1 {
        (year - 1, 12)
    } else {
        (year, month - 1)
    };
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let title = format!("Eventi di {} {year}", time::month_name(month));
    let mut chrome = Chrome::new(
        &state,
        &space,
        &actor,
        title.clone(),
        &base,
        vec![Crumb::here("Eventi")],
    )
    .await?;
    chrome.alternates = feeds(&space);
    Ok(render(&EventsMonth {
        chrome,
        month: title,
        days,
        previous: format!("{base}?mese={py}-{pm:02}"),
        next: format!("{base}?mese={ny}-{nm:02}"),
        calendar_url: space.path_to("/eventi.ics"),
        space,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "article.html")]
pub struct Article {
    chrome: Chrome,
    kind: Kind,
    title: String,
    summary: String,
    /// Sanitised when it was stored.
    body: String,
    date: Option<(String, String)>,
    tags: Vec<(String, String)>,
    image: Option<Picture>,
    event: Option<EventView>,
    origin: Option<(String, String)>,
    children: Vec<(String, String)>,
    preview: bool,
}

struct EventView {
    starts: (String, String),
    ends: Option<String>,
    place: Option<String>,
    online_url: Option<String>,
    organiser: Option<String>,
    ics_url: String,
}

/// The page of `item` as shown in `space`.
pub async fn article(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    item: &content::Model,
    preview: bool,
) -> Result<Article, Error> {
    let kind = model::kind_of(item);
    let own_url = space.path_to(&format!("/{}/{}", kind.segment(), item.slug));
    let origin = if item.space_id == space.id {
        None
    } else {
        spaces::by_id(&state.db, item.space_id)
            .await?
            .map(|origin| {
                let url = origin.path_to(&format!("/{}/{}", kind.segment(), item.slug));
                (origin.name, url)
            })
    };
    let mut crumbs = Vec::new();
    match kind {
        Kind::Page => {
            let pages = model::visible_pages(&state.db, item.space_id).await?;
            let mut trail = Vec::new();
            let mut parent = item.parent_id;
            while let Some(id) = parent.filter(|_| trail.len() < pages.len()) {
                let Some(page) = pages.iter().find(|p| p.id == id) else {
                    break;
                };
                trail.push(Crumb::link(
                    page.title.clone(),
                    space.path_to(&format!("/pagine/{}", page.slug)),
                ));
                parent = page.parent_id;
            }
            trail.reverse();
            crumbs.extend(trail);
        }
        _ => crumbs.push(Crumb::link(
            kind.plural(),
            space.path_to(&format!("/{}", kind.segment())),
        )),
    }
    crumbs.push(Crumb::here(item.title.clone()));
    let mut chrome = Chrome::new(state, space, actor, item.title.clone(), &own_url, crumbs).await?;
    chrome.alternates = feeds(space);
    chrome.og.kind = "article";
    chrome.og.description = item.summary.clone();
    if let Some((_, url)) = &origin {
        chrome.og.url = state.config.url(url);
    }
    let image = pictures::of_item(&state.db, item).await?;
    chrome.og.image = image
        .as_ref()
        .map(|picture| (state.config.url(&picture.src), picture.alt.clone()));
    let children = if kind == Kind::Page {
        model::visible_pages(&state.db, item.space_id)
            .await?
            .into_iter()
            .filter(|p| p.parent_id == Some(item.id))
            .map(|p| {
                let url = space.path_to(&format!("/pagine/{}", p.slug));
                (p.title, url)
            })
            .collect()
    } else {
        Vec::new()
    };
    let tags = model::tags_of(&state.db, [item.id])
        .await?
        .remove(&item.id)
        .unwrap_or_default()
        .into_iter()
        .map(|t| {
            let url = format!("{}?argomento={}", space.path_to("/notizie"), encode(&t));
            (t, url)
        })
        .collect();
    let event = match (kind, item.starts_at) {
        (Kind::Event, Some(starts)) => Some(EventView {
            starts: (time::iso_date(starts), time::date_time(starts)),
            ends: item
                .ends_at
                .filter(|ends| *ends > starts)
                .map(time::date_time),
            place: item.place.clone(),
            online_url: item.online_url.clone(),
            organiser: item.organiser.clone(),
            ics_url: format!("{own_url}/evento.ics"),
        }),
        _ => None,
    };
    Ok(Article {
        chrome,
        kind,
        title: item.title.clone(),
        summary: item.summary.clone(),
        body: item.body.clone(),
        date: (kind == Kind::News)
            .then_some(item.published_at)
            .flatten()
            .map(|at| (time::iso_date(at), time::date(at))),
        tags,
        image,
        event,
        origin,
        children,
        preview,
    })
}

async fn show(
    state: AppState,
    actor: Actor,
    space: Space,
    kind: Kind,
    slug: String,
) -> Result<Response, Error> {
    authorize(&actor, Action::ViewSpace(&space))?;
    let item = model::find_visible(&state.db, &space, kind, &slug)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(render(&article(&state, &actor, &space, &item, false).await?)?.into_response())
}

pub async fn show_news(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, slug)): Path<(String, String)>,
) -> Result<Response, Error> {
    show(state, actor, space, Kind::News, slug).await
}

pub async fn show_event(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, slug)): Path<(String, String)>,
) -> Result<Response, Error> {
    show(state, actor, space, Kind::Event, slug).await
}

pub async fn show_page(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, slug)): Path<(String, String)>,
) -> Result<Response, Error> {
    show(state, actor, space, Kind::Page, slug).await
}

pub async fn preview(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
) -> Result<Response, Error> {
    let item = manage::editable(&state, &actor, &space, id).await?;
    Ok(render(&article(&state, &actor, &space, &item, true).await?)?.into_response())
}
