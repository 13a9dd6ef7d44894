//! Self-service accounts: registration, confirmation of the address, passwords, profile, and
//! the pseudonymisation of someone who asks to be forgotten.

use super::model::{account_link, person};
use super::{find_by_email, links, password, sessions};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    TransactionTrait,
};

/// Checks an e-mail address and returns it trimmed and lower-case.
pub fn parse_email(input: &str) -> Result<String, &'static str> {
    let email = input.trim().to_lowercase();
    if email.is_empty() {
        return Err("Indica il tuo indirizzo e-mail.");
    }
    if email.len() > 254 || email.parse::<lettre::Address>().is_err() {
        return Err("L'indirizzo e-mail non è valido.");
    }
    Ok(email)
}

/// Length is what makes a password strong; no composition rules (NIST SP 800-63B).
pub fn check_new_password(password: &str, repeated: &str) -> Result<(), &'static str> {
    let length = password.chars().count();
    if length < 10 {
        return Err("La password deve avere almeno 10 caratteri.");
    }
    if length > 128 {
        return Err("La password può avere al massimo 128 caratteri.");
    }
    if password != repeated {
        return Err("Le due password non coincidono.");
    }
    Ok(())
}

pub fn parse_name(input: &str) -> Result<String, &'static str> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    match name.chars().count() {
        0 => Err("Indica il tuo nome e cognome."),
        1..=120 => Ok(name),
        _ => Err("Il nome può avere al massimo 120 caratteri."),
    }
}

pub enum Registration {
    /// A new account, waiting for its address to be confirmed.
    Created(person::Model),
    /// The address already has an account: the visitor is told the same as for a new one.
    Existing(person::Model),
}

pub async fn register(
    db: &impl ConnectionTrait,
    name: &str,
    email: &str,
    password: &str,
) -> Result<Registration, DbErr> {
    if let Some(existing) = find_by_email(db, email).await? {
        return Ok(Registration::Existing(existing));
    }
    let person = person::ActiveModel {
        email: Set(email.to_owned()),
        display_name: Set(name.to_owned()),
        password_hash: Set(password::hash(password)),
        is_demo: Set(false),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Registration::Created(person))
}

pub enum Confirmed {
    /// The address of the account is confirmed (new account or new address).
    Done(person::Model),
    /// The new address was taken by another account in the meantime.
    AddressTaken,
}

/// Applies a confirmation link: marks the address confirmed, or switches to the new address.
pub async fn confirm_email(
    db: &DatabaseConnection,
    link: &account_link::Model,
) -> Result<Option<Confirmed>, DbErr> {
    let txn = db.begin().await?;
    if !links::consume(&txn, link).await? {
        return Ok(None);
    }
    let Some(person) = person::Entity::find_by_id(link.person_id).one(&txn).await? else {
        return Ok(None);
    };
    let mut model: person::ActiveModel = person.into();
    if let Some(new_email) = &link.new_email {
        if find_by_email(&txn, new_email).await?.is_some() {
            txn.commit().await?;
            return Ok(Some(Confirmed::AddressTaken));
        }
        model.email = Set(new_email.clone());
    }
    model.email_confirmed_at = Set(Some(Utc::now()));
    let person = model.update(&txn).await?;
    txn.commit().await?;
    Ok(Some(Confirmed::Done(person)))
}

/// Sets a new password and ends every session of the person but `keep_session`.
pub async fn set_password(
    db: &impl ConnectionTrait,
    person: person::Model,
    password: &str,
    keep_session: Option<&str>,
) -> Result<(), DbErr> {
    let id = person.id;
    let mut model: person::ActiveModel = person.into();
    model.password_hash = Set(password::hash(password));
    model.password_temporary = Set(false);
    model.update(db).await?;
    for session in sessions::of_person(db, id).await? {
        if Some(session.id.as_str()) != keep_session {
            sessions::close_by_id(db, id, &session.id).await?;
        }
    }
    Ok(())
}

pub async fn mark_confirmed(db: &impl ConnectionTrait, person_id: i32) -> Result<(), DbErr> {
    if let Some(person) = person::Entity::find_by_id(person_id).one(db).await? {
        let mut model: person::ActiveModel = person.into();
        model.email_confirmed_at = Set(Some(Utc::now()));
        model.update(db).await?;
    }
    Ok(())
}

/// Forgets a person who asked to be deleted: what identifies them is erased, their sessions,
/// links, tokens and roles go, and the row stays (pseudonymised) because tickets, tenders and
/// the audit log point to it.
pub async fn forget(db: &DatabaseConnection, person_id: i32) -> Result<(), DbErr> {
    use super::model::{api_token, ente_request, role_grant, session};
    use sea_orm::{ColumnTrait, QueryFilter};
    let txn = db.begin().await?;
    let Some(person) = person::Entity::find_by_id(person_id).one(&txn).await? else {
        return Ok(());
    };
    let mut model: person::ActiveModel = person.into();
    model.email = Set(format!("eliminato-{person_id}@pico.invalid"));
    model.display_name = Set("Utente eliminato".into());
    model.password_hash = Set(String::new());
    model.fiscal_code = Set(None);
    model.phone = Set(None);
    model.email_confirmed_at = Set(None);
    model.deleted_at = Set(Some(Utc::now()));
    model.update(&txn).await?;
    session::Entity::delete_many()
        .filter(session::Column::PersonId.eq(person_id))
        .exec(&txn)
        .await?;
    account_link::Entity::delete_many()
        .filter(account_link::Column::PersonId.eq(person_id))
        .exec(&txn)
        .await?;
    role_grant::Entity::delete_many()
        .filter(role_grant::Column::PersonId.eq(person_id))
        .exec(&txn)
        .await?;
    ente_request::Entity::delete_many()
        .filter(ente_request::Column::PersonId.eq(person_id))
        .filter(ente_request::Column::Status.eq("pending"))
        .exec(&txn)
        .await?;
    api_token::Entity::update_many()
        .col_expr(
            api_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(api_token::Column::PersonId.eq(person_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await
}
