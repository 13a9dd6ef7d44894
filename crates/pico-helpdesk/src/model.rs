//! Teams, categories, routing rules, SLA targets and tickets, and the rules that move them.
//! A requester reads a ticket's timeline only through [`public_timeline`], which never returns
//! an internal note.

use crate::routing::{self, Candidate, Strategy, Subject};
use crate::sla::{self, Schedule};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};

pub mod team {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_team")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        pub name: String,
        /// The person answering for the team (notified of tickets at risk, later).
        pub lead_id: Option<i32>,
        /// See [`crate::routing::Strategy`].
        pub strategy: String,
        /// Who took the team's previous ticket, for round robin.
        pub last_assigned_id: Option<i32>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod member {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_member")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub team_id: i32,
        pub person_id: i32,
        /// Away (holidays, sick leave): gets no new ticket.
        pub available: bool,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod settings {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_settings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        /// JSON array of seven texts, Monday first, each as [`crate::sla::parse_day`] reads.
        pub hours: String,
        /// The patron saint's day, `gg/mm`.
        pub patron: Option<String>,
        /// Takes the tickets no routing rule matches.
        pub default_team_id: Option<i32>,
        /// For how many days a requester's reply reopens a resolved ticket.
        pub reopen_days: i32,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod category {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_category")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        pub name: String,
        /// The module the category is about, if any: offered first to who comes from it.
        pub module_key: Option<String>,
        pub position: i32,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod rule {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_rule")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        pub position: i32,
        pub category_id: Option<i32>,
        pub module_key: Option<String>,
        pub requester_space_id: Option<i32>,
        pub team_id: i32,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sla_target {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_sla")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        /// See [`crate::model::Priority`].
        pub priority: String,
        /// Business minutes.
        pub first_response_minutes: i32,
        pub resolution_minutes: i32,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod ticket {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_ticket")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        /// The space whose help desk handles the ticket.
        pub space_id: i32,
        pub requester_id: i32,
        pub category_id: Option<i32>,
        /// The module the requester came from.
        pub module_key: Option<String>,
        pub requester_space_id: Option<i32>,
        pub subject: String,
        pub description: String,
        /// See [`crate::model::Status`].
        pub status: String,
        /// See [`crate::model::Priority`].
        pub priority: String,
        pub team_id: Option<i32>,
        pub assignee_id: Option<i32>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub first_response_due: DateTimeUtc,
        pub resolution_due: DateTimeUtc,
        pub first_response_at: Option<DateTimeUtc>,
        pub resolved_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod event {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_event")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub ticket_id: i32,
        /// `None` for what the platform did by itself (routing, assignment).
        pub author_id: Option<i32>,
        /// See [`crate::model::EventKind`].
        pub kind: String,
        /// The text of a reply or note, or a description of the change.
        pub body: String,
        /// Whether the requester sees it; internal notes and the team's changes are not.
        pub public: bool,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod attachment {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_attachment")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub ticket_id: i32,
        /// In the storage, under a random folder; served only through the ticket's page.
        pub key: String,
        pub filename: String,
        pub mime: String,
        pub size: i64,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod guest {
    use sea_orm::entity::prelude::*;

    /// The requester of a ticket opened without an account.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_guest")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub ticket_id: i32,
        pub name: String,
        /// Lower-case.
        pub email: String,
        /// Upper-case, validated.
        pub fiscal_code: Option<String>,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod guest_link {
    use sea_orm::entity::prelude::*;

    /// A private link by which a guest follows their ticket. Each message to the guest carries
    /// a new one; all stay valid while the ticket exists.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_guest_link")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub ticket_id: i32,
        /// SHA-256 of the token, hex: the token itself is only in the guest's mailbox.
        #[sea_orm(unique)]
        pub token_hash: String,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// How urgent a ticket is; each has its own SLA targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Priority::Low => "Bassa",
            Priority::Normal => "Normale",
            Priority::High => "Alta",
            Priority::Urgent => "Urgente",
        }
    }

    /// Business minutes to the first response and to the resolution when the space has not
    /// set its own (a working day is seven hours).
    pub fn default_targets(self) -> (i32, i32) {
        match self {
            Priority::Urgent => (60, 7 * 60),
            Priority::High => (4 * 60, 3 * 7 * 60),
            Priority::Normal => (7 * 60, 5 * 7 * 60),
            Priority::Low => (2 * 7 * 60, 10 * 7 * 60),
        }
    }
}

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    New,
    InProgress,
    WaitingForRequester,
    Resolved,
    Closed,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::New,
        Status::InProgress,
        Status::WaitingForRequester,
        Status::Resolved,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::InProgress => "in_progress",
            Status::WaitingForRequester => "waiting",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::New => "Nuovo",
            Status::InProgress => "In lavorazione",
            Status::WaitingForRequester => "In attesa del richiedente",
            Status::Resolved => "Risolto",
            Status::Closed => "Chiuso",
        }
    }

    /// Whether the team still has work to do on it.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed)
    }
}

/// What an entry of a ticket's timeline records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Opened,
    /// A public reply, by an agent or by the requester.
    Reply,
    /// An internal note of the team: never shown to the requester.
    Note,
    Routed,
    Assigned,
    Status,
    Priority,
    Category,
    /// The requester's rating, see [`crate::rating`].
    Rating,
    /// An SLA alert mailed to the team's lead.
    Sla,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Opened => "opened",
            EventKind::Reply => "reply",
            EventKind::Note => "note",
            EventKind::Routed => "routed",
            EventKind::Assigned => "assigned",
            EventKind::Status => "status",
            EventKind::Priority => "priority",
            EventKind::Category => "category",
            EventKind::Rating => "rating",
            EventKind::Sla => "sla",
        }
    }
}

/// The statuses of tickets an agent still works on.
fn open_statuses() -> Vec<&'static str> {
    Status::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(Status::as_str)
        .collect()
}

