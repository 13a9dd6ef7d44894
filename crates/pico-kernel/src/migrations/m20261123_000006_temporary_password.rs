//! Marks passwords the platform chose (the first administrator's), to be replaced at once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("person")
                    .add_column(boolean("password_temporary").default(false))
                    .to_owned(),
            )
            .await
    }
}
