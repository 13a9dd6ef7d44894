//! SeaORM entities of the territory.

pub mod region {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "region")]
    pub struct Model {
        /// ISTAT 2-digit code (`01` Piemonte … `20` Sardegna).
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
        pub name: String,
        pub nuts2: String,
        pub special_statute: bool,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod province {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "province")]
    pub struct Model {
        /// ISTAT code of the supra-municipal unit valid for statistics (`201`–`292` for
        /// metropolitan cities, the historical code otherwise).
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
        pub historical_code: String,
        pub name: String,
        /// Car plate code (`TV`, `RM`, `SU`).
        pub plate: String,
        /// ISTAT `tipo_provincia`, see [`crate::territory::ProvinceKind`].
        pub kind: i16,
        pub region_code: String,
        pub nuts3: String,
    }

    impl ActiveModelBehavior for ActiveModel {}

    impl Model {
        pub fn kind(&self) -> crate::territory::ProvinceKind {
            crate::territory::ProvinceKind::from_istat(self.kind)
                .unwrap_or(crate::territory::ProvinceKind::Provincia)
        }
    }
}

pub mod comune {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "comune")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        /// ISTAT 6-digit code; it changes when a comune moves to another province.
        #[sea_orm(unique)]
        pub istat_code: String,
        pub name: String,
        pub name_other_language: Option<String>,
        /// Belfiore code, used in the codice fiscale; it survives a change of province.
        pub cadastral_code: String,
        pub province_code: String,
        pub is_capital: bool,
        /// ISTAT resident population, 2023.
        pub population: Option<i32>,
        pub lat: Option<f64>,
        pub lon: Option<f64>,
        /// Set when the comune no longer exists (merged or abolished); the row stays so that
        /// records pointing to it keep their meaning.
        pub suppressed_at: Option<DateTimeUtc>,
        /// The comune it was merged into, when known.
        pub successor_id: Option<i32>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod comune_change {
    use sea_orm::entity::prelude::*;

    /// The history of territorial changes found by imports.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "comune_change")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub comune_id: i32,
        /// `created`, `renamed`, `recoded`, `suppressed`, `merged`, `restored`.
        pub kind: String,
        pub old_value: Option<String>,
        pub new_value: Option<String>,
        pub changed_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
