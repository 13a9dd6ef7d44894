//! People, their roles and their sessions. The platform creates its first administrator at
//! first start and prints the one-time password in the log; everyone else registers.

pub mod accounts;
pub mod api_tokens;
pub mod external;
pub mod fiscal_code;
pub mod links;
pub mod model;
pub mod password;
pub mod sessions;

use crate::spaces::{self, SpaceKind};
use chrono::Utc;
use model::{person, role_grant};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter,
};

/// The roles a person can hold. The scope of each grant (platform, space or Ente) is stored
/// beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    PlatformAdmin,
    SpaceAdmin,
    Editor,
    HelpdeskAgent,
    /// Operator of one module (SUA, SIT, SAPE…) in a space.
    Operator,
    EnteAdmin,
    EnteMember,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::PlatformAdmin,
        Role::SpaceAdmin,
        Role::Editor,
        Role::HelpdeskAgent,
        Role::Operator,
        Role::EnteAdmin,
        Role::EnteMember,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform_admin",
            Role::SpaceAdmin => "space_admin",
            Role::Editor => "editor",
            Role::HelpdeskAgent => "helpdesk_agent",
            Role::Operator => "operator",
            Role::EnteAdmin => "ente_admin",
            Role::EnteMember => "ente_member",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "Amministratore della piattaforma",
            Role::SpaceAdmin => "Amministratore dello spazio",
            Role::Editor => "Redattore",
            Role::HelpdeskAgent => "Operatore help desk",
            Role::Operator => "Operatore di modulo",
            Role::EnteAdmin => "Amministratore dell'Ente",
            Role::EnteMember => "Utente dell'Ente",
        }
    }
}

/// Where a grant applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Platform,
    /// A space; a national or regional space also covers the spaces below it.
    Space {
        id: i32,
        kind: SpaceKind,
        region_code: Option<String>,
    },
    Ente {
        comune_id: i32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
    pub module_key: Option<String>,
}

/// Who is making a request.
#[derive(Debug, Clone, Default)]
pub enum Actor {
    #[default]
    Anonymous,
    Person(Person),
}

#[derive(Debug, Clone)]
pub struct Person {
    pub id: i32,
    pub email: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
    /// The session's CSRF token, to put in forms.
    pub csrf_token: String,
    /// Signed in with a password the platform chose: every page asks to replace it.
    pub password_temporary: bool,
}

impl Actor {
    pub fn person(&self) -> Option<&Person> {
        match self {
            Actor::Person(p) => Some(p),
            Actor::Anonymous => None,
        }
    }

    /// The token that a signed-in person's forms carry; empty for a visitor, whose forms
    /// use the form cookie instead (`web::form_csrf`).
    pub fn csrf_token(&self) -> String {
        self.person()
            .map(|p| p.csrf_token.clone())
            .unwrap_or_default()
    }
}

/// Loads the grants of a person with the scope of each.
pub async fn grants_of(db: &impl ConnectionTrait, person_id: i32) -> Result<Vec<Grant>, DbErr> {
    let rows = role_grant::Entity::find()
        .filter(role_grant::Column::PersonId.eq(person_id))
        .all(db)
        .await?;
    let mut grants = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(role) = Role::parse(&row.role) else {
            continue;
        };
        let scope = match (row.space_id, row.comune_id) {
            (Some(space_id), _) => match spaces::by_id(db, space_id).await? {
                Some(space) => Scope::Space {
                    id: space.id,
                    kind: space.kind(),
                    region_code: space.region_code,
                },
                None => continue,
            },
            (None, Some(comune_id)) => Scope::Ente { comune_id },
            (None, None) => Scope::Platform,
        };
        grants.push(Grant {
            role,
            scope,
            module_key: row.module_key,
        });
    }
    Ok(grants)
}

pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<person::Model>, DbErr> {
    person::Entity::find()
        .filter(person::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await
}

pub async fn create_person(
    db: &impl ConnectionTrait,
    email: &str,
    display_name: &str,
    password: &str,
    is_demo: bool,
) -> Result<person::Model, DbErr> {
    person::ActiveModel {
        email: Set(email.trim().to_lowercase()),
        display_name: Set(display_name.into()),
        password_hash: Set(password::hash(password)),
        is_demo: Set(is_demo),
        created_at: Set(Utc::now()),
        last_login_at: Set(None),
        email_confirmed_at: Set(Some(Utc::now())),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn grant(
    db: &impl ConnectionTrait,
    person_id: i32,
    role: Role,
    space_id: Option<i32>,
    comune_id: Option<i32>,
    module_key: Option<&str>,
) -> Result<(), DbErr> {
    role_grant::ActiveModel {
        person_id: Set(person_id),
        role: Set(role.as_str().into()),
        space_id: Set(space_id),
        comune_id: Set(comune_id),
        module_key: Set(module_key.map(Into::into)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Creates the first platform administrator when there is none, and returns the one-time
/// password to show once.
pub async fn ensure_first_admin(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<String>, DbErr> {
    let admins = role_grant::Entity::find()
        .filter(role_grant::Column::Role.eq(Role::PlatformAdmin.as_str()))
        .count(db)
        .await?;
    if admins > 0 {
        return Ok(None);
    }
    let password = random_password();
    let person = match find_by_email(db, email).await? {
        Some(existing) => {
            let mut model: person::ActiveModel = existing.into();
            model.password_hash = Set(password::hash(&password));
            model.password_temporary = Set(true);
            model.update(db).await?
        }
        None => {
            let created = create_person(
                db,
                email,
                "Amministratore della piattaforma",
                &password,
                false,
            )
            .await?;
            let mut model: person::ActiveModel = created.into();
            model.password_temporary = Set(true);
            model.update(db).await?
        }
    };
    grant(db, person.id, Role::PlatformAdmin, None, None, None).await?;
    Ok(Some(password))
}

fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}
