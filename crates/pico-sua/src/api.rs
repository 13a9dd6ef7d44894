//! The SUA's JSON API, nested under `/api/v1/spaces/{space}/sua/`: its open data, public as
//! the transparency rules require (the Province's tenders as an OCDS 1.1 release package and
//! as CSV).

use crate::cpv;
use crate::domain::{ContractType, Phase, Procedure};
use crate::model::{award, event, participant, phase, tender};
use crate::money::Euro;
use crate::ocds::{self, Published, Publisher};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use pico_kernel::AppState;
use pico_kernel::spaces::{self, Space};
use pico_kernel::territory::{italian_name, model::comune};
use pico_kernel::web::{Error, Problem};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ocds", get(ocds_package))
        .route("/gare.csv", get(tenders_csv))
}

/// Every tender of a space (or only tender `only`), with what its publication needs, the
/// newest first. Requests that were never accepted are not tenders and never appear.
pub(crate) async fn published(
    db: &impl ConnectionTrait,
    space: &Space,
    only: Option<i32>,
) -> Result<Vec<Published>, DbErr> {
    let mut query = tender::Entity::find().filter(tender::Column::SpaceId.eq(space.id));
    if let Some(id) = only {
        query = query.filter(tender::Column::Id.eq(id));
    }
    let tenders = query
        .order_by_desc(tender::Column::CreatedAt)
        .order_by_desc(tender::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i32> = tenders.iter().map(|t| t.id).collect();
    let participants = participant::Entity::find()
        .filter(participant::Column::TenderId.is_in(ids.clone()))
        .order_by_asc(participant::Column::Id)
        .all(db)
        .await?;
    let calls: HashMap<i32, phase::Model> = phase::Entity::find()
        .filter(phase::Column::TenderId.is_in(ids.clone()))
        .filter(phase::Column::Phase.eq(Phase::Call.key()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.tender_id, p))
        .collect();
    let mut awards: HashMap<i32, award::Model> = award::Entity::find()
        .filter(award::Column::TenderId.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.tender_id, a))
        .collect();
    let mut lots: HashMap<i32, Vec<crate::lots::lot::Model>> = HashMap::new();
    for l in crate::lots::lot::Entity::find()
        .filter(crate::lots::lot::Column::TenderId.is_in(ids.clone()))
        .order_by_asc(crate::lots::lot::Column::Position)
        .all(db)
        .await?
    {
        lots.entry(l.tender_id).or_default().push(l);
    }
    let mut changed: HashMap<i32, chrono::DateTime<Utc>> = HashMap::new();
    for e in event::Entity::find()
        .filter(event::Column::TenderId.is_in(ids))
        .all(db)
        .await?
    {
        let at = changed
            .entry(e.tender_id.unwrap_or_default())
            .or_insert(e.at);
        *at = (*at).max(e.at);
    }
    let comune_ids = tenders
        .iter()
        .map(|t| t.titolare_comune_id)
        .chain(participants.iter().map(|p| p.comune_id));
    let comuni: HashMap<i32, comune::Model> = comune::Entity::find()
        .filter(comune::Column::Id.is_in(comune_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    Ok(tenders
        .into_iter()
        .filter_map(|t| {
            let titolare = comuni.get(&t.titolare_comune_id)?.clone();
            Some(Published {
                changed_at: changed
                    .get(&t.id)
                    .copied()
                    .unwrap_or(t.updated_at)
                    .max(t.updated_at),
                participants: participants
                    .iter()
                    .filter(|p| p.tender_id == t.id)
                    .filter_map(|p| comuni.get(&p.comune_id).cloned())
                    .collect(),
                bids_until: calls.get(&t.id).and_then(|p| p.deadline),
                award: awards.remove(&t.id),
                lots: lots.remove(&t.id).unwrap_or_default(),
                titolare,
                tender: t,
            })
        })
        .collect())
}

async fn space_of(state: &AppState, slug: &str) -> Result<Space, Problem> {
    Ok(spaces::by_slug(&state.db, slug)
        .await?
        .ok_or(Error::NotFound)?)
}

/// The space's SUA as the publisher of its OCDS package, now.
pub(crate) fn publisher<'a>(state: &'a AppState, space: &'a Space) -> Publisher<'a> {
    Publisher {
        ocid_prefix: &state.config.ocds_prefix,
        space,
        uri: state
            .config
            .url(&format!("/api/v1/spaces/{}/sua/ocds", space.slug)),
        published_at: Utc::now(),
    }
}

/// The Province's tenders as an OCDS 1.1 release package.
#[utoipa::path(get, path = "/api/v1/spaces/{space}/sua/ocds", tag = "sua",
    params(("space" = String, Path, description = "The space's path, e.g. treviso")),
    responses(
        (status = 200, description = "OCDS 1.1 release package: one release per tender, as it stands now", content_type = "application/json"),
        (status = 404, description = "No such space, or the SUA is off there", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn ocds_package(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, Problem> {
    let space = space_of(&state, &slug).await?;
    let tenders = published(&state.db, &space, None).await?;
    let publisher = publisher(&state, &space);
    Ok((
        [(header::CACHE_CONTROL, "public, max-age=300")],
        axum::Json(ocds::package(&publisher, &tenders)),
    )
        .into_response())
}

/// The columns of the CSV, named after ANAC's CIG dataset where it has one.
const COLUMNS: [&str; 18] = [
    "ocid",
    "cig",
    "cup",
    "oggetto",
    "oggetto_principale_contratto",
    "tipo_scelta_contraente",
    "importo",
    "cod_cpv",
    "fase",
    "codice_istat_ente_titolare",
    "ente_titolare",
    "enti_partecipanti",
    "cf_stazione_appaltante",
    "codice_ausa",
    "piattaforma",
    "aggiudicatario",
    "importo_aggiudicazione",
    "aggiornata_il",
];

/// The Province's tenders as CSV (UTF-8, comma-separated, amounts with a decimal point).
#[utoipa::path(get, path = "/api/v1/spaces/{space}/sua/gare.csv", tag = "sua",
    params(("space" = String, Path, description = "The space's path, e.g. treviso")),
    responses(
        (status = 200, description = "One row per tender", content_type = "text/csv"),
        (status = 404, description = "No such space, or the SUA is off there", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn tenders_csv(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, Problem> {
    let space = space_of(&state, &slug).await?;
    let tenders = published(&state.db, &space, None).await?;
    let publisher = publisher(&state, &space);
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |out: &mut csv::Writer<Vec<u8>>, row: &[String]| {
        out.write_record(row)
            .map_err(|e| Problem::from(Error::Internal(e.into())))
    };
    write(&mut out, &COLUMNS.map(str::to_owned))?;
    for p in &tenders {
        let t = &p.tender;
        let label = |key: Option<&'static str>| key.unwrap_or_default().to_owned();
        // The winner is public once the award is decided, as in the OCDS release.
        let winner = p
            .award
            .as_ref()
            .filter(|_| Phase::parse(&t.phase).is_some_and(|ph| ph >= Phase::Award));
        write(
            &mut out,
            &[
                ocds::ocid(&publisher, t),
                t.cig.clone().unwrap_or_default(),
                t.cup.clone().unwrap_or_default(),
                t.object.clone(),
                label(ContractType::parse(&t.contract_type).map(|c| c.label())),
                label(Procedure::parse(&t.procedure).map(|c| c.label())),
                Euro::from_cents(t.amount_cents).decimal().to_string(),
                t.cpv_codes
                    .split_whitespace()
                    .map(|c| cpv::lookup(c).map_or_else(|_| c.to_owned(), |k| k.display_code))
                    .collect::<Vec<_>>()
                    .join(" "),
                label(Phase::parse(&t.phase).map(|c| c.label())),
                p.titolare.istat_code.clone(),
                italian_name(&p.titolare.name).to_owned(),
                p.participants
                    .iter()
                    .map(|c| italian_name(&c.name))
                    .collect::<Vec<_>>()
                    .join("; "),
                t.station_fiscal_code.clone(),
                t.ausa_code.clone(),
                t.pad_name.clone(),
                winner.map_or_else(String::new, |a| a.supplier_name.clone()),
                winner.map_or_else(String::new, |a| {
                    Euro::from_cents(a.amount_cents).decimal().to_string()
                }),
                p.changed_at.format("%Y-%m-%d").to_string(),
            ],
        )?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Problem::from(Error::Internal(anyhow::anyhow!(e.to_string()))))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"gare-sua.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(ocds_package, tenders_csv))]
pub struct ApiDoc;
