//! SeaORM entities of the spaces.

pub mod space {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "space")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        /// `national`, `regional` or `provincial`; see [`crate::spaces::SpaceKind`].
        pub kind: String,
        #[sea_orm(unique)]
        pub slug: String,
        pub name: String,
        pub tagline: Option<String>,
        /// ISTAT code of the region (2 digits) or of the province (3 digits).
        pub istat_code: Option<String>,
        pub plate: Option<String>,
        pub region_code: Option<String>,
        pub parent_id: Option<i32>,
        /// `#rrggbb`, checked for contrast with white text.
        pub primary_colour: Option<String>,
        /// Key of the logo in the file storage.
        pub logo_key: Option<String>,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod space_module {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "space_module")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub space_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub module_key: String,
        pub enabled: bool,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod setting {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "setting")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub value: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
