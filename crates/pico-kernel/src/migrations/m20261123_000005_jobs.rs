//! The durable job table: background work that survives restarts and runs on one node.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("job")
                    .col(pk_auto("id"))
                    .col(string("kind"))
                    .col(text("payload"))
                    .col(string("state"))
                    .col(integer("attempts"))
                    .col(integer("max_attempts"))
                    .col(timestamp_with_time_zone("run_at"))
                    .col(string_null("locked_by"))
                    .col(timestamp_with_time_zone_null("locked_until"))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("job_due")
                    .table("job")
                    .col("state")
                    .col("run_at")
                    .to_owned(),
            )
            .await
    }
}
