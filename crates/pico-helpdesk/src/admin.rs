//! What a space's administrators set up: working hours and patron saint's day, SLA targets,
//! teams of agents with their assignment strategy, categories and routing rules. One page,
//! one form per part; a refused form comes back with what was typed and the reason.

use crate::fields::{self, Kind};
use crate::model::{self, Priority};
use crate::routing::{Strategy, Subject};
use crate::sla::{self, Schedule, WEEKDAYS};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use pico_kernel::identity::{self, Actor, Person};
use pico_kernel::policy::{Action, allows, authorize};
use pico_kernel::spaces::{self, Space};
use pico_kernel::web::audit_log::record;
use pico_kernel::web::{Chrome, ClientAddress, Crumb, CurrentSpace, check_csrf, render};
use pico_kernel::{AppState, Error};
use sea_orm::{EntityTrait, ModelTrait};
use serde::Deserialize;
use std::borrow::Borrow;

const MAX_NAME: usize = 100;

/// A form of the page, as typed, to show again with its error.
#[derive(Default)]
pub struct Typed {
    /// Which form: `orari`, `sla`, `gruppo`, `gruppo-<id>`, `categoria`, `regola`.
    form: String,
    fields: Vec<(String, String)>,
    error: String,
}

impl Typed {
    fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct MemberRow {
    person_id: i32,
    name: String,
    email: String,
    available: bool,
}

struct TeamRow {
    team: model::team::Model,
    members: Vec<MemberRow>,
}

struct RuleRow {
    id: i32,
    when: String,
    team: String,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    typed: Typed,
    notice: Option<&'static str>,
    /// Each weekday's hours as text, Monday first.
    days: Vec<(&'static str, String)>,
    patron: String,
    default_team: Option<i32>,
    reopen_days: String,
    /// Per priority: key, label, first response and resolution in hours, as text.
    targets: Vec<(&'static str, &'static str, String, String)>,
    teams: Vec<TeamRow>,
    categories: Vec<model::category::Model>,
    /// The extra fields of each category: (category's name, field, kind's label).
    fields: Vec<(String, fields::field::Model, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    rules: Vec<RuleRow>,
    spaces: Vec<Space>,
    strategies: Vec<(&'static str, &'static str)>,
    /// The modules a category or rule may name: key and label.
    modules: Vec<(&'static str, &'static str)>,
}

impl AdminPage {
    /// The typed value of `name` if `form` was refused, else `stored`.
    fn v(&self, form: &str, name: &str, stored: &str) -> String {
        if self.typed.form == form {
            self.typed.value(name).unwrap_or_default().to_owned()
        } else {
            stored.to_owned()
        }
    }

    fn error(&self, form: &str) -> Option<&str> {
        (self.typed.form == form).then_some(self.typed.error.as_str())
    }

    fn day(&self, i: impl Borrow<usize>) -> String {
        let i = *i.borrow();
        let stored = self.days.get(i).map_or("", |d| d.1.as_str());
        self.v("orari", &format!("giorno{i}"), stored)
    }

    fn target(&self, kind: &str, key: &str, stored: &str) -> String {
        self.v("sla", &format!("{kind}_{key}"), stored)
    }

    fn chosen(
        &self,
        form: &str,
        name: &str,
        stored: impl Borrow<Option<i32>>,
        id: impl Borrow<i32>,
    ) -> bool {
        let stored = stored.borrow().map(|s| s.to_string()).unwrap_or_default();
        self.v(form, name, &stored) == id.borrow().to_string()
    }

    fn same(&self, a: impl Borrow<Option<i32>>, b: impl Borrow<i32>) -> bool {
        *a.borrow() == Some(*b.borrow())
    }

    fn team_form(&self, id: impl Borrow<i32>) -> String {
        format!("gruppo-{}", id.borrow())
    }
}

/// Minutes written as hours (`1`, `0,5`, `7`).
fn hours_of(minutes: i32) -> String {
    if minutes % 60 == 0 {
        (minutes / 60).to_string()
    } else {
        // Two decimals read back to the same minute.
        let text = format!("{:.2}", f64::from(minutes) / 60.0);
        text.trim_end_matches('0').replace('.', ",")
    }
}

fn minutes_of(text: &str) -> Option<i32> {
    let hours: f64 = text.trim().replace(',', ".").parse().ok()?;
    let minutes = (hours * 60.0).round();
    (hours.is_finite() && (1.0..=60.0 * 24.0 * 365.0).contains(&minutes)).then_some(minutes as i32)
}

async fn page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    typed: Typed,
) -> Result<AdminPage, Error> {
    let db = &state.db;
    let settings = model::settings_of(db, space.id).await?;
    let schedule = model::schedule(db, space.id).await?;
    let days = WEEKDAYS
        .iter()
        .zip(schedule.week())
        .map(|(name, day)| (*name, sla::format_day(day)))
        .collect();
    let mut targets = Vec::new();
    for p in Priority::ALL {
        let (first, resolution) = model::targets(db, space.id, p).await?;
        targets.push((p.as_str(), p.label(), hours_of(first), hours_of(resolution)));
    }
    let mut teams = Vec::new();
    let team_models = model::teams_of(db, space.id).await?;
    for team in &team_models {
        let mut members = Vec::new();
        for m in model::members_of(db, team.id).await? {
            let p = identity::model::person::Entity::find_by_id(m.person_id)
                .one(db)
                .await?;
            let (name, email) = p.map_or_else(Default::default, |p| (p.display_name, p.email));
            members.push(MemberRow {
                person_id: m.person_id,
                name,
                email,
                available: m.available,
            });
        }
        teams.push(TeamRow {
            team: team.clone(),
            members,
        });
    }
    let categories = model::categories_of(db, space.id).await?;
    let extra = fields::of_space(db, space.id)
        .await?
        .into_iter()
        .map(|f| {
            let category = categories
                .iter()
                .find(|c| c.id == f.category_id)
                .map_or_else(String::new, |c| c.name.clone());
            let kind = Kind::parse(&f.kind).map_or("", Kind::label);
            (category, f, kind)
        })
        .collect();
    let all_spaces = spaces::all(db).await?;
    let rules = model::rules_of(db, space.id)
        .await?
        .into_iter()
        .map(|r| {
            let mut when = Vec::new();
            if let Some(c) = r.category_id {
                let name = categories
                    .iter()
                    .find(|x| x.id == c)
                    .map_or("?", |x| x.name.as_str());
                when.push(format!("categoria «{name}»"));
            }
            if let Some(m) = &r.module_key {
                let label = state.registry.get(m).map_or(m.as_str(), |x| x.label());
                when.push(format!("modulo «{label}»"));
            }
            if let Some(s) = r.requester_space_id {
                let name = all_spaces
                    .iter()
                    .find(|x| x.id == s)
                    .map_or("?", |x| x.name.as_str());
                when.push(format!("richiedente di «{name}»"));
            }
            RuleRow {
                id: r.id,
                when: if when.is_empty() {
                    "sempre".into()
                } else {
                    when.join(" e ")
                },
                team: team_models
                    .iter()
                    .find(|t| t.id == r.team_id)
                    .map_or_else(String::new, |t| t.name.clone()),
            }
        })
        .collect();
    let path = space.path_to("/helpdesk/gestione");
    let chrome = Chrome::new(
        state,
        &space,
        actor,
        "Assistenza: impostazioni",
        &path,
        vec![
            Crumb::link("Gestione", space.path_to("/gestione")),
            Crumb::here("Assistenza"),
        ],
    )
    .await?;
    Ok(AdminPage {
        chrome,
        csrf: actor.csrf_token(),
        typed,
        notice: None,
        days,
        patron: schedule
            .patron()
            .map(|(m, d)| format!("{d:02}/{m:02}"))
            .unwrap_or_default(),
        default_team: settings.as_ref().and_then(|s| s.default_team_id),
        reopen_days: settings.as_ref().map_or(7, |s| s.reopen_days).to_string(),
        targets,
        teams,
        categories,
        fields: extra,
        kinds: Kind::ALL
            .into_iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        rules,
        spaces: all_spaces,
        strategies: Strategy::ALL
            .into_iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        modules: state
            .registry
            .iter()
            .map(|m| (m.key(), m.label()))
            .collect(),
        space,
    })
}

#[derive(Deserialize)]
pub struct Done {
    fatto: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ManageHelpdesk(&space))?;
    let mut page = page(&state, &actor, space, Typed::default()).await?;
    page.notice = done.fatto.is_some().then_some("Modifiche salvate.");
    Ok(render(&page)?.into_response())
}

pub(crate) type Fields = Vec<(String, String)>;

pub(crate) fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Checks the token and the permission of a form of this page.
pub(crate) fn guard(actor: &Actor, space: &Space, fields: &Fields) -> Result<(), Error> {
    authorize(actor, Action::ManageHelpdesk(space))?;
    check_csrf(actor, field(fields, "csrf"))
}

pub(crate) async fn refuse(
    state: &AppState,
    actor: &Actor,
    space: Space,
    form: &str,
    fields: Fields,
    error: String,
) -> Result<Response, Error> {
    let typed = Typed {
        form: form.to_owned(),
        fields,
        error,
    };
    let page = page(state, actor, space, typed).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

pub(crate) fn saved(space: &Space, anchor: &str) -> Response {
    Redirect::to(&space.path_to(&format!("/helpdesk/gestione?fatto=1#{anchor}"))).into_response()
}

/// The team `text` names, if it is one of the space's.
async fn team_in(state: &AppState, space: &Space, text: &str) -> Result<Option<i32>, Error> {
    let Ok(id) = text.parse::<i32>() else {
        return Ok(None);
    };
    Ok(model::teams_of(&state.db, space.id)
        .await?
        .iter()
        .any(|t| t.id == id)
        .then_some(id))
}

pub async fn save_hours(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Form(fields): Form<Fields>,
) -> Result<Response, Error> {
    guard(&actor, &space, &fields)?;
    let mut week: [Vec<sla::Interval>; 7] = Default::default();
    for (i, day) in week.iter_mut().enumerate() {
        match sla::parse_day(field(&fields, &format!("giorno{i}"))) {
            Ok(d) => *day = d,
            Err(e) => {
                let error = format!("{}: {e}", WEEKDAYS[i]);
                return refuse(&state, &actor, space, "orari", fields, error).await;
            }
        }
    }
    let checked = sla::parse_patron(field(&fields, "patrono"))
        .and_then(|patron| Schedule::new(chrono_tz::Europe::Rome, week, patron));
    let schedule = match checked {
        Ok(s) => s,
        Err(e) => return refuse(&state, &actor, space, "orari", fields, e).await,
    };
    let reopen = match field(&fields, "riapertura").trim().parse::<i32>() {
        Ok(n) if (0..=90).contains(&n) => n,
        _ => {
            let error = "I giorni per riaprire un ticket risolto sono un numero da 0 a 90.".into();
            return refuse(&state, &actor, space, "orari", fields, error).await;
        }
    };
    let default_team = match field(&fields, "gruppo_predefinito") {
        "" => None,
        text => match team_in(&state, &space, text).await? {
            Some(id) => Some(id),
            None => {
                let error = "Il gruppo predefinito scelto non esiste più.".into();
                return refuse(&state, &actor, space, "orari", fields, error).await;
            }
        },
    };
    model::save_settings(&state.db, space.id, &schedule, default_team, reopen).await?;
    Ok(saved(&space, "orari"))
}

pub async fn save_targets(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Form(fields): Form<Fields>,
) -> Result<Response, Error> {
    guard(&actor, &space, &fields)?;
    let mut targets = Vec::new();
    for p in Priority::ALL {
        let first = minutes_of(field(&fields, &format!("prima_{}", p.as_str())));
        let resolution = minutes_of(field(&fields, &format!("risoluzione_{}", p.as_str())));
        match (first, resolution) {
            (Some(f), Some(r)) if f <= r => targets.push((p, f, r)),
            (Some(_), Some(_)) => {
                let error = format!(
                    "Priorità {}: la prima risposta non può arrivare dopo la risoluzione.",
                    p.label().to_lowercase()
                );
                return refuse(&state, &actor, space, "sla", fields, error).await;
            }
            _ => {
                let error = format!(
                    "Priorità {}: indica le ore lavorative con un numero, per esempio 4 o 0,5.",
                    p.label().to_lowercase()
                );
                return refuse(&state, &actor, space, "sla", fields, error).await;
            }
        }
    }
    for (p, f, r) in targets {
        model::set_targets(&state.db, space.id, p, f, r).await?;
    }
    Ok(saved(&space, "sla"))
}

fn name_of(fields: &Fields, name: &str) -> Result<String, String> {
    let text = field(fields, name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() || text.chars().count() > MAX_NAME {
        return Err(format!("Scrivi il nome (al massimo {MAX_NAME} caratteri)."));
    }
    Ok(text)
}

pub async fn create_team(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Form(fields): Form<Fields>,
) -> Result<Response, Error> {
    guard(&actor, &space, &fields)?;
    let name = match name_of(&fields, "nome") {
        Ok(n) => n,
        Err(e) => return refuse(&state, &actor, space, "gruppo", fields, e).await,
    };
    let strategy = Strategy::parse(field(&fields, "assegnazione")).unwrap_or(Strategy::RoundRobin);
    let team = model::create_team(&state.db, space.id, &name, strategy, None).await?;
    record(
        &state,
        &actor,
        &from,
        "helpdesk.team.create",
        format!("helpdesk_team:{}", team.id),
        Some(space.id),
        serde_json::json!({ "name": name }),
    )
    .await?;
    Ok(saved(&space, &format!("gruppo-{}", team.id)))
}

/// Whether the person may work the space's tickets: only they can join its teams.
fn works_here(
    person: &identity::model::person::Model,
    grants: Vec<identity::Grant>,
    space: &Space,
) -> bool {
    let actor = Actor::Person(Person {
        id: person.id,
        email: person.email.clone(),
        display_name: person.display_name.clone(),
        grants,
        csrf_token: String::new(),
        password_temporary: false,
    });
    allows(&actor, Action::WorkTickets(space))
}

pub async fn save_team(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Form(fields): Form<Fields>,
) -> Result<Response, Error> {
    guard(&actor, &space, &fields)?;
    let db = &state.db;
    let team = model::teams_of(db, space.id)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(Error::NotFound)?;
    let form = format!("gruppo-{id}");
    let name = match name_of(&fields, "nome") {
        Ok(n) => n,
        Err(e) => return refuse(&state, &actor, space, &form, fields, e).await,
    };
    let strategy = Strategy::parse(field(&fields, "assegnazione")).unwrap_or(Strategy::RoundRobin);
    let members = model::members_of(db, id).await?;
    // Each member: available, away, or out of the team.
    let mut changes = Vec::new();
    for m in &members {
        match field(&fields, &format!("operatore_{}", m.person_id)) {
            "disponibile" => changes.push((m.person_id, Some(true))),
            "assente" => changes.push((m.person_id, Some(false))),
            "togli" => changes.push((m.person_id, None)),
            _ => {}
        }
    }
    let added = field(&fields, "aggiungi").trim().to_lowercase();
    let mut new_member = None;
    if !added.is_empty() {
        let found = identity::find_by_email(db, &added).await?;
        let eligible = match &found {
            Some(p) => works_here(p, identity::grants_of(db, p.id).await?, &space),
            None => false,
        };
        match found {
            Some(p) if eligible => new_member = Some(p.id),
            _ => {
                let error = format!(
                    "{added} non è un operatore dell'assistenza di {}: assegnagli prima il ruolo \
                     «Operatore help desk» nella pagina dei ruoli.",
                    space.name
                );
                return refuse(&state, &actor, space, &form, fields, error).await;
            }
        }
    }
    let lead = match field(&fields, "responsabile") {
        "" => None,
        text => match text.parse::<i32>() {
            Ok(p) if members.iter().any(|m| m.person_id == p) || new_member == Some(p) => Some(p),
            _ => {
                let error = "Il responsabile deve essere un operatore del gruppo.".into();
                return refuse(&state, &actor, space, &form, fields, error).await;
            }
        },
    };
    for (person_id, available) in changes {
        match available {
            Some(a) => model::set_member(db, id, person_id, a).await?,
            None => {
                if let Some(m) = members.iter().find(|m| m.person_id == person_id) {
                    m.clone().delete(db).await?;
                }
            }
        }
    }
    if let Some(p) = new_member {
        model::set_member(db, id, p, true).await?;
    }
    let mut active: model::team::ActiveModel = team.into();
    active.name = sea_orm::ActiveValue::Set(name.clone());
    active.strategy = sea_orm::ActiveValue::Set(strategy.as_str().to_owned());
    active.lead_id = sea_orm::ActiveValue::Set(lead);
    sea_orm::ActiveModelTrait::update(active, db).await?;
    record(
        &state,
        &actor,
        &from,
        "helpdesk.team.update",
        format!("helpdesk_team:{id}"),
        Some(space.id),
        serde_json::json!({ "name": name, "strategy": strategy.as_str() }),
    )
    .await?;
    Ok(saved(&space, &form))
}

/// The module a form names, if it names one this platform has.
fn module_of(state: &AppState, fields: &Fields) -> Result<Option<String>, String> {
    match field(fields, "modulo") {
        "" => Ok(None),
        key if state.registry.get(key).is_some() => Ok(Some(key.to_owned())),
        _ => Err("Il modulo scelto non esiste.".into()),
    }
}

pub async fn create_category(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Form(fields): Form<Fields>,
) -> Result<Response, Error> {
    guard(&actor, &space, &fields)?;
    let name = match name_of(&fields, "nome") {
        Ok(n) => n,
        Err(e) => return refuse(&state, &actor, space, "categoria", fields, e).await,
    };
    let module = match module_of(&state, &fields) {
        Ok(m) => m,
        Err(e) => return refuse(&state, &actor, space, "categoria", fields, e).await,
    };
    model::create_category(&state.db, space.id, &name, module.as_deref()).await?;
    Ok(saved(&space, "categorie"))
}

pub async fn create_rule(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Form(fields): Form<Fields>,
) -> Result<Response, Error> {
    guard(&actor, &space, &fields)?;
    let Some(team) = team_in(&state, &space, field(&fields, "gruppo")).await? else {
        let error = "Scegli il gruppo che riceve i ticket.".into();
        return refuse(&state, &actor, space, "regola", fields, error).await;
    };
    let categories = model::categories_of(&state.db, space.id).await?;
    let category = match field(&fields, "categoria") {
        "" => None,
        text => match text.parse::<i32>() {
            Ok(c) if categories.iter().any(|x| x.id == c) => Some(c),
            _ => {
                let error = "La categoria scelta non esiste più.".into();
                return refuse(&state, &actor, space, "regola", fields, error).await;
            }
        },
    };
    let module = match module_of(&state, &fields) {
        Ok(m) => m,
        Err(e) => return refuse(&state, &actor, space, "regola", fields, e).await,
    };
    let requester_space = match field(&fields, "spazio") {
        "" => None,
        text => match text.parse::<i32>() {
            Ok(s) if spaces::by_id(&state.db, s).await?.is_some() => Some(s),
            _ => {
                let error = "Lo spazio scelto non esiste.".into();
                return refuse(&state, &actor, space, "regola", fields, error).await;
            }
        },
    };
    let criteria = Subject {
        category_id: category,
        module_key: module,
        requester_space_id: requester_space,
    };
    model::add_rule(&state.db, space.id, criteria, team).await?;
    Ok(saved(&space, "regole"))
}

pub async fn delete_rule(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Form(fields): Form<Fields>,
) -> Result<Response, Error> {
    guard(&actor, &space, &fields)?;
    let rule = model::rules_of(&state.db, space.id)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(Error::NotFound)?;
    rule.delete(&state.db).await?;
    Ok(saved(&space, "regole"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_written_and_read_in_hours() {
        assert_eq!(minutes_of("4"), Some(240));
        assert_eq!(minutes_of(" 0,5 "), Some(30));
        assert_eq!(minutes_of("1.25"), Some(75));
        assert_eq!(minutes_of("0"), None);
        assert_eq!(minutes_of("-3"), None);
        assert_eq!(minutes_of("tanto"), None);
        assert_eq!(minutes_of("NaN"), None);
        assert_eq!(hours_of(240), "4");
        assert_eq!(hours_of(30), "0,5");
        assert_eq!(hours_of(75), "1,25");
        for minutes in 1..600 {
            assert_eq!(minutes_of(&hours_of(minutes)), Some(minutes));
        }
    }
}
