//! The directory of every space, grouped by region, with a filter that works without
//! JavaScript.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use pico_kernel::identity::Actor;
use pico_kernel::policy::{Action, authorize};
use pico_kernel::spaces::{self, Space, SpaceKind};
use pico_kernel::territory;
use pico_kernel::web::{Chrome, Crumb, render};
use pico_kernel::{AppState, Error};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Filter {
    #[serde(default)]
    q: String,
}

pub struct RegionGroup {
    pub name: String,
    pub regional: Option<Space>,
    pub provinces: Vec<Space>,
}

#[derive(Template)]
#[template(path = "directory.html")]
struct Directory {
    chrome: Chrome,
    query: String,
    groups: Vec<RegionGroup>,
    shown: usize,
}

/// Lower-case ASCII, so that "forli" finds "Forlì-Cesena".
fn fold(s: &str) -> String {
    spaces::slugify(s).replace('-', " ")
}

pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Query(filter): Query<Filter>,
) -> Result<Response, Error> {
    let national = spaces::national(&state.db).await?;
    authorize(&actor, Action::ViewSpace(&national))?;
    let query = filter.q.trim().chars().take(100).collect::<String>();
    let needle = fold(&query);
    let matches = |s: &Space| {
        needle.is_empty()
            || fold(&s.name).contains(&needle)
            || s.plate
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(&needle))
    };
    let all = spaces::all(&state.db).await?;
    let mut groups = Vec::new();
    for region in territory::regions(&state.db).await? {
        let in_region = |s: &&Space| s.region_code.as_deref() == Some(region.code.as_str());
        let regional = all
            .iter()
            .filter(in_region)
            .find(|s| s.kind() == SpaceKind::Regional);
        let mut provinces: Vec<Space> = all
            .iter()
            .filter(in_region)
            .filter(|s| s.kind() == SpaceKind::Provincial && matches(s))
            .cloned()
            .collect();
        provinces.sort_by_key(|p| fold(&p.name));
        let regional = regional
            .filter(|r| matches(r) || fold(&region.name).contains(&needle))
            .cloned();
        if regional.is_none() && provinces.is_empty() {
            continue;
        }
        groups.push(RegionGroup {
            name: territory::italian_name(&region.name).to_owned(),
            regional,
            provinces,
        });
    }
    groups.sort_by_key(|g| fold(&g.name));
    let shown = groups
        .iter()
        .map(|g| g.provinces.len() + usize::from(g.regional.is_some()))
        .sum();
    let title = "Spazi della rete";
    let chrome = Chrome::new(
        &state,
        &national,
        &actor,
        title,
        "/spazi",
        vec![Crumb::here(title)],
    )
    .await?;
    Ok(render(&Directory {
        chrome,
        query,
        groups,
        shown,
    })?
    .into_response())
}
