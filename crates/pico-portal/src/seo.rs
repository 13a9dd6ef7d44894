//! What search engines read: `/robots.txt` and `/sitemap.xml` with every space's home and
//! every item readers can see, at its own space's address.

use crate::model::{self, content};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use pico_kernel::AppState;
use pico_kernel::Error;
use pico_kernel::spaces;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// The sitemap protocol's limit for one file.
const MAX_URLS: u64 = 50_000;

pub async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /gestione\nDisallow: /*/gestione\nDisallow: /profilo\nDisallow: /accedi\nDisallow: /esci\nDisallow: /api/\nAllow: /\n\nSitemap: {}\n",
        state.config.url("/sitemap.xml")
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

pub async fn sitemap(State(state): State<AppState>) -> Result<Response, Error> {
    let spaces: HashMap<i32, spaces::Space> = spaces::all(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut urls: Vec<(String, Option<String>)> = vec![
        (state.config.url("/"), None),
        (state.config.url("/spazi"), None),
    ];
    let mut ordered: Vec<&spaces::Space> = spaces.values().collect();
    ordered.sort_by_key(|s| s.id);
    for space in ordered
        .iter()
        .filter(|s| s.kind() != spaces::SpaceKind::National)
    {
        urls.push((
            state.config.url(&space.path()),
            Some(space.updated_at.format("%Y-%m-%d").to_string()),
        ));
    }
    let items = content::Entity::find()
        .filter(content::Column::Status.eq(model::Status::Published.as_str()))
        .order_by_desc(content::Column::UpdatedAt)
        .limit(MAX_URLS.saturating_sub(urls.len() as u64))
        .all(&state.db)
        .await?;
    let now = Utc::now();
    for item in items.iter().filter(|i| model::is_visible(i, now)) {
        let Some(space) = spaces.get(&item.space_id) else {
            continue;
        };
        let kind = model::kind_of(item);
        urls.push((
            state
                .config
                .url(&space.path_to(&format!("/{}/{}", kind.segment(), item.slug))),
            Some(item.updated_at.format("%Y-%m-%d").to_string()),
        ));
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in urls {
        xml.push_str("  <url><loc>");
        xml.push_str(&escape(&loc));
        xml.push_str("</loc>");
        if let Some(lastmod) = lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(&lastmod);
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        xml,
    )
        .into_response())
}
