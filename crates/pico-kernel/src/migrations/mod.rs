//! The migrations runner and the kernel's own migrations.
//!
//! Every module brings its migrations through [`crate::Module::migrations`]. They run in
//! registration order (kernel first), each in its own transaction, and each name is recorded
//! in `pico_migration` so it runs once. Migrations are append-only: never edit one that landed.

mod m20261123_000001_territory;
mod m20261123_000002_spaces;
mod m20261123_000003_identity;
mod m20261123_000004_accounts;
mod m20261123_000005_jobs;
mod m20261123_000006_temporary_password;
mod m20261123_000007_search_changes;
mod m20261124_000008_agreements;

use sea_orm::sea_query::{Expr, Query, Table};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};
use sea_orm_migration::prelude::{MigrationTrait, SchemaManager};
use sea_orm_migration::schema::{string, timestamp_with_time_zone};
use std::collections::HashSet;

pub fn kernel() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261123_000001_territory::Migration),
        Box::new(m20261123_000002_spaces::Migration),
        Box::new(m20261123_000003_identity::Migration),
        Box::new(m20261123_000004_accounts::Migration),
        Box::new(m20261123_000005_jobs::Migration),
        Box::new(m20261123_000006_temporary_password::Migration),
        Box::new(m20261123_000007_search_changes::Migration),
        Box::new(m20261124_000008_agreements::Migration),
    ]
}

/// Applies the migrations that have not run yet; returns the names it applied.
pub async fn run(
    db: &DatabaseConnection,
    migrations: Vec<Box<dyn MigrationTrait>>,
) -> Result<Vec<String>, DbErr> {
    let manager = SchemaManager::new(db);
    manager
        .create_table(
            Table::create()
                .table("pico_migration")
                .if_not_exists()
                .col(string("name").primary_key())
                .col(timestamp_with_time_zone("applied_at"))
                .to_owned(),
        )
        .await?;
    let applied: HashSet<String> = db
        .query_all(
            &Query::select()
                .column("name")
                .from("pico_migration")
                .to_owned(),
        )
        .await?
        .into_iter()
        .map(|row| row.try_get::<String>("", "name"))
        .collect::<Result<_, _>>()?;

    let mut ran = Vec::new();
    for migration in migrations {
        let name = migration.name().to_owned();
        if applied.contains(&name) {
            continue;
        }
        let txn = db.begin().await?;
        migration.up(&SchemaManager::new(&txn)).await?;
        txn.execute(
            &Query::insert()
                .into_table("pico_migration")
                .columns(["name", "applied_at"])
                .values_panic([Expr::val(name.clone()), Expr::val(chrono::Utc::now())])
                .to_owned(),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(migration = %name, "applied migration");
        ran.push(name);
    }
    Ok(ran)
}
