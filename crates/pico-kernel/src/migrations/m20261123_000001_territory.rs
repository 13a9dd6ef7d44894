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
                    .table("region")
                    .col(string_len("code", 2).primary_key())
                    .col(string("name"))
                    .col(string("nuts2"))
                    .col(boolean("special_statute"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("province")
                    .col(string_len("code", 3).primary_key())
                    .col(string_len("historical_code", 3))
                    .col(string("name"))
                    .col(string_len_uniq("plate", 2))
                    .col(small_integer("kind"))
                    .col(string_len("region_code", 2))
                    .col(string("nuts3"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("province", "region_code")
                            .to("region", "code"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("comune")
                    .col(pk_auto("id"))
                    .col(string_len_uniq("istat_code", 6))
                    .col(string("name"))
                    .col(string_null("name_other_language"))
                    .col(string_len("cadastral_code", 4))
                    .col(string_len("province_code", 3))
                    .col(boolean("is_capital"))
                    .col(integer_null("population"))
                    .col(double_null("lat"))
                    .col(double_null("lon"))
                    .col(timestamp_with_time_zone_null("suppressed_at"))
                    .col(integer_null("successor_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("comune", "province_code")
                            .to("province", "code"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("comune", "successor_id")
                            .to("comune", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("comune_province_name")
                    .table("comune")
                    .col("province_code")
                    .col("name")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("comune_change")
                    .col(pk_auto("id"))
                    .col(integer("comune_id"))
                    .col(string("kind"))
                    .col(string_null("old_value"))
                    .col(string_null("new_value"))
                    .col(timestamp_with_time_zone("changed_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("comune_change", "comune_id")
                            .to("comune", "id"),
                    )
                    .to_owned(),
            )
            .await
    }
}
