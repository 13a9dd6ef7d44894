//! Feeds for readers and calendars: the space's news as Atom and RSS 2.0, its events as an
//! iCalendar feed, and each event as an `.ics` file to add to one's own calendar.

use crate::html;
use crate::model::{self, Kind, ListFilter, content};
use atom_syndication as atom;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use icalendar::{Calendar, Component, EventLike};
use pico_kernel::identity::Actor;
use pico_kernel::policy::{Action, authorize};
use pico_kernel::spaces::Space;
use pico_kernel::web::CurrentSpace;
use pico_kernel::{AppState, Error};

const FEED_ITEMS: u64 = 30;

async fn latest_news(state: &AppState, space: &Space) -> Result<Vec<content::Model>, Error> {
    Ok(model::list(
        &state.db,
        space,
        Some(Kind::News),
        ListFilter::default(),
        0,
        FEED_ITEMS,
    )
    .await?
    .items)
}

fn item_url(state: &AppState, space: &Space, item: &content::Model) -> String {
    let kind = model::kind_of(item);
    state
        .config
        .url(&space.path_to(&format!("/{}/{}", kind.segment(), item.slug)))
}

pub async fn atom(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
) -> Result<Response, Error> {
    authorize(&actor, Action::ViewSpace(&space))?;
    let items = latest_news(&state, &space).await?;
    let self_url = state.config.url(&space.path_to("/feed.atom"));
    let updated = items
        .iter()
        .map(|i| i.updated_at)
        .max()
        .unwrap_or(space.updated_at);
    let entries = items
        .iter()
        .map(|item| {
            let url = item_url(&state, &space, item);
            atom::Entry {
                title: item.title.clone().into(),
                id: url.clone(),
                updated: item.updated_at.fixed_offset(),
                published: item.published_at.map(|at| at.fixed_offset()),
                links: vec![atom::Link {
                    href: url,
                    rel: "alternate".into(),
                    mime_type: Some("text/html".into()),
                    ..Default::default()
                }],
                summary: Some(atom::Text::plain(item.summary.clone())),
                content: Some(atom::Content {
                    value: Some(item.body.clone()),
                    content_type: Some("html".into()),
                    ..Default::default()
                }),
                categories: Vec::new(),
                ..Default::default()
            }
        })
        .collect();
    let feed = atom::Feed {
        title: format!("Notizie – {}", space.name).into(),
        id: self_url.clone(),
        updated: updated.fixed_offset(),
        authors: vec![atom::Person {
            name: space.name.clone(),
            ..Default::default()
        }],
        links: vec![
            atom::Link {
                href: self_url,
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Default::default()
            },
            atom::Link {
                href: state.config.url(&space.path_to("/notizie")),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Default::default()
            },
        ],
        lang: Some("it".into()),
        entries,
        ..Default::default()
    };
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed.to_string(),
    )
        .into_response())
}

pub async fn rss(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
) -> Result<Response, Error> {
    authorize(&actor, Action::ViewSpace(&space))?;
    let items = latest_news(&state, &space).await?;
    let items = items
        .iter()
        .map(|item| {
            let url = item_url(&state, &space, item);
            rss::Item {
                title: Some(item.title.clone()),
                link: Some(url.clone()),
                description: Some(item.summary.clone()),
                guid: Some(rss::Guid {
                    value: url,
                    permalink: true,
                }),
                pub_date: item.published_at.map(|at| at.to_rfc2822()),
                content: Some(item.body.clone()),
                ..Default::default()
            }
        })
        .collect();
    let channel = rss::Channel {
        title: format!("Notizie – {}", space.name),
        link: state.config.url(&space.path_to("/notizie")),
        description: format!("Le notizie di {}", space.name),
        language: Some("it".into()),
        items,
        namespaces: [(
            "content".to_owned(),
            "http://purl.org/rss/1.0/modules/content/".to_owned(),
        )]
        .into(),
        ..Default::default()
    };
    Ok((
        [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
        channel.to_string(),
    )
        .into_response())
}

fn calendar(name: &str) -> Calendar {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//Pi.Co.//Portale delle Province//IT"))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property(("METHOD", "PUBLISH"))
        .name(name);
    calendar
}

fn event(state: &AppState, space: &Space, item: &content::Model) -> Option<icalendar::Event> {
    let starts = item.starts_at?;
    let ends = item
        .ends_at
        .filter(|ends| *ends > starts)
        .unwrap_or(starts + Duration::hours(1));
    let url = item_url(state, space, item);
    let host = url::Url::parse(&state.config.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "pico".into());
    let mut description = item.summary.clone();
    let text = html::text(&item.body);
    if !text.is_empty() {
        description = format!("{description}\n\n{text}").trim().to_owned();
    }
    if let Some(organiser) = &item.organiser {
        description = format!("{description}\n\nOrganizzato da: {organiser}")
            .trim()
            .to_owned();
    }
    let mut event = icalendar::Event::new();
    event
        .uid(&format!("content-{}@{host}", item.id))
        .timestamp(item.updated_at)
        .summary(&item.title)
        .description(&description)
        .starts(starts)
        .ends(ends)
        .url(&url)
        .add_property(
            "LAST-MODIFIED",
            item.updated_at.format("%Y%m%dT%H%M%SZ").to_string(),
        );
    let location = match (&item.place, &item.online_url) {
        (Some(place), _) => Some(place.clone()),
        (None, Some(online)) => Some(format!("Online: {online}")),
        (None, None) => None,
    };
    if let Some(location) = location {
        event.location(&location);
    }
    Some(event.done())
}

fn ics(body: String, filename: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The space's events from a month ago on: what a calendar subscription needs.
pub async fn calendar_feed(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
) -> Result<Response, Error> {
    authorize(&actor, Action::ViewSpace(&space))?;
    let items = model::list(
        &state.db,
        &space,
        Some(Kind::Event),
        ListFilter {
            ending_after: Some(Utc::now() - Duration::days(31)),
            ..Default::default()
        },
        0,
        1000,
    )
    .await?
    .items;
    let mut calendar = calendar(&format!("Eventi – {}", space.name));
    calendar.description(&format!("Gli eventi di {}", space.name));
    for item in &items {
        if let Some(event) = event(&state, &space, item) {
            calendar.push(event);
        }
    }
    Ok(ics(
        calendar.done().to_string(),
        &format!("eventi-{}.ics", space.slug),
    ))
}

pub async fn event_file(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, slug)): Path<(String, String)>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ViewSpace(&space))?;
    let item = model::find_visible(&state.db, &space, Kind::Event, &slug)
        .await?
        .ok_or(Error::NotFound)?;
    let event = event(&state, &space, &item).ok_or(Error::NotFound)?;
    let mut calendar = calendar(&item.title);
    calendar.push(event);
    Ok(ics(calendar.done().to_string(), &format!("{slug}.ics")))
}
