//! Sign-in with SPID and CIE through OpenID Connect, and the platform's federation entity
//! configuration for onboarding with the providers.

use super::account::{client_info, notice};
use super::auth::safe_next;
use super::extract::cookie;
use super::{AppState, Error};
use crate::identity::external::{self, Asserted, Matched};
use crate::identity::{Actor, sessions};
use crate::oidc::{CALLBACK_PATH, pending};
use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use chrono::{Duration, Utc};
use pico_oidc::{Callback, IdTokenError, OidcError, PendingLogin};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

/// How long a person has to complete the login at the provider.
const PENDING_LIFETIME: Duration = Duration::minutes(10);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accedi/spid-cie/{provider}", get(start))
        .route(CALLBACK_PATH, get(finish))
        .route("/.well-known/openid-federation", get(entity_configuration))
}

fn state_hash(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}

#[derive(Deserialize)]
struct NextParam {
    next: Option<String>,
}

async fn start(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(query): Query<NextParam>,
) -> Result<Response, Error> {
    let Some(provider) = state.oidc.provider(&key).await.map_err(|e| {
        tracing::warn!(provider = %key, error = %e, "identity provider unreachable");
        Error::BadGateway(
            "Il gestore dell'identità non risponde. Riprova tra qualche minuto.".into(),
        )
    })?
    else {
        return Err(Error::NotFound);
    };
    let rp = state.oidc.rp().await?;
    let (url, login) = rp.start(&provider);
    // Logins abandoned at the provider are cleared here, as new ones start.
    pending::Entity::delete_many()
        .filter(pending::Column::ExpiresAt.lt(Utc::now()))
        .exec(&state.db)
        .await?;
    pending::ActiveModel {
        state_hash: Set(state_hash(&login.state)),
        pending: Set(serde_json::to_string(&login).map_err(anyhow::Error::from)?),
        next: Set(safe_next(query.next.as_deref())),
        expires_at: Set(login.created_at + PENDING_LIFETIME),
    }
    .insert(&state.db)
    .await?;
    Ok(Redirect::to(&url).into_response())
}

async fn finish(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
    headers: HeaderMap,
    peer: ConnectInfo<SocketAddr>,
    Query(callback): Query<Callback>,
) -> Result<Response, Error> {
    // The state names the login; it is used once, whatever the outcome.
    let stored = match &callback.state {
        Some(s) => {
            let row = pending::Entity::find_by_id(state_hash(s))
                .one(&state.db)
                .await?;
            if let Some(row) = &row {
                pending::Entity::delete_by_id(row.state_hash.clone())
                    .exec(&state.db)
                    .await?;
            }
            row.filter(|r| r.expires_at > Utc::now())
        }
        None => None,
    };
    let Some(stored) = stored else {
        return refused(&state, &actor, &OidcError::StateMismatch).await;
    };
    let login: PendingLogin = serde_json::from_str(&stored.pending).map_err(anyhow::Error::from)?;
    let Some(provider) = state.oidc.provider(&login.provider_key).await? else {
        return Err(Error::NotFound);
    };
    let identity = match state
        .oidc
        .rp()
        .await?
        .finish(&provider, &login, &callback)
        .await
    {
        Ok(identity) => identity,
        Err(error) => return refused(&state, &actor, &error).await,
    };
    let Some(fiscal_code) = identity.fiscal_code.as_deref() else {
        tracing::warn!(provider = %login.provider_key, "no fiscal code released");
        return failure(&state, &actor, "Il gestore dell'identità non ha comunicato il tuo codice fiscale, che serve per riconoscerti.").await;
    };
    let asserted = Asserted {
        fiscal_code,
        given_name: &identity.given_name,
        family_name: &identity.family_name,
        email: identity.email.as_deref(),
    };
    let person = match external::find_or_create(&state.db, &asserted).await? {
        Ok(Matched::Existing(person)) => person,
        Ok(Matched::Created(person)) => {
            tracing::info!(person_id = person.id, provider = %login.provider_key, "account created at first SPID/CIE login");
            person
        }
        Err(message) => return failure(&state, &actor, message).await,
    };
    let (ip, agent) = client_info(&state, &headers, &peer);
    let token = sessions::open(&state.db, person.id, ip, agent).await?;
    tracing::info!(person_id = person.id, provider = %login.provider_key, acr = %identity.acr, "signed in with SPID/CIE");
    Ok((
        jar.add(cookie(&state, sessions::COOKIE, token)),
        Redirect::to(&stored.next),
    )
        .into_response())
}

/// Tells the person, in Italian, why the login did not work; the details go to the log.
async fn refused(state: &AppState, actor: &Actor, error: &OidcError) -> Result<Response, Error> {
    tracing::warn!(error = %error, "SPID/CIE login refused");
    let message = match error {
        OidcError::StateMismatch => {
            "La richiesta di accesso non è valida o è scaduta. Ricomincia dalla pagina di accesso."
        }
        OidcError::Provider { code, .. } if code == "access_denied" => {
            "Hai annullato l'accesso, oppure il gestore dell'identità non lo ha consentito."
        }
        OidcError::Token { error, .. } if error == "invalid_grant" => {
            "Il codice di accesso è scaduto o è già stato usato. Ricomincia dalla pagina di accesso."
        }
        OidcError::IdToken(IdTokenError::AcrTooLow { .. }) => {
            "Il livello di sicurezza dell'accesso non basta per questo servizio."
        }
        OidcError::Discovery(_) | OidcError::Http { .. } => {
            "Il gestore dell'identità non risponde. Riprova tra qualche minuto."
        }
        _ => {
            "La risposta del gestore dell'identità non è valida, quindi l'accesso è stato rifiutato."
        }
    };
    failure(state, actor, message).await
}

async fn failure(state: &AppState, actor: &Actor, message: &str) -> Result<Response, Error> {
    notice(
        state,
        actor,
        StatusCode::BAD_REQUEST,
        "Accesso non riuscito",
        &[message],
        Some(("Torna alla pagina di accesso", "/accedi")),
    )
    .await
}

async fn entity_configuration(State(state): State<AppState>) -> Result<Response, Error> {
    let jwt = state.oidc.entity_configuration().await?;
    Ok((
        [(header::CONTENT_TYPE, "application/entity-statement+jwt")],
        jwt,
    )
        .into_response())
}
