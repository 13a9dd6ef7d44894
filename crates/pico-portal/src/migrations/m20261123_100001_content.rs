//! The CMS: content (pages, news, events) with its revisions and tags, what a space declines
//! of the content shared from above, and the useful links of a home page.

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
                    .table("content")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(string("kind"))
                    .col(string("slug"))
                    .col(string("title"))
                    .col(text("summary"))
                    .col(text("body"))
                    .col(string_null("image_key"))
                    .col(string_null("image_alt"))
                    .col(integer_null("parent_id"))
                    .col(integer("position"))
                    .col(string("status"))
                    .col(timestamp_with_time_zone_null("publish_at"))
                    .col(timestamp_with_time_zone_null("unpublish_at"))
                    .col(timestamp_with_time_zone_null("published_at"))
                    .col(timestamp_with_time_zone_null("starts_at"))
                    .col(timestamp_with_time_zone_null("ends_at"))
                    .col(string_null("place"))
                    .col(string_null("online_url"))
                    .col(string_null("organiser"))
                    .col(boolean("shared"))
                    .col(boolean("highlighted"))
                    .col(integer("revision"))
                    .col(integer("created_by"))
                    .col(integer("updated_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("content", "space_id")
                            .to("space", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("content_slug")
                    .table("content")
                    .col("space_id")
                    .col("kind")
                    .col("slug")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("content_listing")
                    .table("content")
                    .col("kind")
                    .col("status")
                    .col("published_at")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("content_tag")
                    .col(integer("content_id"))
                    .col(string("tag"))
                    .primary_key(Index::create().col("content_id").col("tag"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("content_tag", "content_id")
                            .to("content", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("content_revision")
                    .col(pk_auto("id"))
                    .col(integer("content_id"))
                    .col(integer("number"))
                    .col(text("snapshot"))
                    .col(string("note"))
                    .col(integer("author_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("content_revision", "content_id")
                            .to("content", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("content_revision_number")
                    .table("content_revision")
                    .col("content_id")
                    .col("number")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("content_declined")
                    .col(integer("content_id"))
                    .col(integer("space_id"))
                    .primary_key(Index::create().col("content_id").col("space_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("content_declined", "content_id")
                            .to("content", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("useful_link")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(string("label"))
                    .col(string("url"))
                    .col(integer("position"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("useful_link", "space_id")
                            .to("space", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }
}
