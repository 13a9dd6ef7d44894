//! A cache of the pages anonymous visitors get, kept rendered and compressed, so that public
//! pages cost about as much as a static file.
//!
//! Only successful `GET`s of HTML without a session cookie and without `Set-Cookie` are kept.
//! Any successful change (a non-`GET` request below 400) empties this node's cache at once; the
//! short lifetime bounds how stale another node's copy can be when several nodes share a
//! database.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

const LIFETIME: Duration = Duration::from_secs(10);
const MAX_ENTRIES: usize = 2048;
const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;

#[derive(Clone, Default)]
pub struct PageCache {
    entries: Arc<RwLock<HashMap<String, Arc<Entry>>>>,
}

struct Entry {
    stored: Instant,
    headers: HeaderMap,
    plain: Bytes,
    gzip: Bytes,
}

impl PageCache {
    pub fn clear(&self) {
        self.entries.write().expect("cache lock").clear();
    }

    fn get(&self, key: &str) -> Option<Arc<Entry>> {
        let entry = self.entries.read().expect("cache lock").get(key).cloned()?;
        (entry.stored.elapsed() < LIFETIME).then_some(entry)
    }

    fn put(&self, key: String, entry: Entry) {
        let mut entries = self.entries.write().expect("cache lock");
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| e.stored.elapsed() < LIFETIME);
            if entries.len() >= MAX_ENTRIES {
                return;
            }
        }
        entries.insert(key, Arc::new(entry));
    }
}

fn cacheable_request(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() == Method::GET
        && !req.headers().contains_key(header::COOKIE)
        && !["/api/", "/static/", "/media/", "/healthz", "/readyz"]
            .iter()
            .any(|p| path.starts_with(p))
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            parts.next().is_some_and(|c| c.trim() == "gzip")
                && !parts.any(|p| p.trim().replace(' ', "") == "q=0")
        })
}

fn respond(entry: &Entry, gzip: bool) -> Response {
    let mut response = Response::new(Body::from(if gzip {
        entry.gzip.clone()
    } else {
        entry.plain.clone()
    }));
    *response.headers_mut() = entry.headers.clone();
    if gzip {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

pub async fn layer(State(cache): State<PageCache>, req: Request, next: Next) -> Response {
    if !cacheable_request(&req) {
        let changes = req.method() != Method::GET && req.method() != Method::HEAD;
        let response = next.run(req).await;
        if changes && response.status().as_u16() < 400 {
            cache.clear();
        }
        return response;
    }
    let key = req.uri().to_string();
    let gzip = accepts_gzip(req.headers());
    if let Some(entry) = cache.get(&key) {
        return respond(&entry, gzip);
    }
    let response = next.run(req).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if response.status() != StatusCode::OK
        || !is_html
        || response.headers().contains_key(header::SET_COOKIE)
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(plain) = to_bytes(body, MAX_PAGE_BYTES).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let compressed = encoder.write_all(&plain).and_then(|()| encoder.finish());
    let Ok(compressed) = compressed else {
        return Response::from_parts(parts, Body::from(plain));
    };
    let mut headers = parts.headers;
    headers.remove(header::CONTENT_LENGTH);
    let entry = Entry {
        stored: Instant::now(),
        headers,
        plain,
        gzip: Bytes::from(compressed),
    };
    let response = respond(&entry, gzip);
    cache.put(key, entry);
    response
}

#[cfg(test)]
mod tests {
    use super::accepts_gzip;
    use axum::http::{HeaderMap, HeaderValue, header};

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    #[test]
    fn gzip_is_used_only_when_accepted() {
        assert!(accepts_gzip(&with("gzip, deflate, br")));
        assert!(accepts_gzip(&with("br;q=1.0, gzip;q=0.8")));
        assert!(!accepts_gzip(&with("gzip;q=0")));
        assert!(!accepts_gzip(&with("br")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
