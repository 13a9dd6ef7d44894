use super::{comuni, directory, home, legal};
use axum::Router;
use axum::routing::get;
use pico_kernel::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::national))
        .route("/spazi", get(directory::show))
        .route("/accessibilita", get(legal::accessibility))
        .route("/privacy", get(legal::privacy))
        .route("/note-legali", get(legal::legal_notes))
        .route("/{space}", get(home::space))
        .route("/{space}/comuni", get(comuni::show))
}
