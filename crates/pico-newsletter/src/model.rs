//! Subscribers, campaigns and deliveries, and the rules that move them.

use chrono::{Duration, Utc};
use pico_kernel::identity::sessions::random_token;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement, TransactionTrait,
};

pub mod subscriber {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "newsletter_subscriber")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        /// Lower case.
        pub email: String,
        /// Proves that a request to confirm or to leave comes from the mailbox: it travels
        /// only in the messages sent there.
        pub token: String,
        /// `pending`, `confirmed` or `unsubscribed`.
        pub status: String,
        /// The last time someone asked to subscribe this address.
        pub requested_at: DateTimeUtc,
        pub confirmed_at: Option<DateTimeUtc>,
        pub unsubscribed_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod campaign {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "newsletter_campaign")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        pub subject: String,
        /// Plain text written by the editor, above the content.
        pub intro: String,
        /// JSON array of the ids of the published items the campaign presents.
        pub content_ids: String,
        /// `draft`, `sending` or `sent`.
        pub status: String,
        /// The message as sent to everyone, fixed when sending starts; each recipient's copy
        /// differs only by its unsubscribe link.
        pub text_body: Option<String>,
        pub html_body: Option<String>,
        pub recipients: i32,
        pub created_by: i32,
        pub created_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
        pub finished_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod delivery {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "newsletter_delivery")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub campaign_id: i32,
        pub subscriber_id: i32,
        pub email: String,
        /// See [`super::Delivery`].
        pub status: String,
        pub attempts: i32,
        pub error: Option<String>,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// Where a subscriber stands.
pub const PENDING: &str = "pending";
pub const CONFIRMED: &str = "confirmed";
pub const UNSUBSCRIBED: &str = "unsubscribed";

/// Where a campaign stands.
pub const DRAFT: &str = "draft";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";

/// What became of one recipient's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Queued,
    /// Handed to the mail server, with no answer recorded yet.
    Sending,
    Sent,
    /// Refused for good by the mail server.
    Failed,
    /// The person left the list before their turn came.
    Cancelled,
}

impl Delivery {
    pub const ALL: [Delivery; 5] = [
        Delivery::Queued,
        Delivery::Sending,
        Delivery::Sent,
        Delivery::Failed,
        Delivery::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Queued => "queued",
            Delivery::Sending => "sending",
            Delivery::Sent => "sent",
            Delivery::Failed => "failed",
            Delivery::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Delivery::Queued => "In coda",
            Delivery::Sending => "In invio",
            Delivery::Sent => "Inviato",
            Delivery::Failed => "Non consegnato",
            Delivery::Cancelled => "Annullato (disiscritto)",
        }
    }
}

/// A new request for the same address waits this long before another confirmation message
/// goes out, so that the form cannot be used to flood someone's mailbox.
const RESEND_AFTER: Duration = Duration::minutes(10);

