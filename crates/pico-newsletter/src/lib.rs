//! Newsletters: each space keeps a list that visitors join with double opt-in and leave with
//! one click; its editors compose campaigns from the space's published content and send them
//! through background jobs, throttled, following every recipient's message.

pub mod demo;
mod manage;
mod migration;
pub mod model;
mod public;
pub mod sending;

use axum::routing::{get, post};
use pico_kernel::spaces::Space;
use pico_kernel::{AppState, MenuItem, Module, ModuleKind};
use std::sync::Arc;

pub struct Newsletter;

#[async_trait::async_trait]
impl Module for Newsletter {
    fn key(&self) -> &'static str {
        "newsletter"
    }

    fn label(&self) -> &'static str {
        "Newsletter"
    }

    fn kind(&self) -> ModuleKind {
        ModuleKind::Horizontal
    }

    fn routes(&self) -> axum::Router<AppState> {
        axum::Router::new()
            .route("/", get(public::show).post(public::subscribe))
            .route(
                "/conferma/{token}",
                get(public::confirm_form).post(public::confirm),
            )
            .route(
                "/disiscrizione/{token}",
                get(public::unsubscribe_form).post(public::unsubscribe),
            )
            .route("/gestione", get(manage::dashboard))
            .route(
                "/gestione/nuova",
                get(manage::new_form).post(manage::create),
            )
            .route("/gestione/{id}", get(manage::show).post(manage::save))
            .route("/gestione/{id}/prova", post(manage::test))
            .route("/gestione/{id}/invia", post(manage::send))
            .route("/gestione/{id}/elimina", post(manage::delete))
    }

    fn migrations(&self) -> Vec<Box<dyn sea_orm_migration::MigrationTrait>> {
        migration::all()
    }

    async fn menu(&self, _: &AppState, space: &Space) -> Result<Vec<MenuItem>, sea_orm::DbErr> {
        Ok(vec![MenuItem {
            label: "Newsletter".into(),
            href: space.path_to("/newsletter"),
        }])
    }

    fn manage_menu(&self, space: &Space) -> Vec<MenuItem> {
        vec![MenuItem {
            label: "Newsletter".into(),
            href: space.path_to("/newsletter/gestione"),
        }]
    }

    fn jobs(&self) -> Vec<Arc<dyn pico_kernel::jobs::Handler>> {
        vec![Arc::new(sending::Send)]
    }
}
