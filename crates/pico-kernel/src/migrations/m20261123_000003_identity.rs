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
                    .table("person")
                    .col(pk_auto("id"))
                    .col(string_uniq("email"))
                    .col(string("display_name"))
                    .col(string("password_hash"))
                    .col(boolean("is_demo"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("last_login_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("role_grant")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(string("role"))
                    .col(integer_null("space_id"))
                    .col(integer_null("comune_id"))
                    .col(string_null("module_key"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("role_grant", "person_id")
                            .to("person", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("role_grant", "space_id")
                            .to("space", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("role_grant", "comune_id")
                            .to("comune", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("role_grant_person")
                    .table("role_grant")
                    .col("person_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("session")
                    .col(string("id").primary_key())
                    .col(integer("person_id"))
                    .col(string("csrf_token"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(string_null("ip"))
                    .col(string_null("user_agent"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("session", "person_id")
                            .to("person", "id"),
                    )
                    .to_owned(),
            )
            .await
    }
}
