//! Home pages: the national one at `/`, a region's, a Province's.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use pico_kernel::identity::Actor;
use pico_kernel::policy::{Action, authorize};
use pico_kernel::spaces::{self, Space, SpaceKind};
use pico_kernel::territory;
use pico_kernel::web::{Chrome, CurrentSpace, render};
use pico_kernel::{AppState, Error};

use crate::articles::feeds;
use crate::sections::{self, Sections};

#[derive(Template)]
#[template(path = "home_national.html")]
struct NationalHome {
    chrome: Chrome,
    sections: Sections,
    regions: Vec<Space>,
    provinces: usize,
}

#[derive(Template)]
#[template(path = "home_regional.html")]
struct RegionalHome {
    chrome: Chrome,
    sections: Sections,
    space: Space,
    provinces: Vec<Space>,
}

#[derive(Template)]
#[template(path = "home_provincial.html")]
struct ProvincialHome {
    chrome: Chrome,
    sections: Sections,
    space: Space,
    kind: &'static str,
    region: String,
    comuni: usize,
    population: String,
    capital: Option<String>,
}

pub async fn national(State(state): State<AppState>, actor: Actor) -> Result<Response, Error> {
    let space = spaces::national(&state.db).await?;
    authorize(&actor, Action::ViewSpace(&space))?;
    let all = spaces::all(&state.db).await?;
    let provinces = all
        .iter()
        .filter(|s| s.kind() == SpaceKind::Provincial)
        .count();
    let mut regions: Vec<Space> = all
        .into_iter()
        .filter(|s| s.kind() == SpaceKind::Regional)
        .collect();
    regions.sort_by(|a, b| a.name.cmp(&b.name));
    let mut chrome = Chrome::new(&state, &space, &actor, "Home", "/", vec![]).await?;
    chrome.alternates = feeds(&space);
    Ok(render(&NationalHome {
        chrome,
        sections: sections::of(&state, &space).await?,
        regions,
        provinces,
    })?
    .into_response())
}

pub async fn space(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
) -> Result<Response, Error> {
    authorize(&actor, Action::ViewSpace(&space))?;
    let path = space.path();
    match space.kind() {
        SpaceKind::National => Ok(Redirect::permanent("/").into_response()),
        SpaceKind::Regional => {
            let region = space.region_code.clone().unwrap_or_default();
            let provinces = spaces::provinces_of_region(&state.db, &region).await?;
            let mut chrome =
                Chrome::new(&state, &space, &actor, space.name.clone(), &path, vec![]).await?;
            chrome.alternates = feeds(&space);
            Ok(render(&RegionalHome {
                chrome,
                sections: sections::of(&state, &space).await?,
                space,
                provinces,
            })?
            .into_response())
        }
        SpaceKind::Provincial => {
            let code = space.istat_code.clone().unwrap_or_default();
            let province = territory::province(&state.db, &code)
                .await?
                .ok_or(Error::NotFound)?;
            let comuni = territory::comuni_of(&state.db, &code).await?;
            let population: i64 = comuni
                .iter()
                .filter_map(|c| c.population)
                .map(i64::from)
                .sum();
            let capital = comuni
                .iter()
                .filter(|c| c.is_capital)
                .map(|c| c.name.clone())
                .collect::<Vec<_>>();
            let region = territory::regions(&state.db)
                .await?
                .into_iter()
                .find(|r| r.code == province.region_code)
                .map(|r| r.name)
                .unwrap_or_default();
            let mut chrome =
                Chrome::new(&state, &space, &actor, space.name.clone(), &path, vec![]).await?;
            chrome.alternates = feeds(&space);
            Ok(render(&ProvincialHome {
                chrome,
                sections: sections::of(&state, &space).await?,
                kind: province.kind().title(),
                region,
                comuni: comuni.len(),
                population: thousands(population),
                capital: (!capital.is_empty()).then(|| capital.join(", ")),
                space,
            })?
            .into_response())
        }
    }
}

/// 1234567 → "1.234.567", as Italians write numbers.
pub fn thousands(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_group_thousands_with_dots() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1.000");
        assert_eq!(super::thousands(887_663), "887.663");
        assert_eq!(super::thousands(1_234_567), "1.234.567");
    }
}
