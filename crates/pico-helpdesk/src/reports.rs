//! The help desk's reports for a space's agents and administrators: the tickets opened in a
//! period by category, team and the requester's space, the median times to the first response
//! and to the resolution in business time, how often the SLA targets were met, and the
//! requesters' satisfaction; and the same tickets as CSV, one row each.
//!
//! A deadline counts when it is settled: met or missed by the response or resolution, or
//! missed by a ticket still open past it. Open tickets not yet due, and closed tickets whose
//! resolution time is not known (closing clears it), are left out. The space's help desk
//! handles few enough tickets a month that the figures are computed over the period's rows.

use crate::model::{self, Priority, Status, ticket};
use crate::rating;
use crate::sla::Schedule;
use crate::tickets::{self, status_label};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Rome;
use pico_kernel::identity::Actor;
use pico_kernel::policy::{Action, authorize};
use pico_kernel::spaces::{self, Space};
use pico_kernel::web::{Chrome, CurrentSpace, render};
use pico_kernel::{AppState, Error};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use std::borrow::Borrow;
use std::collections::HashMap;

/// The period shown when none is asked for: the last 30 days.
const DEFAULT_DAYS: i64 = 30;

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    dal: String,
    #[serde(default)]
    al: String,
    #[serde(default)]
    gruppo: String,
    #[serde(default)]
    categoria: String,
}

/// A filter, checked.
struct Period {
    from: NaiveDate,
    to: NaiveDate,
    team: Option<i32>,
    category: Option<i32>,
}

impl Period {
    fn query(&self) -> String {
        let mut q = format!("dal={}&al={}", self.from, self.to);
        if let Some(t) = self.team {
            q.push_str(&format!("&gruppo={t}"));
        }
        if let Some(c) = self.category {
            q.push_str(&format!("&categoria={c}"));
        }
        q
    }
}

fn start_of(date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    Rome.from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |d| d.with_timezone(&Utc))
}

fn check(
    filter: &Filter,
    teams: &[model::team::Model],
    categories: &[model::category::Model],
    now: DateTime<Utc>,
) -> Result<Period, Error> {
    let today = now.with_timezone(&Rome).date_naive();
    let date = |text: &str, default: NaiveDate| match text.trim() {
        "" => Ok(default),
        text => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| Error::BadRequest("Scrivi le date del periodo come gg/mm/aaaa.".into())),
    };
    let from = date(&filter.dal, today - Duration::days(DEFAULT_DAYS))?;
    let to = date(&filter.al, today)?;
    if from > to {
        return Err(Error::BadRequest(
            "L'inizio del periodo deve venire prima della fine.".into(),
        ));
    }
    let chosen = |text: &str, ids: &[i32]| match text {
        "" => Ok(None),
        text => text
            .parse::<i32>()
            .ok()
            .filter(|id| ids.contains(id))
            .map(Some)
            .ok_or_else(|| {
                Error::BadRequest("Scegli gruppo e categoria tra quelli proposti.".into())
            }),
    };
    Ok(Period {
        from,
        to,
        team: chosen(
            &filter.gruppo,
            &teams.iter().map(|t| t.id).collect::<Vec<_>>(),
        )?,
        category: chosen(
            &filter.categoria,
            &categories.iter().map(|c| c.id).collect::<Vec<_>>(),
        )?,
    })
}

/// Whether a deadline was met: `None` while it is not settled.
fn met(
    at: Option<DateTime<Utc>>,
    due: DateTime<Utc>,
    open: bool,
    now: DateTime<Utc>,
) -> Option<bool> {
    match at {
        Some(at) => Some(at <= due),
        None if open && now > due => Some(false),
        None => None,
    }
}

/// One ticket of the period, measured.
struct Line {
    ticket: ticket::Model,
    first_minutes: Option<i64>,
    resolution_minutes: Option<i64>,
    first_met: Option<bool>,
    resolution_met: Option<bool>,
    score: Option<i32>,
}

fn measure(schedule: &Schedule, t: ticket::Model, score: Option<i32>, now: DateTime<Utc>) -> Line {
    let open = Status::parse(&t.status).is_some_and(Status::is_open);
    Line {
        first_minutes: t
            .first_response_at
            .map(|at| schedule.between(t.created_at, at)),
        resolution_minutes: t.resolved_at.map(|at| schedule.between(t.created_at, at)),
        first_met: met(t.first_response_at, t.first_response_due, open, now),
        resolution_met: met(t.resolved_at, t.resolution_due, open, now),
        score,
        ticket: t,
    }
}

/// The middle value; between two, their mean rounded down.
fn median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2
    } else {
        values[mid]
    })
}

