//! What a platform needs to start (the territory, the spaces, a first administrator) and,
//! only when asked, sample content for a demonstration.

use crate::identity::{self, Role};
use crate::spaces::{self, model::space};
use crate::{settings, territory};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, TransactionTrait,
};

/// Password of every demo account; the demo never runs in production by itself.
pub const DEMO_PASSWORD: &str = "demo-pico-2026";

/// Loads the territory and creates the spaces; safe to run any number of times.
pub async fn base(db: &DatabaseConnection) -> anyhow::Result<()> {
    let report = territory::seed(db).await?;
    if !report.is_empty() {
        tracing::info!(
            comuni = report.created.len(),
            provinces = report.provinces_created.len(),
            "territory loaded"
        );
    }
    let created = spaces::sync_with_territory(db).await?;
    if created > 0 {
        tracing::info!(spaces = created, "spaces created");
    }
    Ok(())
}

/// Creates the first platform administrator if there is none, and prints its one-time
/// password once.
pub async fn first_admin(db: &DatabaseConnection, email: &str) -> anyhow::Result<()> {
    if let Some(password) = identity::ensure_first_admin(db, email).await? {
        // Printed on purpose, once: it is how the first administrator gets in.
        tracing::warn!(email, password = %password, "first platform administrator created: sign in at /accedi and keep this password safe, it is not shown again");
    }
    Ok(())
}

struct DemoSpace {
    slug: &'static str,
    colour: &'static str,
    tagline: &'static str,
}

const PILOTS: [DemoSpace; 3] = [
    DemoSpace {
        slug: "treviso",
        colour: "#8a1c1c",
        tagline: "Stazione unica appaltante e servizi digitali per i Comuni della Marca",
    },
    DemoSpace {
        slug: "brescia",
        colour: "#004d99",
        tagline: "La Provincia al servizio dei Comuni bresciani",
    },
    DemoSpace {
        slug: "pesaro-e-urbino",
        colour: "#00594f",
        tagline: "Innovazione e fondi europei per i Comuni del territorio",
    },
];

/// A demo account: the local part of its e-mail, its name, and the role it holds in a space
/// (by slug) or in an Ente (by ISTAT code of the comune); with neither, a plain registered user.
type DemoPerson = (
    &'static str,
    &'static str,
    Role,
    Option<&'static str>,
    Option<&'static str>,
);

const PEOPLE: &[DemoPerson] = &[
    (
        "admin.upi",
        "Giulia Ferri (UPI)",
        Role::SpaceAdmin,
        Some("upi"),
        None,
    ),
    (
        "admin.veneto",
        "Marco Zanon (UPI Veneto)",
        Role::SpaceAdmin,
        Some("upi-veneto"),
        None,
    ),
    (
        "admin.treviso",
        "Elena Dal Bo",
        Role::SpaceAdmin,
        Some("treviso"),
        None,
    ),
    (
        "redattore.treviso",
        "Luca Bortolin",
        Role::Editor,
        Some("treviso"),
        None,
    ),
    (
        "helpdesk.treviso",
        "Sara Pavan",
        Role::HelpdeskAgent,
        Some("treviso"),
        None,
    ),
    (
        "admin.brescia",
        "Paolo Bonetti",
        Role::SpaceAdmin,
        Some("brescia"),
        None,
    ),
    (
        "redattore.brescia",
        "Chiara Lancini",
        Role::Editor,
        Some("brescia"),
        None,
    ),
    (
        "admin.pesaro",
        "Francesca Gennari",
        Role::SpaceAdmin,
        Some("pesaro-e-urbino"),
        None,
    ),
    (
        "ente.castelfranco",
        "Andrea Tonello",
        Role::EnteAdmin,
        None,
        Some("026012"),
    ),
    (
        "utente.castelfranco",
        "Marta Favaro",
        Role::EnteMember,
        None,
        Some("026012"),
    ),
    (
        "ente.urbino",
        "Davide Rossi",
        Role::EnteAdmin,
        None,
        Some("041067"),
    ),
    ("cittadino", "Anna Verdi", Role::EnteMember, None, None),
    (
        "piattaforma",
        "Paola Conti",
        Role::PlatformAdmin,
        None,
        None,
    ),
];

/// A citizen asking to work for Oderzo, so that Treviso's administrators have a request to
/// decide.
async fn demo_ente_request(db: &impl sea_orm::ConnectionTrait) -> Result<(), sea_orm::DbErr> {
    use crate::identity::model::ente_request;
    let Some(citizen) = identity::find_by_email(db, "cittadino@demo.pico.localhost").await? else {
        return Ok(());
    };
    let Some(oderzo) = territory::model::comune::Entity::find()
        .filter(territory::model::comune::Column::IstatCode.eq("026051"))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let asked = ente_request::Entity::find()
        .filter(ente_request::Column::PersonId.eq(citizen.id))
        .one(db)
        .await?;
    if asked.is_none() {
        ente_request::ActiveModel {
            person_id: Set(citizen.id),
            comune_id: Set(oderzo.id),
            message: Set("Lavoro all'ufficio tecnico (richiesta di esempio).".into()),
            status: Set("pending".into()),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Adds the demo content: branding of the three pilot Provinces and a few people per role,
/// all marked as demo. Safe to run again.
pub async fn demo(db: &DatabaseConnection) -> anyhow::Result<()> {
    let txn = db.begin().await?;
    for pilot in &PILOTS {
        let Some(space) = spaces::by_slug(&txn, pilot.slug).await? else {
            continue;
        };
        if space.primary_colour.is_none() {
            let mut model: space::ActiveModel = space.into_active_model();
            model.primary_colour = Set(Some(pilot.colour.into()));
            model.tagline = Set(Some(pilot.tagline.into()));
            model.updated_at = Set(chrono::Utc::now());
            model.update(&txn).await?;
        }
    }
    for (local, name, role, space_slug, comune) in PEOPLE {
        let email = format!("{local}@demo.pico.localhost");
        if identity::find_by_email(&txn, &email).await?.is_some() {
            continue;
        }
        let person = identity::create_person(&txn, &email, name, DEMO_PASSWORD, true).await?;
        let space_id = match space_slug {
            Some(slug) => spaces::by_slug(&txn, slug).await?.map(|s| s.id),
            None => None,
        };
        let comune_id = match comune {
            Some(code) => territory::model::comune::Entity::find()
                .filter(territory::model::comune::Column::IstatCode.eq(*code))
                .one(&txn)
                .await?
                .map(|c| c.id),
            None => None,
        };
        if space_id.is_some() || comune_id.is_some() || *role == Role::PlatformAdmin {
            identity::grant(&txn, person.id, *role, space_id, comune_id, None).await?;
        }
    }
    demo_ente_request(&txn).await?;
    settings::set(&txn, settings::DEMO, "1").await?;
    txn.commit().await?;
    tracing::info!(
        password = DEMO_PASSWORD,
        "demo content added: accounts <role>@demo.pico.localhost"
    );
    Ok(())
}
