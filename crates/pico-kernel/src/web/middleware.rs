//! What every response goes through: request ids and logs, compression, timeouts, security
//! headers, Italian error pages, and the per-space switch of modules.

use super::{AppState, Chrome, Error, ErrorPage, Problem, render};
use crate::identity::Actor;
use crate::policy::{Action, authorize};
use crate::spaces;
use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use std::time::Duration;
use tower_http::LatencyUnit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel, DefaultPredicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// No inline scripts or styles anywhere. `data:` fonts: Bootstrap Italia's CSS embeds the
/// video player's icon font.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
    frame-ancestors 'none'";

pub fn stack(app: Router<AppState>, state: AppState) -> Router {
    let hsts = state.config.behind_https();
    let compression = CompressionLayer::new()
        .quality(CompressionLevel::Fastest)
        .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("font/woff2")));
    let cache = state.page_cache.clone();
    app.layer(from_fn_with_state(state.clone(), error_pages))
        .layer(CatchPanicLayer::new())
        .layer(from_fn(move |req, next| security_headers(hsts, req, next)))
        // Cached pages are stored compressed; compression leaves them as they are.
        .layer(from_fn_with_state(cache, super::page_cache::layer))
        .layer(compression)
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Micros)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

async fn security_headers(hsts: bool, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    chrome: Chrome,
    title: &'static str,
    message: String,
    status: u16,
}

/// Turns error responses into an Italian page in the layout, a redirect to the login page, or
/// (under `/api`) a problem document.
async fn error_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let query = req
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let page = response.extensions().get::<ErrorPage>().cloned();
    let has_body = response.headers().contains_key(header::CONTENT_TYPE);
    if path.starts_with("/api/") {
        if has_body && page.is_none() {
            return response;
        }
        let detail = page
            .map(|p| p.message)
            .unwrap_or_else(|| Error::title(status).into());
        return Problem::new(status, detail).into_response();
    }
    if status == StatusCode::UNAUTHORIZED {
        let next = urlencode(&format!("{path}{query}"));
        return Redirect::to(&format!("/accedi?next={next}")).into_response();
    }
    if has_body && page.is_none() {
        return response;
    }
    let message = page.map(|p| p.message).unwrap_or_else(|| match status {
        StatusCode::NOT_FOUND => Error::NotFound.message(),
        StatusCode::METHOD_NOT_ALLOWED => {
            "Questa operazione non è consentita su questa pagina.".into()
        }
        _ => Error::Internal(anyhow::anyhow!("status {status}")).message(),
    });
    let title = Error::title(status);
    let rendered = async {
        let space = spaces::national(&state.db).await?;
        let chrome = Chrome::new(
            &state,
            &space,
            &Actor::Anonymous,
            title,
            &path,
            vec![super::Crumb::here(title)],
        )
        .await?;
        render(&ErrorTemplate {
            chrome,
            title,
            message: message.clone(),
            status: status.as_u16(),
        })
    }
    .await;
    match rendered {
        Ok(html) => (status, html).into_response(),
        // The database itself may be what failed: fall back to plain text.
        Err(_) => (status, message).into_response(),
    }
}

/// Guards the routes of a module in a space: the space must exist and have the module on.
pub async fn module_switch(
    State((state, key)): State<(AppState, &'static str)>,
    req: Request,
    next: Next,
) -> Response {
    // Inside a nested router the URI lost its prefix; the original one still has the space.
    let slug = original_segment(&req, 0);
    match module_gate(&state, key, slug, req).await {
        Ok(req) => next.run(req).await,
        Err(error) => error.into_response(),
    }
}

/// The same guard for a module's API (`/api/v1/spaces/{space}/{key}/…`), answering with
/// problem documents.
pub async fn api_module_switch(
    State((state, key)): State<(AppState, &'static str)>,
    req: Request,
    next: Next,
) -> Response {
    let slug = original_segment(&req, 3);
    match module_gate(&state, key, slug, req).await {
        Ok(req) => next.run(req).await,
        Err(error) => Problem::from(error).into_response(),
    }
}

/// The `index`-th segment of the request's path as the client sent it.
fn original_segment(req: &Request, index: usize) -> String {
    req.extensions()
        .get::<OriginalUri>()
        .and_then(|u| {
            u.path()
                .trim_start_matches('/')
                .split('/')
                .nth(index)
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

async fn module_gate(
    state: &AppState,
    key: &'static str,
    slug: String,
    req: Request,
) -> Result<Request, Error> {
    let (parts, body) = req.into_parts();
    let actor = super::extract::load_actor(state, &parts).await?;
    let space = spaces::by_slug(&state.db, &slug)
        .await?
        .ok_or(Error::NotFound)?;
    let module = state.registry.get(key).ok_or(Error::NotFound)?;
    let enabled = module.kind() != crate::module::ModuleKind::Vertical
        || spaces::enabled_modules(&state.db, space.id)
            .await?
            .contains(key);
    authorize(
        &actor,
        Action::UseModule {
            space: &space,
            enabled,
        },
    )?;
    Ok(Request::from_parts(parts, body))
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
