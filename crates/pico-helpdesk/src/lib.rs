//! Help desk: people open tickets in a space; routing rules send each ticket to a team of
//! agents, which assigns it to one of them; SLA targets are counted in business hours, with
//! the Italian public holidays (see [`sla`]). Requesters follow their tickets and answer;
//! agents work the queue, reply publicly or add internal notes the requester never sees, and
//! every change is on the ticket's timeline. Notifications go out by e-mail through the job
//! queue.

mod admin;
pub mod alerts;
pub mod demo;
mod export;
pub mod faq;
pub mod fields;
mod guest;
mod merge;
mod migration;
pub mod model;
mod notify;
pub mod rating;
mod reports;
pub mod routing;
pub mod saved;
pub mod sla;
mod tickets;

use axum::routing::{get, post};
use pico_kernel::spaces::Space;
use pico_kernel::{AppState, MenuItem, Module, ModuleKind};

pub struct Helpdesk;

#[async_trait::async_trait]
impl Module for Helpdesk {
    fn key(&self) -> &'static str {
        "helpdesk"
    }

    fn label(&self) -> &'static str {
        "Assistenza"
    }

    fn kind(&self) -> ModuleKind {
        ModuleKind::Horizontal
    }

    fn routes(&self) -> axum::Router<AppState> {
        axum::Router::new()
            .route("/", get(tickets::mine))
            .route(
                "/nuovo",
                get(tickets::new_form)
                    .post(tickets::create)
                    .layer(tickets::body_limit()),
            )
            .route("/aiuto", get(guest::form).post(guest::submit))
            .route("/segui/{token}", get(guest::follow))
            .route("/segui/{token}/risposta", post(guest::reply))
            .route("/segui/{token}/valutazione", post(rating::rate_guest))
            .route("/faq", get(faq::list))
            .route("/faq/suggerimenti", get(faq::suggestions))
            .route("/faq/nuova", get(faq::new_form).post(faq::create_entry))
            .route("/faq/{id}/utile", post(faq::feedback))
            .route(
                "/faq/{id}/modifica",
                get(faq::edit_form).post(faq::save_entry),
            )
            .route("/faq/{id}/elimina", post(faq::delete_entry))
            .route("/coda", get(tickets::queue))
            .route("/risposte", get(saved::list).post(saved::create))
            .route("/risposte/{id}", get(saved::edit_form).post(saved::update))
            .route("/risposte/{id}/elimina", post(saved::delete))
            .route("/ticket/{id}", get(tickets::show))
            .route("/ticket/{id}/risposta", post(tickets::reply))
            .route("/ticket/{id}/modifica", post(tickets::change))
            .route("/ticket/{id}/unisci", post(merge::submit))
            .route("/ticket/{id}/valutazione", post(rating::rate_ticket))
            .route("/rapporti", get(reports::page))
            .route("/rapporti.csv", get(reports::csv))
            .route("/ticket/{id}/allegati/{file}", get(tickets::attachment))
            .route("/gestione", get(admin::show))
            .route("/gestione/orari", post(admin::save_hours))
            .route("/gestione/sla", post(admin::save_targets))
            .route("/gestione/gruppi", post(admin::create_team))
            .route("/gestione/gruppi/{id}", post(admin::save_team))
            .route("/gestione/categorie", post(admin::create_category))
            .route("/gestione/campi", post(fields::create))
            .route("/gestione/campi/{id}/elimina", post(fields::delete))
            .route("/gestione/regole", post(admin::create_rule))
            .route("/gestione/regole/{id}/elimina", post(admin::delete_rule))
    }

    fn jobs(&self) -> Vec<std::sync::Arc<dyn pico_kernel::jobs::Handler>> {
        vec![std::sync::Arc::new(alerts::AlertJob)]
    }

    fn migrations(&self) -> Vec<Box<dyn sea_orm_migration::MigrationTrait>> {
        migration::all()
    }

    async fn menu(&self, _: &AppState, space: &Space) -> Result<Vec<MenuItem>, sea_orm::DbErr> {
        Ok(vec![MenuItem {
            label: "Assistenza".into(),
            href: space.path_to("/helpdesk"),
        }])
    }

    async fn personal_data(
        &self,
        state: &AppState,
        person_id: i32,
    ) -> Result<Option<serde_json::Value>, sea_orm::DbErr> {
        export::of_person(&state.db, person_id).await
    }

    fn manage_menu(&self, space: &Space) -> Vec<MenuItem> {
        vec![
            MenuItem {
                label: "Assistenza".into(),
                href: space.path_to("/helpdesk/gestione"),
            },
            MenuItem {
                label: "Rapporti dell'assistenza".into(),
                href: space.path_to("/helpdesk/rapporti"),
            },
        ]
    }
}
