//! The tables of the needs-collection campaigns and of the lots of a tender.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_210001_sua_campaigns"
    }
}

fn cascade(
    from: &'static str,
    column: &'static str,
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from, column)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("sua_lot")
                    .col(pk_auto("id"))
                    .col(integer("tender_id"))
                    .col(integer("position"))
                    .col(string("title"))
                    .col(string_null("cig"))
                    .col(big_integer("amount_cents"))
                    .col(string_null("cpv"))
                    .foreign_key(&mut cascade("sua_lot", "tender_id", "sua_tender"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sua_campaign")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(string("title"))
                    .col(text("description"))
                    .col(timestamp_with_time_zone("deadline"))
                    .col(string("status"))
                    // The aggregated tender made from it: at most one, whoever clicks twice.
                    .col(integer_null("tender_id").unique_key())
                    .col(integer("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .foreign_key(&mut cascade("sua_campaign", "space_id", "space"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("sua_campaign", "tender_id")
                            .to("sua_tender", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sua_campaign_ente")
                    .col(pk_auto("id"))
                    .col(integer("campaign_id"))
                    .col(integer("comune_id"))
                    .col(timestamp_with_time_zone_null("submitted_at"))
                    .col(integer_null("submitted_by"))
                    .foreign_key(&mut cascade(
                        "sua_campaign_ente",
                        "campaign_id",
                        "sua_campaign",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from("sua_campaign_ente", "comune_id")
                            .to("comune", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sua_campaign_ente_once")
                    .table("sua_campaign_ente")
                    .col("campaign_id")
                    .col("comune_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sua_campaign_item")
                    .col(pk_auto("id"))
                    .col(integer("campaign_id"))
                    .col(integer("position"))
                    .col(string("group_name"))
                    .col(string("name"))
                    .col(string("unit"))
                    .col(text("specifications"))
                    .col(big_integer_null("reference_price_cents"))
                    .foreign_key(&mut cascade(
                        "sua_campaign_item",
                        "campaign_id",
                        "sua_campaign",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sua_campaign_answer")
                    .col(pk_auto("id"))
                    .col(integer("campaign_id"))
                    .col(integer("item_id"))
                    .col(integer("comune_id"))
                    // Thousandths of the unit: exact, and summed alike on SQLite and PostgreSQL.
                    .col(big_integer("quantity_milli"))
                    .col(text("note"))
                    .col(integer("updated_by"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut cascade(
                        "sua_campaign_answer",
                        "campaign_id",
                        "sua_campaign",
                    ))
                    .foreign_key(&mut cascade(
                        "sua_campaign_answer",
                        "item_id",
                        "sua_campaign_item",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sua_campaign_answer_once")
                    .table("sua_campaign_answer")
                    .col("item_id")
                    .col("comune_id")
                    .unique()
                    .to_owned(),
            )
            .await
    }
}
