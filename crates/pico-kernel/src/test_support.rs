//! Test harness: [`TestApp::spawn`] starts the real router over HTTP on a fresh database,
//! SQLite by default or PostgreSQL when `PICO_TEST_DATABASE_URL` names a server. Mail goes to
//! the outbox folder, or through a real SMTP server (Python's `aiosmtpd`, started per test)
//! when `PICO_TEST_SMTP=1`, as the full test run sets.

use crate::identity::{self, Role};
use crate::{AppState, Config, Registry, spaces};
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use sea_orm::{ConnectionTrait, Database};
use std::net::SocketAddr;

pub const PASSWORD: &str = "password-di-prova-123";

pub struct TestApp {
    pub address: SocketAddr,
    pub state: AppState,
    /// The first person's browser; [`TestApp::browser`] opens others.
    pub browser: Browser,
    _dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
    mailbox: Mailbox,
}

impl std::ops::Deref for TestApp {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        &self.browser
    }
}

/// A browser-like client: keeps its cookies, does not follow redirects.
pub struct Browser {
    pub client: reqwest::Client,
    address: SocketAddr,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        if let Mailbox::Smtp { server, .. } = &mut self.mailbox {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

/// Where the messages the platform sends end up in a test.
enum Mailbox {
    /// `.eml` files in the platform's outbox folder.
    Outbox(std::path::PathBuf),
    /// A real SMTP server storing what it receives in a maildir.
    Smtp {
        server: std::process::Child,
        maildir: std::path::PathBuf,
    },
}

/// A message as received.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl ReceivedMail {
    /// The path of the first link to this platform in the body that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        self.body
            .split_whitespace()
            .filter_map(|word| word.find("://").map(|i| &word[i + 3..]))
            .filter_map(|rest| rest.find('/').map(|i| &rest[i..]))
            .find(|path| path.starts_with(prefix))
            .unwrap_or_else(|| panic!("no link starting with {prefix} in:\n{}", self.body))
            .to_owned()
    }
}

/// Starts `aiosmtpd` on a free port, storing messages in `maildir`; returns it with its URL.
fn start_smtp(maildir: &std::path::Path) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let server = std::process::Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("PICO_TEST_SMTP=1 needs python3 with aiosmtpd (pip install aiosmtpd)");
    // Wait until it accepts connections: polling readiness, with a deadline.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "aiosmtpd did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    (server, format!("smtp://127.0.0.1:{port}"))
}

/// A fresh database URL: a SQLite file in `dir`, or a new PostgreSQL database.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    match std::env::var("PICO_TEST_DATABASE_URL") {
        Ok(server) if !server.is_empty() => {
            let name = format!("pico_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(&server)
                .await
                .expect("PICO_TEST_DATABASE_URL reachable");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
            format!("{base}/{name}")
        }
        _ => format!("sqlite://{}/pico.db?mode=rwc", dir.display()),
    }
}

impl TestApp {
    pub async fn spawn(registry: Registry) -> Self {
        Self::spawn_with(registry, |_| {}).await
    }

    /// Like [`TestApp::spawn`], letting the test adjust the configuration first (its data
    /// directory and base URL are already set).
    pub async fn spawn_with(registry: Registry, configure: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mut config = Config {
            base_url: format!("http://{address}"),
            data_dir: dir.path().to_owned(),
            database_url: fresh_database(dir.path()).await,
            bind: "127.0.0.1:0".parse().unwrap(),
            // Tests run the queue themselves (see [`TestApp::run_jobs`]), so that what they
            // check never races a background worker.
            job_worker: false,
            ..Config::default()
        };
        let mailbox = if std::env::var("PICO_TEST_SMTP").is_ok_and(|v| v == "1") {
            let maildir = dir.path().join("maildir");
            let (server, url) = start_smtp(&maildir);
            config.smtp_url = crate::config::Secret(url);
            Mailbox::Smtp { server, maildir }
        } else {
            Mailbox::Outbox(dir.path().join("outbox"))
        };
        configure(&mut config);
        let state = crate::prepare(config, registry)
            .await
            .expect("platform prepares");
        let serving = state.clone();
        let server = tokio::spawn(async move {
            crate::serve(serving, listener, std::future::pending())
                .await
                .unwrap();
        });
        Self {
            address,
            state,
            browser: Browser::new(address),
            _dir: dir,
            server,
            mailbox,
        }
    }

