//! Server-side sessions stored in the database, so that several nodes share them. The cookie
//! holds a random token; the table holds only its SHA-256.

use super::model::{person, session};
use super::{Person, grants_of};
use base64::Engine;
use chrono::{Duration, Utc};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use sha2::{Digest, Sha256};

pub const COOKIE: &str = "pico_session";
pub const LIFETIME: Duration = Duration::hours(12);

/// A new random token, URL-safe, 256 bits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Opens a session and returns the token for the cookie.
pub async fn open(
    db: &impl ConnectionTrait,
    person_id: i32,
    ip: Option<String>,
    user_agent: Option<String>,
) -> Result<String, DbErr> {
    let token = random_token();
    let now = Utc::now();
    session::ActiveModel {
        id: Set(digest(&token)),
        person_id: Set(person_id),
        csrf_token: Set(random_token()),
        created_at: Set(now),
        expires_at: Set(now + LIFETIME),
        ip: Set(ip),
        user_agent: Set(user_agent.map(|ua| ua.chars().take(255).collect())),
    }
    .insert(db)
    .await?;
    let mut person: person::ActiveModel = person::Entity::find_by_id(person_id)
        .one(db)
        .await?
        .ok_or(DbErr::RecordNotFound("person".into()))?
        .into();
    person.last_login_at = Set(Some(now));
    person.update(db).await?;
    Ok(token)
}

/// The person behind a session token, if the session is alive.
pub async fn resolve(db: &impl ConnectionTrait, token: &str) -> Result<Option<Person>, DbErr> {
    let Some(session) = session::Entity::find_by_id(digest(token)).one(db).await? else {
        return Ok(None);
    };
    if session.expires_at < Utc::now() {
        session::Entity::delete_by_id(session.id).exec(db).await?;
        return Ok(None);
    }
    let Some(person) = person::Entity::find_by_id(session.person_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Person {
        id: person.id,
        email: person.email,
        display_name: person.display_name,
        grants: grants_of(db, person.id).await?,
        csrf_token: session.csrf_token,
        password_temporary: person.password_temporary,
    }))
}

pub async fn close(db: &impl ConnectionTrait, token: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(digest(token))
        .exec(db)
        .await?;
    Ok(())
}

/// The live sessions of a person, newest first.
pub async fn of_person(
    db: &impl ConnectionTrait,
    person_id: i32,
) -> Result<Vec<session::Model>, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    session::Entity::find()
        .filter(session::Column::PersonId.eq(person_id))
        .filter(session::Column::ExpiresAt.gt(Utc::now()))
        .order_by_desc(session::Column::CreatedAt)
        .all(db)
        .await
}

/// Ends one session of a person; `id` is the session's stored digest, as listed.
pub async fn close_by_id(
    db: &impl ConnectionTrait,
    person_id: i32,
    id: &str,
) -> Result<bool, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let done = session::Entity::delete_many()
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::PersonId.eq(person_id))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Ends every session of a person, e.g. after a password reset.
pub async fn close_all(db: &impl ConnectionTrait, person_id: i32) -> Result<(), DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    session::Entity::delete_many()
        .filter(session::Column::PersonId.eq(person_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The digest of a session token, which is how the session is listed and ended.
pub fn id_of(token: &str) -> String {
    digest(token)
}
