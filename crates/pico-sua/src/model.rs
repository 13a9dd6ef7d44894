//! The SUA's entities and the queries over them. Every query takes the space, so that one
//! Province never reads another's rows.

use crate::domain::{Phase, RequestStatus};
use chrono::{NaiveDate, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, Condition, QueryOrder, TransactionTrait};

pub mod request {
    use sea_orm::entity::prelude::*;

    /// A request of an Ente for a tender on delegation (*richiesta di gara su delega*).
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sua_request")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        /// The Ente asking, on whose behalf the tender will run (the *titolare*).
        pub comune_id: i32,
        pub object: String,
        pub contract_type: String,
        pub amount_cents: i64,
        /// Eight-digit CPV codes, separated by spaces.
        pub cpv_codes: String,
        pub procedure: String,
        pub timeline: String,
        pub status: String,
        pub refusal_reason: Option<String>,
        pub created_by: i32,
        pub created_at: DateTimeUtc,
        pub decided_by: Option<i32>,
        pub decided_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod tender {
    use sea_orm::entity::prelude::*;

    /// A tender (*gara*) the SUA runs, in ANAC's shapes.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sua_tender")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        #[sea_orm(unique)]
        pub request_id: Option<i32>,
        /// The Ente for whom the SUA acts.
        pub titolare_comune_id: i32,
        pub object: String,
        pub contract_type: String,
        pub amount_cents: i64,
        pub cpv_codes: String,
        pub procedure: String,
        pub phase: String,
        /// CIG (*Codice Identificativo Gara*), once ANAC gave it.
        pub cig: Option<String>,
        /// CUP (*Codice Unico di Progetto*), where the spending belongs to a public project.
        pub cup: Option<String>,
        /// The contracting station: its fiscal code and its code in ANAC's register (AUSA).
        pub station_fiscal_code: String,
        pub ausa_code: String,
        /// RUP (*Responsabile Unico del Progetto*): the officer answerable for the tender.
        pub rup_name: String,
        /// PAD: the certified e-procurement platform where the bidding happens.
        pub pad_name: String,
        pub pad_url: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        /// The RUP chosen from the registry, if any (`rup_name` keeps the name either way).
        pub rup_id: Option<i32>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod phase {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sua_phase")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub tender_id: i32,
        pub phase: String,
        pub deadline: Option<Date>,
        pub responsible: String,
        pub started_at: Option<DateTimeUtc>,
        pub completed_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod participant {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sua_participant")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub tender_id: i32,
        pub comune_id: i32,
        pub added_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod document {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sua_document")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        pub request_id: Option<i32>,
        pub tender_id: Option<i32>,
        pub phase: Option<String>,
        pub key: String,
        pub filename: String,
        pub uploaded_by: i32,
        pub uploaded_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod event {
    use sea_orm::entity::prelude::*;

    /// One line of the timeline of a request and of its tender.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sua_event")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        pub request_id: Option<i32>,
        pub tender_id: Option<i32>,
        pub person_id: Option<i32>,
        pub kind: String,
        pub summary: String,
        pub at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod award {
    use sea_orm::entity::prelude::*;

    /// The winning bidder of a tender (*aggiudicatario*).
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sua_award")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub tender_id: i32,
        pub supplier_name: String,
        /// Partita IVA (11 digits) or codice fiscale (16 characters).
        pub supplier_fiscal_code: String,
        pub amount_cents: i64,
        pub awarded_on: Date,
        pub recorded_by: i32,
        pub recorded_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod check {
    use sea_orm::entity::prelude::*;

    /// One requirement checked on the winning bidder, with its outcome and evidence.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sua_check")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub tender_id: i32,
        pub area: String,
        pub requirement: String,
        pub outcome: String,
        pub checked_on: Option<Date>,
        /// Where the proof is: a protocol number, a certificate and its date.
        pub evidence: String,
        pub checked_by: Option<i32>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod message {
    use sea_orm::entity::prelude::*;

    /// One message of the support thread between an Ente of a tender and the operators.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sua_message")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub tender_id: i32,
        pub comune_id: i32,
        pub author_id: i32,
        pub from_operator: bool,
        pub body: String,
        pub at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod rup {
    use sea_orm::entity::prelude::*;

    /// Someone able to act as RUP (*responsabile unico del progetto*), in a Province's registry.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sua_rup")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        pub name: String,
        pub comune_id: Option<i32>,
        pub qualification: String,
        pub works: bool,
        pub services: bool,
        pub supplies: bool,
        pub email: String,
        pub phone: String,
        pub available: bool,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// What an Ente asks for.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub space_id: i32,
    pub comune_id: i32,
    pub object: String,
    pub contract_type: String,
    pub amount_cents: i64,
    pub cpv_codes: Vec<String>,
    pub procedure: String,
    pub timeline: String,
    pub created_by: i32,
}

/// A document received with a request or added to a tender.
pub struct NewDocument {
    pub key: String,
    pub filename: String,
}

pub(crate) async fn log(
    db: &impl ConnectionTrait,
    space_id: i32,
    (request_id, tender_id): (Option<i32>, Option<i32>),
    person_id: Option<i32>,
    kind: &str,
    summary: String,
) -> Result<(), DbErr> {
    event::ActiveModel {
        space_id: Set(space_id),
        request_id: Set(request_id),
        tender_id: Set(tender_id),
        person_id: Set(person_id),
        kind: Set(kind.into()),
        summary: Set(summary),
        at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn create_request(
    db: &DatabaseConnection,
    new: NewRequest,
    documents: Vec<NewDocument>,
) -> Result<request::Model, DbErr> {
    let txn = db.begin().await?;
    let made = request::ActiveModel {
        space_id: Set(new.space_id),
        comune_id: Set(new.comune_id),
        object: Set(new.object),
        contract_type: Set(new.contract_type),
        amount_cents: Set(new.amount_cents),
        cpv_codes: Set(new.cpv_codes.join(" ")),
        procedure: Set(new.procedure),
        timeline: Set(new.timeline),
        status: Set(RequestStatus::Pending.key().into()),
        created_by: Set(new.created_by),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for doc in documents {
        document::ActiveModel {
            space_id: Set(made.space_id),
            request_id: Set(Some(made.id)),
            key: Set(doc.key),
            filename: Set(doc.filename),
            uploaded_by: Set(made.created_by),
            uploaded_at: Set(made.created_at),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    log(
        &txn,
        made.space_id,
        (Some(made.id), None),
        Some(made.created_by),
        "request.create",
        "Richiesta di gara su delega inviata alla Provincia.".into(),
    )
    .await?;
    txn.commit().await?;
    Ok(made)
}

/// The requests of a space, the newest first; only those of `comuni` when given.
pub async fn requests(
    db: &impl ConnectionTrait,
    space_id: i32,
    comuni: Option<&[i32]>,
) -> Result<Vec<request::Model>, DbErr> {
    let mut query = request::Entity::find().filter(request::Column::SpaceId.eq(space_id));
    if let Some(comuni) = comuni {
        query = query.filter(request::Column::ComuneId.is_in(comuni.iter().copied()));
    }
    query
        .order_by_desc(request::Column::CreatedAt)
        .order_by_desc(request::Column::Id)
        .all(db)
        .await
}

pub async fn find_request(
    db: &impl ConnectionTrait,
    space_id: i32,
    id: i32,
) -> Result<Option<request::Model>, DbErr> {
    request::Entity::find_by_id(id)
        .filter(request::Column::SpaceId.eq(space_id))
        .one(db)
        .await
}

pub async fn tender_of_request(
    db: &impl ConnectionTrait,
    request_id: i32,
) -> Result<Option<tender::Model>, DbErr> {
    tender::Entity::find()
        .filter(tender::Column::RequestId.eq(request_id))
        .one(db)
        .await
}

/// Accepts a pending request and makes its tender, in its first phase. `None` when the
/// request was already decided: nothing is made twice, however many operators click.
pub async fn accept(
    db: &DatabaseConnection,
    request: &request::Model,
    by: i32,
) -> Result<Option<tender::Model>, DbErr> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let claimed = request::Entity::update_many()
        .col_expr(
            request::Column::Status,
            Expr::value(RequestStatus::Accepted.key()),
        )
        .col_expr(request::Column::DecidedBy, Expr::value(by))
        .col_expr(request::Column::DecidedAt, Expr::value(now))
        .filter(request::Column::Id.eq(request.id))
        .filter(request::Column::Status.eq(RequestStatus::Pending.key()))
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Ok(None);
    }
    let first = Phase::ALL[0];
    let made = tender::ActiveModel {
        space_id: Set(request.space_id),
        request_id: Set(Some(request.id)),
        titolare_comune_id: Set(request.comune_id),
        object: Set(request.object.clone()),
        contract_type: Set(request.contract_type.clone()),
        amount_cents: Set(request.amount_cents),
        cpv_codes: Set(request.cpv_codes.clone()),
        procedure: Set(request.procedure.clone()),
        phase: Set(first.key().into()),
        cig: Set(None),
        cup: Set(None),
        station_fiscal_code: Set(String::new()),
        ausa_code: Set(String::new()),
        rup_name: Set(String::new()),
        pad_name: Set(String::new()),
        pad_url: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for phase in Phase::ALL {
        phase::ActiveModel {
            tender_id: Set(made.id),
            phase: Set(phase.key().into()),
            deadline: Set(None),
            responsible: Set(String::new()),
            started_at: Set((*phase == first).then_some(now)),
            completed_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    participant::ActiveModel {
        tender_id: Set(made.id),
        comune_id: Set(request.comune_id),
        added_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    document::Entity::update_many()
        .col_expr(document::Column::TenderId, Expr::value(made.id))
        .filter(document::Column::RequestId.eq(request.id))
        .exec(&txn)
        .await?;
    log(
        &txn,
        request.space_id,
        (Some(request.id), Some(made.id)),
        Some(by),
        "request.accept",
        format!(
            "Richiesta accettata: creata la gara, nella fase «{}».",
            first.label()
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(Some(made))
}

/// Refuses a pending request; `false` when it was already decided.
pub async fn refuse(
    db: &DatabaseConnection,
    request: &request::Model,
    by: i32,
    reason: &str,
) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    let done = request::Entity::update_many()
        .col_expr(
            request::Column::Status,
            Expr::value(RequestStatus::Refused.key()),
        )
        .col_expr(request::Column::RefusalReason, Expr::value(reason))
        .col_expr(request::Column::DecidedBy, Expr::value(by))
        .col_expr(request::Column::DecidedAt, Expr::value(Utc::now()))
        .filter(request::Column::Id.eq(request.id))
        .filter(request::Column::Status.eq(RequestStatus::Pending.key()))
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Ok(false);
    }
    log(
        &txn,
        request.space_id,
        (Some(request.id), None),
        Some(by),
        "request.refuse",
        format!("Richiesta rifiutata. Motivo: {reason}"),
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// The tenders of a space, the newest first; only those where one of `comuni` is the
/// titolare or takes part, when given.
pub async fn tenders(
    db: &impl ConnectionTrait,
    space_id: i32,
    comuni: Option<&[i32]>,
) -> Result<Vec<tender::Model>, DbErr> {
    let mut query = tender::Entity::find().filter(tender::Column::SpaceId.eq(space_id));
    if let Some(comuni) = comuni {
        let taking_part: Vec<i32> = participant::Entity::find()
            .filter(participant::Column::ComuneId.is_in(comuni.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.tender_id)
            .collect();
        query = query.filter(
            Condition::any()
                .add(tender::Column::TitolareComuneId.is_in(comuni.iter().copied()))
                .add(tender::Column::Id.is_in(taking_part)),
        );
    }
    query
        .order_by_desc(tender::Column::CreatedAt)
        .order_by_desc(tender::Column::Id)
        .all(db)
        .await
}

pub async fn find_tender(
    db: &impl ConnectionTrait,
    space_id: i32,
    id: i32,
) -> Result<Option<tender::Model>, DbErr> {
    tender::Entity::find_by_id(id)
        .filter(tender::Column::SpaceId.eq(space_id))
        .one(db)
        .await
}

pub async fn phases(db: &impl ConnectionTrait, tender_id: i32) -> Result<Vec<phase::Model>, DbErr> {
    let mut rows = phase::Entity::find()
        .filter(phase::Column::TenderId.eq(tender_id))
        .all(db)
        .await?;
    rows.sort_by_key(|p| Phase::parse(&p.phase).map_or(usize::MAX, Phase::position));
    Ok(rows)
}

pub async fn participants(
    db: &impl ConnectionTrait,
    tender_id: i32,
) -> Result<Vec<participant::Model>, DbErr> {
    participant::Entity::find()
        .filter(participant::Column::TenderId.eq(tender_id))
        .order_by_asc(participant::Column::AddedAt)
        .order_by_asc(participant::Column::Id)
        .all(db)
        .await
}

pub async fn documents_of_request(
    db: &impl ConnectionTrait,
    request_id: i32,
) -> Result<Vec<document::Model>, DbErr> {
    documents_where(db, document::Column::RequestId.eq(request_id)).await
}

pub async fn documents_of_tender(
    db: &impl ConnectionTrait,
    tender_id: i32,
) -> Result<Vec<document::Model>, DbErr> {
    documents_where(db, document::Column::TenderId.eq(tender_id)).await
}

async fn documents_where(
    db: &impl ConnectionTrait,
    which: Expr,
) -> Result<Vec<document::Model>, DbErr> {
    document::Entity::find()
        .filter(which)
        .order_by_asc(document::Column::Id)
        .all(db)
        .await
}

pub async fn find_document(
    db: &impl ConnectionTrait,
    space_id: i32,
    id: i32,
) -> Result<Option<document::Model>, DbErr> {
    document::Entity::find_by_id(id)
        .filter(document::Column::SpaceId.eq(space_id))
        .one(db)
        .await
}

/// The timeline of a tender (with its request's), the oldest first.
pub async fn timeline(
    db: &impl ConnectionTrait,
    request_id: Option<i32>,
    tender_id: Option<i32>,
) -> Result<Vec<event::Model>, DbErr> {
    let mut which = Condition::any();
    if let Some(id) = request_id {
        which = which.add(event::Column::RequestId.eq(id));
    }
    if let Some(id) = tender_id {
        which = which.add(event::Column::TenderId.eq(id));
    }
    event::Entity::find()
        .filter(which)
        .order_by_asc(event::Column::At)
        .order_by_asc(event::Column::Id)
        .all(db)
        .await
}

/// The ANAC data of a tender, checked.
#[derive(Debug)]
pub struct AnacData {
    pub cig: Option<String>,
    pub cup: Option<String>,
    pub station_fiscal_code: String,
    pub ausa_code: String,
    pub rup_name: String,
    pub pad_name: String,
    pub pad_url: String,
}

pub async fn update_anac(
    db: &DatabaseConnection,
    tender: tender::Model,
    data: AnacData,
    by: i32,
) -> Result<tender::Model, DbErr> {
    let txn = db.begin().await?;
    let mut changed = Vec::new();
    if tender.cig != data.cig {
        changed.push(format!("CIG {}", data.cig.as_deref().unwrap_or("rimosso")));
    }
    if tender.rup_name != data.rup_name {
        changed.push(format!("RUP {}", data.rup_name));
    }
    if tender.pad_name != data.pad_name || tender.pad_url != data.pad_url {
        changed.push(format!("piattaforma {}", data.pad_name));
    }
    if tender.cup != data.cup
        || tender.station_fiscal_code != data.station_fiscal_code
        || tender.ausa_code != data.ausa_code
    {
        changed.push("dati della stazione appaltante e CUP".into());
    }
    let (space_id, request_id, id) = (tender.space_id, tender.request_id, tender.id);
    let mut model: tender::ActiveModel = tender.into();
    model.cig = Set(data.cig);
    model.cup = Set(data.cup);
    model.station_fiscal_code = Set(data.station_fiscal_code);
    model.ausa_code = Set(data.ausa_code);
    model.rup_name = Set(data.rup_name);
    model.pad_name = Set(data.pad_name);
    model.pad_url = Set(data.pad_url);
    model.updated_at = Set(Utc::now());
    let saved = model.update(&txn).await?;
    if !changed.is_empty() {
        log(
            &txn,
            space_id,
            (request_id, Some(id)),
            Some(by),
            "tender.update",
            format!("Dati della gara aggiornati: {}.", changed.join(", ")),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(saved)
}

pub async fn update_phase(
    db: &DatabaseConnection,
    tender: &tender::Model,
    phase: Phase,
    deadline: Option<NaiveDate>,
    responsible: String,
    by: i32,
) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    phase::Entity::update_many()
        .col_expr(phase::Column::Deadline, Expr::value(deadline))
        .col_expr(phase::Column::Responsible, Expr::value(responsible.clone()))
        .filter(phase::Column::TenderId.eq(tender.id))
        .filter(phase::Column::Phase.eq(phase.key()))
        .exec(&txn)
        .await?;
    log(
        &txn,
        tender.space_id,
        (tender.request_id, Some(tender.id)),
        Some(by),
        "tender.phase",
        format!(
            "Fase «{}»: scadenza {}, responsabile {}.",
            phase.label(),
            deadline.map_or("non indicata".into(), |d| d.format("%d/%m/%Y").to_string()),
            if responsible.is_empty() {
                "non indicato"
            } else {
                responsible.as_str()
            }
        ),
    )
    .await?;
    txn.commit().await
}

/// Moves a tender from phase `from` to the next one. `None` when it was no longer in `from`
/// (someone else moved it) or `from` is the last phase.
pub async fn advance(
    db: &DatabaseConnection,
    tender: &tender::Model,
    from: Phase,
    by: i32,
) -> Result<Option<Phase>, DbErr> {
    let Some(to) = from.next() else {
        return Ok(None);
    };
    let txn = db.begin().await?;
    let now = Utc::now();
    let moved = tender::Entity::update_many()
        .col_expr(tender::Column::Phase, Expr::value(to.key()))
        .col_expr(tender::Column::UpdatedAt, Expr::value(now))
        .filter(tender::Column::Id.eq(tender.id))
        .filter(tender::Column::Phase.eq(from.key()))
        .exec(&txn)
        .await?;
    if moved.rows_affected == 0 {
        return Ok(None);
    }
    for (key, column) in [
        (from.key(), phase::Column::CompletedAt),
        (to.key(), phase::Column::StartedAt),
    ] {
        phase::Entity::update_many()
            .col_expr(column, Expr::value(now))
            .filter(phase::Column::TenderId.eq(tender.id))
            .filter(phase::Column::Phase.eq(key))
            .exec(&txn)
            .await?;
    }
    log(
        &txn,
        tender.space_id,
        (tender.request_id, Some(tender.id)),
        Some(by),
        "tender.advance",
        format!(
            "Fase «{}» conclusa; la gara passa alla fase «{}».",
            from.label(),
            to.label()
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(Some(to))
}

/// Adds an Ente to a tender; `false` when it already takes part.
pub async fn add_participant(
    db: &DatabaseConnection,
    tender: &tender::Model,
    comune_id: i32,
    name: &str,
    by: i32,
) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    let exists = participant::Entity::find()
        .filter(participant::Column::TenderId.eq(tender.id))
        .filter(participant::Column::ComuneId.eq(comune_id))
        .count(&txn)
        .await?
        > 0;
    if exists {
        return Ok(false);
    }
    participant::ActiveModel {
        tender_id: Set(tender.id),
        comune_id: Set(comune_id),
        added_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    log(
        &txn,
        tender.space_id,
        (tender.request_id, Some(tender.id)),
        Some(by),
        "tender.participant",
        format!("{name} partecipa alla gara."),
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// Adds a document to a phase of a tender.
pub async fn add_document(
    db: &DatabaseConnection,
    tender: &tender::Model,
    phase: Phase,
    doc: NewDocument,
    by: i32,
) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    document::ActiveModel {
        space_id: Set(tender.space_id),
        request_id: Set(tender.request_id),
        tender_id: Set(Some(tender.id)),
        phase: Set(Some(phase.key().into())),
        key: Set(doc.key),
        filename: Set(doc.filename.clone()),
        uploaded_by: Set(by),
        uploaded_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    log(
        &txn,
        tender.space_id,
        (tender.request_id, Some(tender.id)),
        Some(by),
        "tender.document",
        format!(
            "Documento «{}» aggiunto alla fase «{}».",
            doc.filename,
            phase.label()
        ),
    )
    .await?;
    txn.commit().await
}

/// The winning bidder, as recorded.
#[derive(Debug, Clone)]
pub struct NewAward {
    pub supplier_name: String,
    pub supplier_fiscal_code: String,
    pub amount_cents: i64,
    pub awarded_on: NaiveDate,
}

pub async fn award_of(
    db: &impl ConnectionTrait,
    tender_id: i32,
) -> Result<Option<award::Model>, DbErr> {
    award::Entity::find()
        .filter(award::Column::TenderId.eq(tender_id))
        .one(db)
        .await
}

pub async fn checks_of(
    db: &impl ConnectionTrait,
    tender_id: i32,
) -> Result<Vec<check::Model>, DbErr> {
    check::Entity::find()
        .filter(check::Column::TenderId.eq(tender_id))
        .order_by_asc(check::Column::Id)
        .all(db)
        .await
}

/// Records the winning bidder, or corrects it. The first time, the standard checks on its
/// requirements are listed, all to be done; a correction keeps the checks already recorded.
pub async fn record_award(
    db: &DatabaseConnection,
    tender: &tender::Model,
    new: NewAward,
    by: i32,
) -> Result<award::Model, DbErr> {
    let txn = db.begin().await?;
    let existing = award_of(&txn, tender.id).await?;
    let mut row: award::ActiveModel = match existing.clone() {
        Some(a) => a.into(),
        None => award::ActiveModel {
            tender_id: Set(tender.id),
            ..Default::default()
        },
    };
    row.supplier_name = Set(new.supplier_name.clone());
    row.supplier_fiscal_code = Set(new.supplier_fiscal_code.clone());
    row.amount_cents = Set(new.amount_cents);
    row.awarded_on = Set(new.awarded_on);
    row.recorded_by = Set(by);
    row.recorded_at = Set(Utc::now());
    let saved = match existing {
        Some(_) => row.update(&txn).await?,
        None => row.insert(&txn).await?,
    };
    if existing.is_none() {
        let contract = crate::domain::ContractType::parse(&tender.contract_type);
        for (area, requirement) in crate::domain::standard_checks(contract) {
            check::ActiveModel {
                tender_id: Set(tender.id),
                area: Set(area.key().into()),
                requirement: Set(requirement.into()),
                outcome: Set(crate::domain::CheckOutcome::Pending.key().into()),
                checked_on: Set(None),
                evidence: Set(String::new()),
                checked_by: Set(None),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    log(
        &txn,
        tender.space_id,
        (tender.request_id, Some(tender.id)),
        Some(by),
        "tender.award",
        format!(
            "{} aggiudicatario: {} ({}), {}.",
            if existing.is_some() {
                "Corretto l'"
            } else {
                "Registrato l'"
            },
            new.supplier_name,
            new.supplier_fiscal_code,
            crate::Euro::from_cents(new.amount_cents)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// The outcome of one check, as recorded.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub outcome: crate::domain::CheckOutcome,
    pub checked_on: Option<NaiveDate>,
    pub evidence: String,
}

/// Records the outcome of check `id` of the tender; `None` when the tender has no such check.
pub async fn record_check(
    db: &DatabaseConnection,
    tender: &tender::Model,
    id: i32,
    result: CheckResult,
    by: i32,
) -> Result<Option<check::Model>, DbErr> {
    let txn = db.begin().await?;
    let Some(found) = check::Entity::find_by_id(id)
        .filter(check::Column::TenderId.eq(tender.id))
        .one(&txn)
        .await?
    else {
        return Ok(None);
    };
    let requirement = found.requirement.clone();
    let mut row: check::ActiveModel = found.into();
    row.outcome = Set(result.outcome.key().into());
    row.checked_on = Set(result.checked_on);
    row.evidence = Set(result.evidence);
    row.checked_by = Set(Some(by));
    let saved = row.update(&txn).await?;
    log(
        &txn,
        tender.space_id,
        (tender.request_id, Some(tender.id)),
        Some(by),
        "tender.check",
        format!(
            "Verifica «{requirement}»: {}.",
            result.outcome.label().to_lowercase()
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(Some(saved))
}

/// The messages of the tender's threads with the Enti `comuni` (every thread when `None`),
/// the oldest first.
pub async fn messages(
    db: &impl ConnectionTrait,
    tender_id: i32,
    comuni: Option<&[i32]>,
) -> Result<Vec<message::Model>, DbErr> {
    let mut query = message::Entity::find().filter(message::Column::TenderId.eq(tender_id));
    if let Some(comuni) = comuni {
        query = query.filter(message::Column::ComuneId.is_in(comuni.iter().copied()));
    }
    query
        .order_by_asc(message::Column::At)
        .order_by_asc(message::Column::Id)
        .all(db)
        .await
}

/// Adds a message to the thread of Ente `comune_id`, and queues its notification in the same
/// transaction.
pub async fn post_message(
    db: &DatabaseConnection,
    new: message::ActiveModel,
    notify: Vec<pico_kernel::mail::Mail>,
) -> Result<message::Model, DbErr> {
    let txn = db.begin().await?;
    let saved = new.insert(&txn).await?;
    for mail in notify {
        pico_kernel::mail::queue(&txn, mail).await?;
    }
    txn.commit().await?;
    Ok(saved)
}

/// The registry of a space, by name; `search` matches name, qualification and e-mail.
pub async fn rups(
    db: &impl ConnectionTrait,
    space_id: i32,
    search: &str,
) -> Result<Vec<rup::Model>, DbErr> {
    let mut rows = rup::Entity::find()
        .filter(rup::Column::SpaceId.eq(space_id))
        .order_by_asc(rup::Column::Name)
        .all(db)
        .await?;
    let needle = search.trim().to_lowercase();
    if !needle.is_empty() {
        rows.retain(|r| {
            format!("{} {} {}", r.name, r.qualification, r.email)
                .to_lowercase()
                .contains(&needle)
        });
    }
    Ok(rows)
}

pub async fn find_rup(
    db: &impl ConnectionTrait,
    space_id: i32,
    id: i32,
) -> Result<Option<rup::Model>, DbErr> {
    rup::Entity::find_by_id(id)
        .filter(rup::Column::SpaceId.eq(space_id))
        .one(db)
        .await
}

/// The registry entries of `email` in a space: whoever signs in with it is that RUP.
pub async fn rups_with_email(
    db: &impl ConnectionTrait,
    space_id: i32,
    email: &str,
) -> Result<Vec<i32>, DbErr> {
    Ok(rup::Entity::find()
        .filter(rup::Column::SpaceId.eq(space_id))
        .filter(rup::Column::Email.eq(email.to_lowercase()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// The tenders assigned to the RUPs `ids`, the newest first.
pub async fn tenders_of_rups(
    db: &impl ConnectionTrait,
    space_id: i32,
    ids: &[i32],
) -> Result<Vec<tender::Model>, DbErr> {
    tender::Entity::find()
        .filter(tender::Column::SpaceId.eq(space_id))
        .filter(tender::Column::RupId.is_in(ids.iter().copied()))
        .order_by_desc(tender::Column::CreatedAt)
        .all(db)
        .await
}

/// Makes `chosen` the RUP of the tender.
pub async fn assign_rup(
    db: &DatabaseConnection,
    tender: &tender::Model,
    chosen: &rup::Model,
    by: i32,
) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    tender::Entity::update_many()
        .col_expr(tender::Column::RupId, Expr::value(chosen.id))
        .col_expr(tender::Column::RupName, Expr::value(chosen.name.clone()))
        .col_expr(tender::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(tender::Column::Id.eq(tender.id))
        .exec(&txn)
        .await?;
    log(
        &txn,
        tender.space_id,
        (tender.request_id, Some(tender.id)),
        Some(by),
        "tender.rup",
        format!("RUP della gara: {}.", chosen.name),
    )
    .await?;
    txn.commit().await
}
