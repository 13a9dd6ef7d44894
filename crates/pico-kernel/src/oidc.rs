//! SPID and CIE sign-in: the platform's relying party, its keys (created on first use under
//! `<data_dir>/oidc-keys`) and the configured providers, whose metadata is fetched on first
//! use and refreshed every hour to follow their key rotation.

use crate::config::Config;
use pico_oidc::{Organization, Provider, ProviderConfig, RelyingParty, RpKeys};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, OnceCell};

const DISCOVERY_LIFETIME: Duration = Duration::from_secs(3600);
/// The path the providers send the browser back to.
pub const CALLBACK_PATH: &str = "/accedi/spid-cie/ritorno";

#[derive(Clone)]
pub struct Oidc {
    inner: Arc<Inner>,
}

struct Inner {
    client_id: String,
    redirect_uri: String,
    keys_dir: PathBuf,
    providers: Vec<ProviderConfig>,
    organization: Organization,
    rp: OnceCell<RelyingParty>,
    discovered: Mutex<HashMap<String, (Provider, Instant)>>,
}

impl Oidc {
    pub fn from_config(config: &Config) -> Self {
        let contact = if config.oidc_contact.is_empty() {
            config.admin_email.clone()
        } else {
            config.oidc_contact.clone()
        };
        Self {
            inner: Arc::new(Inner {
                client_id: config.oidc_client_id(),
                redirect_uri: config.url(CALLBACK_PATH),
                keys_dir: config.data_dir.join("oidc-keys"),
                providers: config.oidc_providers.clone(),
                organization: Organization {
                    name: "Pi.Co. – Piattaforma collaborativa delle Province".into(),
                    homepage_uri: config.url("/"),
                    policy_uri: config.url("/privacy"),
                    logo_uri: config.url(&format!(
                        "/static/{}/pico/favicon.svg",
                        pico_assets::VERSION
                    )),
                    contacts: vec![contact],
                    authority_hints: config.oidc_authority_hints.clone(),
                },
                rp: OnceCell::new(),
                discovered: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub fn providers(&self) -> &[ProviderConfig] {
        &self.inner.providers
    }

    /// The relying party, creating its keys the first time.
    pub async fn rp(&self) -> anyhow::Result<&RelyingParty> {
        let inner = &self.inner;
        inner
            .rp
            .get_or_try_init(|| async {
                let dir = inner.keys_dir.clone();
                let keys =
                    tokio::task::spawn_blocking(move || RpKeys::load_or_create(&dir)).await??;
                Ok(RelyingParty::new(
                    inner.client_id.clone(),
                    inner.redirect_uri.clone(),
                    Arc::new(keys),
                ))
            })
            .await
    }

    /// The provider configured under `key`, discovered (or taken from the cache).
    pub async fn provider(&self, key: &str) -> anyhow::Result<Option<Provider>> {
        let Some(config) = self.inner.providers.iter().find(|p| p.key == key) else {
            return Ok(None);
        };
        let mut cache = self.inner.discovered.lock().await;
        if let Some((provider, at)) = cache.get(key)
            && at.elapsed() < DISCOVERY_LIFETIME
        {
            return Ok(Some(provider.clone()));
        }
        let provider = self.rp().await?.discover(config).await?;
        cache.insert(key.to_owned(), (provider.clone(), Instant::now()));
        Ok(Some(provider))
    }

    pub async fn entity_configuration(&self) -> anyhow::Result<String> {
        Ok(self
            .rp()
            .await?
            .entity_configuration(&self.inner.organization))
    }
}

/// A login in progress between the redirect to the provider and the way back.
pub mod pending {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "oidc_login")]
    pub struct Model {
        /// SHA-256 of the `state` sent to the provider.
        #[sea_orm(primary_key, auto_increment = false)]
        pub state_hash: String,
        /// The [`pico_oidc::PendingLogin`] as JSON.
        pub pending: String,
        /// Where to go once signed in.
        pub next: String,
        pub expires_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
