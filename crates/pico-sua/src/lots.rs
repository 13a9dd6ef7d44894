//! The lots (*lotti*) of a tender: each with its title, its estimated amount and, once ANAC
//! gave them, its own CIG and CPV code. Everything here is public data of the tender, so that
//! it can be exported (OCDS) as it is. The operators record each lot's CIG and CPV on the
//! tender's page.

use crate::access::Viewer;
use crate::model::tender;
use crate::tenders::{Typed, refuse, visible_tender};
use crate::{Cig, Euro, cpv};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use pico_kernel::identity::Actor;
use pico_kernel::web::audit_log::record;
use pico_kernel::web::{ClientAddress, CurrentSpace, check_csrf};
use pico_kernel::{AppState, Error};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder, TransactionTrait};
use serde::Deserialize;

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
    pub id: i32,
    /// The CIG and the CPV code as stored, for the operator's form.
    pub cig_value: String,
    pub cpv_value: String,
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
            id: l.id,
            cig_value: l.cig.clone().unwrap_or_default(),
            cpv_value: l
                .cpv
                .as_deref()
                .and_then(|c| cpv::lookup(c).ok())
                .map_or_else(String::new, |c| c.display_code),
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

/// Records the CIG and the CPV code of lot `lot_id` of the tender; `None` when the tender has
/// no such lot.
pub async fn update_lot(
    db: &DatabaseConnection,
    t: &tender::Model,
    lot_id: i32,
    cig: Option<Cig>,
    cpv: Option<cpv::Cpv>,
    by: i32,
) -> Result<Option<lot::Model>, DbErr> {
    let txn = db.begin().await?;
    let Some(found) = lot::Entity::find_by_id(lot_id)
        .filter(lot::Column::TenderId.eq(t.id))
        .one(&txn)
        .await?
    else {
        return Ok(None);
    };
    let position = found.position;
    let mut row: lot::ActiveModel = found.into();
    row.cig = Set(cig.as_ref().map(|c| c.as_str().to_owned()));
    row.cpv = Set(cpv.as_ref().map(|c| c.code.clone()));
    let saved = row.update(&txn).await?;
    crate::model::log(
        &txn,
        t.space_id,
        (t.request_id, Some(t.id)),
        Some(by),
        "tender.lot",
        format!(
            "Lotto {position}: CIG {}, CPV {}.",
            cig.as_ref().map_or("non indicato", |c| c.as_str()),
            cpv.as_ref()
                .map_or("non indicato", |c| c.display_code.as_str()),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(Some(saved))
}

#[derive(Deserialize)]
pub struct LotForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    cig: String,
    #[serde(default)]
    cpv: String,
}

pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id, lot_id)): Path<(String, i32, i32)>,
    axum::Form(form): axum::Form<LotForm>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    check_csrf(&actor, &form.csrf)?;
    let t = visible_tender(&state, &space, &viewer, id).await?;
    let mut errors = Vec::new();
    let cig = match form.cig.trim() {
        "" => None,
        written => match Cig::parse(written) {
            Ok(cig) => Some(cig),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    };
    let cpv = match form.cpv.trim() {
        "" => None,
        written => match cpv::lookup(written) {
            Ok(found) => Some(found),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    };
    if let Some(cig) = &cig
        && lots_of(&state.db, t.id)
            .await?
            .iter()
            .any(|l| l.id != lot_id && l.cig.as_deref() == Some(cig.as_str()))
    {
        errors.push(format!(
            "Il CIG {} è già di un altro lotto di questa gara: ogni lotto ha il suo.",
            cig.as_str()
        ));
    }
    if !errors.is_empty() {
        let problem = (StatusCode::UNPROCESSABLE_ENTITY, errors.join(" "));
        return refuse(&state, &actor, space, &viewer, id, problem, Typed::Nothing).await;
    }
    let by = actor.person().ok_or(Error::Unauthenticated)?.id;
    let saved = update_lot(&state.db, &t, lot_id, cig, cpv, by)
        .await?
        .ok_or(Error::NotFound)?;
    record(
        &state,
        &actor,
        &from,
        "sua.tender.lot",
        format!("sua_tender:{id}"),
        Some(space.id),
        serde_json::json!({ "lot": saved.position, "cig": saved.cig, "cpv": saved.cpv }),
    )
    .await?;
    Ok(Redirect::to(&space.path_to(&format!("/sua/gare/{id}?fatto=lotto#lotti"))).into_response())
}
