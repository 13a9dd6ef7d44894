//! The portal: the access point of every space. The national home, the directory of all
//! spaces, each region's and Province's home page, the Comuni of a Province's territory, and
//! the CMS its editors run: pages, news and events with their workflow and revisions, the
//! media library, feeds and calendars, the content the spaces above share.

mod articles;
mod comuni;
pub mod demo;
mod directory;
mod feeds;
mod home;
mod html;
mod index;
mod legal;
mod links;
mod manage;
mod media;
mod migrations;
pub mod model;
mod pictures;
mod revisions;
mod routes;
mod search;
mod sections;
mod seo;
mod shared;
mod time;
mod upload;
mod workflow;

/// "1 dicembre 2026": how the platform writes a date.
pub use time::date;

use pico_kernel::spaces::{Space, SpaceKind};
use pico_kernel::{AppState, MenuItem, Module, ModuleKind};
use std::sync::Arc;

pub struct Portal;

#[async_trait::async_trait]
impl Module for Portal {
    fn key(&self) -> &'static str {
        "portale"
    }

    fn label(&self) -> &'static str {
        "Portale"
    }

    fn kind(&self) -> ModuleKind {
        ModuleKind::Core
    }

    fn routes(&self) -> axum::Router<AppState> {
        routes::router()
    }

    fn migrations(&self) -> Vec<Box<dyn sea_orm_migration::MigrationTrait>> {
        migrations::all()
    }

    fn manage_menu(&self, space: &Space) -> Vec<MenuItem> {
        vec![
            MenuItem {
                label: "Contenuti".into(),
                href: space.path_to("/gestione/contenuti"),
            },
            MenuItem {
                label: "Media".into(),
                href: space.path_to("/gestione/media"),
            },
            MenuItem {
                label: "Contenuti condivisi".into(),
                href: space.path_to("/gestione/condivisi"),
            },
            MenuItem {
                label: "Link utili della home".into(),
                href: space.path_to("/gestione/link"),
            },
        ]
    }

    async fn search_document(
        &self,
        state: &AppState,
        key: &str,
    ) -> Result<Option<pico_search::Document>, sea_orm::DbErr> {
        match index::id_of(key) {
            Some(id) => index::one(state, id).await,
            None => Ok(None),
        }
    }

    async fn search_documents(
        &self,
        state: &AppState,
    ) -> Result<Vec<pico_search::Document>, sea_orm::DbErr> {
        index::all(state).await
    }

    fn jobs(&self) -> Vec<Arc<dyn pico_kernel::jobs::Handler>> {
        vec![Arc::new(workflow::Scheduled)]
    }

    async fn menu(&self, state: &AppState, space: &Space) -> Result<Vec<MenuItem>, sea_orm::DbErr> {
        let mut items = vec![MenuItem {
            label: "Home".into(),
            href: space.path(),
        }];
        items.push(MenuItem {
            label: "Notizie".into(),
            href: space.path_to("/notizie"),
        });
        items.push(MenuItem {
            label: "Eventi".into(),
            href: space.path_to("/eventi"),
        });
        if space.kind() == SpaceKind::Provincial {
            items.push(MenuItem {
                label: "Comuni del territorio".into(),
                href: space.path_to("/comuni"),
            });
        }
        for page in model::visible_pages(&state.db, space.id)
            .await?
            .into_iter()
            .filter(|p| p.parent_id.is_none())
        {
            items.push(MenuItem {
                label: page.title,
                href: space.path_to(&format!("/pagine/{}", page.slug)),
            });
        }
        items.push(MenuItem {
            label: "Spazi della rete".into(),
            href: "/spazi".into(),
        });
        Ok(items)
    }
}
