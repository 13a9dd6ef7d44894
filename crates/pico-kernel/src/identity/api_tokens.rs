//! Personal API tokens: shown once, stored as SHA-256, read-only or read-write, expiring.

use super::model::{api_token, person};
use super::sessions::{digest, random_token};
use super::{Person, grants_of};
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};

/// Every token starts with this, so that secret scanners recognise a leaked one.
pub const PREFIX: &str = "pico_";

/// Creates a token and returns it in clear: the only time it exists outside its owner.
pub async fn create(
    db: &impl ConnectionTrait,
    person_id: i32,
    name: &str,
    can_write: bool,
    lifetime: Duration,
) -> Result<String, DbErr> {
    let token = format!("{PREFIX}{}", random_token());
    let now = Utc::now();
    api_token::ActiveModel {
        person_id: Set(person_id),
        name: Set(name.to_owned()),
        token_hash: Set(digest(&token)),
        prefix: Set(token.chars().take(PREFIX.len() + 6).collect()),
        can_write: Set(can_write),
        created_at: Set(now),
        expires_at: Set(now + lifetime),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

pub async fn of_person(
    db: &impl ConnectionTrait,
    person_id: i32,
) -> Result<Vec<api_token::Model>, DbErr> {
    api_token::Entity::find()
        .filter(api_token::Column::PersonId.eq(person_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await
}

/// Revokes a token of `person_id`; false when there is no such live token.
pub async fn revoke(db: &impl ConnectionTrait, person_id: i32, id: i32) -> Result<bool, DbErr> {
    let done = api_token::Entity::update_many()
        .col_expr(
            api_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::PersonId.eq(person_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The person behind a live token, and whether the token may write.
pub async fn resolve(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<(Person, bool)>, DbErr> {
    let Some(row) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(digest(token)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if row.revoked_at.is_some() || row.expires_at < Utc::now() {
        return Ok(None);
    }
    let Some(person) = person::Entity::find_by_id(row.person_id)
        .one(db)
        .await?
        .filter(|p| p.deleted_at.is_none())
    else {
        return Ok(None);
    };
    let can_write = row.can_write;
    let mut used: api_token::ActiveModel = row.into();
    used.last_used_at = Set(Some(Utc::now()));
    used.update(db).await?;
    Ok(Some((
        Person {
            id: person.id,
            email: person.email,
            display_name: person.display_name,
            grants: grants_of(db, person.id).await?,
            // Token requests carry no session, hence no form can pass a CSRF check.
            csrf_token: String::new(),
            password_temporary: false,
        },
        can_write,
    )))
}