/// An integer in Italian: dots group the thousands.
fn integer(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A number with one decimal, in Italian.
fn decimal(x: f64) -> String {
    let tenths = (x * 10.0).round() as i64;
    format!("{},{}", integer(tenths / 10), (tenths % 10).abs())
}

/// Business minutes as hours and minutes, in words.
fn duration(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    let hours = match h {
        1 => "1 ora".to_owned(),
        h => format!("{} ore", integer(h)),
    };
    let mins = match m {
        1 => "1 minuto".to_owned(),
        m => format!("{m} minuti"),
    };
    match (h, m) {
        (0, _) => mins,
        (_, 0) => hours,
        _ => format!("{hours} e {mins}"),
    }
}

fn yes_no(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "sì",
        Some(false) => "no",
        None => "—",
    }
}

/// The tickets opened in the period, measured, with the names to show them by.
struct Data {
    lines: Vec<Line>,
    teams: Vec<model::team::Model>,
    categories: Vec<model::category::Model>,
    spaces: HashMap<i32, String>,
    period: Period,
}

impl Data {
    fn category(&self, t: &ticket::Model) -> String {
        self.categories
            .iter()
            .find(|c| Some(c.id) == t.category_id)
            .map_or_else(|| "Nessuna categoria".into(), |c| c.name.clone())
    }

    fn team(&self, t: &ticket::Model) -> String {
        self.teams
            .iter()
            .find(|x| Some(x.id) == t.team_id)
            .map_or_else(|| "Nessun gruppo".into(), |x| x.name.clone())
    }

    fn space(&self, t: &ticket::Model) -> String {
        t.requester_space_id
            .and_then(|id| self.spaces.get(&id).cloned())
            .unwrap_or_else(|| "Non indicato".into())
    }
}

