//! SPID and CIE login for Pi.Co.: an OpenID Connect Relying Party following the Italian
//! "SPID/CIE OpenID Connect" rules (Authorization Code flow with PKCE, signed request object,
//! `private_key_jwt`, signed-then-encrypted UserInfo, federation Entity Configuration).
//!
//! No web framework and no database: the web layer calls [`RelyingParty::start`], stores the
//! returned [`PendingLogin`] server-side, redirects the browser, and on the callback calls
//! [`RelyingParty::finish`] to get an [`Identity`].
//!
//! Out of scope: federation trust chain resolution (providers are configured by issuer and
//! trusted as such), refresh tokens, logout, and validating the codice fiscale (the kernel does).

mod error;
mod federation;
mod jose;
mod keys;
mod provider;
mod request;
mod tokens;
mod userinfo;

#[cfg(feature = "test-support")]
pub mod testing;

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use error::{IdTokenError, OidcError};
pub use federation::Organization;
pub use keys::RpKeys;
pub use provider::{Provider, ProviderConfig, ProviderKind};
pub use request::PendingLogin;

/// The platform as an OpenID Connect client. Cheap to clone; build one at start-up.
#[derive(Clone, Debug)]
pub struct RelyingParty {
    client_id: String,
    redirect_uri: String,
    keys: Arc<RpKeys>,
    http: reqwest::Client,
}

/// The query of the redirect back from the provider.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// Who signed in, as asserted by the provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The pairwise `sub`: stable for this user at this provider for this RP only.
    pub subject: String,
    pub issuer: String,
    /// The authentication level actually reached, e.g. `https://www.spid.gov.it/SpidL2`.
    pub acr: String,
    /// Upper-case, without the `TINIT-` prefix, not yet checked (the kernel validates it).
    pub fiscal_code: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
}

impl RelyingParty {
    /// `client_id` is the RP's entity id (the platform's base URL); `redirect_uri` the callback URL.
    pub fn new(client_id: String, redirect_uri: String, keys: Arc<RpKeys>) -> RelyingParty {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("pico-oidc/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect(
                "the TLS backend initialises (a broken system TLS library is a deployment bug)",
            );
        RelyingParty {
            client_id,
            redirect_uri,
            keys,
            http,
        }
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    pub fn keys(&self) -> &RpKeys {
        &self.keys
    }

    /// Completes a login: checks the callback against the pending login, redeems the code,
    /// validates the ID Token and reads the user's attributes from UserInfo.
    pub async fn finish(
        &self,
        provider: &Provider,
        pending: &PendingLogin,
        callback: &Callback,
    ) -> Result<Identity, OidcError> {
        let code = check_callback(provider, pending, callback)?;
        let tokens = tokens::exchange(self, provider, pending, code).await?;
        let id_token = tokens::validate_id_token(
            &tokens.id_token,
            &self.keys,
            provider,
            &tokens::Expected {
                client_id: &self.client_id,
                nonce: &pending.nonce,
                acr_values: &pending.acr_values,
                access_token: &tokens.access_token,
                now: chrono::Utc::now().timestamp(),
            },
        )?;
        let claims =
            userinfo::fetch(self, provider, &tokens.access_token, &id_token.subject).await?;
        userinfo::identity(provider, id_token, &claims)
    }
}

impl Callback {
    /// Reads a callback from a query string (with or without the leading `?`) or a full URL.
    pub fn from_query(query_or_url: &str) -> Callback {
        let query = match url::Url::parse(query_or_url) {
            Ok(url) => url.query().unwrap_or_default().to_owned(),
            Err(_) => query_or_url.trim_start_matches('?').to_owned(),
        };
        let mut callback = Callback::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match name.as_ref() {
                "code" => &mut callback.code,
                "state" => &mut callback.state,
                "iss" => &mut callback.iss,
                "error" => &mut callback.error,
                "error_description" => &mut callback.error_description,
                _ => continue,
            };
            *slot = Some(value.into_owned());
        }
        callback
    }
}

/// The checks on the authorization response, before any network call. Returns the code.
fn check_callback<'a>(
    provider: &Provider,
    pending: &PendingLogin,
    callback: &'a Callback,
) -> Result<&'a str, OidcError> {
    // A login started at another provider: a mix-up, whoever caused it.
    if pending.provider_key != provider.config().key {
        return Err(OidcError::StateMismatch);
    }
    match &callback.state {
        Some(state) if constant_time_eq(state.as_bytes(), pending.state.as_bytes()) => {}
        // An error response the provider could not bind to our request (e.g. an unreadable
        // request object) has no state; reporting the provider's error is more useful then.
        None if callback.error.is_some() => {}
        _ => return Err(OidcError::StateMismatch),
    }
    if let Some(code) = &callback.error {
        return Err(OidcError::Provider {
            code: code.clone(),
            description: callback.error_description.clone(),
        });
    }
    // RFC 9207: CIE always sends `iss`; any provider that announces it must send it.
    let iss_required =
        provider.config().kind == ProviderKind::Cie || provider.iss_parameter_supported();
    match &callback.iss {
        Some(iss) if iss == provider.issuer() => {}
        None if !iss_required => {}
        got => {
            return Err(OidcError::IssuerMismatch {
                expected: provider.issuer().to_owned(),
                got: got.clone(),
            });
        }
    }
    callback.code.as_deref().ok_or(OidcError::MissingCode)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests;