/// The space's working hours, with the default ones when it has set none or they no longer
/// read (they are checked when saved).
pub async fn schedule(db: &impl ConnectionTrait, space_id: i32) -> Result<Schedule, DbErr> {
    let Some(row) = settings_of(db, space_id).await? else {
        return Ok(Schedule::default());
    };
    Ok(schedule_of(&row).unwrap_or_default())
}

/// The schedule a settings row describes.
pub fn schedule_of(row: &settings::Model) -> Result<Schedule, String> {
    let days: Vec<String> = serde_json::from_str(&row.hours).map_err(|e| e.to_string())?;
    let mut week: [Vec<sla::Interval>; 7] = Default::default();
    for (i, day) in days.iter().take(7).enumerate() {
        week[i] = sla::parse_day(day)?;
    }
    let patron = sla::parse_patron(row.patron.as_deref().unwrap_or_default())?;
    Schedule::new(chrono_tz::Europe::Rome, week, patron)
}

/// For how many days a requester's reply reopens a resolved ticket (a week unless set).
pub async fn reopen_days(db: &impl ConnectionTrait, space_id: i32) -> Result<i32, DbErr> {
    Ok(settings_of(db, space_id)
        .await?
        .map_or(7, |s| s.reopen_days))
}

pub async fn settings_of(
    db: &impl ConnectionTrait,
    space_id: i32,
) -> Result<Option<settings::Model>, DbErr> {
    settings::Entity::find()
        .filter(settings::Column::SpaceId.eq(space_id))
        .one(db)
        .await
}

/// Saves a space's settings, creating them the first time.
pub async fn save_settings(
    db: &impl ConnectionTrait,
    space_id: i32,
    schedule: &Schedule,
    default_team_id: Option<i32>,
    reopen_days: i32,
) -> Result<(), DbErr> {
    let hours = serde_json::to_string(
        &schedule
            .week()
            .iter()
            .map(|day| sla::format_day(day))
            .collect::<Vec<_>>(),
    )
    .expect("texts serialise");
    let patron = schedule.patron().map(|(m, d)| format!("{d:02}/{m:02}"));
    let row = match settings_of(db, space_id).await? {
        Some(row) => settings::ActiveModel {
            id: Set(row.id),
            ..Default::default()
        },
        None => settings::ActiveModel {
            space_id: Set(space_id),
            ..Default::default()
        },
    };
    let mut row = row;
    row.hours = Set(hours);
    row.patron = Set(patron);
    row.default_team_id = Set(default_team_id);
    row.reopen_days = Set(reopen_days);
    row.save(db).await?;
    Ok(())
}