async fn load(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    filter: &Filter,
) -> Result<Data, Error> {
    authorize(actor, Action::WorkTickets(space))?;
    let now = Utc::now();
    let teams = model::teams_of(&state.db, space.id).await?;
    let categories = model::categories_of(&state.db, space.id).await?;
    let period = check(filter, &teams, &categories, now)?;
    let mut query = ticket::Entity::find()
        .filter(ticket::Column::SpaceId.eq(space.id))
        .filter(ticket::Column::CreatedAt.gte(start_of(period.from)))
        .filter(ticket::Column::CreatedAt.lt(start_of(period.to + Duration::days(1))));
    if let Some(team) = period.team {
        query = query.filter(ticket::Column::TeamId.eq(team));
    }
    if let Some(category) = period.category {
        query = query.filter(ticket::Column::CategoryId.eq(category));
    }
    let found = query
        .order_by_asc(ticket::Column::CreatedAt)
        .order_by_asc(ticket::Column::Id)
        .all(&state.db)
        .await?;
    let scores: HashMap<i32, i32> = rating::entity::Entity::find()
        .filter(rating::entity::Column::TicketId.is_in(found.iter().map(|t| t.id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.ticket_id, r.score))
        .collect();
    let schedule = model::schedule(&state.db, space.id).await?;
    let lines = found
        .into_iter()
        .map(|t| {
            let score = scores.get(&t.id).copied();
            measure(&schedule, t, score, now)
        })
        .collect();
    let spaces = spaces::all(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    Ok(Data {
        lines,
        teams,
        categories,
        spaces,
        period,
    })
}

// ---------------------------------------------------------------------------------------
// The page.

/// How many tickets met a kind of deadline, among those where it is settled.
struct Compliance {
    label: &'static str,
    met: String,
    missed: String,
    share: String,
}

fn compliance(label: &'static str, results: impl Iterator<Item = Option<bool>>) -> Compliance {
    let settled: Vec<bool> = results.flatten().collect();
    let met = settled.iter().filter(|m| **m).count();
    Compliance {
        label,
        met: integer(met as i64),
        missed: integer((settled.len() - met) as i64),
        share: if settled.is_empty() {
            "—".into()
        } else {
            format!("{}%", decimal(met as f64 * 100.0 / settled.len() as f64))
        },
    }
}

/// Counts by name, the largest first.
fn grouped(names: impl Iterator<Item = String>) -> Vec<(String, String)> {
    let mut counts: Vec<(String, i64)> = Vec::new();
    for name in names {
        match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, c)) => *c += 1,
            None => counts.push((name, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.into_iter().map(|(n, c)| (n, integer(c))).collect()
}

type Volume = (
    &'static str,
    &'static str,
    &'static str,
    Vec<(String, String)>,
);

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    chrome: Chrome,
    space: Space,
    from: String,
    to: String,
    team: Option<i32>,
    category: Option<i32>,
    teams: Vec<model::team::Model>,
    categories: Vec<model::category::Model>,
    csv: String,
    total: String,
    /// Per table: its id, caption, the header of its first column, and its rows.
    volumes: Vec<Volume>,
    /// Label, median, on how many tickets.
    medians: Vec<(&'static str, String, String)>,
    compliance: Vec<Compliance>,
    ratings: String,
    average: String,
    distribution: Vec<(&'static str, String)>,
}

impl ReportsPage {
    fn same(&self, a: impl Borrow<Option<i32>>, b: impl Borrow<i32>) -> bool {
        *a.borrow() == Some(*b.borrow())
    }
}

fn median_row(label: &'static str, values: Vec<i64>) -> (&'static str, String, String) {
    let n = integer(values.len() as i64);
    (
        label,
        median(values).map_or_else(|| "—".into(), duration),
        n,
    )
}

pub async fn page(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(filter): Query<Filter>,
) -> Result<Response, Error> {
    let data = load(&state, &actor, &space, &filter).await?;
    let lines = &data.lines;
    let scores: Vec<i32> = lines.iter().filter_map(|l| l.score).collect();
    let path = space.path_to("/helpdesk/rapporti");
    let parent = Some(("Coda dei ticket", space.path_to("/helpdesk/coda")));
    let page = ReportsPage {
        chrome: tickets::chrome(&state, &actor, &space, "Rapporti", &path, parent).await?,
        from: data.period.from.to_string(),
        to: data.period.to.to_string(),
        team: data.period.team,
        category: data.period.category,
        csv: format!("{}.csv?{}", path, data.period.query()),
        total: integer(lines.len() as i64),
        volumes: vec![
            (
                "per-categoria",
                "Ticket per categoria",
                "Categoria",
                grouped(lines.iter().map(|l| data.category(&l.ticket))),
            ),
            (
                "per-gruppo",
                "Ticket per gruppo",
                "Gruppo",
                grouped(lines.iter().map(|l| data.team(&l.ticket))),
            ),
            (
                "per-spazio",
                "Ticket per spazio del richiedente",
                "Spazio",
                grouped(lines.iter().map(|l| data.space(&l.ticket))),
            ),
        ],
        medians: vec![
            median_row(
                "Prima risposta",
                lines.iter().filter_map(|l| l.first_minutes).collect(),
            ),
            median_row(
                "Risoluzione",
                lines.iter().filter_map(|l| l.resolution_minutes).collect(),
            ),
        ],
        compliance: vec![
            compliance("Prima risposta", lines.iter().map(|l| l.first_met)),
            compliance("Risoluzione", lines.iter().map(|l| l.resolution_met)),
        ],
        ratings: integer(scores.len() as i64),
        average: if scores.is_empty() {
            "—".into()
        } else {
            decimal(scores.iter().sum::<i32>() as f64 / scores.len() as f64)
        },
        distribution: rating::SCORES
            .iter()
            .map(|(s, label)| {
                let n = scores.iter().filter(|x| *x == s).count();
                (*label, integer(n as i64))
            })
            .collect(),
        teams: data.teams,
        categories: data.categories,
        space,
    };
    Ok(render(&page)?.into_response())
}

// ---------------------------------------------------------------------------------------
// The CSV.

const HEADER: [&str; 14] = [
    "numero",
    "aperto il",
    "spazio del richiedente",
    "categoria",
    "gruppo",
    "priorità",
    "stato",
    "prima risposta il",
    "risolto il",
    "minuti lavorativi alla prima risposta",
    "minuti lavorativi alla risoluzione",
    "SLA prima risposta rispettato",
    "SLA risoluzione rispettato",
    "valutazione",
];

/// An instant in Italian time, ISO 8601.
fn instant(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| at.with_timezone(&Rome).to_rfc3339())
        .unwrap_or_default()
}

fn number(n: Option<impl ToString>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

pub async fn csv(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(filter): Query<Filter>,
) -> Result<Response, Error> {
    let data = load(&state, &actor, &space, &filter).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Internal(anyhow::anyhow!(e));
    out.write_record(HEADER).map_err(fail)?;
    for l in &data.lines {
        let t = &l.ticket;
        out.write_record([
            t.id.to_string(),
            instant(Some(t.created_at)),
            data.space(t),
            data.category(t),
            data.team(t),
            Priority::parse(&t.priority)
                .map_or("", Priority::label)
                .to_owned(),
            status_label(&t.status).to_owned(),
            instant(t.first_response_at),
            instant(t.resolved_at),
            number(l.first_minutes),
            number(l.resolution_minutes),
            yes_no(l.first_met).to_owned(),
            yes_no(l.resolution_met).to_owned(),
            number(l.score),
        ])
        .map_err(fail)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Error::Internal(anyhow::anyhow!(e.to_string())))?;
    let name = format!(
        "assistenza-{}-{}-{}.csv",
        space.slug, data.period.from, data.period.to
    );
    Ok(pico_kernel::web::attachment(
        bytes.into(),
        "text/csv; charset=utf-8",
        &name,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_durations_read_in_italian() {
        assert_eq!(integer(1_234_567), "1.234.567");
        assert_eq!(integer(12), "12");
        assert_eq!(decimal(4.25), "4,3");
        assert_eq!(decimal(1234.0), "1.234,0");
        assert_eq!(duration(0), "0 minuti");
        assert_eq!(duration(61), "1 ora e 1 minuto");
        assert_eq!(duration(420), "7 ore");
        assert_eq!(duration(45), "45 minuti");
        assert_eq!(median(vec![5, 1, 3]), Some(3));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
        assert_eq!(median(Vec::new()), None);
    }
}