/// Records a request to subscribe `email` (already checked) to the list of `space_id`. Returns
/// the token to send in a confirmation message, or `None` when no message should go out:
/// the address is already confirmed, or was sent a confirmation a moment ago.
pub async fn subscribe(
    db: &impl ConnectionTrait,
    space_id: i32,
    email: &str,
) -> Result<Option<String>, DbErr> {
    let now = Utc::now();
    let existing = subscriber::Entity::find()
        .filter(subscriber::Column::SpaceId.eq(space_id))
        .filter(subscriber::Column::Email.eq(email))
        .one(db)
        .await?;
    let Some(found) = existing else {
        let token = random_token();
        subscriber::ActiveModel {
            space_id: Set(space_id),
            email: Set(email.to_owned()),
            token: Set(token.clone()),
            status: Set(PENDING.into()),
            requested_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        return Ok(Some(token));
    };
    match found.status.as_str() {
        CONFIRMED => Ok(None),
        PENDING if found.requested_at > now - RESEND_AFTER => Ok(None),
        PENDING => {
            let token = found.token.clone();
            let mut row: subscriber::ActiveModel = found.into();
            row.requested_at = Set(now);
            row.update(db).await?;
            Ok(Some(token))
        }
        _ => {
            // Back after leaving: a new token, so that old messages' links no longer act.
            let token = random_token();
            let mut row: subscriber::ActiveModel = found.into();
            row.token = Set(token.clone());
            row.status = Set(PENDING.into());
            row.requested_at = Set(now);
            row.confirmed_at = Set(None);
            row.unsubscribed_at = Set(None);
            row.update(db).await?;
            Ok(Some(token))
        }
    }
}

pub async fn by_token(
    db: &impl ConnectionTrait,
    space_id: i32,
    token: &str,
) -> Result<Option<subscriber::Model>, DbErr> {
    subscriber::Entity::find()
        .filter(subscriber::Column::SpaceId.eq(space_id))
        .filter(subscriber::Column::Token.eq(token))
        .one(db)
        .await
}

/// Confirms a pending subscription; false when the token does not name one any more.
pub async fn confirm(db: &impl ConnectionTrait, space_id: i32, token: &str) -> Result<bool, DbErr> {
    match by_token(db, space_id, token).await? {
        Some(found) if found.status == CONFIRMED => Ok(true),
        Some(found) if found.status == PENDING => {
            let mut row: subscriber::ActiveModel = found.into();
            row.status = Set(CONFIRMED.into());
            row.confirmed_at = Set(Some(Utc::now()));
            row.update(db).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Takes the address off the list; false when the token is unknown.
pub async fn unsubscribe(
    db: &impl ConnectionTrait,
    space_id: i32,
    token: &str,
) -> Result<bool, DbErr> {
    let Some(found) = by_token(db, space_id, token).await? else {
        return Ok(false);
    };
    if found.status != UNSUBSCRIBED {
        let mut row: subscriber::ActiveModel = found.into();
        row.status = Set(UNSUBSCRIBED.into());
        row.unsubscribed_at = Set(Some(Utc::now()));
        row.update(db).await?;
    }
    Ok(true)
}

/// How many addresses of a space's list are in each state.
#[derive(Debug, Default)]
pub struct ListCounts {
    pub confirmed: u64,
    pub pending: u64,
    pub unsubscribed: u64,
}

pub async fn list_counts(db: &impl ConnectionTrait, space_id: i32) -> Result<ListCounts, DbErr> {
    let count = |status: &'static str| {
        subscriber::Entity::find()
            .filter(subscriber::Column::SpaceId.eq(space_id))
            .filter(subscriber::Column::Status.eq(status))
            .count(db)
    };
    Ok(ListCounts {
        confirmed: count(CONFIRMED).await?,
        pending: count(PENDING).await?,
        unsubscribed: count(UNSUBSCRIBED).await?,
    })
}

pub async fn campaigns_of(
    db: &impl ConnectionTrait,
    space_id: i32,
) -> Result<Vec<campaign::Model>, DbErr> {
    campaign::Entity::find()
        .filter(campaign::Column::SpaceId.eq(space_id))
        .order_by_desc(campaign::Column::CreatedAt)
        .order_by_desc(campaign::Column::Id)
        .all(db)
        .await
}

pub async fn campaign_of(
    db: &impl ConnectionTrait,
    space_id: i32,
    id: i32,
) -> Result<Option<campaign::Model>, DbErr> {
    campaign::Entity::find_by_id(id)
        .filter(campaign::Column::SpaceId.eq(space_id))
        .one(db)
        .await
}

pub fn content_ids(campaign: &campaign::Model) -> Vec<i32> {
    serde_json::from_str(&campaign.content_ids).unwrap_or_default()
}

/// What an editor writes in a campaign.
#[derive(Debug, Clone, Default)]
pub struct Composition {
    pub subject: String,
    pub intro: String,
    pub content_ids: Vec<i32>,
}

pub async fn create_campaign(
    db: &impl ConnectionTrait,
    space_id: i32,
    composition: Composition,
    by: i32,
) -> Result<campaign::Model, DbErr> {
    campaign::ActiveModel {
        space_id: Set(space_id),
        subject: Set(composition.subject),
        intro: Set(composition.intro),
        content_ids: Set(serde_json::json!(composition.content_ids).to_string()),
        status: Set(DRAFT.into()),
        recipients: Set(0),
        created_by: Set(by),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Changes a draft; false when the campaign is no longer a draft.
pub async fn update_campaign(
    db: &impl ConnectionTrait,
    id: i32,
    composition: Composition,
) -> Result<bool, DbErr> {
    let updated = campaign::Entity::update_many()
        .col_expr(campaign::Column::Subject, Expr::value(composition.subject))
        .col_expr(campaign::Column::Intro, Expr::value(composition.intro))
        .col_expr(
            campaign::Column::ContentIds,
            Expr::value(serde_json::json!(composition.content_ids).to_string()),
        )
        .filter(campaign::Column::Id.eq(id))
        .filter(campaign::Column::Status.eq(DRAFT))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Deletes a draft; false when there is no such draft.
pub async fn delete_draft(
    db: &impl ConnectionTrait,
    space_id: i32,
    id: i32,
) -> Result<bool, DbErr> {
    let deleted = campaign::Entity::delete_many()
        .filter(campaign::Column::Id.eq(id))
        .filter(campaign::Column::SpaceId.eq(space_id))
        .filter(campaign::Column::Status.eq(DRAFT))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected == 1)
}

/// Starts sending a draft to everyone confirmed on the list now: in one transaction, fixes the
/// message, writes one queued delivery per recipient and queues the sending job. Returns the
/// number of recipients, or `None` when the campaign was no longer a draft (sent already,
/// perhaps by a colleague a moment before).
pub async fn start_sending(
    db: &DatabaseConnection,
    campaign: &campaign::Model,
    text_body: String,
    html_body: String,
    job: &str,
) -> Result<Option<u64>, DbErr> {
    let tx = db.begin().await?;
    let now = Utc::now();
    let started = campaign::Entity::update_many()
        .col_expr(campaign::Column::Status, Expr::value(SENDING))
        .col_expr(campaign::Column::TextBody, Expr::value(text_body))
        .col_expr(campaign::Column::HtmlBody, Expr::value(html_body))
        .col_expr(campaign::Column::SentAt, Expr::value(now))
        .filter(campaign::Column::Id.eq(campaign.id))
        .filter(campaign::Column::Status.eq(DRAFT))
        .exec(&tx)
        .await?;
    if started.rows_affected != 1 {
        return Ok(None);
    }
    let backend = tx.get_database_backend();
    let queued = tx
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO newsletter_delivery \
             (campaign_id, subscriber_id, email, status, attempts, updated_at) \
             SELECT $1, id, email, $2, 0, $3 FROM newsletter_subscriber \
             WHERE space_id = $4 AND status = $5",
            [
                campaign.id.into(),
                Delivery::Queued.as_str().into(),
                now.into(),
                campaign.space_id.into(),
                CONFIRMED.into(),
            ],
        ))
        .await?
        .rows_affected();
    campaign::Entity::update_many()
        .col_expr(campaign::Column::Recipients, Expr::value(queued as i32))
        .filter(campaign::Column::Id.eq(campaign.id))
        .exec(&tx)
        .await?;
    pico_kernel::jobs::enqueue(&tx, job, serde_json::json!({ "campaign_id": campaign.id })).await?;
    tx.commit().await?;
    Ok(Some(queued))
}

/// The next message of a campaign still to send. One job at a time works on a campaign, so a
/// delivery found `sending` was left by a run that stopped before the mail server accepted it
/// (or before its answer was recorded): it goes out again.
pub async fn next_delivery(
    db: &impl ConnectionTrait,
    campaign_id: i32,
) -> Result<Option<delivery::Model>, DbErr> {
    delivery::Entity::find()
        .filter(delivery::Column::CampaignId.eq(campaign_id))
        .filter(
            delivery::Column::Status.is_in([Delivery::Queued.as_str(), Delivery::Sending.as_str()]),
        )
        .order_by_asc(delivery::Column::Id)
        .limit(1)
        .one(db)
        .await
}

pub async fn set_delivery(
    db: &impl ConnectionTrait,
    id: i32,
    status: Delivery,
    error: Option<String>,
) -> Result<(), DbErr> {
    let mut update = delivery::Entity::update_many()
        .col_expr(delivery::Column::Status, Expr::value(status.as_str()))
        .col_expr(delivery::Column::Error, Expr::value(error))
        .col_expr(delivery::Column::UpdatedAt, Expr::value(Utc::now()));
    if status == Delivery::Sending {
        update = update.col_expr(
            delivery::Column::Attempts,
            Expr::col(delivery::Column::Attempts).add(1),
        );
    }
    update.filter(delivery::Column::Id.eq(id)).exec(db).await?;
    Ok(())
}

pub async fn finish(db: &impl ConnectionTrait, campaign_id: i32) -> Result<(), DbErr> {
    campaign::Entity::update_many()
        .col_expr(campaign::Column::Status, Expr::value(SENT))
        .col_expr(campaign::Column::FinishedAt, Expr::value(Utc::now()))
        .filter(campaign::Column::Id.eq(campaign_id))
        .exec(db)
        .await?;
    Ok(())
}

/// How many of a campaign's messages are in each state, in [`Delivery::ALL`] order.
pub async fn progress(
    db: &impl ConnectionTrait,
    campaign_id: i32,
) -> Result<Vec<(Delivery, u64)>, DbErr> {
    let mut counts = Vec::new();
    for status in Delivery::ALL {
        let n = delivery::Entity::find()
            .filter(delivery::Column::CampaignId.eq(campaign_id))
            .filter(delivery::Column::Status.eq(status.as_str()))
            .count(db)
            .await?;
        counts.push((status, n));
    }
    Ok(counts)
}

/// Up to `limit` deliveries of a campaign, those that failed first.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    campaign_id: i32,
    limit: u64,
) -> Result<Vec<delivery::Model>, DbErr> {
    let of_campaign = || {
        delivery::Entity::find()
            .filter(delivery::Column::CampaignId.eq(campaign_id))
            .order_by_asc(delivery::Column::Id)
            .limit(limit)
    };
    let mut rows = of_campaign()
        .filter(delivery::Column::Status.eq(Delivery::Failed.as_str()))
        .all(db)
        .await?;
    rows.extend(
        of_campaign()
            .filter(delivery::Column::Status.ne(Delivery::Failed.as_str()))
            .all(db)
            .await?,
    );
    rows.truncate(limit as usize);
    Ok(rows)
}
