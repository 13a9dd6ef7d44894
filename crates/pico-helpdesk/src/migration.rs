//! The help desk's tables: per space its settings (working hours, default team), teams and
//! their agents, categories, routing rules and SLA targets; the tickets, and the timeline of
//! each ticket (replies, internal notes and every change) and its attachments.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub fn all() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(Migration),
        Box::new(Guests),
        Box::new(Faqs),
        Box::new(Ratings),
        Box::new(SlaAlerts),
        Box::new(CategoryFields),
        Box::new(SavedRepliesAndMerges),
    ]
}

pub struct Migration;

// Named by hand: the derived name is the file's, which other modules' migrations share.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000001_helpdesk"
    }
}

fn to_space(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, "space_id")
        .to("space", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn unique(name: &'static str, table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table).unique();
    for col in cols {
        index.col(*col);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_team")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(string("name"))
                    .col(integer_null("lead_id"))
                    .col(string("strategy"))
                    .col(integer_null("last_assigned_id"))
                    .foreign_key(&mut to_space("helpdesk_team"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_member")
                    .col(pk_auto("id"))
                    .col(integer("team_id"))
                    .col(integer("person_id"))
                    .col(boolean("available"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("helpdesk_member", "team_id")
                            .to("helpdesk_team", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("helpdesk_member", "person_id")
                            .to("person", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "helpdesk_member_once",
                "helpdesk_member",
                &["team_id", "person_id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_settings")
                    .col(pk_auto("id"))
                    .col(integer_uniq("space_id"))
                    .col(text("hours"))
                    .col(string_null("patron"))
                    .col(integer_null("default_team_id"))
                    .col(integer("reopen_days"))
                    .foreign_key(&mut to_space("helpdesk_settings"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_category")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(string("name"))
                    .col(string_null("module_key"))
                    .col(integer("position"))
                    .foreign_key(&mut to_space("helpdesk_category"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_rule")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(integer("position"))
                    .col(integer_null("category_id"))
                    .col(string_null("module_key"))
                    .col(integer_null("requester_space_id"))
                    .col(integer("team_id"))
                    .foreign_key(&mut to_space("helpdesk_rule"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("helpdesk_rule", "team_id")
                            .to("helpdesk_team", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_sla")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(string("priority"))
                    .col(integer("first_response_minutes"))
                    .col(integer("resolution_minutes"))
                    .foreign_key(&mut to_space("helpdesk_sla"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "helpdesk_sla_once",
                "helpdesk_sla",
                &["space_id", "priority"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_ticket")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(integer("requester_id"))
                    .col(integer_null("category_id"))
                    .col(string_null("module_key"))
                    .col(integer_null("requester_space_id"))
                    .col(string("subject"))
                    .col(text("description"))
                    .col(string("status"))
                    .col(string("priority"))
                    .col(integer_null("team_id"))
                    .col(integer_null("assignee_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone("first_response_due"))
                    .col(timestamp_with_time_zone("resolution_due"))
                    .col(timestamp_with_time_zone_null("first_response_at"))
                    .col(timestamp_with_time_zone_null("resolved_at"))
                    .foreign_key(&mut to_space("helpdesk_ticket"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("helpdesk_ticket", "requester_id")
                            .to("person", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("helpdesk_ticket_queue")
                    .table("helpdesk_ticket")
                    .col("space_id")
                    .col("status")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("helpdesk_ticket_requester")
                    .table("helpdesk_ticket")
                    .col("requester_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_event")
                    .col(pk_auto("id"))
                    .col(integer("ticket_id"))
                    .col(integer_null("author_id"))
                    .col(string("kind"))
                    .col(text("body"))
                    .col(boolean("public"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("helpdesk_event", "ticket_id")
                            .to("helpdesk_ticket", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("helpdesk_event_ticket")
                    .table("helpdesk_event")
                    .col("ticket_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_attachment")
                    .col(pk_auto("id"))
                    .col(integer("ticket_id"))
                    .col(string("key"))
                    .col(string("filename"))
                    .col(string("mime"))
                    .col(big_integer("size"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("helpdesk_attachment", "ticket_id")
                            .to("helpdesk_ticket", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }
}

/// Tickets of people without an account: who they are (name, e-mail, fiscal code) and the
/// private links they follow the ticket by, of which only the SHA-256 is kept.
pub struct Guests;

impl MigrationName for Guests {
    fn name(&self) -> &str {
        "m20261124_300001_helpdesk_guest"
    }
}

fn to_ticket(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, "ticket_id")
        .to("helpdesk_ticket", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Guests {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_guest")
                    .col(pk_auto("id"))
                    .col(integer_uniq("ticket_id"))
                    .col(string("name"))
                    .col(string("email"))
                    .col(string_null("fiscal_code"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut to_ticket("helpdesk_guest"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_guest_link")
                    .col(pk_auto("id"))
                    .col(integer("ticket_id"))
                    .col(string_uniq("token_hash"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut to_ticket("helpdesk_guest_link"))
                    .to_owned(),
            )
            .await
    }
}

/// Frequently asked questions of a space's help desk.
pub struct Faqs;

impl MigrationName for Faqs {
    fn name(&self) -> &str {
        "m20261124_300002_helpdesk_faq"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Faqs {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_faq")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(string_null("module_key"))
                    .col(integer_null("category_id"))
                    .col(string("question"))
                    .col(text("answer"))
                    .col(boolean("published"))
                    .col(integer("useful_yes"))
                    .col(integer("useful_no"))
                    .col(integer_null("created_from_ticket"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut to_space("helpdesk_faq"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("helpdesk_faq", "category_id")
                            .to("helpdesk_category", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("helpdesk_faq", "created_from_ticket")
                            .to("helpdesk_ticket", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("helpdesk_faq_space")
                    .table("helpdesk_faq")
                    .col("space_id")
                    .to_owned(),
            )
            .await
    }
}

/// The requesters' ratings of their resolved tickets, one per ticket.
pub struct Ratings;

impl MigrationName for Ratings {
    fn name(&self) -> &str {
        "m20261125_000010_helpdesk_rating"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Ratings {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_rating")
                    .col(pk_auto("id"))
                    .col(integer_uniq("ticket_id"))
                    .col(integer("score"))
                    .col(text("comment"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut to_ticket("helpdesk_rating"))
                    .to_owned(),
            )
            .await
    }
}

/// The SLA alerts mailed to team leads, one per ticket, deadline and level.
pub struct SlaAlerts;

impl MigrationName for SlaAlerts {
    fn name(&self) -> &str {
        "m20261125_000020_helpdesk_sla_alert"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SlaAlerts {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_sla_alert")
                    .col(pk_auto("id"))
                    .col(integer("ticket_id"))
                    .col(string("deadline"))
                    .col(string("level"))
                    .col(integer("lead_id"))
                    .col(timestamp_with_time_zone("sent_at"))
                    .foreign_key(&mut to_ticket("helpdesk_sla_alert"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "helpdesk_sla_alert_once",
                "helpdesk_sla_alert",
                &["ticket_id", "deadline", "level"],
            ))
            .await
    }
}

/// Extra fields a category asks for (a tender's CIG, the Ente concerned…), and the values
/// given on each ticket, with their label, so that they outlive the field.
pub struct CategoryFields;

impl MigrationName for CategoryFields {
    fn name(&self) -> &str {
        "m20261125_000021_helpdesk_category_field"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CategoryFields {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_field")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(integer("category_id"))
                    .col(string("label"))
                    .col(string("kind"))
                    .col(boolean("required"))
                    .col(integer("position"))
                    .foreign_key(&mut to_space("helpdesk_field"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("helpdesk_field", "category_id")
                            .to("helpdesk_category", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_ticket_field")
                    .col(pk_auto("id"))
                    .col(integer("ticket_id"))
                    .col(string("label"))
                    .col(text("value"))
                    .col(integer("position"))
                    .foreign_key(&mut to_ticket("helpdesk_ticket_field"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("helpdesk_ticket_field_ticket")
                    .table("helpdesk_ticket_field")
                    .col("ticket_id")
                    .to_owned(),
            )
            .await
    }
}

/// The agents' saved replies, and which ticket was merged into which as a duplicate.
pub struct SavedRepliesAndMerges;

impl MigrationName for SavedRepliesAndMerges {
    fn name(&self) -> &str {
        "m20261125_000030_helpdesk_saved_replies_merges"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SavedRepliesAndMerges {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_saved_reply")
                    .col(pk_auto("id"))
                    .col(integer("space_id"))
                    .col(string("title"))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut to_space("helpdesk_saved_reply"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "helpdesk_saved_reply_title",
                "helpdesk_saved_reply",
                &["space_id", "title"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("helpdesk_merge")
                    .col(pk_auto("id"))
                    .col(integer_uniq("ticket_id"))
                    .col(integer("into_id"))
                    .col(integer("author_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("helpdesk_merge", "ticket_id")
                            .to("helpdesk_ticket", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("helpdesk_merge", "into_id")
                            .to("helpdesk_ticket", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("helpdesk_merge_into")
                    .table("helpdesk_merge")
                    .col("into_id")
                    .to_owned(),
            )
            .await
    }
}
