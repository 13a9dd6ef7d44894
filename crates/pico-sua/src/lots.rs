//! The lots (*lotti*) of a tender: each with its title, its estimated amount and, once ANAC
//! gave them, its own CIG and CPV code. Everything here is public data of the tender, so that
//! it can be exported (OCDS) as it is.

use crate::{Cig, Euro};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};

pub mod lot {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sua_lot")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub tender_id: i32,
        /// 1, 2, 3… in the order the tender lists them.
        pub position: i32,
        pub title: String,
        /// The lot's CIG: in a tender with lots each lot has its own.
        pub cig: Option<String>,
        pub amount_cents: i64,
        /// Eight-digit CPV code of the lot's main object.
        pub cpv: Option<String>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A lot to add to a tender; its CIG already checked.
#[derive(Debug, Clone)]
pub struct NewLot {
    pub title: String,
    pub cig: Option<Cig>,
    pub amount: Euro,
    pub cpv: Option<String>,
}

/// The lots of a tender, in their order.
pub async fn lots_of(db: &impl ConnectionTrait, tender_id: i32) -> Result<Vec<lot::Model>, DbErr> {
    lot::Entity::find()
        .filter(lot::Column::TenderId.eq(tender_id))
        .order_by_asc(lot::Column::Position)
        .order_by_asc(lot::Column::Id)
        .all(db)
        .await
}

/// Adds a lot after the tender's last one.
pub async fn create_lot(
    db: &impl ConnectionTrait,
    tender_id: i32,
    new: NewLot,
) -> Result<lot::Model, DbErr> {
    let position = lot::Entity::find()
        .filter(lot::Column::TenderId.eq(tender_id))
        .count(db)
        .await? as i32
        + 1;
    lot::ActiveModel {
        tender_id: Set(tender_id),
        position: Set(position),
        title: Set(new.title),
        cig: Set(new.cig.map(|c| c.as_str().to_owned())),
        amount_cents: Set(new.amount.cents()),
        cpv: Set(new.cpv),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// A lot as the tender page shows it.
pub struct LotRow {
    pub position: i32,
    pub title: String,
    pub cig: String,
    pub amount: String,
    pub cpv: String,
}

pub async fn rows(db: &impl ConnectionTrait, tender_id: i32) -> Result<Vec<LotRow>, DbErr> {
    Ok(lots_of(db, tender_id)
        .await?
        .into_iter()
        .map(|l| LotRow {
            position: l.position,
            title: l.title,
            cig: l.cig.unwrap_or_else(|| "non ancora assegnato".into()),
            amount: Euro::from_cents(l.amount_cents).to_string(),
            cpv: l.cpv.and_then(|c| crate::cpv::lookup(&c).ok()).map_or_else(
                || "non indicato".into(),
                |c| format!("{} – {}", c.display_code, c.label),
            ),
        })
        .collect())
}
