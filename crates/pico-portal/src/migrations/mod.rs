//! The portal's migrations, applied after the kernel's.

mod m20261123_100001_content;
mod m20261201_100001_media;

use sea_orm_migration::MigrationTrait;

pub fn all() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261123_100001_content::Migration),
        Box::new(m20261201_100001_media::Migration),
    ]
}
