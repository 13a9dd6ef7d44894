//! Spaces: the national UPI space, one space per region, one per province (and metropolitan
//! city, free municipal consortium…). Each has its home at a stable path (`/treviso`), its
//! branding, and the vertical modules it has switched on.

pub mod branding;
pub mod model;

use crate::territory::{self, ProvinceKind};
use chrono::Utc;
use model::{space, space_module};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use std::collections::HashSet;

pub use model::space::Model as Space;

/// Slug of the national space; its home is `/`.
pub const NATIONAL_SLUG: &str = "upi";

/// Paths at the root that can never be a space.
pub const RESERVED_SLUGS: &[&str] = &[
    "api",
    "static",
    "media",
    "spazi",
    "accedi",
    "esci",
    "healthz",
    "readyz",
    "accessibilita",
    "privacy",
    "note-legali",
    "favicon.ico",
    "robots.txt",
    "gestione",
    "registrati",
    "conferma-email",
    "password-dimenticata",
    "reimposta-password",
    "profilo",
    ".well-known",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpaceKind {
    National,
    Regional,
    Provincial,
}

impl SpaceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::National => "national",
            Self::Regional => "regional",
            Self::Provincial => "provincial",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::National, Self::Regional, Self::Provincial]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

impl Space {
    pub fn kind(&self) -> SpaceKind {
        SpaceKind::parse(&self.kind).expect("space.kind holds a SpaceKind")
    }

    /// The path of the space's home page.
    pub fn path(&self) -> String {
        if self.kind() == SpaceKind::National {
            "/".into()
        } else {
            format!("/{}", self.slug)
        }
    }

    /// The path of a page inside the space (`sub` starts with `/`).
    pub fn path_to(&self, sub: &str) -> String {
        format!("/{}{sub}", self.slug)
    }
}

