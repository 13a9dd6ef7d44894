//! A newsletter survives its worker dying: a real `pico serve` node sends a campaign to 200
//! subscribers through a real SMTP server, is killed in the middle of a message, and after a
//! new node takes over every subscriber has exactly one copy.

use pico_kernel::config::Secret;
use pico_kernel::identity::Role;
use pico_kernel::test_support::{SmtpServer, TestApp};
use pico_newsletter::model::{self, Composition, campaign, delivery};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::BTreeMap;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const SUBSCRIBERS: usize = 200;
const SUBJECT: &str = "Le notizie della settimana";

/// A node that only runs jobs for the test's platform: same database, its own data directory.
fn start_worker(app: &TestApp, smtp: &SmtpServer, data: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_pico"))
        .arg("serve")
        .env("PICO_DATA_DIR", data)
        .env("PICO_DATABASE_URL", &app.state.config.database_url)
        .env("PICO_BASE_URL", &app.state.config.base_url)
        .env("PICO_BIND", "127.0.0.1:0")
        .env("PICO_SMTP_URL", &smtp.url)
        .env("PICO_JOB_LEASE_SECONDS", "2")
        .env("PICO_BULK_MAIL_PER_MINUTE", "1200")
        .env("PICO_LOG", "warn")
        .spawn()
        .expect("pico serve starts")
}

/// Waits for `done`, checking every 20 ms, failing after `limit`.
async fn wait_for<F: AsyncFnMut() -> bool>(what: &str, limit: Duration, mut done: F) {
    let deadline = Instant::now() + limit;
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn received(smtp: &SmtpServer) -> BTreeMap<String, usize> {
    let mut copies = BTreeMap::new();
    for mail in smtp.mails().into_iter().filter(|m| m.subject == SUBJECT) {
        *copies.entry(mail.to).or_insert(0) += 1;
    }
    copies
}

#[tokio::test]
async fn a_worker_killed_mid_campaign_leaves_every_subscriber_exactly_one_mail() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpServer::start(&dir.path().join("maildir"));
    let url = smtp.url.clone();
    let app = TestApp::spawn_with(pico::registry(), |config| config.smtp_url = Secret(url)).await;
    let db = &app.state.db;
    let treviso = pico_kernel::spaces::by_slug(db, "treviso")
        .await
        .unwrap()
        .unwrap();
    for n in 0..SUBSCRIBERS {
        let email = format!("lettore{n:03}@example.it");
        let token = model::subscribe(db, treviso.id, &email)
            .await
            .unwrap()
            .unwrap();
        assert!(model::confirm(db, treviso.id, &token).await.unwrap());
    }
    let (editor_id, editor) = app
        .signed_in("redazione@treviso.it", Some((Role::Editor, "treviso")))
        .await;
    let composition = Composition {
        subject: SUBJECT.into(),
        intro: "Buongiorno a tutte e a tutti.".into(),
        content_ids: Vec::new(),
    };
    let draft = model::create_campaign(db, treviso.id, composition, editor_id)
        .await
        .unwrap();
    let page = format!("/treviso/newsletter/gestione/{}", draft.id);
    let csrf = editor.csrf(&page).await;
    let response = editor
        .post_form(&format!("{page}/invia"), &[("csrf", &csrf)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let first = tempfile::tempdir().unwrap();
    let mut worker = start_worker(&app, &smtp, first.path());
    wait_for(
        "a quarter of the messages",
        Duration::from_secs(60),
        async || received(&smtp).len() >= SUBSCRIBERS / 4,
    )
    .await;
    // Freeze the mail server: the worker is soon stuck in the middle of a message the server
    // has not accepted. Kill it there.
    smtp.pause();
    wait_for(
        "a message stuck in sending",
        Duration::from_secs(30),
        async || {
            let stuck_since = chrono::Utc::now() - chrono::Duration::seconds(1);
            delivery::Entity::find()
                .filter(delivery::Column::Status.eq("sending"))
                .filter(delivery::Column::UpdatedAt.lt(stuck_since))
                .one(db)
                .await
                .unwrap()
                .is_some()
        },
    )
    .await;
    worker.kill().unwrap();
    worker.wait().unwrap();
    smtp.resume();
    let delivered_before = received(&smtp).len();
    assert!(delivered_before < SUBSCRIBERS, "killed mid-campaign");

    let second = tempfile::tempdir().unwrap();
    let mut worker = start_worker(&app, &smtp, second.path());
    wait_for(
        "the campaign to finish",
        Duration::from_secs(120),
        async || {
            campaign::Entity::find_by_id(draft.id)
                .one(db)
                .await
                .unwrap()
                .unwrap()
                .status
                == model::SENT
        },
    )
    .await;
    worker.kill().unwrap();
    worker.wait().unwrap();

    let copies = received(&smtp);
    assert_eq!(
        copies.len(),
        SUBSCRIBERS,
        "every subscriber got the campaign"
    );
    let twice: Vec<_> = copies.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "more than one copy: {twice:?}");
    let deliveries = delivery::Entity::find().all(db).await.unwrap();
    assert!(deliveries.iter().all(|d| d.status == "sent"));
    assert_eq!(
        deliveries.iter().filter(|d| d.attempts == 2).count(),
        1,
        "the message in flight at the crash went out again, and only that one"
    );
}
