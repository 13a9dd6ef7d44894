//! Recording administrative actions, and the pages where administrators read the log: the
//! whole platform's at `/gestione/registro`, a space's (with the spaces below it) at
//! `/{space}/gestione/registro`, both filterable and exportable as CSV.

use super::extract::ClientAddress;
use super::{AppState, Chrome, Crumb, CurrentSpace, Error, render};
use crate::audit::{self, entry};
use crate::identity::Actor;
use crate::policy::{Action, authorize};
use crate::spaces::{self, Space, SpaceKind};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;

/// Rows shown on a page; the CSV export has them all.
const PAGE_ROWS: u64 = 200;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/gestione/registro", get(platform_log))
        .route("/{space}/gestione/registro", get(space_log))
}

/// Appends an entry on behalf of the signed-in actor.
pub async fn record(
    state: &AppState,
    actor: &Actor,
    from: &ClientAddress,
    action: &'static str,
    object: String,
    space_id: Option<i32>,
    detail: serde_json::Value,
) -> Result<(), Error> {
    let person = actor.person();
    audit::record(
        &state.db,
        audit::Record {
            actor_id: person.map(|p| p.id),
            actor: person
                .map(|p| p.email.clone())
                .unwrap_or_else(|| "anonimo".into()),
            action,
            object,
            space_id,
            ip: Some(from.0.clone()),
            detail,
        },
    )
    .await?;
    Ok(())
}

#[derive(Deserialize, Default)]
struct Filters {
    #[serde(default)]
    azione: String,
    #[serde(default)]
    chi: String,
    #[serde(default)]
    dal: String,
    #[serde(default)]
    al: String,
    #[serde(default)]
    formato: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct LogPage {
    chrome: Chrome,
    heading: String,
    filters: Filters,
    entries: Vec<Row>,
    truncated: bool,
    csv_href: String,
    error: Option<&'static str>,
}

struct Row {
    at: String,
    actor: String,
    action: String,
    object: String,
    ip: String,
    detail: String,
}

async fn platform_log(
    State(state): State<AppState>,
    actor: Actor,
    Query(filters): Query<Filters>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ViewPlatformAudit)?;
    let national = spaces::national(&state.db).await?;
    show(&state, &actor, &national, None, filters).await
}

async fn space_log(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(filters): Query<Filters>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ViewAudit(&space))?;
    let ids = spaces::covered_by(&state.db, &space)
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    show(&state, &actor, &space, Some(ids), filters).await
}

fn parse_day(input: &str) -> Result<Option<NaiveDate>, &'static str> {
    match input.trim() {
        "" => Ok(None),
        day => NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| "Le date vanno indicate come AAAA-MM-GG."),
    }
}

async fn show(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    space_ids: Option<Vec<i32>>,
    filters: Filters,
) -> Result<Response, Error> {
    let csv = filters.formato == "csv";
    let mut query = entry::Entity::find().order_by_desc(entry::Column::Id);
    if let Some(ids) = space_ids {
        query = query.filter(entry::Column::SpaceId.is_in(ids));
    }
    if !filters.azione.trim().is_empty() {
        query = query.filter(entry::Column::Action.starts_with(filters.azione.trim()));
    }
    if !filters.chi.trim().is_empty() {
        query = query.filter(entry::Column::Actor.contains(filters.chi.trim().to_lowercase()));
    }
    let days = parse_day(&filters.dal).and_then(|from| Ok((from, parse_day(&filters.al)?)));
    let error = days.as_ref().err().copied();
    if let Ok((from, to)) = days {
        let mut range = Condition::all();
        if let Some(from) = from {
            range =
                range
                    .add(entry::Column::At.gte(
                        Utc.from_utc_datetime(&from.and_hms_opt(0, 0, 0).unwrap_or_default()),
                    ));
        }
        if let Some(to) = to.and_then(|d| d.succ_opt()) {
            range = range.add(
                entry::Column::At
                    .lt(Utc.from_utc_datetime(&to.and_hms_opt(0, 0, 0).unwrap_or_default())),
            );
        }
        query = query.filter(range);
    }
    if !csv {
        query = query.limit(PAGE_ROWS + 1);
    }
    let mut rows = query.all(&state.db).await?;
    if csv {
        return export(rows);
    }
    let truncated = rows.len() as u64 > PAGE_ROWS;
    rows.truncate(PAGE_ROWS as usize);
    let path = if space.kind() == SpaceKind::National && actor_sees_platform(actor) {
        "/gestione/registro".to_owned()
    } else {
        space.path_to("/gestione/registro")
    };
    let csv_href = format!(
        "{path}?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("azione", &filters.azione)
            .append_pair("chi", &filters.chi)
            .append_pair("dal", &filters.dal)
            .append_pair("al", &filters.al)
            .append_pair("formato", "csv")
            .finish()
    );
    let heading = "Registro delle attività".to_owned();
    let page = LogPage {
        chrome: Chrome::new(
            state,
            space,
            actor,
            &heading,
            &path,
            vec![
                Crumb::link("Gestione", space.path_to("/gestione")),
                Crumb::here("Registro delle attività"),
            ],
        )
        .await?,
        heading,
        filters,
        entries: rows
            .into_iter()
            .map(|e| Row {
                at: e.at.format("%d/%m/%Y %H:%M:%S").to_string(),
                actor: e.actor,
                action: e.action,
                object: e.object,
                ip: e.ip.unwrap_or_default(),
                detail: e.detail,
            })
            .collect(),
        truncated,
        csv_href,
        error,
    };
    Ok(render(&page)?.into_response())
}

fn actor_sees_platform(actor: &Actor) -> bool {
    crate::policy::allows(actor, Action::ViewPlatformAudit)
}

fn export(rows: Vec<entry::Model>) -> Result<Response, Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Error::Internal(e.into());
    writer
        .write_record([
            "numero",
            "data_ora_utc",
            "autore",
            "azione",
            "oggetto",
            "spazio",
            "indirizzo",
            "dettagli",
            "hash",
        ])
        .map_err(io)?;
    for e in rows {
        writer
            .write_record([
                e.id.to_string(),
                e.at.to_rfc3339(),
                e.actor,
                e.action,
                e.object,
                e.space_id.map(|s| s.to_string()).unwrap_or_default(),
                e.ip.unwrap_or_default(),
                e.detail,
                e.hash,
            ])
            .map_err(io)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"registro-attivita.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
