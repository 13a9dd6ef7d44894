//! SeaORM entities of people, their roles and their sessions.

pub mod person {
    use sea_orm::entity::prelude::*;

    /// Someone with an account. (`user` is a reserved word in PostgreSQL.)
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "person")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        /// Lower-case.
        #[sea_orm(unique)]
        pub email: String,
        pub display_name: String,
        /// Argon2id PHC string.
        pub password_hash: String,
        /// Created by `pico seed --demo`.
        pub is_demo: bool,
        pub created_at: DateTimeUtc,
        pub last_login_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod role_grant {
    use sea_orm::entity::prelude::*;

    /// A role given to a person in a space, in an Ente, or on the whole platform.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "role_grant")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        /// See [`crate::identity::Role`].
        pub role: String,
        pub space_id: Option<i32>,
        /// The Ente, for Ente roles (for now every Ente is a comune).
        pub comune_id: Option<i32>,
        /// The module, for module operators.
        pub module_key: Option<String>,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod session {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "session")]
    pub struct Model {
        /// SHA-256 of the cookie's token: a database leak does not leak live sessions.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub person_id: i32,
        pub csrf_token: String,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub ip: Option<String>,
        pub user_agent: Option<String>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
