//! OpenID Providers: their configuration in `pico.toml` and their discovered metadata.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use crate::{OidcError, RelyingParty};

/// One `[[oidc.providers]]` entry of `pico.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderConfig {
    /// Slug used in URLs, e.g. `spid-test`.
    pub key: String,
    pub kind: ProviderKind,
    /// Shown to users.
    pub name: String,
    pub issuer: String,
    /// In order of preference; the provider may authenticate at a higher level.
    #[serde(default = "default_acr_values")]
    pub acr_values: Vec<String>,
    /// SPID: `openid`; CIE: `openid profile email`.
    #[serde(default = "default_scope")]
    pub scope: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Spid,
    Cie,
}

fn default_acr_values() -> Vec<String> {
    vec!["https://www.spid.gov.it/SpidL2".to_owned()]
}

fn default_scope() -> Vec<String> {
    vec!["openid".to_owned()]
}

/// A provider's configuration plus the metadata and keys read from it. Only
/// [`RelyingParty::discover`] builds one; clone it into a cache and refresh it now and then so
/// that key rotations are picked up.
#[derive(Clone, Debug)]
pub struct Provider {
    pub(crate) config: ProviderConfig,
    pub(crate) authorization_endpoint: Url,
    pub(crate) token_endpoint: String,
    pub(crate) userinfo_endpoint: String,
    pub(crate) jwks: Value,
    pub(crate) iss_parameter_supported: bool,
}

impl Provider {
    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    pub fn issuer(&self) -> &str {
        &self.config.issuer
    }

    pub fn token_endpoint(&self) -> &str {
        &self.token_endpoint
    }

    pub fn userinfo_endpoint(&self) -> &str {
        &self.userinfo_endpoint
    }

    /// The provider's signing keys (JWK Set).
    pub fn jwks(&self) -> &Value {
        &self.jwks
    }

    /// Whether the provider announced RFC 9207 `iss` in authorization responses.
    pub fn iss_parameter_supported(&self) -> bool {
        self.iss_parameter_supported
    }
}

impl RelyingParty {
    /// Reads `{issuer}/.well-known/openid-configuration` and the provider's keys (the inline
    /// `jwks` that SPID/CIE metadata carries, else `jwks_uri`).
    pub async fn discover(&self, config: &ProviderConfig) -> Result<Provider, OidcError> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            config.issuer.trim_end_matches('/')
        );
        let metadata = self.get_json(&url).await?;
        let field = |name: &str| -> Result<String, OidcError> {
            metadata
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| OidcError::Discovery(format!("{url} has no {name}")))
        };

        let issuer = field("issuer")?;
        if issuer != config.issuer {
            return Err(OidcError::Discovery(format!(
                "{url} names issuer {issuer}, configured is {}",
                config.issuer
            )));
        }
        let endpoint = |name: &str| -> Result<Url, OidcError> {
            let value = field(name)?;
            Url::parse(&value).map_err(|e| OidcError::Discovery(format!("{name} {value:?}: {e}")))
        };
        let authorization_endpoint = endpoint("authorization_endpoint")?;
        let token_endpoint = endpoint("token_endpoint")?.into();
        let userinfo_endpoint = endpoint("userinfo_endpoint")?.into();

        let jwks = match metadata.get("jwks") {
            Some(jwks) => jwks.clone(),
            None => self.get_json(endpoint("jwks_uri")?.as_str()).await?,
        };
        let has_keys = jwks
            .get("keys")
            .and_then(Value::as_array)
            .is_some_and(|keys| !keys.is_empty());
        if !has_keys {
            return Err(OidcError::Discovery(format!(
                "{} publishes no keys",
                config.issuer
            )));
        }

        Ok(Provider {
            config: config.clone(),
            authorization_endpoint,
            token_endpoint,
            userinfo_endpoint,
            jwks,
            iss_parameter_supported: metadata
                .get("authorization_response_iss_parameter_supported")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }

    async fn get_json(&self, url: &str) -> Result<Value, OidcError> {
        let http_err = |e: reqwest::Error| OidcError::Http {
            url: url.to_owned(),
            message: e.to_string(),
        };
        let response = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(http_err)?;
        if !response.status().is_success() {
            return Err(OidcError::Discovery(format!(
                "{url} answered {}",
                response.status()
            )));
        }
        response.json().await.map_err(http_err)
    }
}