/// A readable path segment: lower-case ASCII words joined by `-` ("Forlì-Cesena" →
/// "forli-cesena", "Reggio nell'Emilia" → "reggio-nell-emilia").
pub fn slugify(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut slug = String::new();
    for c in territory::italian_name(name).nfd().filter(|c| c.is_ascii()) {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

pub async fn by_slug(db: &impl ConnectionTrait, slug: &str) -> Result<Option<Space>, DbErr> {
    space::Entity::find()
        .filter(space::Column::Slug.eq(slug))
        .one(db)
        .await
}

pub async fn by_id(db: &impl ConnectionTrait, id: i32) -> Result<Option<Space>, DbErr> {
    space::Entity::find_by_id(id).one(db).await
}

pub async fn national(db: &impl ConnectionTrait) -> Result<Space, DbErr> {
    by_slug(db, NATIONAL_SLUG)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the national space is seeded at start".into()))
}

pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<Space>, DbErr> {
    space::Entity::find()
        .order_by_asc(space::Column::Id)
        .all(db)
        .await
}

/// The province spaces of a region, by name.
pub async fn provinces_of_region(
    db: &impl ConnectionTrait,
    region_code: &str,
) -> Result<Vec<Space>, DbErr> {
    space::Entity::find()
        .filter(space::Column::Kind.eq(SpaceKind::Provincial.as_str()))
        .filter(space::Column::RegionCode.eq(region_code))
        .order_by_asc(space::Column::Name)
        .all(db)
        .await
}

/// The space and the spaces below it: every space for the national one, the region's
/// Provinces for a regional one.
pub async fn covered_by(db: &impl ConnectionTrait, space: &Space) -> Result<Vec<Space>, DbErr> {
    Ok(match space.kind() {
        SpaceKind::National => all(db).await?,
        SpaceKind::Regional => {
            let mut covered = vec![space.clone()];
            if let Some(region) = &space.region_code {
                covered.extend(provinces_of_region(db, region).await?);
            }
            covered
        }
        SpaceKind::Provincial => vec![space.clone()],
    })
}

/// The spaces above a space, nearest first: for a Province its region's space and the
/// national one, for a region the national one.
pub async fn above(db: &impl ConnectionTrait, space: &Space) -> Result<Vec<Space>, DbErr> {
    let mut above = Vec::new();
    if space.kind() == SpaceKind::Provincial
        && let Some(region) = &space.region_code
    {
        above.extend(
            space::Entity::find()
                .filter(space::Column::Kind.eq(SpaceKind::Regional.as_str()))
                .filter(space::Column::RegionCode.eq(region.as_str()))
                .one(db)
                .await?,
        );
    }
    if space.kind() != SpaceKind::National {
        above.push(national(db).await?);
    }
    Ok(above)
}

/// The keys of the modules switched on in a space.
pub async fn enabled_modules(
    db: &impl ConnectionTrait,
    space_id: i32,
) -> Result<HashSet<String>, DbErr> {
    Ok(space_module::Entity::find()
        .filter(space_module::Column::SpaceId.eq(space_id))
        .filter(space_module::Column::Enabled.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.module_key)
        .collect())
}

pub async fn set_module(
    db: &impl ConnectionTrait,
    space_id: i32,
    module_key: &str,
    enabled: bool,
) -> Result<(), DbErr> {
    space_module::Entity::insert(space_module::ActiveModel {
        space_id: Set(space_id),
        module_key: Set(module_key.into()),
        enabled: Set(enabled),
    })
    .on_conflict(
        OnConflict::columns([
            space_module::Column::SpaceId,
            space_module::Column::ModuleKey,
        ])
        .update_column(space_module::Column::Enabled)
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// Makes sure the national space, one space per region and one per province exist. Spaces
/// already there are left as their administrators made them.
pub async fn sync_with_territory(db: &impl ConnectionTrait) -> Result<usize, DbErr> {
    let existing = all(db).await?;
    let has = |kind: SpaceKind, code: Option<&str>| {
        existing
            .iter()
            .any(|s| s.kind() == kind && s.istat_code.as_deref() == code)
    };
    let mut created = 0;
    let national_id = match existing.iter().find(|s| s.kind() == SpaceKind::National) {
        Some(s) => s.id,
        None => {
            created += 1;
            insert(
                db,
                SpaceKind::National,
                NATIONAL_SLUG,
                "UPI – Unione delle Province d'Italia",
                None,
                None,
                None,
                None,
            )
            .await?
        }
    };
    let mut regional_ids = std::collections::HashMap::new();
    for region in territory::regions(db).await? {
        let slug = format!("upi-{}", slugify(&region.name));
        let id = match existing.iter().find(|s| {
            s.kind() == SpaceKind::Regional && s.istat_code.as_deref() == Some(&region.code)
        }) {
            Some(s) => s.id,
            None => {
                created += 1;
                let name = format!("UPI {}", territory::italian_name(&region.name));
                insert(
                    db,
                    SpaceKind::Regional,
                    &slug,
                    &name,
                    Some(&region.code),
                    None,
                    Some(&region.code),
                    Some(national_id),
                )
                .await?
            }
        };
        regional_ids.insert(region.code, (id, region.name));
    }
    for province in territory::model::province::Entity::find().all(db).await? {
        if has(SpaceKind::Provincial, Some(&province.code)) {
            continue;
        }
        let (parent, region_name) = &regional_ids[&province.region_code];
        // Valle d'Aosta has no province: the Region does the job under its own name.
        let name = if &province.name == region_name {
            territory::italian_name(&province.name).to_owned()
        } else {
            territory::province_title(
                ProvinceKind::from_istat(province.kind).unwrap_or(ProvinceKind::Provincia),
                &province.name,
            )
        };
        let mut slug = slugify(&province.name);
        if RESERVED_SLUGS.contains(&slug.as_str()) || existing.iter().any(|s| s.slug == slug) {
            slug = format!("{slug}-{}", province.plate.to_lowercase());
        }
        insert(
            db,
            SpaceKind::Provincial,
            &slug,
            &name,
            Some(&province.code),
            Some(&province.plate),
            Some(&province.region_code),
            Some(*parent),
        )
        .await?;
        created += 1;
    }
    Ok(created)
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    db: &impl ConnectionTrait,
    kind: SpaceKind,
    slug: &str,
    name: &str,
    istat_code: Option<&str>,
    plate: Option<&str>,
    region_code: Option<&str>,
    parent_id: Option<i32>,
) -> Result<i32, DbErr> {
    let result = space::Entity::insert(space::ActiveModel {
        kind: Set(kind.as_str().into()),
        slug: Set(slug.into()),
        name: Set(name.into()),
        tagline: Set(None),
        istat_code: Set(istat_code.map(Into::into)),
        plate: Set(plate.map(Into::into)),
        region_code: Set(region_code.map(Into::into)),
        parent_id: Set(parent_id),
        primary_colour: Set(None),
        logo_key: Set(None),
        updated_at: Set(Utc::now()),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(result.last_insert_id)
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs_are_readable_ascii() {
        assert_eq!(slugify("Treviso"), "treviso");
        assert_eq!(slugify("Pesaro e Urbino"), "pesaro-e-urbino");
        assert_eq!(slugify("Forlì-Cesena"), "forli-cesena");
        assert_eq!(slugify("Reggio nell'Emilia"), "reggio-nell-emilia");
        assert_eq!(slugify("Bolzano/Bozen"), "bolzano");
        assert_eq!(slugify("Valle d'Aosta/Vallée d'Aoste"), "valle-d-aosta");
    }
}