pub async fn create_team(
    db: &impl ConnectionTrait,
    space_id: i32,
    name: &str,
    strategy: Strategy,
    lead_id: Option<i32>,
) -> Result<team::Model, DbErr> {
    team::ActiveModel {
        space_id: Set(space_id),
        name: Set(name.to_owned()),
        lead_id: Set(lead_id),
        strategy: Set(strategy.as_str().to_owned()),
        last_assigned_id: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn teams_of(db: &impl ConnectionTrait, space_id: i32) -> Result<Vec<team::Model>, DbErr> {
    team::Entity::find()
        .filter(team::Column::SpaceId.eq(space_id))
        .order_by_asc(team::Column::Name)
        .all(db)
        .await
}

/// Puts an agent in a team, or changes their availability there.
pub async fn set_member(
    db: &impl ConnectionTrait,
    team_id: i32,
    person_id: i32,
    available: bool,
) -> Result<(), DbErr> {
    let existing = member::Entity::find()
        .filter(member::Column::TeamId.eq(team_id))
        .filter(member::Column::PersonId.eq(person_id))
        .one(db)
        .await?;
    match existing {
        Some(m) => {
            member::ActiveModel {
                id: Set(m.id),
                available: Set(available),
                ..Default::default()
            }
            .update(db)
            .await?;
        }
        None => {
            member::ActiveModel {
                team_id: Set(team_id),
                person_id: Set(person_id),
                available: Set(available),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

pub async fn members_of(
    db: &impl ConnectionTrait,
    team_id: i32,
) -> Result<Vec<member::Model>, DbErr> {
    member::Entity::find()
        .filter(member::Column::TeamId.eq(team_id))
        .order_by_asc(member::Column::PersonId)
        .all(db)
        .await
}

pub async fn create_category(
    db: &impl ConnectionTrait,
    space_id: i32,
    name: &str,
    module_key: Option<&str>,
) -> Result<category::Model, DbErr> {
    let position = category::Entity::find()
        .filter(category::Column::SpaceId.eq(space_id))
        .count(db)
        .await? as i32;
    category::ActiveModel {
        space_id: Set(space_id),
        name: Set(name.to_owned()),
        module_key: Set(module_key.map(str::to_owned)),
        position: Set(position),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn categories_of(
    db: &impl ConnectionTrait,
    space_id: i32,
) -> Result<Vec<category::Model>, DbErr> {
    category::Entity::find()
        .filter(category::Column::SpaceId.eq(space_id))
        .order_by_asc(category::Column::Position)
        .order_by_asc(category::Column::Id)
        .all(db)
        .await
}

/// Adds a routing rule after the space's others.
pub async fn add_rule(
    db: &impl ConnectionTrait,
    space_id: i32,
    criteria: Subject,
    team_id: i32,
) -> Result<rule::Model, DbErr> {
    let position = rule::Entity::find()
        .filter(rule::Column::SpaceId.eq(space_id))
        .count(db)
        .await? as i32;
    rule::ActiveModel {
        space_id: Set(space_id),
        position: Set(position),
        category_id: Set(criteria.category_id),
        module_key: Set(criteria.module_key),
        requester_space_id: Set(criteria.requester_space_id),
        team_id: Set(team_id),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn rules_of(db: &impl ConnectionTrait, space_id: i32) -> Result<Vec<rule::Model>, DbErr> {
    rule::Entity::find()
        .filter(rule::Column::SpaceId.eq(space_id))
        .order_by_asc(rule::Column::Position)
        .order_by_asc(rule::Column::Id)
        .all(db)
        .await
}

/// Sets the targets of a priority in a space (business minutes).
pub async fn set_targets(
    db: &impl ConnectionTrait,
    space_id: i32,
    priority: Priority,
    first_response: i32,
    resolution: i32,
) -> Result<(), DbErr> {
    let existing = sla_target::Entity::find()
        .filter(sla_target::Column::SpaceId.eq(space_id))
        .filter(sla_target::Column::Priority.eq(priority.as_str()))
        .one(db)
        .await?;
    let mut row = match existing {
        Some(t) => sla_target::ActiveModel {
            id: Set(t.id),
            ..Default::default()
        },
        None => sla_target::ActiveModel {
            space_id: Set(space_id),
            priority: Set(priority.as_str().to_owned()),
            ..Default::default()
        },
    };
    row.first_response_minutes = Set(first_response);
    row.resolution_minutes = Set(resolution);
    row.save(db).await?;
    Ok(())
}

/// The targets of a priority in a space: (first response, resolution), business minutes.
pub async fn targets(
    db: &impl ConnectionTrait,
    space_id: i32,
    priority: Priority,
) -> Result<(i32, i32), DbErr> {
    Ok(sla_target::Entity::find()
        .filter(sla_target::Column::SpaceId.eq(space_id))
        .filter(sla_target::Column::Priority.eq(priority.as_str()))
        .one(db)
        .await?
        .map_or(priority.default_targets(), |t| {
            (t.first_response_minutes, t.resolution_minutes)
        }))
}

/// The team of the space that should take a ticket about `subject`.
pub async fn route(
    db: &impl ConnectionTrait,
    space_id: i32,
    subject: &Subject,
) -> Result<Option<i32>, DbErr> {
    let rules: Vec<routing::Rule> = rules_of(db, space_id)
        .await?
        .into_iter()
        .map(|r| routing::Rule {
            position: r.position,
            category_id: r.category_id,
            module_key: r.module_key,
            requester_space_id: r.requester_space_id,
            team_id: r.team_id,
        })
        .collect();
    let default_team = settings_of(db, space_id)
        .await?
        .and_then(|s| s.default_team_id);
    Ok(routing::route(&rules, default_team, subject))
}

/// The agent of `team` who takes its next ticket, if anyone is available.
async fn pick_agent(db: &impl ConnectionTrait, team: &team::Model) -> Result<Option<i32>, DbErr> {
    let mut candidates = Vec::new();
    for m in members_of(db, team.id).await? {
        let open_tickets = ticket::Entity::find()
            .filter(ticket::Column::AssigneeId.eq(m.person_id))
            .filter(ticket::Column::Status.is_in(open_statuses()))
            .count(db)
            .await?;
        candidates.push(Candidate {
            person_id: m.person_id,
            available: m.available,
            open_tickets,
        });
    }
    let strategy = Strategy::parse(&team.strategy).unwrap_or(Strategy::RoundRobin);
    Ok(routing::assign(
        strategy,
        &candidates,
        team.last_assigned_id,
    ))
}

/// What a requester writes when opening a ticket, checked.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub space_id: i32,
    pub requester_id: i32,
    pub category_id: Option<i32>,
    pub module_key: Option<String>,
    pub requester_space_id: Option<i32>,
    pub subject: String,
    pub description: String,
    pub priority: Priority,
}

/// Opens a ticket at `now`: routes it to a team, assigns it to one of the team's agents, sets
/// its SLA deadlines, and starts its timeline. All or nothing.
pub async fn open(
    db: &impl TransactionTrait,
    new: NewTicket,
    now: DateTime<Utc>,
) -> Result<ticket::Model, DbErr> {
    let txn = db.begin().await?;
    let subject = Subject {
        category_id: new.category_id,
        module_key: new.module_key.clone(),
        requester_space_id: new.requester_space_id,
    };
    let team = match route(&txn, new.space_id, &subject).await? {
        Some(id) => team::Entity::find_by_id(id).one(&txn).await?,
        None => None,
    };
    let assignee = match &team {
        Some(team) => pick_agent(&txn, team).await?,
        None => None,
    };
    let schedule = schedule(&txn, new.space_id).await?;
    let (first, resolution) = targets(&txn, new.space_id, new.priority).await?;
    let ticket = ticket::ActiveModel {
        space_id: Set(new.space_id),
        requester_id: Set(new.requester_id),
        category_id: Set(new.category_id),
        module_key: Set(new.module_key),
        requester_space_id: Set(new.requester_space_id),
        subject: Set(new.subject),
        description: Set(new.description),
        status: Set(Status::New.as_str().to_owned()),
        priority: Set(new.priority.as_str().to_owned()),
        team_id: Set(team.as_ref().map(|t| t.id)),
        assignee_id: Set(assignee),
        created_at: Set(now),
        updated_at: Set(now),
        first_response_due: Set(schedule.add(now, first.into())),
        resolution_due: Set(schedule.add(now, resolution.into())),
        first_response_at: Set(None),
        resolved_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record(
        &txn,
        ticket.id,
        Some(new.requester_id),
        EventKind::Opened,
        "Ticket aperto.".into(),
        true,
        now,
    )
    .await?;
    if let Some(team) = &team {
        record(
            &txn,
            ticket.id,
            None,
            EventKind::Routed,
            format!("Assegnato al gruppo «{}».", team.name),
            false,
            now,
        )
        .await?;
        if let Some(agent) = assignee {
            assigned(&txn, ticket.id, team, agent, now).await?;
        }
    }
    crate::alerts::schedule(&txn, &schedule, &ticket).await?;
    txn.commit().await?;
    Ok(ticket)
}

/// Adds an entry to a ticket's timeline.
pub async fn record(
    db: &impl ConnectionTrait,
    ticket_id: i32,
    author_id: Option<i32>,
    kind: EventKind,
    body: String,
    public: bool,
    at: DateTime<Utc>,
) -> Result<event::Model, DbErr> {
    event::ActiveModel {
        ticket_id: Set(ticket_id),
        author_id: Set(author_id),
        kind: Set(kind.as_str().to_owned()),
        body: Set(body),
        public: Set(public),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// What the requester of a ticket sees of its timeline: never an internal note nor the team's
/// own bookkeeping.
pub async fn public_timeline(
    db: &impl ConnectionTrait,
    ticket_id: i32,
) -> Result<Vec<event::Model>, DbErr> {
    event::Entity::find()
        .filter(event::Column::TicketId.eq(ticket_id))
        .filter(event::Column::Public.eq(true))
        .order_by_asc(event::Column::CreatedAt)
        .order_by_asc(event::Column::Id)
        .all(db)
        .await
}

/// The whole timeline, for the team.
pub async fn timeline(
    db: &impl ConnectionTrait,
    ticket_id: i32,
) -> Result<Vec<event::Model>, DbErr> {
    event::Entity::find()
        .filter(event::Column::TicketId.eq(ticket_id))
        .order_by_asc(event::Column::CreatedAt)
        .order_by_asc(event::Column::Id)
        .all(db)
        .await
}

pub async fn attach(
    db: &impl ConnectionTrait,
    ticket_id: i32,
    key: &str,
    filename: &str,
    mime: &str,
    size: usize,
) -> Result<attachment::Model, DbErr> {
    attachment::ActiveModel {
        ticket_id: Set(ticket_id),
        key: Set(key.to_owned()),
        filename: Set(filename.to_owned()),
        mime: Set(mime.to_owned()),
        size: Set(size as i64),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn attachments_of(
    db: &impl ConnectionTrait,
    ticket_id: i32,
) -> Result<Vec<attachment::Model>, DbErr> {
    attachment::Entity::find()
        .filter(attachment::Column::TicketId.eq(ticket_id))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await
}

/// Whether the requester may still write on the ticket: while it is open, and for
/// `reopen_days` after it was resolved (their reply then reopens it).
pub fn requester_may_reply(t: &ticket::Model, reopen_days: i32, now: DateTime<Utc>) -> bool {
    match Status::parse(&t.status) {
        Some(Status::Resolved) => t
            .resolved_at
            .is_some_and(|at| now <= at + chrono::Duration::days(reopen_days.into())),
        Some(s) => s.is_open(),
        None => false,
    }
}

async fn set_status(
    db: &impl ConnectionTrait,
    active: &mut ticket::ActiveModel,
    from: Status,
    to: Status,
    author: Option<i32>,
    ticket_id: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if from == to {
        return Ok(());
    }
    active.status = Set(to.as_str().to_owned());
    active.resolved_at = Set((to == Status::Resolved).then_some(now));
    let body = if from == Status::Resolved && to == Status::InProgress {
        "Riaperto: stato «In lavorazione».".to_owned()
    } else {
        format!("Stato: «{}».", to.label())
    };
    record(db, ticket_id, author, EventKind::Status, body, true, now).await?;
    Ok(())
}

/// A reply on the ticket (public) or an internal note of the team. An agent's first public
/// reply stops the first-response clock; a requester's reply brings a ticket waiting for them,
/// or recently resolved, back to the team.
pub async fn add_message(
    db: &impl ConnectionTrait,
    t: &ticket::Model,
    author: i32,
    text: &str,
    note: bool,
    by_requester: bool,
    now: DateTime<Utc>,
) -> Result<ticket::Model, DbErr> {
    let kind = if note {
        EventKind::Note
    } else {
        EventKind::Reply
    };
    record(db, t.id, Some(author), kind, text.to_owned(), !note, now).await?;
    let mut active: ticket::ActiveModel = t.clone().into();
    active.updated_at = Set(now);
    let status = Status::parse(&t.status).unwrap_or(Status::New);
    if !note {
        if by_requester {
            if matches!(status, Status::WaitingForRequester | Status::Resolved) {
                set_status(
                    db,
                    &mut active,
                    status,
                    Status::InProgress,
                    Some(author),
                    t.id,
                    now,
                )
                .await?;
            }
        } else {
            if t.first_response_at.is_none() {
                active.first_response_at = Set(Some(now));
            }
            if status == Status::New {
                set_status(
                    db,
                    &mut active,
                    status,
                    Status::InProgress,
                    Some(author),
                    t.id,
                    now,
                )
                .await?;
            }
        }
    }
    active.update(db).await
}

/// What an agent may change on a ticket at once.
#[derive(Debug, Clone)]
pub struct Change {
    pub status: Status,
    pub priority: Priority,
    pub category_id: Option<i32>,
    pub team_id: Option<i32>,
}

/// Applies an agent's changes, each one recorded on the timeline. A new priority recomputes
/// the deadlines from the opening; a new team takes the ticket with its own assignment, and
/// the earlier team stays in the history.
pub async fn change(
    db: &impl ConnectionTrait,
    t: &ticket::Model,
    author: i32,
    change: Change,
    now: DateTime<Utc>,
) -> Result<ticket::Model, DbErr> {
    let mut active: ticket::ActiveModel = t.clone().into();
    active.updated_at = Set(now);
    let status = Status::parse(&t.status).unwrap_or(Status::New);
    set_status(
        db,
        &mut active,
        status,
        change.status,
        Some(author),
        t.id,
        now,
    )
    .await?;
    if change.priority.as_str() != t.priority {
        let schedule = schedule(db, t.space_id).await?;
        let (first, resolution) = targets(db, t.space_id, change.priority).await?;
        active.priority = Set(change.priority.as_str().to_owned());
        active.first_response_due = Set(schedule.add(t.created_at, first.into()));
        active.resolution_due = Set(schedule.add(t.created_at, resolution.into()));
        let body = format!("Priorità: «{}».", change.priority.label());
        record(
            db,
            t.id,
            Some(author),
            EventKind::Priority,
            body,
            false,
            now,
        )
        .await?;
    }
    if change.category_id != t.category_id {
        let name = match change.category_id {
            Some(id) => category::Entity::find_by_id(id)
                .one(db)
                .await?
                .map_or_else(String::new, |c| c.name),
            None => "nessuna".into(),
        };
        active.category_id = Set(change.category_id);
        let body = format!("Categoria: «{name}».");
        record(
            db,
            t.id,
            Some(author),
            EventKind::Category,
            body,
            false,
            now,
        )
        .await?;
    }
    if change.team_id != t.team_id {
        let name = |team: Option<&team::Model>| {
            team.map_or_else(|| "nessuno".to_owned(), |t| t.name.clone())
        };
        let before = match t.team_id {
            Some(id) => team::Entity::find_by_id(id).one(db).await?,
            None => None,
        };
        let after = match change.team_id {
            Some(id) => team::Entity::find_by_id(id).one(db).await?,
            None => None,
        };
        let body = format!(
            "Spostato dal gruppo «{}» al gruppo «{}».",
            name(before.as_ref()),
            name(after.as_ref())
        );
        record(db, t.id, Some(author), EventKind::Routed, body, false, now).await?;
        active.team_id = Set(change.team_id);
        let assignee = match &after {
            Some(team) => pick_agent(db, team).await?,
            None => None,
        };
        active.assignee_id = Set(assignee);
        if let (Some(team), Some(agent)) = (&after, assignee) {
            assigned(db, t.id, team, agent, now).await?;
        }
    }
    let updated = active.update(db).await?;
    if updated.priority != t.priority || updated.team_id != t.team_id {
        let schedule = schedule(db, t.space_id).await?;
        crate::alerts::schedule(db, &schedule, &updated).await?;
    }
    Ok(updated)
}

/// Records that `agent` of `team` took the ticket, and remembers it for round robin.
async fn assigned(
    db: &impl ConnectionTrait,
    ticket_id: i32,
    team: &team::Model,
    agent: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    team::ActiveModel {
        id: Set(team.id),
        last_assigned_id: Set(Some(agent)),
        ..Default::default()
    }
    .update(db)
    .await?;
    let name = pico_kernel::identity::model::person::Entity::find_by_id(agent)
        .one(db)
        .await?
        .map_or_else(|| format!("#{agent}"), |p| p.display_name);
    record(
        db,
        ticket_id,
        None,
        EventKind::Assigned,
        format!("Preso in carico da {name}."),
        false,
        now,
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Guests: people without an account who ask for help (typically because they cannot sign in).

/// The e-mail of the placeholder person every guest ticket names as requester. A ticket must
/// name a person; this one is like a forgotten account (no password, `deleted_at` set, an
/// address that cannot receive mail), so nobody can sign in as it and nothing is sent to it.
pub const GUEST_EMAIL: &str = "richiedente-senza-account@pico.invalid";

/// The placeholder person of guest tickets, made on first use.
pub async fn guest_person(db: &impl ConnectionTrait) -> Result<i32, DbErr> {
    use pico_kernel::identity::model::person;
    let find = || {
        person::Entity::find()
            .filter(person::Column::Email.eq(GUEST_EMAIL))
            .one(db)
    };
    if let Some(p) = find().await? {
        return Ok(p.id);
    }
    let now = Utc::now();
    let inserted = person::ActiveModel {
        email: Set(GUEST_EMAIL.into()),
        display_name: Set("Richiedente senza account".into()),
        password_hash: Set(String::new()),
        is_demo: Set(false),
        created_at: Set(now),
        last_login_at: Set(None),
        email_confirmed_at: Set(None),
        fiscal_code: Set(None),
        phone: Set(None),
        deleted_at: Set(Some(now)),
        password_temporary: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(p) => Ok(p.id),
        // Made meanwhile by another request.
        Err(e) => find().await?.map(|p| p.id).ok_or(e),
    }
}

fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Who asks without an account, checked.
#[derive(Debug, Clone)]
pub struct Guest {
    pub name: String,
    pub email: String,
    pub fiscal_code: Option<String>,
}

/// Opens a guest's ticket like any other (routing, assignment, SLA); returns it with the
/// token of its first private link.
pub async fn open_guest(
    db: &impl TransactionTrait,
    mut new: NewTicket,
    guest: Guest,
    now: DateTime<Utc>,
) -> Result<(ticket::Model, String), DbErr> {
    let txn = db.begin().await?;
    new.requester_id = guest_person(&txn).await?;
    let ticket = open(&txn, new, now).await?;
    guest::ActiveModel {
        ticket_id: Set(ticket.id),
        name: Set(guest.name),
        email: Set(guest.email),
        fiscal_code: Set(guest.fiscal_code),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let token = new_guest_link(&txn, ticket.id).await?;
    txn.commit().await?;
    Ok((ticket, token))
}

/// A new private link to a guest's ticket; returns its token, which is not stored.
pub async fn new_guest_link(db: &impl ConnectionTrait, ticket_id: i32) -> Result<String, DbErr> {
    let token = pico_kernel::identity::sessions::random_token();
    guest_link::ActiveModel {
        ticket_id: Set(ticket_id),
        token_hash: Set(token_hash(&token)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The guest who opened the ticket, if a guest did.
pub async fn guest_of(
    db: &impl ConnectionTrait,
    ticket_id: i32,
) -> Result<Option<guest::Model>, DbErr> {
    guest::Entity::find()
        .filter(guest::Column::TicketId.eq(ticket_id))
        .one(db)
        .await
}

/// The ticket of this space a guest's link opens, with its guest.
pub async fn by_guest_token(
    db: &impl ConnectionTrait,
    space_id: i32,
    token: &str,
) -> Result<Option<(ticket::Model, guest::Model)>, DbErr> {
    let Some(link) = guest_link::Entity::find()
        .filter(guest_link::Column::TokenHash.eq(token_hash(token)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(ticket) = ticket::Entity::find_by_id(link.ticket_id)
        .one(db)
        .await?
        .filter(|t| t.space_id == space_id)
    else {
        return Ok(None);
    };
    Ok(guest_of(db, ticket.id).await?.map(|g| (ticket, g)))
}
