//! Feeds and calendars as readers' software reads them. With `PICO_TEST_PARSERS=1` (set by
//! `scripts/test-all`) they go through Python's `icalendar` and `feedparser`; otherwise
//! through the Rust parsers of the same formats.

use pico_kernel::identity::{self, Role};
use pico_kernel::test_support::{Browser, PASSWORD, TestApp};
use pico_kernel::{Registry, spaces};
use reqwest::StatusCode;
use std::sync::Arc;

/// What a parser understood of a calendar: events as (summary, start, end, location), with
/// times in UTC as RFC 3339.
type Events = Vec<(String, String, String, String)>;

fn python() -> bool {
    std::env::var("PICO_TEST_PARSERS").is_ok_and(|v| v == "1")
}

fn run_python(kind: &str, bytes: &[u8]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input");
    std::fs::write(&file, bytes).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/parsers/check.py");
    let output = std::process::Command::new("python3")
        .args([script, kind, file.to_str().unwrap()])
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn utc(text: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc).to_rfc3339())
        .unwrap_or_else(|_| text.to_owned())
}

fn events_in(bytes: &[u8]) -> Events {
    if python() {
        let parsed = run_python("ics", bytes);
        assert_eq!(parsed["version"], "2.0");
        return parsed["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["summary"].as_str().unwrap().to_owned(),
                    utc(e["start"].as_str().unwrap()),
                    utc(e["end"].as_str().unwrap()),
                    e["location"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
    }
    use icalendar::{Component, EventLike};
    let calendar: icalendar::Calendar = std::str::from_utf8(bytes).unwrap().parse().unwrap();
    let when = |d: Option<icalendar::DatePerhapsTime>| match d {
        Some(icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(t))) => {
            t.to_rfc3339()
        }
        other => panic!("expected a UTC time, got {other:?}"),
    };
    calendar
        .events()
        .map(|e| {
            (
                e.get_summary().unwrap().to_owned(),
                when(e.get_start()),
                when(e.get_end()),
                e.get_location().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// (feed title, entry titles, entry links)
fn feed_in(bytes: &[u8], atom: bool) -> (String, Vec<String>, Vec<String>) {
    if python() {
        let parsed = run_python("feed", bytes);
        assert_eq!(parsed["bozo"], false, "{}", parsed["problem"]);
        assert_eq!(parsed["version"], if atom { "atom10" } else { "rss20" });
        let entries = parsed["entries"].as_array().unwrap();
        return (
            parsed["title"].as_str().unwrap().to_owned(),
            entries
                .iter()
                .map(|e| e["title"].as_str().unwrap().to_owned())
                .collect(),
            entries
                .iter()
                .map(|e| e["link"].as_str().unwrap().to_owned())
                .collect(),
        );
    }
    if atom {
        let feed = atom_syndication::Feed::read_from(bytes).unwrap();
        (
            feed.title().to_string(),
            feed.entries()
                .iter()
                .map(|e| e.title().to_string())
                .collect(),
            feed.entries()
                .iter()
                .map(|e| e.links()[0].href().to_owned())
                .collect(),
        )
    } else {
        let channel = rss::Channel::read_from(bytes).unwrap();
        (
            channel.title().to_owned(),
            channel
                .items()
                .iter()
                .map(|i| i.title().unwrap().to_owned())
                .collect(),
            channel
                .items()
                .iter()
                .map(|i| i.link().unwrap().to_owned())
                .collect(),
        )
    }
}

async fn editor(app: &TestApp) -> Browser {
    let person = identity::create_person(
        &app.state.db,
        "redazione@treviso.it",
        "Redazione",
        PASSWORD,
        false,
    )
    .await
    .unwrap();
    let space = spaces::by_slug(&app.state.db, "treviso")
        .await
        .unwrap()
        .unwrap();
    identity::grant(
        &app.state.db,
        person.id,
        Role::Editor,
        Some(space.id),
        None,
        None,
    )
    .await
    .unwrap();
    app.browser_of(person.id).await
}

async fn publish(editor: &Browser, kind: &str, fields: &[(&str, &str)]) {
    let path = format!("/treviso/gestione/contenuti/nuovo/{kind}");
    let csrf = editor.csrf(&path).await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let created = editor.post_form(&path, &form).await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let edit = created.headers()["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let published = editor
        .post_form(
            &format!("{edit}/stato"),
            &[("csrf", &csrf), ("to", "publish")],
        )
        .await;
    assert_eq!(published.status(), StatusCode::SEE_OTHER);
}

async fn bytes(app: &TestApp, path: &str, mime: &str) -> Vec<u8> {
    let response = app.browser().get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with(mime),
        "{path}"
    );
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn events_download_as_ics_and_subscribe_as_a_calendar() {
    let app = TestApp::spawn(Registry::new(vec![Arc::new(pico_portal::Portal)])).await;
    let editor = editor(&app).await;
    publish(
        &editor,
        "event",
        &[
            ("title", "Convegno sulla viabilità; strade & ponti"),
            ("summary", "Il convegno annuale."),
            ("starts_at", "2026-12-10T10:00"),
            ("ends_at", "2026-12-10T12:30"),
            ("place", "Sala consiliare, via Cal di Breda 116, Treviso"),
            ("organiser", "Provincia di Treviso"),
        ],
    )
    .await;
    publish(
        &editor,
        "event",
        &[
            ("title", "Webinar PNRR"),
            ("starts_at", "2027-07-01T15:00"),
            ("online_url", "https://meet.example.it/pnrr"),
        ],
    )
    .await;

    let single = bytes(
        &app,
        "/treviso/eventi/convegno-sulla-viabilita-strade-ponti/evento.ics",
        "text/calendar",
    )
    .await;
    assert_eq!(
        events_in(&single),
        [(
            "Convegno sulla viabilità; strade & ponti".to_owned(),
            "2026-12-10T09:00:00+00:00".to_owned(),
            "2026-12-10T11:30:00+00:00".to_owned(),
            "Sala consiliare, via Cal di Breda 116, Treviso".to_owned(),
        )]
    );
    let feed = bytes(&app, "/treviso/eventi.ics", "text/calendar").await;
    let mut events = events_in(&feed);
    events.sort_by(|a, b| a.1.cmp(&b.1));
    let summaries: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    // Summer time: 15:00 in Rome is 13:00 UTC; without an end, the event lasts an hour.
    assert_eq!(
        summaries,
        ["Convegno sulla viabilità; strade & ponti", "Webinar PNRR"]
    );
    assert_eq!(events[1].1, "2027-07-01T13:00:00+00:00");
    assert_eq!(events[1].2, "2027-07-01T14:00:00+00:00");
    assert_eq!(events[1].3, "Online: https://meet.example.it/pnrr");

    let month = app
        .browser()
        .page("/treviso/eventi?mese=2026-12", StatusCode::OK)
        .await;
    let titles: Vec<String> = month
        .select(&scraper::Selector::parse(".card-title").unwrap())
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect();
    assert_eq!(titles, ["Convegno sulla viabilità; strade & ponti"]);
    assert_eq!(
        app.browser()
            .get("/treviso/eventi?mese=2026-13")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn news_reach_feed_readers_as_atom_and_rss() {
    let app = TestApp::spawn(Registry::new(vec![Arc::new(pico_portal::Portal)])).await;
    let editor = editor(&app).await;
    for title in ["Gara per le scuole", "Strade & cantieri <aggiornamento>"] {
        publish(
            &editor,
            "news",
            &[
                ("title", title),
                ("summary", "In breve."),
                ("body", "<p>Testo con <strong>grassetto</strong>.</p>"),
            ],
        )
        .await;
    }
    for (path, atom) in [("/treviso/feed.atom", true), ("/treviso/feed.rss", false)] {
        let mime = if atom {
            "application/atom+xml"
        } else {
            "application/rss+xml"
        };
        let (title, mut entries, links) = feed_in(&bytes(&app, path, mime).await, atom);
        assert_eq!(title, "Notizie – Provincia di Treviso");
        entries.sort();
        assert_eq!(
            entries,
            ["Gara per le scuole", "Strade & cantieri <aggiornamento>"]
        );
        assert!(
            links.contains(&app.state.config.url("/treviso/notizie/gara-per-le-scuole")),
            "{links:?}"
        );
    }
}
