//! The Comuni of a Province's territory, from ISTAT's list.

use super::home::thousands;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use pico_kernel::identity::Actor;
use pico_kernel::policy::{Action, authorize};
use pico_kernel::spaces::{Space, SpaceKind};
use pico_kernel::territory;
use pico_kernel::web::{Chrome, Crumb, CurrentSpace, render};
use pico_kernel::{AppState, Error};

pub struct Row {
    pub name: String,
    pub other_name: Option<String>,
    pub istat_code: String,
    pub population: String,
    pub is_capital: bool,
}

#[derive(Template)]
#[template(path = "comuni.html")]
struct ComuniPage {
    chrome: Chrome,
    space: Space,
    rows: Vec<Row>,
    total_population: String,
}

pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
) -> Result<Response, Error> {
    authorize(&actor, Action::ViewSpace(&space))?;
    if space.kind() != SpaceKind::Provincial {
        return Err(Error::NotFound);
    }
    let code = space.istat_code.clone().unwrap_or_default();
    let comuni = territory::comuni_of(&state.db, &code).await?;
    let total: i64 = comuni
        .iter()
        .filter_map(|c| c.population)
        .map(i64::from)
        .sum();
    let rows = comuni
        .into_iter()
        .map(|c| Row {
            population: c
                .population
                .map(|p| thousands(p.into()))
                .unwrap_or_else(|| "n.d.".into()),
            name: c.name,
            other_name: c.name_other_language,
            istat_code: c.istat_code,
            is_capital: c.is_capital,
        })
        .collect();
    let title = "Comuni del territorio";
    let chrome = Chrome::new(
        &state,
        &space,
        &actor,
        title,
        &space.path_to("/comuni"),
        vec![Crumb::here(title)],
    )
    .await?;
    Ok(render(&ComuniPage {
        chrome,
        space,
        rows,
        total_population: thousands(total),
    })?
    .into_response())
}
