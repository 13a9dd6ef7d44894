//! Agreements (*convenzioni*): an Ente of a Province's territory signs one with the Province to
//! use its services (the SUA's tenders first). Kept in the kernel because several modules
//! depend on them: the SUA asks [`is_active`], the SIT module will add templates and an
//! adhesion workflow on top.

use chrono::{NaiveDate, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, Condition, QueryOrder};

pub mod agreement {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "agreement")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        /// The Province's space that signed it.
        pub space_id: i32,
        /// The Ente (a Comune) on the other side.
        pub comune_id: i32,
        pub starts_on: Date,
        /// The last day it is in force; `None` while it has no end.
        pub ends_on: Option<Date>,
        /// The signed document, in the platform's storage.
        pub document_key: String,
        pub document_name: String,
        pub created_by: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub use agreement::Model as Agreement;

impl Agreement {
    /// Whether it is in force on `day`.
    pub fn is_active_on(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && self.ends_on.is_none_or(|end| day <= end)
    }
}

/// What a new agreement says.
pub struct NewAgreement {
    pub space_id: i32,
    pub comune_id: i32,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub document_key: String,
    pub document_name: String,
    pub created_by: i32,
}

/// Whether the Ente `comune_id` has an agreement in force with the space on `today`.
pub async fn is_active(
    db: &impl ConnectionTrait,
    space_id: i32,
    comune_id: i32,
    today: NaiveDate,
) -> Result<bool, DbErr> {
    use agreement::Column;
    Ok(agreement::Entity::find()
        .filter(Column::SpaceId.eq(space_id))
        .filter(Column::ComuneId.eq(comune_id))
        .filter(Column::StartsOn.lte(today))
        .filter(
            Condition::any()
                .add(Column::EndsOn.is_null())
                .add(Column::EndsOn.gte(today)),
        )
        .count(db)
        .await?
        > 0)
}

/// The agreements of a space, the most recent first.
pub async fn of_space(db: &impl ConnectionTrait, space_id: i32) -> Result<Vec<Agreement>, DbErr> {
    agreement::Entity::find()
        .filter(agreement::Column::SpaceId.eq(space_id))
        .order_by_desc(agreement::Column::StartsOn)
        .order_by_desc(agreement::Column::Id)
        .all(db)
        .await
}

pub async fn find(
    db: &impl ConnectionTrait,
    space_id: i32,
    id: i32,
) -> Result<Option<Agreement>, DbErr> {
    agreement::Entity::find_by_id(id)
        .filter(agreement::Column::SpaceId.eq(space_id))
        .one(db)
        .await
}

pub async fn create(db: &impl ConnectionTrait, new: NewAgreement) -> Result<Agreement, DbErr> {
    let now = Utc::now();
    agreement::ActiveModel {
        space_id: Set(new.space_id),
        comune_id: Set(new.comune_id),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        document_key: Set(new.document_key),
        document_name: Set(new.document_name),
        created_by: Set(new.created_by),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Ends an agreement on `day` (its last day in force).
pub async fn end(
    db: &impl ConnectionTrait,
    agreement: Agreement,
    day: NaiveDate,
) -> Result<Agreement, DbErr> {
    let mut model: agreement::ActiveModel = agreement.into();
    model.ends_on = Set(Some(day));
    model.updated_at = Set(Utc::now());
    model.update(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_agreement_is_in_force_from_its_first_to_its_last_day() {
        let now = Utc::now();
        let mut a = Agreement {
            id: 1,
            space_id: 1,
            comune_id: 1,
            starts_on: day("2026-01-01"),
            ends_on: None,
            document_key: String::new(),
            document_name: String::new(),
            created_by: 1,
            created_at: now,
            updated_at: now,
        };
        assert!(!a.is_active_on(day("2025-12-31")));
        assert!(a.is_active_on(day("2026-01-01")));
        assert!(a.is_active_on(day("2030-01-01")));
        a.ends_on = Some(day("2026-06-30"));
        assert!(a.is_active_on(day("2026-06-30")));
        assert!(!a.is_active_on(day("2026-07-01")));
    }
}
