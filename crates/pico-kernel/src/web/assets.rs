//! Static files embedded in the binary, uploaded media, and each space's theme stylesheet.

use super::{AppState, CurrentSpace, Error};
use crate::spaces::branding::PrimaryColour;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/{version}/{*path}", get(static_file))
        .route("/media/{*key}", get(media))
        .route("/{space}/tema.css", get(theme))
}

async fn static_file(Path((version, path)): Path<(String, String)>) -> Result<Response, Error> {
    let asset = pico_assets::get(&path).ok_or(Error::NotFound)?;
    // A page rendered by an older build may still ask for its version: serve it, briefly cached.
    let cache = if version == pico_assets::VERSION {
        IMMUTABLE
    } else {
        "public, max-age=300"
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        asset.bytes,
    )
        .into_response())
}

/// The folders of the storage that everybody may read: the spaces' media libraries and
/// logos. The rest (signed agreements, tender documents, ticket attachments) is served only by
/// the routes that check who asks.
const PUBLIC_FOLDERS: [&str; 2] = ["library/", "spaces/"];

async fn media(State(state): State<AppState>, Path(key): Path<String>) -> Result<Response, Error> {
    if !PUBLIC_FOLDERS.iter().any(|folder| key.starts_with(folder)) {
        return Err(Error::NotFound);
    }
    let file = state.storage.get(&key).await?.ok_or(Error::NotFound)?;
    // Browsers show images and PDFs in their own viewers; office documents are downloaded
    // rather than handed to whatever the browser would open them with.
    let disposition =
        if file.content_type.starts_with("image/") || file.content_type == "application/pdf" {
            "inline"
        } else {
            "attachment"
        };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(file.content_type),
            ),
            // Keys carry a content hash: a new upload gets a new URL.
            (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static(disposition),
            ),
        ],
        file.bytes,
    )
        .into_response())
}

async fn theme(CurrentSpace(space): CurrentSpace) -> Result<Response, Error> {
    let colour = space
        .primary_colour
        .as_deref()
        .and_then(|c| PrimaryColour::parse(c).ok())
        .ok_or(Error::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
        ],
        colour.theme_css(),
    )
        .into_response())
}
