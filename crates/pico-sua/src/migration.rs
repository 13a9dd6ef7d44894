//! The SUA's tables: the Enti's requests for a tender on delegation, the tenders with their
//! phases and participating Enti, their documents, and the timeline of every change.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub fn all() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(Migration),
        Box::new(crate::campaigns::migration::Migration),
        Box::new(Checks),
        Box::new(Threads),
        Box::new(Rup),
    ]
}

pub struct Migration;

/// Named like the other modules' migrations (date, module), unique across the platform.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_200001_sua"
    }
}

fn space_fk(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, "space_id")
        .to("space", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("sua_request")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(integer("comune_id"))
                    .col(string("object"))
                    .col(string("contract_type"))
                    // Euro cents: exact, and the same on SQLite and PostgreSQL.
                    .col(big_integer("amount_cents"))
                    .col(text("cpv_codes"))
                    .col(string("procedure"))
                    .col(text("timeline"))
                    .col(string("status"))
                    .col(text_null("refusal_reason"))
                    .col(integer("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(integer_null("decided_by"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .foreign_key(&mut space_fk("sua_request"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("sua_request", "comune_id")
                            .to("comune", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sua_tender")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    // One tender per request: a second acceptance cannot make another.
                    .col(integer_null("request_id").unique_key())
                    .col(integer("titolare_comune_id"))
                    .col(string("object"))
                    .col(string("contract_type"))
                    .col(big_integer("amount_cents"))
                    .col(text("cpv_codes"))
                    .col(string("procedure"))
                    .col(string("phase"))
                    .col(string_null("cig"))
                    .col(string_null("cup"))
                    .col(string("station_fiscal_code"))
                    .col(string("ausa_code"))
                    .col(string("rup_name"))
                    .col(string("pad_name"))
                    .col(string("pad_url"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut space_fk("sua_tender"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("sua_tender", "request_id")
                            .to("sua_request", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sua_phase")
                    .col(pk_auto("id"))
                    .col(integer("tender_id"))
                    .col(string("phase"))
                    .col(date_null("deadline"))
                    .col(string("responsible"))
                    .col(timestamp_with_time_zone_null("started_at"))
                    .col(timestamp_with_time_zone_null("completed_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("sua_phase", "tender_id")
                            .to("sua_tender", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sua_phase_once")
                    .table("sua_phase")
                    .col("tender_id")
                    .col("phase")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sua_participant")
                    .col(pk_auto("id"))
                    .col(integer("tender_id"))
                    .col(integer("comune_id"))
                    .col(timestamp_with_time_zone("added_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("sua_participant", "tender_id")
                            .to("sua_tender", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sua_participant_once")
                    .table("sua_participant")
                    .col("tender_id")
                    .col("comune_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sua_document")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(integer_null("request_id"))
                    .col(integer_null("tender_id"))
                    .col(string_null("phase"))
                    .col(string("key"))
                    .col(string("filename"))
                    .col(integer("uploaded_by"))
                    .col(timestamp_with_time_zone("uploaded_at"))
                    .foreign_key(&mut space_fk("sua_document"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sua_event")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(integer_null("request_id"))
                    .col(integer_null("tender_id"))
                    .col(integer_null("person_id"))
                    .col(string("kind"))
                    .col(text("summary"))
                    .col(timestamp_with_time_zone("at"))
                    .foreign_key(&mut space_fk("sua_event"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sua_event_of_request")
                    .table("sua_event")
                    .col("request_id")
                    .to_owned(),
            )
            .await
    }
}

/// The winning bidder of a tender and the checks on its requirements.
pub struct Checks;

impl MigrationName for Checks {
    fn name(&self) -> &str {
        "m20261124_220001_sua_checks"
    }
}

fn tender_fk(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, "tender_id")
        .to("sua_tender", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Checks {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("sua_award")
                    .col(pk_auto("id"))
                    // One winner per tender: recording it again corrects it.
                    .col(integer("tender_id").unique_key())
                    .col(string("supplier_name"))
                    .col(string("supplier_fiscal_code"))
                    .col(big_integer("amount_cents"))
                    .col(date("awarded_on"))
                    .col(integer("recorded_by"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .foreign_key(&mut tender_fk("sua_award"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sua_check")
                    .col(pk_auto("id"))
                    .col(integer("tender_id"))
                    .col(string("area"))
                    .col(string("requirement"))
                    .col(string("outcome"))
                    .col(date_null("checked_on"))
                    .col(text("evidence"))
                    .col(integer_null("checked_by"))
                    .foreign_key(&mut tender_fk("sua_check"))
                    .to_owned(),
            )
            .await
    }
}

/// The support threads between each Ente of a tender and the Province's operators.
pub struct Threads;

impl MigrationName for Threads {
    fn name(&self) -> &str {
        "m20261124_230001_sua_threads"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Threads {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("sua_message")
                    .col(pk_auto("id"))
                    .col(integer("tender_id"))
                    // The Ente whose thread this is.
                    .col(integer("comune_id"))
                    .col(integer("author_id"))
                    .col(boolean("from_operator"))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("at"))
                    .foreign_key(&mut tender_fk("sua_message"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sua_message_thread")
                    .table("sua_message")
                    .col("tender_id")
                    .col("comune_id")
                    .to_owned(),
            )
            .await
    }
}

/// The registry of the people able to act as RUP, and the RUP of each tender.
pub struct Rup;

impl MigrationName for Rup {
    fn name(&self) -> &str {
        "m20261124_240001_sua_rup"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Rup {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("sua_rup")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(string("name"))
                    // The Ente the person works for; none: the Province.
                    .col(integer_null("comune_id"))
                    .col(string("qualification"))
                    .col(boolean("works"))
                    .col(boolean("services"))
                    .col(boolean("supplies"))
                    // Lower-case; a person signed in with it sees the tenders assigned.
                    .col(string("email"))
                    .col(string("phone"))
                    .col(boolean("available"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut space_fk("sua_rup"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sua_rup_email")
                    .table("sua_rup")
                    .col("space_id")
                    .col("email")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("sua_tender")
                    .add_column(integer_null("rup_id"))
                    .to_owned(),
            )
            .await
    }
}
