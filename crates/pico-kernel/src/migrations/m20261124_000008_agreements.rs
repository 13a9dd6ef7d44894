//! Agreements (*convenzioni*) between a Province's space and the Enti of its territory.

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
                    .table("agreement")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(integer("comune_id"))
                    .col(date("starts_on"))
                    .col(date_null("ends_on"))
                    .col(string("document_key"))
                    .col(string("document_name"))
                    .col(integer("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("agreement", "space_id")
                            .to("space", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("agreement", "comune_id")
                            .to("comune", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("agreement_of_ente")
                    .table("agreement")
                    .col("space_id")
                    .col("comune_id")
                    .to_owned(),
            )
            .await
    }
}
