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
    }
}

/// Where the messages the platform sends end up in a test.
enum Mailbox {
    /// `.eml` files in the platform's outbox folder.
    Outbox(std::path::PathBuf),
    Smtp(SmtpServer),
}

/// A message as received.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: String,
    pub subject: String,
    /// The plain-text part.
    pub body: String,
    pub html: Option<String>,
    pub headers: Vec<(String, String)>,
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

    /// The first header called `name` (any case), as written.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }
}

/// A real SMTP server, Python's `aiosmtpd`, storing what it receives in a maildir.
pub struct SmtpServer {
    process: std::process::Child,
    pub url: String,
    maildir: std::path::PathBuf,
}

impl SmtpServer {
    /// Starts it on a free port and waits until it accepts connections.
    pub fn start(maildir: &std::path::Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let process = std::process::Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the mail tests need python3 with aiosmtpd (pip install aiosmtpd)");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "aiosmtpd did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Self {
            process,
            url: format!("smtp://127.0.0.1:{port}"),
            maildir: maildir.to_owned(),
        }
    }

    /// Freezes the server (SIGSTOP): a client stays stuck mid-conversation, its message not
    /// accepted, until [`SmtpServer::resume`].
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .args([signal, &self.process.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} failed");
    }

    /// Every message received so far, oldest first.
    pub fn mails(&self) -> Vec<ReceivedMail> {
        read_mails(&self.maildir.join("new"))
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.resume();
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn read_mails(dir: &std::path::Path) -> Vec<ReceivedMail> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
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
                html: (message.html_body_count() > 0
                    && message.text_body_count() > 0
                    && message.html_body.first() != message.text_body.first())
                .then(|| message.body_html(0).unwrap_or_default().into_owned()),
                headers: message
                    .headers_raw()
                    .map(|(name, value)| (name.to_owned(), value.to_owned()))
                    .collect(),
            }
        })
        .collect()
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
            let server = SmtpServer::start(&dir.path().join("maildir"));
            config.smtp_url = crate::config::Secret(server.url.clone());
            Mailbox::Smtp(server)
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
        match &self.mailbox {
            Mailbox::Outbox(dir) => read_mails(dir),
            Mailbox::Smtp(server) => server.mails(),
        }
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

    /// A new person, signed in, holding `role` in the space `slug` (none: a registered user);
    /// returns their id and browser.
    pub async fn signed_in(&self, email: &str, role: Option<(Role, &str)>) -> (i32, Browser) {
        let person = identity::create_person(&self.state.db, email, email, PASSWORD, false)
            .await
            .unwrap();
        if let Some((role, slug)) = role {
            let space = spaces::by_slug(&self.state.db, slug)
                .await
                .unwrap()
                .expect("space exists");
            identity::grant(&self.state.db, person.id, role, Some(space.id), None, None)
                .await
                .unwrap();
        }
        (person.id, self.browser_of(person.id).await)
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
