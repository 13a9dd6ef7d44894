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
        /// Argon2id PHC string; empty for someone who only signs in with SPID or CIE.
        pub password_hash: String,
        /// Created by `pico seed --demo`.
        pub is_demo: bool,
        pub created_at: DateTimeUtc,
        pub last_login_at: Option<DateTimeUtc>,
        /// Unset until the person follows the link sent to `email`.
        pub email_confirmed_at: Option<DateTimeUtc>,
        /// Upper-case, validated; how SPID and CIE logins find the person.
        #[sea_orm(unique)]
        pub fiscal_code: Option<String>,
        pub phone: Option<String>,
        /// Set when the person asked to be forgotten: the row stays, pseudonymised, because
        /// other records point to it.
        pub deleted_at: Option<DateTimeUtc>,
        /// The platform chose the password (the first administrator's): it must be replaced.
        pub password_temporary: bool,
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

pub mod account_link {
    use sea_orm::entity::prelude::*;

    /// A single-use link sent by e-mail: confirm an address, reset a password.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "account_link")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        /// See [`crate::identity::links::Purpose`].
        pub purpose: String,
        /// SHA-256 of the token in the link.
        #[sea_orm(unique)]
        pub token_hash: String,
        /// The address being confirmed, when it is a change of e-mail.
        pub new_email: Option<String>,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub used_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod ente_request {
    use sea_orm::entity::prelude::*;

    /// A person asking to work for an Ente, decided by its administrators.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "ente_request")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        pub comune_id: i32,
        pub message: String,
        /// `pending`, `approved` or `refused`.
        pub status: String,
        pub decided_by: Option<i32>,
        pub decided_at: Option<DateTimeUtc>,
        pub reason: Option<String>,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod api_token {
    use sea_orm::entity::prelude::*;

    /// A personal token for the JSON API, stored as its SHA-256.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "api_token")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        pub name: String,
        #[sea_orm(unique)]
        pub token_hash: String,
        /// The first characters, to recognise the token in the list.
        pub prefix: String,
        pub can_write: bool,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub last_used_at: Option<DateTimeUtc>,
        pub revoked_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
