//! SLA alerts to a team's lead: an e-mail when a ticket enters the last quarter of the business
//! time to a deadline (first response or resolution) and another once the deadline passes.
//! Opening, re-prioritising or re-routing a ticket queues delayed jobs at those instants; each
//! job looks at the ticket again when it runs and mails only if the alert still holds and was
//! not sent before for that ticket, deadline and level (a table with a unique key remembers
//! them, so a job run twice or queued again never mails twice).

use crate::model::{self, EventKind, Status, team, ticket};
use crate::sla::{Schedule, Standing};
use chrono::{DateTime, Utc};
use pico_kernel::identity::model::person;
use pico_kernel::jobs::{self, Handler, Outcome};
use pico_kernel::mail::{self, Mail};
use pico_kernel::{AppState, spaces};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, SqlErr,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};

pub const JOB: &str = "helpdesk.sla_alert";

pub mod sent {
    use sea_orm::entity::prelude::*;

    /// An SLA alert already mailed: one per ticket, deadline and level.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_sla_alert")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub ticket_id: i32,
        /// `first_response` or `resolution`.
        pub deadline: String,
        /// `at_risk` or `breached`.
        pub level: String,
        pub lead_id: i32,
        pub sent_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deadline {
    FirstResponse,
    Resolution,
}

impl Deadline {
    fn as_str(self) -> &'static str {
        match self {
            Deadline::FirstResponse => "first_response",
            Deadline::Resolution => "resolution",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Deadline::FirstResponse => "prima risposta",
            Deadline::Resolution => "risoluzione",
        }
    }

    fn due(self, t: &ticket::Model) -> DateTime<Utc> {
        match self {
            Deadline::FirstResponse => t.first_response_due,
            Deadline::Resolution => t.resolution_due,
        }
    }

    /// Whether the team still owes what the deadline is about.
    fn pending(self, t: &ticket::Model) -> bool {
        let open = Status::parse(&t.status).is_some_and(Status::is_open);
        match self {
            Deadline::FirstResponse => open && t.first_response_at.is_none(),
            Deadline::Resolution => open,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    AtRisk,
    Breached,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::AtRisk => "at_risk",
            Level::Breached => "breached",
        }
    }

    fn standing(self) -> Standing {
        match self {
            Level::AtRisk => Standing::AtRisk,
            Level::Breached => Standing::Breached,
        }
    }
}

/// What a queued alert is about, as it was when queued.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Alert {
    pub ticket_id: i32,
    pub deadline: Deadline,
    pub level: Level,
    /// The deadline, in Unix seconds: a ticket whose deadline moved since is not alerted by
    /// this job (the change queued its own).
    pub due: i64,
    pub team_id: i32,
}

/// The instant a ticket enters the last quarter of the business time from `started` to `due`,
/// as [`Schedule::standing`] counts it.
pub fn at_risk_from(
    schedule: &Schedule,
    started: DateTime<Utc>,
    due: DateTime<Utc>,
) -> DateTime<Utc> {
    let total = schedule.between(started, due);
    schedule.add(started, total - total / 4)
}

/// Queues the alerts of a ticket's current deadlines and team; nothing when it has no team.
pub async fn schedule(
    db: &impl ConnectionTrait,
    schedule: &Schedule,
    t: &ticket::Model,
) -> Result<(), DbErr> {
    let Some(team_id) = t.team_id else {
        return Ok(());
    };
    for deadline in [Deadline::FirstResponse, Deadline::Resolution] {
        if !deadline.pending(t) {
            continue;
        }
        let due = deadline.due(t);
        let at_risk = at_risk_from(schedule, t.created_at, due);
        for (level, at) in [(Level::AtRisk, at_risk), (Level::Breached, due)] {
            let alert = Alert {
                ticket_id: t.id,
                deadline,
                level,
                due: due.timestamp(),
                team_id,
            };
            let payload = serde_json::to_value(alert).expect("an alert is plain data");
            jobs::enqueue_at(db, JOB, payload, at).await?;
        }
    }
    Ok(())
}

/// Sends the alert if it still holds at `now`; returns whether a mail was queued.
pub async fn deliver(state: &AppState, alert: &Alert, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let db = &state.db;
    let Some(t) = ticket::Entity::find_by_id(alert.ticket_id).one(db).await? else {
        return Ok(false);
    };
    let due = alert.deadline.due(&t);
    if !alert.deadline.pending(&t)
        || due.timestamp() != alert.due
        || t.team_id != Some(alert.team_id)
    {
        return Ok(false);
    }
    let schedule = model::schedule(db, t.space_id).await?;
    if schedule.standing(t.created_at, due, now) != alert.level.standing() {
        return Ok(false);
    }
    let Some(lead) = team::Entity::find_by_id(alert.team_id)
        .one(db)
        .await?
        .and_then(|team| team.lead_id)
    else {
        return Ok(false);
    };
    let Some(lead_email) = person::Entity::find_by_id(lead)
        .one(db)
        .await?
        .map(|p| p.email)
    else {
        return Ok(false);
    };
    let Some(space) = spaces::by_id(db, t.space_id).await? else {
        return Ok(false);
    };
    let txn = db.begin().await?;
    let inserted = sent::ActiveModel {
        ticket_id: Set(t.id),
        deadline: Set(alert.deadline.as_str().to_owned()),
        level: Set(alert.level.as_str().to_owned()),
        lead_id: Set(lead),
        sent_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Ok(false);
        }
        Err(e) => return Err(e),
    }
    let link = state
        .config
        .url(&space.path_to(&format!("/helpdesk/ticket/{}", t.id)));
    let when = crate::tickets::when(due);
    let (subject, body, trace) = match alert.level {
        Level::AtRisk => (
            format!("[Ticket n. {}] SLA a rischio: {}", t.id, t.subject),
            format!(
                "La richiesta «{}» (ticket n. {}) è a rischio: la scadenza per la {} è il \
                 {when} e manca meno di un quarto del tempo.\n\nPer seguirla: {link}\n",
                t.subject,
                t.id,
                alert.deadline.label()
            ),
            format!(
                "SLA a rischio ({}, scadenza {when}) notificato al responsabile.",
                alert.deadline.label()
            ),
        ),
        Level::Breached => (
            format!("[Ticket n. {}] SLA violato: {}", t.id, t.subject),
            format!(
                "La richiesta «{}» (ticket n. {}) ha superato la scadenza per la {}, che era \
                 il {when}.\n\nPer seguirla: {link}\n",
                t.subject,
                t.id,
                alert.deadline.label()
            ),
            format!(
                "SLA violato ({}, scadenza {when}) notificato al responsabile.",
                alert.deadline.label()
            ),
        ),
    };
    mail::queue(
        &txn,
        Mail {
            to: lead_email,
            subject,
            body,
            ..Mail::default()
        },
    )
    .await?;
    model::record(&txn, t.id, None, EventKind::Sla, trace, false, now).await?;
    txn.commit().await?;
    Ok(true)
}

/// Runs the queued alerts.
pub struct AlertJob;

#[async_trait::async_trait]
impl Handler for AlertJob {
    fn kind(&self) -> &'static str {
        JOB
    }

    async fn run(&self, state: &AppState, payload: serde_json::Value) -> anyhow::Result<Outcome> {
        let alert: Alert = serde_json::from_value(payload)?;
        deliver(state, &alert, Utc::now()).await?;
        Ok(Outcome::Done)
    }
}
