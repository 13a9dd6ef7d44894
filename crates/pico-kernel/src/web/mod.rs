//! The HTTP side of the kernel: application state, the router that composes the modules,
//! the middleware every response goes through, and the kernel's own pages and API.

mod account;
mod admin;
mod agreements;
mod api;
mod assets;
pub mod audit_log;
mod auth;
mod ente;
mod error;
mod extract;
mod health;
mod jobs_admin;
pub mod layout;
mod middleware;
mod page_cache;
pub mod rate_limit;
mod roles;
mod spid;

pub use error::{Error, ErrorPage, Problem};
pub use extract::{ClientAddress, CurrentSpace, check_csrf, check_form_csrf, form_csrf};
pub use layout::{Chrome, Crumb};
pub use page_cache::PageCache;

use crate::config::Config;
use crate::mail::Mailer;
use crate::module::{ModuleKind, Registry};
use crate::storage::Storage;
use askama::Template;
use axum::Router;
use axum::response::Html;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub registry: Arc<Registry>,
    pub storage: Storage,
    /// Whether the demo content was seeded: every page then says so.
    pub demo: bool,
    pub page_cache: PageCache,
    pub mailer: Mailer,
    pub oidc: crate::oidc::Oidc,
    pub jobs: crate::jobs::Handlers,
    pub limits: rate_limit::RateLimits,
    pub search: crate::search::Search,
}

/// A file to download, private to whoever may see it: never cached by proxies, and its name
/// reduced to ASCII for the `Content-Disposition` header.
pub fn attachment(
    bytes: bytes::Bytes,
    content_type: &str,
    filename: &str,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\""),
            ),
            (
                axum::http::header::CACHE_CONTROL,
                "private, no-store".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Renders a template into an HTML response.
pub fn render(template: &impl Template) -> Result<Html<String>, Error> {
    template
        .render()
        .map(Html)
        .map_err(|e| Error::Internal(e.into()))
}

/// The whole application: kernel routes, then each module's.
pub fn router(state: AppState) -> Router {
    let mut app = Router::new()
        .merge(health::routes())
        .merge(assets::routes())
        .merge(auth::routes())
        .merge(account::routes())
        .merge(spid::routes())
        .merge(admin::routes())
        .merge(agreements::routes())
        .merge(audit_log::routes())
        .merge(roles::routes())
        .merge(jobs_admin::routes())
        .merge(ente::routes())
        .nest("/api/v1", api::routes());
    for module in state.registry.iter() {
        app = app.nest(
            &format!("/api/v1/spaces/{{space}}/{}", module.key()),
            module
                .api_routes()
                .layer(axum::middleware::from_fn_with_state(
                    (state.clone(), module.key()),
                    middleware::api_module_switch,
                )),
        );
        app = match module.kind() {
            ModuleKind::Core => app.merge(module.routes()),
            ModuleKind::Horizontal | ModuleKind::Vertical => app.nest(
                &format!("/{{space}}/{}", module.key()),
                module.routes().layer(axum::middleware::from_fn_with_state(
                    (state.clone(), module.key()),
                    middleware::module_switch,
                )),
            ),
        };
    }
    let app = app.fallback(|| async { Error::NotFound });
    middleware::stack(app, state)
}
