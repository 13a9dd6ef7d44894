//! Loading ISTAT's list of comuni, first at seeding and again whenever ISTAT publishes an
//! updated list. One code path does both, so seeding twice changes nothing.
//!
//! ISTAT's list has no history, so changes are recognised this way:
//! - same ISTAT code, other name → **renamed**;
//! - an ISTAT code that disappeared while a new one appeared with the same cadastral (Belfiore)
//!   code → **recoded** (the comune moved to another province); the row keeps its identity;
//! - a code that disappeared otherwise → **suppressed**; when exactly one new comune appeared in
//!   the same province in the same import it is recorded as the **successor** (a merger), else
//!   the report lists it for a person to check.

use super::model::{comune, comune_change, province, region};
use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, TransactionTrait,
};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

const REGIONS_CSV: &str = include_str!("../../data/istat/regioni.csv");
const COMUNI_CSV: &str = include_str!("../../data/istat/comuni.csv");

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("riga {line}: {message}")]
    Row { line: u64, message: String },
    #[error("file non leggibile: {0}")]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

#[derive(Debug, Default)]
pub struct ImportReport {
    pub created: Vec<String>,
    created_codes: Vec<String>,
    pub renamed: Vec<(String, String)>,
    pub recoded: Vec<(String, String, String)>,
    /// Suppressed comuni, each with the name of its successor when one was recognised.
    pub suppressed: Vec<(String, Option<String>)>,
    pub provinces_created: Vec<String>,
}

impl ImportReport {
    pub fn is_empty(&self) -> bool {
        self.created.is_empty()
            && self.renamed.is_empty()
            && self.recoded.is_empty()
            && self.suppressed.is_empty()
            && self.provinces_created.is_empty()
    }
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "new provinces: {}", self.provinces_created.len())?;
        writeln!(f, "new comuni: {}", self.created.len())?;
        for (old, new) in &self.renamed {
            writeln!(f, "renamed: {old} → {new}")?;
        }
        for (name, old, new) in &self.recoded {
            writeln!(f, "recoded: {name} {old} → {new}")?;
        }
        for (name, successor) in &self.suppressed {
            match successor {
                Some(s) => writeln!(f, "merged: {name} → {s}")?,
                None => writeln!(f, "suppressed (successor unknown, check by hand): {name}")?,
            }
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
struct RegionRow {
    codice_regione: String,
    denominazione: String,
    nuts2: String,
    statuto_speciale: u8,
}

#[derive(Debug, Deserialize)]
struct ComuneRow {
    codice_istat: String,
    denominazione_it: String,
    denominazione_altra_lingua: String,
    codice_catastale: String,
    codice_provincia: String,
    codice_provincia_storico: String,
    sigla: String,
    provincia: String,
    tipo_provincia: i16,
    codice_regione: String,
    capoluogo_provincia: u8,
    nuts3: String,
    popolazione_2023: Option<i32>,
    lat: Option<f64>,
    lon: Option<f64>,
}

/// Loads the territory shipped with the binary into an empty database. Once loaded, the
/// territory changes only through [`import_comuni`], so that a restart never undoes an import
/// of a newer ISTAT list.
pub async fn seed(db: &DatabaseConnection) -> Result<ImportReport, ImportError> {
    if comune::Entity::find().one(db).await?.is_some() {
        return Ok(ImportReport::default());
    }
    let txn = db.begin().await?;
    seed_regions(&txn).await?;
    let report = import_rows(&txn, parse(COMUNI_CSV.as_bytes())?).await?;
    txn.commit().await?;
    Ok(report)
}

/// Imports an updated ISTAT list of comuni (same columns as `data/istat/comuni.csv`).
pub async fn import_comuni(
    db: &DatabaseConnection,
    csv: &[u8],
) -> Result<ImportReport, ImportError> {
    let rows = parse(csv)?;
    let txn = db.begin().await?;
    let report = import_rows(&txn, rows).await?;
    txn.commit().await?;
    Ok(report)
}

fn parse(csv: &[u8]) -> Result<Vec<ComuneRow>, ImportError> {
    let mut reader = csv::Reader::from_reader(csv);
    let mut rows = Vec::new();
    for (index, row) in reader.deserialize::<ComuneRow>().enumerate() {
        let row = row?;
        let line = index as u64 + 2;
        let bad = |message: &str| ImportError::Row {
            line,
            message: message.into(),
        };
        if row.codice_istat.len() != 6 || !row.codice_istat.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("il codice ISTAT del comune deve avere 6 cifre"));
        }
        if !super::is_province_code(&row.codice_provincia) {
            return Err(bad("il codice della provincia deve avere 3 cifre"));
        }
        if super::ProvinceKind::from_istat(row.tipo_provincia).is_none() {
            return Err(bad("tipo di provincia sconosciuto"));
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(ImportError::Row {
            line: 1,
            message: "il file non contiene comuni".into(),
        });
    }
    Ok(rows)
}

