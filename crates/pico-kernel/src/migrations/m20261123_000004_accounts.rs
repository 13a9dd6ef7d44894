//! What self-service accounts need: confirmed e-mail, fiscal code and phone on the person,
//! single-use links, Ente membership requests, personal API tokens, the audit log and pending
//! SPID/CIE logins.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            timestamp_with_time_zone_null("email_confirmed_at"),
            string_null("fiscal_code"),
            string_null("phone"),
            timestamp_with_time_zone_null("deleted_at"),
        ] {
            manager
                .alter_table(Table::alter().table("person").add_column(column).to_owned())
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("person_fiscal_code")
                    .table("person")
                    .col("fiscal_code")
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Every account that existed before this migration was created by an administrator.
        manager
            .get_connection()
            .execute_unprepared("UPDATE person SET email_confirmed_at = created_at")
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("account_link")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(string("purpose"))
                    .col(string_uniq("token_hash"))
                    .col(string_null("new_email"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("account_link", "person_id")
                            .to("person", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("ente_request")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(integer("comune_id"))
                    .col(text("message"))
                    .col(string("status"))
                    .col(integer_null("decided_by"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(text_null("reason"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("ente_request", "person_id")
                            .to("person", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("ente_request", "comune_id")
                            .to("comune", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("api_token")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(string("name"))
                    .col(string_uniq("token_hash"))
                    .col(string("prefix"))
                    .col(boolean("can_write"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("api_token", "person_id")
                            .to("person", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("audit_entry")
                    .col(big_integer("id").primary_key())
                    .col(timestamp_with_time_zone("at"))
                    .col(integer_null("actor_id"))
                    .col(string("actor"))
                    .col(string("action"))
                    .col(string("object"))
                    .col(integer_null("space_id"))
                    .col(string_null("ip"))
                    .col(text("detail"))
                    .col(string("prev_hash"))
                    .col(string_uniq("hash"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("oidc_login")
                    .col(string("state_hash").primary_key())
                    .col(text("pending"))
                    .col(string("next"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .to_owned(),
            )
            .await
    }
}
