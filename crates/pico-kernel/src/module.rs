//! The module registry. Each feature module registers itself through [`Module`]: its key,
//! its routes, its migrations and its menu entries. A Province switches vertical modules on
//! and off per space; a module that is off answers 404 there and leaves the menus.

use crate::spaces::Space;
use crate::web::AppState;
use axum::Router;
use sea_orm_migration::MigrationTrait;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleKind {
    /// The portal: its routes sit at the root of the site.
    Core,
    /// Community, training, data, help desk: on in every space.
    Horizontal,
    /// SUA, SIT, SAPE, HR, PIAO: each Province decides.
    Vertical,
}

/// A menu entry in a space's main navigation.
#[derive(Debug, Clone)]
pub struct MenuItem {
    pub label: String,
    pub href: String,
}

#[async_trait::async_trait]
pub trait Module: Send + Sync + 'static {
    /// Stable key, also the path segment under a space (`/treviso/<key>/…`).
    fn key(&self) -> &'static str;
    /// Italian name shown to people.
    fn label(&self) -> &'static str;
    fn kind(&self) -> ModuleKind;
    /// The module's routes. A core module's are merged at the root; any other module's are
    /// nested under `/{space}/{key}` behind the on/off switch of the space.
    fn routes(&self) -> Router<AppState>;
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        Vec::new()
    }
    /// The module's JSON API, nested under `/api/v1/spaces/{space}/{key}` behind the same
    /// on/off switch; errors are problem documents.
    fn api_routes(&self) -> Router<AppState> {
        Router::new()
    }
    /// The OpenAPI description of [`Module::api_routes`], merged into `/api/v1/openapi.json`.
    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        None
    }
    /// The module's entries in the main navigation of a space where it is on.
    async fn menu(&self, state: &AppState, space: &Space) -> Result<Vec<MenuItem>, sea_orm::DbErr>;
    /// Links to the module's administration pages, on the space's administration page.
    fn manage_menu(&self, _space: &Space) -> Vec<MenuItem> {
        Vec::new()
    }
    /// The search document `key` (`<module key>:…`) as it is now; `None` when nobody should
    /// find it any more.
    async fn search_document(
        &self,
        _state: &AppState,
        _key: &str,
    ) -> Result<Option<pico_search::Document>, sea_orm::DbErr> {
        Ok(None)
    }
    /// Every search document of the module, for `pico reindex`.
    async fn search_documents(
        &self,
        _state: &AppState,
    ) -> Result<Vec<pico_search::Document>, sea_orm::DbErr> {
        Ok(Vec::new())
    }
    /// What the module keeps about a person, for the download of their own data; `None` when
    /// it keeps nothing.
    async fn personal_data(
        &self,
        _state: &AppState,
        _person_id: i32,
    ) -> Result<Option<serde_json::Value>, sea_orm::DbErr> {
        Ok(None)
    }
    /// The kinds of background job the module runs.
    fn jobs(&self) -> Vec<Arc<dyn crate::jobs::Handler>> {
        Vec::new()
    }
}

/// The modules compiled into this binary, in registration order.
#[derive(Clone, Default)]
pub struct Registry {
    modules: Vec<Arc<dyn Module>>,
}

impl Registry {
    pub fn new(modules: Vec<Arc<dyn Module>>) -> Self {
        Self { modules }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Module>> {
        self.modules.iter()
    }

    pub fn get(&self, key: &str) -> Option<&Arc<dyn Module>> {
        self.modules.iter().find(|m| m.key() == key)
    }

    /// The modules a Province may switch on or off.
    pub fn switchable(&self) -> impl Iterator<Item = &Arc<dyn Module>> {
        self.modules
            .iter()
            .filter(|m| m.kind() == ModuleKind::Vertical)
    }

    /// Every job handler: the kernel's (mail delivery), then each module's.
    pub fn job_handlers(&self) -> crate::jobs::Handlers {
        let mut all: Vec<Arc<dyn crate::jobs::Handler>> = vec![Arc::new(crate::mail::Delivery)];
        for module in &self.modules {
            all.extend(module.jobs());
        }
        crate::jobs::Handlers::new(all)
    }

    pub fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        let mut all = crate::migrations::kernel();
        for module in &self.modules {
            all.extend(module.migrations());
        }
        all
    }
}
