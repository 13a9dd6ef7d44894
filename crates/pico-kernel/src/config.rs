//! Typed configuration, read once at start-up from defaults, `pico.toml` and `PICO_*`
//! environment variables (in that order of precedence, last wins).

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address and port the HTTP server listens on.
    pub bind: SocketAddr,
    /// Public URL of the platform, used in links, e-mails and the API document. When it starts
    /// with `https://` the server also sends HSTS.
    pub base_url: String,
    /// Directory for the SQLite database, uploaded files and other local state.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; empty means the SQLite file `<data_dir>/pico.db`.
    pub database_url: String,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// E-mail of the first platform administrator, created on first start.
    pub admin_email: String,
    /// Largest accepted upload for a space logo, in bytes.
    pub max_logo_bytes: usize,
    /// Where e-mail goes: `smtp://host:port`, `smtps://user:password@host` (lettre's URL
    /// form). Empty: messages are written as `.eml` files under `<data_dir>/outbox`.
    pub smtp_url: Secret,
    /// The sender of every message.
    pub mail_from: String,
    /// Whether a reverse proxy in front sets `X-Forwarded-For`; only then is it believed when
    /// rate limits look at the client's address.
    pub trust_proxy: bool,
    /// Whether this node runs background jobs (mail, newsletters…). Every node may: each job
    /// is taken by one of them.
    pub job_worker: bool,
    /// How long a job stays with a node that stopped answering before another takes it over.
    /// A running job renews it every third of this time.
    pub job_lease_seconds: u64,
    /// At most this many newsletter messages a minute leave one node, so that the mail
    /// server (and its provider's limits) keep up.
    pub bulk_mail_per_minute: u32,
    /// SPID and CIE providers (`[[oidc_providers]]` tables); none means no SPID/CIE buttons.
    pub oidc_providers: Vec<pico_oidc::ProviderConfig>,
    /// The platform's client id (entity id) with the providers; empty means `base_url`.
    pub oidc_client_id: String,
    /// Contact (PEC) published in the federation entity configuration; empty: `admin_email`.
    pub oidc_contact: String,
    /// Trust anchors or intermediaries published in the entity configuration.
    pub oidc_authority_hints: Vec<String>,
    /// The prefix of the `ocid` of every contracting process the SUA publishes in OCDS,
    /// registered with the Open Contracting Partnership (`ocds-` and six characters).
    pub ocds_prefix: String,
}

/// A configuration value that may carry a password: never printed.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            base_url: "http://localhost:8080".into(),
            data_dir: PathBuf::from("data"),
            database_url: String::new(),
            log_format: LogFormat::Text,
            admin_email: "admin@pico.localhost".into(),
            max_logo_bytes: 1024 * 1024,
            smtp_url: Secret::default(),
            mail_from: "Pi.Co. <noreply@pico.localhost>".into(),
            trust_proxy: false,
            job_worker: true,
            job_lease_seconds: 60,
            bulk_mail_per_minute: 600,
            oidc_providers: Vec::new(),
            oidc_client_id: String::new(),
            oidc_contact: String::new(),
            oidc_authority_hints: Vec::new(),
            ocds_prefix: "ocds-pico00".into(),
        }
    }
}

impl Config {
    const OPTIONS: [&str; 16] = [
        "bind",
        "base_url",
        "data_dir",
        "database_url",
        "log_format",
        "admin_email",
        "max_logo_bytes",
        "smtp_url",
        "mail_from",
        "trust_proxy",
        "job_worker",
        "job_lease_seconds",
        "bulk_mail_per_minute",
        "oidc_client_id",
        "oidc_contact",
        "ocds_prefix",
    ];

    /// Reads `pico.toml` (or the file named by `PICO_CONFIG`) and the environment.
    pub fn load() -> Result<Self, Box<figment::Error>> {
        let file = std::env::var("PICO_CONFIG").unwrap_or_else(|_| "pico.toml".into());
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            // Only the options: other `PICO_*` variables (PICO_LOG, test settings) are not ours.
            .merge(Env::prefixed("PICO_").only(&Self::OPTIONS))
            .extract()
            .map_err(Box::new)
    }

    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}/pico.db?mode=rwc", self.data_dir.display())
        } else {
            self.database_url.clone()
        }
    }

    pub fn behind_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    pub fn oidc_client_id(&self) -> String {
        if self.oidc_client_id.is_empty() {
            self.base_url.trim_end_matches('/').to_owned()
        } else {
            self.oidc_client_id.clone()
        }
    }

    /// `base_url` without a trailing slash, ready to have a path appended.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url.trim_end_matches('/'), path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_file_under_data_dir_by_default() {
        let config = Config::default();
        assert_eq!(config.database_url(), "sqlite://data/pico.db?mode=rwc");
        assert!(!config.behind_https());
    }

    #[test]
    #[allow(clippy::result_large_err)] // the closure's type is figment's Jail API
    fn environment_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("PICO_BIND", "0.0.0.0:9000");
            jail.set_env("PICO_LOG_FORMAT", "json");
            jail.set_env("PICO_SOMETHING_ELSE", "ignored");
            jail.create_file("pico.toml", "base_url = \"https://pico.example.it\"")?;
            let config = Config::load().expect("valid configuration");
            assert_eq!(config.bind.port(), 9000);
            assert_eq!(config.log_format, LogFormat::Json);
            assert!(config.behind_https());
            jail.set_env("PICO_SMTP_URL", "smtps://user:segreto@mail.example.it");
            let config = Config::load().expect("valid configuration");
            assert!(!format!("{config:?}").contains("segreto"));
            Ok(())
        });
    }
}
