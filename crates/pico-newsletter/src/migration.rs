//! The newsletter's tables: who subscribed to which space's list, the campaigns, and one row per
//! campaign and recipient that records what became of that message.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub fn all() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(Migration)]
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("newsletter_subscriber")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(string("email"))
                    .col(string_uniq("token"))
                    .col(string("status"))
                    .col(timestamp_with_time_zone("requested_at"))
                    .col(timestamp_with_time_zone_null("confirmed_at"))
                    .col(timestamp_with_time_zone_null("unsubscribed_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("newsletter_subscriber", "space_id")
                            .to("space", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("newsletter_subscriber_address")
                    .table("newsletter_subscriber")
                    .col("space_id")
                    .col("email")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("newsletter_campaign")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(string("subject"))
                    .col(text("intro"))
                    .col(text("content_ids"))
                    .col(string("status"))
                    .col(text_null("text_body"))
                    .col(text_null("html_body"))
                    .col(integer("recipients"))
                    .col(integer("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("newsletter_campaign", "space_id")
                            .to("space", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("newsletter_delivery")
                    .col(pk_auto("id"))
                    .col(integer("campaign_id"))
                    .col(integer("subscriber_id"))
                    .col(string("email"))
                    .col(string("status"))
                    .col(integer("attempts"))
                    .col(text_null("error"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("newsletter_delivery", "campaign_id")
                            .to("newsletter_campaign", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("newsletter_delivery", "subscriber_id")
                            .to("newsletter_subscriber", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One message per campaign and subscriber, whatever happens to the sending job.
        manager
            .create_index(
                Index::create()
                    .name("newsletter_delivery_once")
                    .table("newsletter_delivery")
                    .col("campaign_id")
                    .col("subscriber_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("newsletter_delivery_progress")
                    .table("newsletter_delivery")
                    .col("campaign_id")
                    .col("status")
                    .to_owned(),
            )
            .await
    }
}
