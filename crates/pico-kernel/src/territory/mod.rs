//! The Italian territory as ISTAT publishes it: regions, the 107 supra-municipal units
//! (provinces, metropolitan cities, free municipal consortia, …) and the comuni.

mod import;
pub mod model;

pub use import::{ImportReport, import_comuni, seed};

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// The kind of supra-municipal unit, as ISTAT codes it (`tipo_provincia`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProvinceKind {
    Provincia,
    ProvinciaAutonoma,
    CittaMetropolitana,
    LiberoConsorzio,
    /// The four former provinces of Friuli-Venezia Giulia, kept by ISTAT for statistics.
    UnitaNonAmministrativa,
}

impl ProvinceKind {
    pub fn from_istat(code: i16) -> Option<Self> {
        Some(match code {
            1 => Self::Provincia,
            2 => Self::ProvinciaAutonoma,
            3 => Self::CittaMetropolitana,
            4 => Self::LiberoConsorzio,
            5 => Self::UnitaNonAmministrativa,
            _ => return None,
        })
    }

    /// How the body is called in front of its name ("Provincia di Treviso").
    pub fn title(self) -> &'static str {
        match self {
            Self::Provincia => "Provincia",
            Self::ProvinciaAutonoma => "Provincia autonoma",
            Self::CittaMetropolitana => "Città metropolitana",
            Self::LiberoConsorzio => "Libero consorzio comunale",
            Self::UnitaNonAmministrativa => "Ex provincia",
        }
    }
}

/// "Provincia di Treviso", "Città metropolitana di Roma", "Ex provincia di Udine".
pub fn province_title(kind: ProvinceKind, name: &str) -> String {
    format!("{} di {}", kind.title(), italian_name(name))
}

/// The Italian part of a bilingual name ("Bolzano/Bozen" → "Bolzano").
pub fn italian_name(name: &str) -> &str {
    name.split('/').next().unwrap_or(name).trim()
}

/// A 3-digit code of a supra-municipal unit (`001`–`111`, `201`–`292` for metropolitan cities).
pub fn is_province_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit())
}

pub async fn regions(db: &impl ConnectionTrait) -> Result<Vec<model::region::Model>, DbErr> {
    model::region::Entity::find()
        .order_by_asc(model::region::Column::Code)
        .all(db)
        .await
}

pub async fn province(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<model::province::Model>, DbErr> {
    model::province::Entity::find_by_id(code.to_owned())
        .one(db)
        .await
}

/// The comuni of a province that exist today, by name.
pub async fn comuni_of(
    db: &impl ConnectionTrait,
    province_code: &str,
) -> Result<Vec<model::comune::Model>, DbErr> {
    use model::comune::Column;
    model::comune::Entity::find()
        .filter(Column::ProvinceCode.eq(province_code))
        .filter(Column::SuppressedAt.is_null())
        .order_by_asc(Column::Name)
        .all(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_read_as_italian() {
        assert_eq!(
            province_title(ProvinceKind::Provincia, "Treviso"),
            "Provincia di Treviso"
        );
        assert_eq!(
            province_title(ProvinceKind::ProvinciaAutonoma, "Bolzano/Bozen"),
            "Provincia autonoma di Bolzano"
        );
        assert_eq!(
            province_title(ProvinceKind::UnitaNonAmministrativa, "Udine"),
            "Ex provincia di Udine"
        );
        assert_eq!(
            province_title(ProvinceKind::LiberoConsorzio, "Enna"),
            "Libero consorzio comunale di Enna"
        );
    }

    #[test]
    fn province_codes_are_three_digits() {
        assert!(is_province_code("026"));
        assert!(is_province_code("258"));
        assert!(!is_province_code("26"));
        assert!(!is_province_code("02a"));
    }
}
