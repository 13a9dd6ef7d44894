//! Single-use links sent by e-mail. The link carries a random token; the table keeps only its
//! SHA-256, the purpose, and when it expires or was used.

use super::model::account_link;
use super::sessions::{digest, random_token};
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Confirm the address of a new account, or a new address of an existing one.
    ConfirmEmail,
    ResetPassword,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::ConfirmEmail => "confirm_email",
            Purpose::ResetPassword => "reset_password",
        }
    }

    fn lifetime(self) -> Duration {
        match self {
            Purpose::ConfirmEmail => Duration::hours(48),
            Purpose::ResetPassword => Duration::hours(1),
        }
    }
}

/// Creates a link and returns its token, to put in the URL.
pub async fn create(
    db: &impl ConnectionTrait,
    person_id: i32,
    purpose: Purpose,
    new_email: Option<String>,
) -> Result<String, DbErr> {
    let token = random_token();
    let now = Utc::now();
    account_link::ActiveModel {
        person_id: Set(person_id),
        purpose: Set(purpose.as_str().into()),
        token_hash: Set(digest(&token)),
        new_email: Set(new_email),
        created_at: Set(now),
        expires_at: Set(now + purpose.lifetime()),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The link behind `token` if it exists for `purpose`, is unused and has not expired.
pub async fn find_valid(
    db: &impl ConnectionTrait,
    token: &str,
    purpose: Purpose,
) -> Result<Option<account_link::Model>, DbErr> {
    let link = account_link::Entity::find()
        .filter(account_link::Column::TokenHash.eq(digest(token)))
        .filter(account_link::Column::Purpose.eq(purpose.as_str()))
        .one(db)
        .await?;
    Ok(link.filter(|l| l.used_at.is_none() && l.expires_at > Utc::now()))
}

/// Marks the link used. Returns false when another request used it first, so that two
/// concurrent clicks cannot both succeed.
pub async fn consume(db: &impl ConnectionTrait, link: &account_link::Model) -> Result<bool, DbErr> {
    let done = account_link::Entity::update_many()
        .col_expr(
            account_link::Column::UsedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(account_link::Column::Id.eq(link.id))
        .filter(account_link::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}
