//! One error type for handlers, turned into an Italian page in the site layout (by
//! [`render_error_pages`]) or, under `/api`, into an RFC 9457 problem document.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("authentication required")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    /// A form or query that cannot be accepted; the message is Italian and shown as is.
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    #[error("invalid CSRF token")]
    Csrf,
    #[error("too many requests")]
    TooManyRequests,
    /// A service the platform depends on (an identity provider…) did not answer.
    #[error("bad gateway: {0}")]
    BadGateway(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Unauthenticated => StatusCode::UNAUTHORIZED,
            Error::Forbidden | Error::Csrf => StatusCode::FORBIDDEN,
            Error::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Error::BadGateway(_) => StatusCode::BAD_GATEWAY,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Db(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the person reading the page is told, in Italian; internal details stay in the log.
    pub fn message(&self) -> String {
        match self {
            Error::NotFound => "La pagina che cerchi non esiste o è stata spostata.".into(),
            Error::Unauthenticated => "Per continuare devi accedere.".into(),
            Error::Forbidden => "Non hai i permessi per vedere questa pagina.".into(),
            Error::Csrf => {
                "Il modulo è scaduto o non è valido. Torna indietro, ricarica la pagina e riprova."
                    .into()
            }
            Error::TooManyRequests => {
                "Hai fatto troppi tentativi in poco tempo. Attendi qualche minuto e riprova.".into()
            }
            Error::BadRequest(m) | Error::PayloadTooLarge(m) | Error::BadGateway(m) => m.clone(),
            Error::Db(_) | Error::Internal(_) => {
                "Si è verificato un errore imprevisto. Riprova tra qualche minuto.".into()
            }
        }
    }

    pub fn title(status: StatusCode) -> &'static str {
        match status {
            StatusCode::NOT_FOUND => "Pagina non trovata",
            StatusCode::UNAUTHORIZED => "Accesso richiesto",
            StatusCode::FORBIDDEN => "Accesso negato",
            StatusCode::BAD_REQUEST => "Richiesta non valida",
            StatusCode::PAYLOAD_TOO_LARGE => "File troppo grande",
            StatusCode::TOO_MANY_REQUESTS => "Troppi tentativi",
            StatusCode::METHOD_NOT_ALLOWED => "Operazione non consentita",
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::BAD_GATEWAY => "Servizio non disponibile",
            _ => "Errore del server",
        }
    }

    fn log(&self) {
        if let Error::Db(e) = self {
            tracing::error!(error = %e, "database error");
        } else if let Error::Internal(e) = self {
            tracing::error!(error = ?e, "internal error");
        }
    }
}

/// Marks a response whose body the error-page middleware should render.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub message: String,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        self.log();
        let mut response = self.status().into_response();
        response.extensions_mut().insert(ErrorPage {
            message: self.message(),
        });
        response
    }
}

/// An RFC 9457 problem document, for the JSON API.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference identifying the problem type; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank".into(),
            title: Error::title(status).into(),
            status: status.as_u16(),
            detail: detail.into(),
            instance: None,
        }
    }
}

impl From<Error> for Problem {
    fn from(error: Error) -> Self {
        error.log();
        Problem::new(error.status(), error.message())
    }
}

impl From<sea_orm::DbErr> for Problem {
    fn from(error: sea_orm::DbErr) -> Self {
        Error::from(error).into()
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}
