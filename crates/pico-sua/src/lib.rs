//! SUA (*Stazione Unica Appaltante*): the Province runs public tenders on behalf of the Enti of
//! its territory that signed an agreement (*convenzione*) with it. Pi.Co. is the collaboration
//! layer around the bidding, which happens on a certified e-procurement platform (PAD): the
//! tender data keeps ANAC's shapes (CIG, CUP, CPV, amounts in euro) so that it can be exchanged
//! without translation.

mod access;
mod api;
pub mod campaigns;
mod checks;
pub mod cig;
pub mod cpv;
pub mod demo;
pub mod domain;
mod dossier;
pub mod lots;
mod migration;
pub mod model;
pub mod money;
pub mod ocds;
mod requests;
mod rup;
mod tenders;
mod threads;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use pico_kernel::spaces::Space;
use pico_kernel::{AppState, MenuItem, Module, ModuleKind};
use std::sync::Arc;

pub use cig::Cig;
pub use money::Euro;

/// The module's key: its path segment and the `module_key` of its operators' grants.
pub const KEY: &str = "sua";

pub struct Sua;

#[async_trait::async_trait]
impl Module for Sua {
    fn key(&self) -> &'static str {
        KEY
    }

    fn label(&self) -> &'static str {
        "Stazione Unica Appaltante"
    }

    fn kind(&self) -> ModuleKind {
        ModuleKind::Vertical
    }

    fn routes(&self) -> axum::Router<AppState> {
        // Room for the documents of a request, with the rest of the form.
        let uploads = DefaultBodyLimit::max(12 * requests::DOCUMENT_LIMIT);
        axum::Router::new()
            .route("/", get(requests::index))
            .route("/cpv", get(requests::cpv_search))
            .route(
                "/richieste/nuova",
                get(requests::new_request)
                    .post(requests::create_request)
                    .layer(uploads),
            )
            .route("/richieste/{id}", get(requests::show_request))
            .route("/richieste/{id}/accetta", post(requests::accept))
            .route("/richieste/{id}/rifiuta", post(requests::refuse))
            .route("/documenti/{id}", get(requests::document))
            .route("/gare/{id}", get(tenders::show).post(tenders::update))
            .route("/gare/{id}/fasi/{phase}", post(tenders::update_phase))
            .route("/gare/{id}/avanza", post(tenders::advance))
            .route("/gare/{id}/enti", post(tenders::add_participant))
            .route("/rup", get(rup::registry).post(rup::add))
            .route("/rup/{id}/disponibilita", post(rup::set_availability))
            .route("/gare/{id}/rup", post(rup::assign))
            .route("/gare/{id}/fascicolo", get(dossier::download))
            .route("/gare/{id}/lotti/{lot}", post(lots::update))
            .route("/gare/{id}/supporto/{ente}", post(threads::post))
            .route("/gare/{id}/aggiudicazione", post(checks::record_award))
            .route("/gare/{id}/verifiche/{check}", post(checks::record_check))
            .route(
                "/gare/{id}/documenti",
                post(tenders::add_document).layer(uploads),
            )
            .merge(campaign_routes())
    }

    fn jobs(&self) -> Vec<Arc<dyn pico_kernel::jobs::Handler>> {
        vec![Arc::new(campaigns::Reminder)]
    }

    fn api_routes(&self) -> axum::Router<AppState> {
        api::routes()
    }

    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(<api::ApiDoc as utoipa::OpenApi>::openapi())
    }

    fn migrations(&self) -> Vec<Box<dyn sea_orm_migration::MigrationTrait>> {
        migration::all()
    }

    async fn menu(&self, _: &AppState, space: &Space) -> Result<Vec<MenuItem>, sea_orm::DbErr> {
        Ok(vec![MenuItem {
            label: "Gare SUA".into(),
            href: space.path_to("/sua"),
        }])
    }
}

/// The routes of the needs-collection campaigns (`campaigns.rs`).
fn campaign_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/campagne", get(campaigns::list))
        .route(
            "/campagne/nuova",
            get(campaigns::new_campaign).post(campaigns::create),
        )
        .route("/campagne/{id}", get(campaigns::show))
        .route("/campagne/{id}/voci", post(campaigns::add_item))
        .route(
            "/campagne/{id}/voci/{item}/elimina",
            post(campaigns::remove_item),
        )
        .route("/campagne/{id}/invia", post(campaigns::send))
        .route("/campagne/{id}/chiudi", post(campaigns::close))
        .route(
            "/campagne/{id}/risposta",
            get(campaigns::answer_form).post(campaigns::answer),
        )
        .route("/campagne/{id}/aggregato", get(campaigns::aggregate))
        .route(
            "/campagne/{id}/aggregato.csv",
            get(campaigns::aggregate_csv),
        )
        .route("/campagne/{id}/gara", post(campaigns::make_tender))
}
