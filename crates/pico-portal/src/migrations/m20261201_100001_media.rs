//! The media library of each space: uploaded images and documents, and the resized copies
//! of the images that pages show.

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
                    .table("media")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(string("key"))
                    .col(string("filename"))
                    .col(string("kind"))
                    .col(string("mime"))
                    .col(big_integer("size"))
                    .col(integer_null("width"))
                    .col(integer_null("height"))
                    .col(string_null("alt"))
                    .col(string("title"))
                    .col(integer("uploaded_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("media", "space_id")
                            .to("space", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("media_key")
                    .table("media")
                    .col("space_id")
                    .col("key")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("media_rendition")
                    .col(integer("media_id"))
                    .col(integer("width"))
                    .col(integer("height"))
                    .col(string("key"))
                    .col(string("mime"))
                    .primary_key(Index::create().col("media_id").col("width"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("media_rendition", "media_id")
                            .to("media", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }
}
