//! The append-only audit log of administrative actions. Each entry stores the SHA-256 of its
//! content chained to the previous entry's hash, so that changing, removing or reordering any
//! entry breaks the chain from that point on; `pico audit verify` walks it.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryOrder, QuerySelect, TransactionTrait,
};
use sha2::{Digest, Sha256};

pub mod entry {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_entry")]
    pub struct Model {
        /// 1, 2, 3… without gaps: a missing number is a removed entry.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i64,
        pub at: DateTimeUtc,
        pub actor_id: Option<i32>,
        /// How the actor was known at the time (e-mail), kept even if the account goes.
        pub actor: String,
        /// What was done, e.g. `role.grant`.
        pub action: String,
        /// What it was done to, e.g. `person:12`.
        pub object: String,
        pub space_id: Option<i32>,
        pub ip: Option<String>,
        /// JSON with the particulars.
        pub detail: String,
        pub prev_hash: String,
        #[sea_orm(unique)]
        pub hash: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// The hash the first entry chains to.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An action about to be recorded.
#[derive(Debug, Clone)]
pub struct Record {
    pub actor_id: Option<i32>,
    pub actor: String,
    pub action: &'static str,
    pub object: String,
    pub space_id: Option<i32>,
    pub ip: Option<String>,
    pub detail: serde_json::Value,
}

fn hash_of(id: i64, at: DateTime<Utc>, e: &entry::Model) -> String {
    let content = serde_json::json!([
        id,
        at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        e.actor_id,
        e.actor,
        e.action,
        e.object,
        e.space_id,
        e.ip,
        e.detail,
        e.prev_hash,
    ]);
    hex::encode(Sha256::digest(content.to_string().as_bytes()))
}

/// Appends an entry. Two nodes writing at once compete for the next number; the loser retries
/// on top of the winner, so the chain stays a single line.
pub async fn record(db: &DatabaseConnection, record: Record) -> Result<(), DbErr> {
    let mut attempts = 0;
    loop {
        let txn = db.begin().await?;
        let last = entry::Entity::find()
            .order_by_desc(entry::Column::Id)
            .limit(1)
            .one(&txn)
            .await?;
        let (id, prev_hash) = match last {
            Some(last) => (last.id + 1, last.hash),
            None => (1, GENESIS.to_owned()),
        };
        // Stored with microseconds: what is hashed is what the database gives back.
        let at = Utc::now().trunc_subsecs(6);
        let mut model = entry::Model {
            id,
            at,
            actor_id: record.actor_id,
            actor: record.actor.clone(),
            action: record.action.to_owned(),
            object: record.object.clone(),
            space_id: record.space_id,
            ip: record.ip.clone(),
            detail: record.detail.to_string(),
            prev_hash,
            hash: String::new(),
        };
        model.hash = hash_of(id, at, &model);
        let inserted = entry::ActiveModel {
            id: Set(model.id),
            at: Set(model.at),
            actor_id: Set(model.actor_id),
            actor: Set(model.actor),
            action: Set(model.action),
            object: Set(model.object),
            space_id: Set(model.space_id),
            ip: Set(model.ip),
            detail: Set(model.detail),
            prev_hash: Set(model.prev_hash),
            hash: Set(model.hash),
        }
        .insert(&txn)
        .await;
        match inserted {
            Ok(_) => return txn.commit().await,
            Err(e) if attempts < 5 => {
                tracing::debug!(error = %e, "audit entry raced another node, retrying");
                txn.rollback().await?;
                attempts += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Where the chain breaks, if it does.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry is in place; the number of entries.
    Intact(u64),
    /// The first entry that does not hold, and why.
    Broken { id: i64, reason: &'static str },
}

/// Walks the whole chain in order.
pub async fn verify(db: &impl ConnectionTrait) -> Result<Verdict, DbErr> {
    let mut expected_id = 1;
    let mut prev = GENESIS.to_owned();
    let mut pages = entry::Entity::find()
        .order_by_asc(entry::Column::Id)
        .paginate(db, 1000);
    while let Some(page) = pages.fetch_and_next().await? {
        for e in page {
            if e.id != expected_id {
                return Ok(Verdict::Broken {
                    id: expected_id,
                    reason: "entry missing",
                });
            }
            if e.prev_hash != prev {
                return Ok(Verdict::Broken {
                    id: e.id,
                    reason: "does not chain to the previous entry",
                });
            }
            if hash_of(e.id, e.at, &e) != e.hash {
                return Ok(Verdict::Broken {
                    id: e.id,
                    reason: "content changed after it was written",
                });
            }
            prev = e.hash;
            expected_id += 1;
        }
    }
    Ok(Verdict::Intact((expected_id - 1) as u64))
}
