//! The site search at `/cerca`: results the reader may see, with highlighted snippets and
//! facets by space and by type.

use crate::articles::encode;
use crate::model::Kind;
use crate::time;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use pico_kernel::identity::Actor;
use pico_kernel::policy::{Action, authorize};
use pico_kernel::search::audience;
use pico_kernel::spaces;
use pico_kernel::web::{Chrome, Crumb, render};
use pico_kernel::{AppState, Error};
use serde::Deserialize;

const PER_PAGE: usize = 10;

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    spazio: Option<String>,
    tipo: Option<String>,
    pagina: Option<usize>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    total: usize,
    hits: Vec<HitView>,
    spaces: Vec<FacetView>,
    kinds: Vec<FacetView>,
    all_url: String,
    previous: Option<String>,
    next: Option<String>,
}

struct HitView {
    title_html: String,
    snippet_html: String,
    url: String,
    space_name: String,
    kind: String,
    date: Option<String>,
}

struct FacetView {
    label: String,
    count: usize,
    url: String,
    active: bool,
}

fn kind_label(segment: &str) -> String {
    Kind::ALL
        .into_iter()
        .find(|k| k.segment() == segment)
        .map_or_else(|| segment.to_owned(), |k| k.plural().to_owned())
}

pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<SearchQuery>,
) -> Result<Response, Error> {
    let national = spaces::national(&state.db).await?;
    authorize(&actor, Action::ViewSpace(&national))?;
    let q: String = query.q.trim().chars().take(200).collect();
    let space = query.spazio.filter(|s| !s.is_empty());
    let kind = query.tipo.filter(|k| !k.is_empty());
    let page = query.pagina.unwrap_or(1).clamp(1, 100);
    let results = state
        .search
        .index
        .search(&pico_search::Query {
            text: q.clone(),
            audience: audience(&actor),
            space: space.clone(),
            kind: kind.clone(),
            offset: (page - 1) * PER_PAGE,
            limit: PER_PAGE,
        })
        .map_err(|e| Error::Internal(e.into()))?;
    let link = |space: Option<&str>, kind: Option<&str>, page: usize| {
        let mut url = format!("/cerca?q={}", encode(&q));
        if let Some(space) = space {
            url.push_str(&format!("&spazio={}", encode(space)));
        }
        if let Some(kind) = kind {
            url.push_str(&format!("&tipo={}", encode(kind)));
        }
        if page > 1 {
            url.push_str(&format!("&pagina={page}"));
        }
        url
    };
    let spaces = results
        .spaces
        .iter()
        .map(|f| FacetView {
            label: f.label.clone(),
            count: f.count,
            url: link(Some(&f.value), kind.as_deref(), 1),
            active: space.as_deref() == Some(f.value.as_str()),
        })
        .collect();
    let kinds = results
        .kinds
        .iter()
        .map(|f| FacetView {
            label: kind_label(&f.value),
            count: f.count,
            url: link(space.as_deref(), Some(&f.value), 1),
            active: kind.as_deref() == Some(f.value.as_str()),
        })
        .collect();
    let hits = results
        .hits
        .into_iter()
        .map(|hit| HitView {
            title_html: hit.title_html,
            snippet_html: hit.snippet_html,
            url: hit.url,
            space_name: hit.space_name,
            kind: kind_label(&hit.kind),
            date: hit.date.map(time::date),
        })
        .collect();
    let title = if q.is_empty() {
        "Cerca".to_owned()
    } else {
        format!("Risultati per «{q}»")
    };
    let chrome = Chrome::new(
        &state,
        &national,
        &actor,
        title,
        "/cerca",
        vec![Crumb::here("Cerca")],
    )
    .await?;
    let more = page * PER_PAGE < results.total;
    Ok(render(&SearchPage {
        chrome,
        total: results.total,
        hits,
        spaces,
        kinds,
        all_url: link(None, None, 1),
        previous: (page > 1).then(|| link(space.as_deref(), kind.as_deref(), page - 1)),
        next: more.then(|| link(space.as_deref(), kind.as_deref(), page + 1)),
        q,
    })?
    .into_response())
}
