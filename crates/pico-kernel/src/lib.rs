//! The kernel of Pi.Co.: what every module shares. Configuration, database and migrations,
//! the territory (ISTAT), spaces, identity and the one access policy, the page layout, errors,
//! file storage, site search, and the module registry through which each feature module plugs in.

pub mod agreements;
pub mod audit;
pub mod config;
pub mod db;
pub mod identity;
pub mod jobs;
pub mod mail;
pub mod migrations;
pub mod module;
pub mod oidc;
pub mod policy;
pub mod search;
pub mod seed;
pub mod settings;
pub mod spaces;
pub mod storage;
pub mod territory;
pub mod web;

#[cfg(feature = "test-support")]
pub mod test_support;

pub use config::Config;
pub use module::{MenuItem, Module, ModuleKind, Registry};
pub use web::{AppState, Error};

use std::sync::Arc;

/// Connects to the database, applies pending migrations, loads the territory and the spaces,
/// and makes sure a platform administrator exists: everything `pico serve` needs first.
pub async fn prepare(config: Config, registry: Registry) -> anyhow::Result<AppState> {
    let url = config.database_url();
    db::prepare(&url)?;
    let db = db::connect(&url).await?;
    migrations::run(&db, registry.migrations()).await?;
    seed::base(&db).await?;
    seed::first_admin(&db, &config.admin_email).await?;
    let demo = settings::get(&db, settings::DEMO).await?.is_some();
    let storage = storage::Storage::local(&config.data_dir.join("files"))?;
    let mailer = mail::Mailer::from_config(&config)?;
    let oidc = oidc::Oidc::from_config(&config);
    let jobs = registry.job_handlers();
    let search = search::Search::open(&config.data_dir.join("search"))?;
    let state = AppState {
        db,
        config: Arc::new(config),
        registry: Arc::new(registry),
        storage,
        demo,
        page_cache: Default::default(),
        oidc,
        jobs,
        mailer,
        limits: Default::default(),
        search,
    };
    if state.search.on_disk && state.search.index.checkpoint().is_none() {
        search::reindex(&state).await?;
    }
    Ok(state)
}

/// Serves HTTP until `shutdown` completes, then lets requests in flight finish.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if state.config.job_worker {
        jobs::spawn_worker(state.clone());
    }
    search::spawn_follower(state.clone());
    let app = web::router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