async fn seed_regions(db: &impl ConnectionTrait) -> Result<(), ImportError> {
    let mut reader = csv::Reader::from_reader(REGIONS_CSV.as_bytes());
    let rows: Vec<RegionRow> = reader.deserialize().collect::<Result<_, _>>()?;
    let models = rows.into_iter().map(|r| region::ActiveModel {
        code: Set(r.codice_regione),
        name: Set(r.denominazione),
        nuts2: Set(r.nuts2),
        special_statute: Set(r.statuto_speciale == 1),
    });
    region::Entity::insert_many(models)
        .on_conflict(
            OnConflict::column(region::Column::Code)
                .update_columns([
                    region::Column::Name,
                    region::Column::Nuts2,
                    region::Column::SpecialStatute,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

async fn import_rows(
    db: &impl ConnectionTrait,
    rows: Vec<ComuneRow>,
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    let now = Utc::now();

    let known_regions: HashSet<String> = region::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    let mut provinces: HashMap<String, province::Model> = province::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.code.clone(), p))
        .collect();
    for row in &rows {
        if !known_regions.contains(&row.codice_regione) {
            return Err(ImportError::Row {
                line: 0,
                message: format!("regione {} sconosciuta", row.codice_regione),
            });
        }
        let wanted = province::Model {
            code: row.codice_provincia.clone(),
            historical_code: row.codice_provincia_storico.clone(),
            name: row.provincia.clone(),
            plate: row.sigla.clone(),
            kind: row.tipo_provincia,
            region_code: row.codice_regione.clone(),
            nuts3: row.nuts3.clone(),
        };
        match provinces.get(&wanted.code) {
            Some(existing) if *existing == wanted => {}
            Some(_) => {
                wanted
                    .clone()
                    .into_active_model()
                    .reset_all()
                    .update(db)
                    .await?;
                provinces.insert(wanted.code.clone(), wanted);
            }
            None => {
                report.provinces_created.push(wanted.name.clone());
                wanted
                    .clone()
                    .into_active_model()
                    .reset_all()
                    .insert(db)
                    .await?;
                provinces.insert(wanted.code.clone(), wanted);
            }
        }
    }

    let existing = comune::Entity::find().all(db).await?;
    let in_file: HashSet<&str> = rows.iter().map(|r| r.codice_istat.as_str()).collect();
    let by_code: HashMap<&str, &comune::Model> = existing
        .iter()
        .map(|c| (c.istat_code.as_str(), c))
        .collect();
    // Comuni that vanished from the list, by cadastral code, to recognise a change of province.
    let mut vanished_by_cadastral: HashMap<&str, &comune::Model> = existing
        .iter()
        .filter(|c| c.suppressed_at.is_none() && !in_file.contains(c.istat_code.as_str()))
        .map(|c| (c.cadastral_code.as_str(), c))
        .collect();

    let mut new_models = Vec::new();
    for row in &rows {
        let wanted = |id: i32| comune::Model {
            id,
            istat_code: row.codice_istat.clone(),
            name: row.denominazione_it.clone(),
            name_other_language: Some(row.denominazione_altra_lingua.clone())
                .filter(|s| !s.is_empty()),
            cadastral_code: row.codice_catastale.clone(),
            province_code: row.codice_provincia.clone(),
            is_capital: row.capoluogo_provincia == 1,
            population: row.popolazione_2023,
            lat: row.lat,
            lon: row.lon,
            suppressed_at: None,
            successor_id: None,
        };
        if let Some(current) = by_code.get(row.codice_istat.as_str()) {
            let next = wanted(current.id);
            if next != **current {
                if next.name != current.name {
                    record(db, current.id, "renamed", &current.name, &next.name).await?;
                    report
                        .renamed
                        .push((current.name.clone(), next.name.clone()));
                }
                if current.suppressed_at.is_some() {
                    record(db, current.id, "restored", "", &next.name).await?;
                }
                next.into_active_model().reset_all().update(db).await?;
            }
        } else if let Some(moved) = vanished_by_cadastral.remove(row.codice_catastale.as_str()) {
            let next = wanted(moved.id);
            record(db, moved.id, "recoded", &moved.istat_code, &next.istat_code).await?;
            report.recoded.push((
                next.name.clone(),
                moved.istat_code.clone(),
                next.istat_code.clone(),
            ));
            next.into_active_model().reset_all().update(db).await?;
        } else {
            let mut model = wanted(0).into_active_model();
            model.id = sea_orm::ActiveValue::NotSet;
            new_models.push(model);
            report.created.push(row.denominazione_it.clone());
            report.created_codes.push(row.codice_istat.clone());
        }
    }

    let created_codes: Vec<String> = report.created_codes.clone();
    for chunk in new_models.chunks(500) {
        comune::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }

    // The first load is not a change worth a history entry; later ones are.
    let created: Vec<comune::Model> = if existing.is_empty() || created_codes.is_empty() {
        Vec::new()
    } else {
        comune::Entity::find()
            .filter(comune::Column::IstatCode.is_in(created_codes))
            .all(db)
            .await?
    };
    for comune in &created {
        record(db, comune.id, "created", "", &comune.name).await?;
    }
    for gone in vanished_by_cadastral.into_values() {
        let candidates: Vec<&comune::Model> = created
            .iter()
            .filter(|c| c.province_code == gone.province_code)
            .collect();
        let successor = (candidates.len() == 1).then(|| candidates[0]);
        let mut model = gone.clone().into_active_model();
        model.suppressed_at = Set(Some(now));
        model.successor_id = Set(successor.map(|s| s.id));
        model.update(db).await?;
        match successor {
            Some(s) => record(db, gone.id, "merged", &gone.name, &s.name).await?,
            None => record(db, gone.id, "suppressed", &gone.name, "").await?,
        }
        report
            .suppressed
            .push((gone.name.clone(), successor.map(|s| s.name.clone())));
    }
    Ok(report)
}

async fn record(
    db: &impl ConnectionTrait,
    comune_id: i32,
    kind: &str,
    old: &str,
    new: &str,
) -> Result<(), DbErr> {
    comune_change::ActiveModel {
        comune_id: Set(comune_id),
        kind: Set(kind.into()),
        old_value: Set(Some(old.to_owned()).filter(|s| !s.is_empty())),
        new_value: Set(Some(new.to_owned()).filter(|s| !s.is_empty())),
        changed_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
