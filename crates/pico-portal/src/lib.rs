//! The portal: the access point of every space. The national home, the directory of all
//! spaces, each region's and Province's home page, and the Comuni of a Province's territory.

mod comuni;
mod directory;
mod home;
mod legal;
mod routes;

use pico_kernel::spaces::{Space, SpaceKind};
use pico_kernel::{AppState, MenuItem, Module, ModuleKind};

pub struct Portal;

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

    fn menu(&self, space: &Space) -> Vec<MenuItem> {
        let mut items = vec![MenuItem {
            label: "Home".into(),
            href: space.path(),
        }];
        if space.kind() == SpaceKind::Provincial {
            items.push(MenuItem {
                label: "Comuni del territorio".into(),
                href: space.path_to("/comuni"),
            });
        }
        items.push(MenuItem {
            label: "Spazi della rete".into(),
            href: "/spazi".into(),
        });
        items
    }
}
