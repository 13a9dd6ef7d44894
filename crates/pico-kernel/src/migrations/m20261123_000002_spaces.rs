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
                    .table("space")
                    .col(pk_auto("id"))
                    .col(string("kind"))
                    .col(string_uniq("slug"))
                    .col(string("name"))
                    .col(string_null("tagline"))
                    .col(string_null("istat_code"))
                    .col(string_len_null("plate", 2))
                    .col(string_len_null("region_code", 2))
                    .col(integer_null("parent_id"))
                    .col(string_null("primary_colour"))
                    .col(string_null("logo_key"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("space", "parent_id")
                            .to("space", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("space_kind_istat")
                    .table("space")
                    .col("kind")
                    .col("istat_code")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("space_module")
                    .col(integer("space_id"))
                    .col(string("module_key"))
                    .col(boolean("enabled"))
                    .primary_key(Index::create().col("space_id").col("module_key"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("space_module", "space_id")
                            .to("space", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("setting")
                    .col(string("key").primary_key())
                    .col(text("value"))
                    .to_owned(),
            )
            .await
    }
}
