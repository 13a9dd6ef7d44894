//! A real OpenID Provider for end-to-end tests: `tests/oidc/provider.mjs` (Node, panva's
//! `oidc-provider`) configured like a SPID provider, on a free loopback port.
//!
//! Needs `node` and `npm`; `npm ci` runs in `tests/oidc` the first time if `node_modules` is missing.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use serde_json::Value;
use url::Url;

use crate::{ProviderConfig, ProviderKind};

/// A running test OP, killed on drop. It knows two clients: `client_id` and
/// [`short_client_id`](Self::short_client_id) (same keys, 1-second authorization codes).
pub struct TestProvider {
    child: Child,
    issuer: String,
    client_id: String,
    redirect_uri: String,
}

/// Serialises the one-off `npm ci` between tests running in parallel.
static NPM_CI: Mutex<()> = Mutex::new(());

fn provider_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc")
}

fn ensure_node_modules() {
    let _guard = NPM_CI.lock().unwrap_or_else(|e| e.into_inner());
    let dir = provider_dir();
    if dir.join("node_modules/oidc-provider").is_dir() {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .status()
        .expect("npm must be installed to run the OIDC end-to-end tests");
    assert!(status.success(), "npm ci in {} failed", dir.display());
}

impl TestProvider {
    /// Starts the OP with the RP registered under `client_id` with its public `core_jwks`.
    pub fn start(client_id: &str, redirect_uri: &str, core_jwks: &Value) -> TestProvider {
        ensure_node_modules();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let mut child = Command::new("node")
            .arg(provider_dir().join("provider.mjs"))
            .args(["--port", &port.to_string()])
            .args(["--client-jwks", &core_jwks.to_string()])
            .args(["--client-id", client_id])
            .args(["--redirect-uri", redirect_uri])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node must be installed to run the OIDC end-to-end tests");

        // Drain both pipes for the whole life of the process so that it never blocks on them;
        // stderr is kept to explain a failed start.
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().expect("stderr is piped");
        let err_buf = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n @ 1..) = err_pipe.read(&mut chunk) {
                err_buf
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&chunk[..n]));
            }
        });
        let (ready_tx, ready_rx) = mpsc::channel();
        let out_pipe = child.stdout.take().expect("stdout is piped");
        std::thread::spawn(move || {
            for line in BufReader::new(out_pipe).lines().map_while(Result::ok) {
                let _ = ready_tx.send(line);
            }
        });

        let issuer = match ready_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) if line.starts_with("READY ") => line["READY ".len()..].trim().to_owned(),
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the test OP did not start ({other:?}); its stderr:\n{}",
                    stderr.lock().unwrap()
                );
            }
        };
        TestProvider {
            child,
            issuer,
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// A provider entry as `pico.toml` would have it: SPID asks for `openid` only, CIE for
    /// `openid profile email`.
    pub fn config(&self, kind: ProviderKind) -> ProviderConfig {
        let (key, name, scope) = match kind {
            ProviderKind::Spid => ("spid-test", "SPID di prova", vec!["openid"]),
            ProviderKind::Cie => (
                "cie-test",
                "CIE di prova",
                vec!["openid", "profile", "email"],
            ),
        };
        ProviderConfig {
            key: key.to_owned(),
            kind,
            name: name.to_owned(),
            issuer: self.issuer.clone(),
            acr_values: vec!["https://www.spid.gov.it/SpidL2".to_owned()],
            scope: scope.into_iter().map(str::to_owned).collect(),
        }
    }

    /// The client whose authorization codes expire after one second; build a second
    /// `RelyingParty` with this client id (same keys, same redirect URI) to use it.
    pub fn short_client_id(&self) -> String {
        format!("{}-short", self.client_id)
    }

    /// The provider entry to use with [`short_client_id`](Self::short_client_id).
    pub fn config_short_code_ttl(&self) -> ProviderConfig {
        ProviderConfig {
            key: "spid-test-short".to_owned(),
            name: "SPID di prova (codici brevi)".to_owned(),
            ..self.config(ProviderKind::Spid)
        }
    }

    /// An HTTP client that behaves like a browser for [`sign_in`](Self::sign_in): it keeps
    /// cookies and lets `sign_in` follow redirects itself.
    pub fn browser() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .expect("a plain HTTP client builds")
    }

    /// Goes through the OP as a user would: follows its redirects, posts the login form with
    /// `fiscal_code` and the consent form, and returns the final redirect to the RP's
    /// `redirect_uri` (with `code`, `state`, `iss`, or an `error`). `http` must keep cookies and
    /// not follow redirects (see [`browser`](Self::browser)). Panics on anything unexpected.
    pub async fn sign_in(
        &self,
        http: &reqwest::Client,
        authorization_url: &str,
        fiscal_code: &str,
    ) -> String {
        let mut url = Url::parse(authorization_url).expect("a valid authorization URL");
        let mut form: Option<Vec<(&str, &str)>> = None;
        for _ in 0..20 {
            let request = match form.take() {
                Some(fields) => http.post(url.clone()).form(&fields),
                None => http.get(url.clone()),
            };
            let response = request.send().await.expect("the test OP answers");
            if response.status().is_redirection() {
                let location = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .expect("a redirect has a Location");
                url = url.join(location).expect("a valid Location");
                if self.is_redirect_uri(&url) {
                    return url.into();
                }
                continue;
            }
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            assert!(
                status.is_success(),
                "the test OP answered {status} at {url}: {body}"
            );
            url = url.join(&form_action(&body)).expect("a valid form action");
            form = Some(if body.contains(r#"name="login""#) {
                vec![("prompt", "login"), ("login", fiscal_code)]
            } else if body.contains(r#"value="consent""#) {
                vec![("prompt", "consent")]
            } else {
                panic!("unexpected page from the test OP: {body}");
            });
        }
        panic!(
            "the test OP did not send the browser back to {} in 20 steps",
            self.redirect_uri
        )
    }

    fn is_redirect_uri(&self, url: &Url) -> bool {
        let mut base = url.clone();
        base.set_query(None);
        base.set_fragment(None);
        Url::parse(&self.redirect_uri).is_ok_and(|redirect_uri| base == redirect_uri)
    }
}

fn form_action(html: &str) -> String {
    let start = html.find(r#"action=""#).expect("the page has a form") + r#"action=""#.len();
    let end = html[start..].find('"').expect("the form action is quoted") + start;
    html[start..end].replace("&amp;", "&")
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
