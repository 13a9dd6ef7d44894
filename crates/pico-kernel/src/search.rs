//! Site search: each node keeps its own index (see `pico-search`), fed from a change log in
//! the database so that every node sees every change. A module records the key of what it
//! changed with [`changed`]; the node that made the change applies it at once, the others
//! within seconds. `pico reindex` rebuilds the index from the modules' documents.

use crate::identity::{Actor, Role, Scope};
use crate::web::AppState;
use chrono::{Duration, Utc};
use pico_search::{Document, SearchIndex};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{ConnectionTrait, DbErr};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Changes committed within this window are read again on every catch-up: with several
/// writers, a change can commit after one with a higher id.
const LATE_COMMITS: i64 = 60;

#[derive(Clone)]
pub struct Search {
    pub index: SearchIndex,
    /// False when another process (a running server) holds the index on disk: a command
    /// then works with an empty index in memory, which nobody reads.
    pub on_disk: bool,
    /// One catch-up at a time on this node.
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl Search {
    /// The index under `dir`, or an empty one in memory when another process holds it.
    pub fn open(dir: &std::path::Path) -> anyhow::Result<Self> {
        let (index, on_disk) = match SearchIndex::open(dir) {
            Ok(index) => (index, true),
            Err(e) => {
                tracing::warn!(error = %e, "the search index is in use by another process (a running server?): going on without it");
                (SearchIndex::in_memory()?, false)
            }
        };
        Ok(Self {
            index,
            on_disk,
            lock: Arc::default(),
        })
    }
}

/// Who may see a document: everybody, or the editors of one space.
pub const PUBLIC: &str = "public";

pub fn editors_of(space_id: i32) -> String {
    format!("editors:{space_id}")
}

/// The audience tokens of a reader.
pub fn audience(actor: &Actor) -> Vec<String> {
    let mut audience = vec![PUBLIC.to_owned()];
    if let Some(person) = actor.person() {
        for grant in &person.grants {
            if let (Role::Editor | Role::SpaceAdmin, Scope::Space { id, .. }) =
                (grant.role, &grant.scope)
            {
                audience.push(editors_of(*id));
            }
        }
    }
    audience
}

/// Records that the document `key` (`<module>:<rest>`) changed, in the caller's transaction.
pub async fn record(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    db.execute(
        &Query::insert()
            .into_table("search_change")
            .columns(["key", "created_at"])
            .values_panic([Expr::val(key), Expr::val(Utc::now())])
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Records a change and brings this node's index up to date.
pub async fn changed(state: &AppState, key: &str) -> anyhow::Result<()> {
    record(&state.db, key).await?;
    catch_up(state).await
}

async fn last_change(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let row = db
        .query_one(
            &Query::select()
                .expr_as(Func::max(Expr::col("id")), "last")
                .from("search_change")
                .to_owned(),
        )
        .await?;
    Ok(row
        .and_then(|r| r.try_get::<Option<i64>>("", "last").ok().flatten())
        .unwrap_or(0))
}

/// Applies the changes this node has not seen yet.
pub async fn catch_up(state: &AppState) -> anyhow::Result<()> {
    let search = &state.search;
    let _one_at_a_time = search.lock.lock().await;
    let seen = search.index.checkpoint().unwrap_or(0);
    let rows =
        state
            .db
            .query_all(
                &Query::select()
                    .columns(["id", "key"])
                    .from("search_change")
                    .cond_where(Expr::col("id").gt(seen).or(
                        Expr::col("created_at").gt(Utc::now() - Duration::seconds(LATE_COMMITS)),
                    ))
                    .to_owned(),
            )
            .await?;
    let mut last = seen;
    let mut keys = BTreeSet::new();
    for row in rows {
        last = std::cmp::max(last, row.try_get::<i64>("", "id")?);
        keys.insert(row.try_get::<String>("", "key")?);
    }
    if keys.is_empty() {
        return Ok(());
    }
    let (mut upserts, mut deletions) = (Vec::new(), Vec::new());
    for key in keys {
        match document(state, &key).await? {
            Some(document) => upserts.push(document),
            None => deletions.push(key),
        }
    }
    search.index.apply(upserts, deletions, Some(last))?;
    Ok(())
}

/// The current document for `key`, from the module that owns it.
async fn document(state: &AppState, key: &str) -> Result<Option<Document>, DbErr> {
    let module_key = key.split(':').next().unwrap_or_default();
    match state.registry.get(module_key) {
        Some(module) => module.search_document(state, key).await,
        None => Ok(None),
    }
}

/// Rebuilds the whole index from every module's documents; returns how many.
pub async fn reindex(state: &AppState) -> anyhow::Result<usize> {
    anyhow::ensure!(
        state.search.on_disk,
        "the search index is in use by a running server: stop it, then rebuild the index"
    );
    let _one_at_a_time = state.search.lock.lock().await;
    let last = last_change(&state.db).await?;
    let mut documents = Vec::new();
    for module in state.registry.iter() {
        documents.extend(module.search_documents(state).await?);
    }
    Ok(state.search.index.rebuild(documents, Some(last))?)
}

/// Keeps this node's index fed with the changes other nodes make.
pub fn spawn_follower(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = catch_up(&state).await {
                tracing::error!(error = %e, "search index could not catch up");
            }
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        }
    })
}
