//! The entities of a needs-collection campaign and the queries over them. Every query that
//! starts from an id takes the space, so that one Province never reads another's campaigns.

use super::quantity::Quantity;
use crate::domain::Phase;
use crate::lots::{self, NewLot};
use crate::model::{event, participant, phase, tender};
use chrono::{DateTime, Utc};
use pico_kernel::identity::Role;
use pico_kernel::identity::model::{person, role_grant};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, QueryOrder, TransactionTrait};
use std::collections::BTreeMap;

pub mod campaign {
    use sea_orm::entity::prelude::*;

    /// A needs-collection campaign (*raccolta dei fabbisogni*): the Province asks the Enti it
    /// chose how much of each item they need, to buy it for all with one aggregated tender.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sua_campaign")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        pub title: String,
        pub description: String,
        pub deadline: DateTimeUtc,
        /// See [`super::Status`].
        pub status: String,
        #[sea_orm(unique)]
        pub tender_id: Option<i32>,
        pub created_by: i32,
        pub created_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod invited {
    use sea_orm::entity::prelude::*;

    /// An Ente asked to answer a campaign, and when it submitted its answer.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sua_campaign_ente")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub campaign_id: i32,
        pub comune_id: i32,
        pub submitted_at: Option<DateTimeUtc>,
        pub submitted_by: Option<i32>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod item {
    use sea_orm::entity::prelude::*;

    /// A line of the questionnaire; its group becomes a lot of the tender.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sua_campaign_item")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub campaign_id: i32,
        pub position: i32,
        pub group_name: String,
        pub name: String,
        pub unit: String,
        pub specifications: String,
        pub reference_price_cents: Option<i64>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod answer {
    use sea_orm::entity::prelude::*;

    /// How much of an item an Ente needs.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sua_campaign_answer")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub campaign_id: i32,
        pub item_id: i32,
        pub comune_id: i32,
        pub quantity_milli: i64,
        pub note: String,
        pub updated_by: i32,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// Where a campaign stands: drafted by the operators, open to the Enti's answers, closed.
/// Past its deadline an open campaign takes no more answers either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Open,
    Closed,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Draft, Status::Open, Status::Closed];

    pub fn key(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Open => "open",
            Status::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Bozza",
            Status::Open => "Aperta",
            Status::Closed => "Chiusa",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn of(c: &campaign::Model) -> Self {
        Self::parse(&c.status).unwrap_or(Status::Closed)
    }
}

/// Whether the Enti may still answer `c` at `now`.
pub fn accepts_answers(c: &campaign::Model, now: DateTime<Utc>) -> bool {
    Status::of(c) == Status::Open && now < c.deadline
}

/// Whether the answers of `c` are final: it was closed, or its deadline passed.
pub fn is_over(c: &campaign::Model, now: DateTime<Utc>) -> bool {
    match Status::of(c) {
        Status::Draft => false,
        Status::Open => now >= c.deadline,
        Status::Closed => true,
    }
}

pub struct NewCampaign {
    pub space_id: i32,
    pub title: String,
    pub description: String,
    pub deadline: DateTime<Utc>,
    pub enti: Vec<i32>,
    pub created_by: i32,
}

pub async fn create(db: &DatabaseConnection, new: NewCampaign) -> Result<campaign::Model, DbErr> {
    let txn = db.begin().await?;
    let made = campaign::ActiveModel {
        space_id: Set(new.space_id),
        title: Set(new.title),
        description: Set(new.description),
        deadline: Set(new.deadline),
        status: Set(Status::Draft.key().into()),
        tender_id: Set(None),
        created_by: Set(new.created_by),
        created_at: Set(Utc::now()),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for comune_id in new.enti {
        invited::ActiveModel {
            campaign_id: Set(made.id),
            comune_id: Set(comune_id),
            submitted_at: Set(None),
            submitted_by: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(made)
}

/// The campaigns of a space, the newest first; only those sent to one of `comuni` when given.
pub async fn campaigns(
    db: &impl ConnectionTrait,
    space_id: i32,
    comuni: Option<&[i32]>,
) -> Result<Vec<campaign::Model>, DbErr> {
    let mut query = campaign::Entity::find().filter(campaign::Column::SpaceId.eq(space_id));
    if let Some(comuni) = comuni {
        let theirs: Vec<i32> = invited::Entity::find()
            .filter(invited::Column::ComuneId.is_in(comuni.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|i| i.campaign_id)
            .collect();
        query = query
            .filter(campaign::Column::Id.is_in(theirs))
            .filter(campaign::Column::Status.ne(Status::Draft.key()));
    }
    query
        .order_by_desc(campaign::Column::CreatedAt)
        .order_by_desc(campaign::Column::Id)
        .all(db)
        .await
}

pub async fn find(
    db: &impl ConnectionTrait,
    space_id: i32,
    id: i32,
) -> Result<Option<campaign::Model>, DbErr> {
    campaign::Entity::find_by_id(id)
        .filter(campaign::Column::SpaceId.eq(space_id))
        .one(db)
        .await
}

/// The Enti asked to answer, in the order they were chosen.
pub async fn invited_of(
    db: &impl ConnectionTrait,
    campaign_id: i32,
) -> Result<Vec<invited::Model>, DbErr> {
    invited::Entity::find()
        .filter(invited::Column::CampaignId.eq(campaign_id))
        .order_by_asc(invited::Column::Id)
        .all(db)
        .await
}

pub async fn items_of(
    db: &impl ConnectionTrait,
    campaign_id: i32,
) -> Result<Vec<item::Model>, DbErr> {
    item::Entity::find()
        .filter(item::Column::CampaignId.eq(campaign_id))
        .order_by_asc(item::Column::Position)
        .order_by_asc(item::Column::Id)
        .all(db)
        .await
}

/// An item as the operator typed it, checked.
pub struct NewItem {
    pub group_name: String,
    pub name: String,
    pub unit: String,
    pub specifications: String,
    pub reference_price_cents: Option<i64>,
}

/// Adds an item at the end of a draft campaign's questionnaire; `None` once it was sent.
pub async fn add_item(
    db: &DatabaseConnection,
    campaign_id: i32,
    new: NewItem,
) -> Result<Option<item::Model>, DbErr> {
    let txn = db.begin().await?;
    let draft = campaign::Entity::find_by_id(campaign_id)
        .filter(campaign::Column::Status.eq(Status::Draft.key()))
        .count(&txn)
        .await?
        > 0;
    if !draft {
        return Ok(None);
    }
    let last = items_of(&txn, campaign_id)
        .await?
        .last()
        .map_or(0, |i| i.position);
    let made = item::ActiveModel {
        campaign_id: Set(campaign_id),
        position: Set(last + 1),
        group_name: Set(new.group_name),
        name: Set(new.name),
        unit: Set(new.unit),
        specifications: Set(new.specifications),
        reference_price_cents: Set(new.reference_price_cents),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(Some(made))
}

/// Removes an item of a draft campaign; `false` when there was none or it was sent.
pub async fn remove_item(
    db: &DatabaseConnection,
    campaign_id: i32,
    item_id: i32,
) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    let draft = campaign::Entity::find_by_id(campaign_id)
        .filter(campaign::Column::Status.eq(Status::Draft.key()))
        .count(&txn)
        .await?
        > 0;
    if !draft {
        return Ok(false);
    }
    let gone = item::Entity::delete_many()
        .filter(item::Column::Id.eq(item_id))
        .filter(item::Column::CampaignId.eq(campaign_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(gone.rows_affected > 0)
}

/// Moves a draft campaign to open; `false` when it was no longer a draft.
pub async fn send(db: &impl ConnectionTrait, campaign_id: i32) -> Result<bool, DbErr> {
    let sent = campaign::Entity::update_many()
        .col_expr(campaign::Column::Status, Expr::value(Status::Open.key()))
        .col_expr(campaign::Column::SentAt, Expr::value(Utc::now()))
        .filter(campaign::Column::Id.eq(campaign_id))
        .filter(campaign::Column::Status.eq(Status::Draft.key()))
        .exec(db)
        .await?;
    Ok(sent.rows_affected > 0)
}

/// Closes an open campaign before its deadline; `false` when it was not open.
pub async fn close(db: &impl ConnectionTrait, campaign_id: i32) -> Result<bool, DbErr> {
    let closed = campaign::Entity::update_many()
        .col_expr(campaign::Column::Status, Expr::value(Status::Closed.key()))
        .filter(campaign::Column::Id.eq(campaign_id))
        .filter(campaign::Column::Status.eq(Status::Open.key()))
        .exec(db)
        .await?;
    Ok(closed.rows_affected > 0)
}

/// The e-mail addresses of the people of each of `comuni`, by Comune.
pub async fn people_of_enti(
    db: &impl ConnectionTrait,
    comuni: &[i32],
) -> Result<Vec<(i32, String)>, DbErr> {
    let grants = role_grant::Entity::find()
        .filter(role_grant::Column::ComuneId.is_in(comuni.iter().copied()))
        .filter(
            role_grant::Column::Role.is_in([Role::EnteAdmin.as_str(), Role::EnteMember.as_str()]),
        )
        .order_by_asc(role_grant::Column::Id)
        .all(db)
        .await?;
    let people: BTreeMap<i32, person::Model> = person::Entity::find()
        .filter(person::Column::Id.is_in(grants.iter().map(|g| g.person_id)))
        .filter(person::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut out: Vec<(i32, String)> = Vec::new();
    for g in grants {
        if let (Some(comune), Some(p)) = (g.comune_id, people.get(&g.person_id))
            && !out.iter().any(|(c, e)| *c == comune && *e == p.email)
        {
            out.push((comune, p.email.clone()));
        }
    }
    Ok(out)
}

pub async fn answers_of(
    db: &impl ConnectionTrait,
    campaign_id: i32,
    comune_id: i32,
) -> Result<Vec<answer::Model>, DbErr> {
    answer::Entity::find()
        .filter(answer::Column::CampaignId.eq(campaign_id))
        .filter(answer::Column::ComuneId.eq(comune_id))
        .all(db)
        .await
}

pub async fn all_answers(
    db: &impl ConnectionTrait,
    campaign_id: i32,
) -> Result<Vec<answer::Model>, DbErr> {
    answer::Entity::find()
        .filter(answer::Column::CampaignId.eq(campaign_id))
        .all(db)
        .await
}

/// One line of an Ente's answer.
pub struct AnswerLine {
    pub item_id: i32,
    pub quantity: Quantity,
    pub note: String,
}

/// Why an answer was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The campaign is closed or past its deadline.
    Over,
    /// The Ente already submitted.
    Submitted,
}

/// Replaces an Ente's answer, and submits it when `submit`. Nothing changes when refused.
pub async fn save_answer(
    db: &DatabaseConnection,
    campaign_id: i32,
    comune_id: i32,
    lines: Vec<AnswerLine>,
    submit: bool,
    by: i32,
) -> Result<Result<(), Refusal>, DbErr> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let Some(c) = campaign::Entity::find_by_id(campaign_id).one(&txn).await? else {
        return Ok(Err(Refusal::Over));
    };
    if !accepts_answers(&c, now) {
        return Ok(Err(Refusal::Over));
    }
    // Claims the Ente's row first: of two submissions racing, one finds it submitted.
    let mut claim = invited::Entity::update_many()
        .filter(invited::Column::CampaignId.eq(campaign_id))
        .filter(invited::Column::ComuneId.eq(comune_id))
        .filter(invited::Column::SubmittedAt.is_null());
    claim = if submit {
        claim
            .col_expr(invited::Column::SubmittedAt, Expr::value(now))
            .col_expr(invited::Column::SubmittedBy, Expr::value(by))
    } else {
        claim.col_expr(
            invited::Column::SubmittedAt,
            Expr::value(None::<DateTime<Utc>>),
        )
    };
    if claim.exec(&txn).await?.rows_affected == 0 {
        return Ok(Err(Refusal::Submitted));
    }
    answer::Entity::delete_many()
        .filter(answer::Column::CampaignId.eq(campaign_id))
        .filter(answer::Column::ComuneId.eq(comune_id))
        .exec(&txn)
        .await?;
    for line in lines {
        answer::ActiveModel {
            campaign_id: Set(campaign_id),
            item_id: Set(line.item_id),
            comune_id: Set(comune_id),
            quantity_milli: Set(line.quantity.milli()),
            note: Set(line.note),
            updated_by: Set(by),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(Ok(()))
}

/// The totals of a campaign over the answers the Enti submitted (drafts do not count).
pub struct Aggregate {
    pub items: Vec<ItemTotal>,
    /// The Enti that submitted, in the order they were invited.
    pub submitted: Vec<i32>,
    /// Quantity by (item, Ente), submitted answers only.
    pub by_ente: BTreeMap<(i32, i32), Quantity>,
    /// Each group (future lot) with its estimated value in cents, in the order of the items.
    pub groups: Vec<(String, i64)>,
    pub total_cents: i64,
}

pub struct ItemTotal {
    pub item: item::Model,
    pub quantity: Quantity,
    /// Quantity times the reference price, when there is one.
    pub value_cents: Option<i64>,
}

pub fn aggregate(
    items: Vec<item::Model>,
    invited: &[invited::Model],
    answers: &[answer::Model],
) -> Aggregate {
    let submitted: Vec<i32> = invited
        .iter()
        .filter(|i| i.submitted_at.is_some())
        .map(|i| i.comune_id)
        .collect();
    let by_ente: BTreeMap<(i32, i32), Quantity> = answers
        .iter()
        .filter(|a| submitted.contains(&a.comune_id))
        .map(|a| {
            (
                (a.item_id, a.comune_id),
                Quantity::from_milli(a.quantity_milli),
            )
        })
        .collect();
    let mut groups: Vec<(String, i64)> = Vec::new();
    let mut total_cents = 0;
    let items = items
        .into_iter()
        .map(|item| {
            let milli: i64 = by_ente
                .iter()
                .filter(|((i, _), _)| *i == item.id)
                .map(|(_, q)| q.milli())
                .sum();
            let quantity = Quantity::from_milli(milli);
            let value_cents = item.reference_price_cents.map(|p| quantity.times_cents(p));
            let value = value_cents.unwrap_or(0);
            total_cents += value;
            match groups.iter_mut().find(|(g, _)| *g == item.group_name) {
                Some((_, sum)) => *sum += value,
                None => groups.push((item.group_name.clone(), value)),
            }
            ItemTotal {
                item,
                quantity,
                value_cents,
            }
        })
        .collect();
    Aggregate {
        items,
        submitted,
        by_ente,
        groups,
        total_cents,
    }
}

/// What the aggregated tender is made of.
pub struct TenderPlan {
    pub titolare: i32,
    pub participants: Vec<i32>,
    pub contract_type: String,
    pub procedure: String,
    pub lots: Vec<NewLot>,
    pub summary: String,
}

/// Makes the aggregated tender of a campaign, in its first phase, with its lots and
/// participants, and closes the campaign. `None` when the campaign already has its tender:
/// nothing is made twice, however many operators click.
pub async fn make_tender(
    db: &DatabaseConnection,
    c: &campaign::Model,
    plan: TenderPlan,
    by: i32,
) -> Result<Option<tender::Model>, DbErr> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let first = Phase::ALL[0];
    let amount: i64 = plan.lots.iter().map(|l| l.amount.cents()).sum();
    let made = tender::ActiveModel {
        space_id: Set(c.space_id),
        request_id: Set(None),
        titolare_comune_id: Set(plan.titolare),
        object: Set(c.title.clone()),
        contract_type: Set(plan.contract_type),
        amount_cents: Set(amount),
        cpv_codes: Set(String::new()),
        procedure: Set(plan.procedure),
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
    let linked = campaign::Entity::update_many()
        .col_expr(campaign::Column::TenderId, Expr::value(made.id))
        .col_expr(campaign::Column::Status, Expr::value(Status::Closed.key()))
        .filter(campaign::Column::Id.eq(c.id))
        .filter(campaign::Column::TenderId.is_null())
        .exec(&txn)
        .await?;
    if linked.rows_affected == 0 {
        // Dropping the transaction rolls the tender back.
        return Ok(None);
    }
    for p in Phase::ALL {
        phase::ActiveModel {
            tender_id: Set(made.id),
            phase: Set(p.key().into()),
            deadline: Set(None),
            responsible: Set(String::new()),
            started_at: Set((*p == first).then_some(now)),
            completed_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    for comune_id in plan.participants {
        participant::ActiveModel {
            tender_id: Set(made.id),
            comune_id: Set(comune_id),
            added_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    for lot in plan.lots {
        lots::create_lot(&txn, made.id, lot).await?;
    }
    event::ActiveModel {
        space_id: Set(c.space_id),
        request_id: Set(None),
        tender_id: Set(Some(made.id)),
        person_id: Set(Some(by)),
        kind: Set("tender.campaign".into()),
        summary: Set(plan.summary),
        at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(Some(made))
}

/// The campaign an aggregated tender was made from.
pub async fn campaign_of_tender(
    db: &impl ConnectionTrait,
    tender_id: i32,
) -> Result<Option<campaign::Model>, DbErr> {
    campaign::Entity::find()
        .filter(campaign::Column::TenderId.eq(tender_id))
        .one(db)
        .await
}
