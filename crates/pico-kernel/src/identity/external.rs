//! People who sign in with SPID or CIE are found by their fiscal code, or created.

use super::find_by_email;
use super::fiscal_code;
use super::model::person;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
};

/// What the identity provider asserted about the person.
pub struct Asserted<'a> {
    pub fiscal_code: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub email: Option<&'a str>,
}

pub enum Matched {
    Existing(person::Model),
    Created(person::Model),
}

/// Finds the person with the asserted fiscal code, or creates one. An account is never joined
/// to a SPID identity by e-mail alone: only the fiscal code (checked in the profile) links them.
pub async fn find_or_create(
    db: &impl ConnectionTrait,
    asserted: &Asserted<'_>,
) -> Result<Result<Matched, &'static str>, DbErr> {
    let code = match fiscal_code::parse(asserted.fiscal_code) {
        Ok(code) => code,
        Err(message) => return Ok(Err(message)),
    };
    if let Some(existing) = person::Entity::find()
        .filter(person::Column::FiscalCode.eq(code.as_str()))
        .filter(person::Column::DeletedAt.is_null())
        .one(db)
        .await?
    {
        return Ok(Ok(Matched::Existing(existing)));
    }
    // The provider's e-mail if no account has it; otherwise a placeholder the person can
    // replace from the profile.
    let email = match asserted.email.map(|e| e.trim().to_lowercase()) {
        Some(email) if !email.is_empty() && find_by_email(db, &email).await?.is_none() => email,
        _ => format!("{}@spid-cie.invalid", code.to_lowercase()),
    };
    let name = format!(
        "{} {}",
        asserted.given_name.trim(),
        asserted.family_name.trim()
    );
    let now = Utc::now();
    let person = person::ActiveModel {
        email: Set(email),
        display_name: Set(name.trim().to_owned()),
        password_hash: Set(String::new()),
        is_demo: Set(false),
        created_at: Set(now),
        email_confirmed_at: Set(asserted.email.map(|_| now)),
        fiscal_code: Set(Some(code)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Ok(Matched::Created(person)))
}