    /// Runs every job that is due, as a worker would; returns how many ran.
    pub async fn run_jobs(&self) -> usize {
        let mut ran = 0;
        while crate::jobs::run_next(&self.state, "test")
            .await
            .expect("job queue")
        {
            ran += 1;
        }
        ran
    }

    /// Every message sent so far, oldest first, once the queued ones are delivered.
    pub async fn mails(&self) -> Vec<ReceivedMail> {
        self.run_jobs().await;
        let dir = match &self.mailbox {
            Mailbox::Outbox(dir) => dir.clone(),
            Mailbox::Smtp { maildir, .. } => maildir.join("new"),
        };
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .map(|path| {
                let raw = std::fs::read(path).expect("message readable");
                let message = mail_parser::MessageParser::default()
                    .parse(&raw)
                    .expect("a valid message");
                ReceivedMail {
                    to: message
                        .to()
                        .and_then(|to| to.first())
                        .and_then(|a| a.address())
                        .unwrap_or_default()
                        .to_owned(),
                    subject: message.subject().unwrap_or_default().to_owned(),
                    body: message.body_text(0).unwrap_or_default().into_owned(),
                }
            })
            .collect()
    }

    /// The messages sent to `address`, oldest first.
    pub async fn mails_to(&self, address: &str) -> Vec<ReceivedMail> {
        self.mails()
            .await
            .into_iter()
            .filter(|m| m.to == address)
            .collect()
    }

    /// Another browser, for scenarios with several people.
    pub fn browser(&self) -> Browser {
        Browser::new(self.address)
    }

    /// A browser already signed in as `person_id`, without going through the login form (and
    /// its rate limits): for tests that sign in many times.
    pub async fn browser_of(&self, person_id: i32) -> Browser {
        let token = identity::sessions::open(&self.state.db, person_id, None, None)
            .await
            .expect("session opened");
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let url = reqwest::Url::parse(&format!("http://{}/", self.address)).unwrap();
        jar.add_cookie_str(
            &format!("{}={token}; Path=/", identity::sessions::COOKIE),
            &url,
        );
        let client = reqwest::Client::builder()
            .cookie_provider(jar)
            .redirect(Policy::none())
            .build()
            .unwrap();
        Browser {
            client,
            address: self.address,
        }
    }

    /// Creates a person holding `role` in the space `space_slug` (or platform-wide when none).
    pub async fn person_with_role(&self, email: &str, role: Role, space_slug: Option<&str>) {
        let person = identity::create_person(&self.state.db, email, email, PASSWORD, false)
            .await
            .unwrap();
        let space_id = match space_slug {
            Some(slug) => Some(
                spaces::by_slug(&self.state.db, slug)
                    .await
                    .unwrap()
                    .expect("space exists")
                    .id,
            ),
            None => None,
        };
        identity::grant(&self.state.db, person.id, role, space_id, None, None)
            .await
            .unwrap();
    }
}

impl Browser {
    fn new(address: SocketAddr) -> Self {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap();
        Self { client, address }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// GETs a page and parses it; panics unless the status is the expected one.
    pub async fn page(&self, path: &str, expected: StatusCode) -> scraper::Html {
        let response = self.get(path).await;
        assert_eq!(response.status(), expected, "GET {path}");
        scraper::Html::parse_document(&response.text().await.unwrap())
    }

    /// Signs in through the login form, as a person would.
    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        let page = self.page("/accedi", StatusCode::OK).await;
        let csrf = field_value(&page, "csrf");
        self.client
            .post(self.url("/accedi"))
            .form(&[
                ("email", email),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Submits a form, as a browser would.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("request sent")
    }

    /// The CSRF token of the signed-in person, read from a form on `path`.
    pub async fn csrf(&self, path: &str) -> String {
        field_value(&self.page(path, StatusCode::OK).await, "csrf")
    }
}

/// The value of the first input named `name`.
pub fn field_value(page: &scraper::Html, name: &str) -> String {
    let selector = scraper::Selector::parse(&format!("input[name=\"{name}\"]")).unwrap();
    page.select(&selector)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap_or_else(|| panic!("no input named {name}"))
        .to_owned()
}

/// The text of every element matching `css`, trimmed.
pub fn texts(page: &scraper::Html, css: &str) -> Vec<String> {
    let selector = scraper::Selector::parse(css).unwrap();
    page.select(&selector)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}
