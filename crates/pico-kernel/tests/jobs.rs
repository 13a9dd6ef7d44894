//! Durable jobs: retried with backoff, given up after the last attempt, taken once however
//! many workers compete, picked up again when a worker dies holding one.

use pico_kernel::jobs::{self, Handler, Outcome, model, model::Model as Job};
use pico_kernel::test_support::TestApp;
use pico_kernel::{AppState, MenuItem, Module, ModuleKind, Registry, spaces};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DbErr, EntityTrait, QueryOrder};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Fails the first `failures` times it runs, then records the payload.
struct Flaky {
    failures: usize,
    runs: AtomicUsize,
    done: Mutex<Vec<i64>>,
}

#[async_trait::async_trait]
impl Handler for Flaky {
    fn kind(&self) -> &'static str {
        "prova.flaky"
    }
    async fn run(&self, _: &AppState, payload: serde_json::Value) -> anyhow::Result<Outcome> {
        if self.runs.fetch_add(1, Ordering::SeqCst) < self.failures {
            anyhow::bail!("servizio non raggiungibile");
        }
        self.done
            .lock()
            .unwrap()
            .push(payload["n"].as_i64().unwrap());
        Ok(Outcome::Done)
    }
}

/// A module that brings only the job handler.
struct WithJobs(Arc<Flaky>);

#[async_trait::async_trait]
impl Module for WithJobs {
    fn key(&self) -> &'static str {
        "prova"
    }
    fn label(&self) -> &'static str {
        "Prova"
    }
    fn kind(&self) -> ModuleKind {
        ModuleKind::Horizontal
    }
    fn routes(&self) -> axum::Router<AppState> {
        axum::Router::new()
    }
    async fn menu(&self, _: &AppState, _: &spaces::Space) -> Result<Vec<MenuItem>, DbErr> {
        Ok(Vec::new())
    }
    fn jobs(&self) -> Vec<Arc<dyn Handler>> {
        vec![self.0.clone()]
    }
}

async fn platform(failures: usize) -> (TestApp, Arc<Flaky>) {
    let flaky = Arc::new(Flaky {
        failures,
        runs: AtomicUsize::new(0),
        done: Mutex::new(Vec::new()),
    });
    let app = TestApp::spawn(Registry::new(vec![Arc::new(WithJobs(flaky.clone()))])).await;
    (app, flaky)
}

async fn all_jobs(app: &TestApp) -> Vec<Job> {
    model::Entity::find()
        .order_by_asc(model::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap()
}

/// Moves every queued job's next attempt to now, as if the backoff had elapsed.
async fn skip_backoff(app: &TestApp) {
    for job in all_jobs(app).await {
        let mut job: model::ActiveModel = job.into();
        job.run_at = Set(chrono::Utc::now());
        job.update(&app.state.db).await.unwrap();
    }
}

#[tokio::test]
async fn a_failing_job_is_retried_later_until_it_succeeds() {
    let (app, flaky) = platform(2).await;
    jobs::enqueue(&app.state.db, "prova.flaky", serde_json::json!({ "n": 7 }))
        .await
        .unwrap();

    assert_eq!(app.run_jobs().await, 1, "the retry is not due yet");
    let job = all_jobs(&app).await.remove(0);
    assert_eq!((job.state.as_str(), job.attempts), ("queued", 1));
    assert!(
        job.last_error
            .unwrap()
            .contains("servizio non raggiungibile")
    );
    assert!(job.run_at > chrono::Utc::now() + chrono::Duration::seconds(25));

    skip_backoff(&app).await;
    app.run_jobs().await;
    skip_backoff(&app).await;
    app.run_jobs().await;
    let job = all_jobs(&app).await.remove(0);
    assert_eq!((job.state.as_str(), job.attempts), ("done", 3));
    assert_eq!(*flaky.done.lock().unwrap(), [7]);
}

#[tokio::test]
async fn a_job_that_keeps_failing_is_given_up_after_its_last_attempt() {
    let (app, flaky) = platform(usize::MAX).await;
    jobs::enqueue(&app.state.db, "prova.flaky", serde_json::json!({ "n": 1 }))
        .await
        .unwrap();
    let mut job: model::ActiveModel = all_jobs(&app).await.remove(0).into();
    job.max_attempts = Set(2);
    job.update(&app.state.db).await.unwrap();
    app.run_jobs().await;
    skip_backoff(&app).await;
    app.run_jobs().await;
    let job = all_jobs(&app).await.remove(0);
    assert_eq!((job.state.as_str(), job.attempts), ("failed", 2));
    assert_eq!(flaky.runs.load(Ordering::SeqCst), 2);
    skip_backoff(&app).await;
    assert_eq!(app.run_jobs().await, 0, "a failed job stays failed");
}

#[tokio::test]
async fn competing_workers_take_each_job_once() {
    let (app, flaky) = platform(0).await;
    for n in 0..40 {
        jobs::enqueue(&app.state.db, "prova.flaky", serde_json::json!({ "n": n }))
            .await
            .unwrap();
    }
    let work = |name: &'static str| {
        let state = app.state.clone();
        async move { while jobs::run_next(&state, name).await.unwrap() {} }
    };
    tokio::join!(work("uno"), work("due"), work("tre"));
    let mut done = flaky.done.lock().unwrap().clone();
    done.sort();
    assert_eq!(done, (0..40).collect::<Vec<_>>());
    assert!(
        all_jobs(&app)
            .await
            .iter()
            .all(|j| j.state == "done" && j.attempts == 1)
    );
}

#[tokio::test]
async fn a_job_held_by_a_dead_worker_runs_again() {
    let (app, flaky) = platform(0).await;
    jobs::enqueue(&app.state.db, "prova.flaky", serde_json::json!({ "n": 3 }))
        .await
        .unwrap();
    let taken = jobs::claim(&app.state.db, "nodo-spento", chrono::Duration::minutes(1))
        .await
        .unwrap()
        .expect("claimed");
    assert_eq!(app.run_jobs().await, 0, "held by its worker");
    // The worker died: its lease runs out.
    let mut job: model::ActiveModel = all_jobs(&app).await.remove(0).into();
    job.locked_until = Set(Some(chrono::Utc::now() - chrono::Duration::seconds(1)));
    job.update(&app.state.db).await.unwrap();
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(*flaky.done.lock().unwrap(), [3]);
    assert_eq!(all_jobs(&app).await[0].id, taken.id);
}

#[tokio::test]
async fn the_background_worker_delivers_queued_mail() {
    let (app, _) = platform(0).await;
    pico_kernel::mail::queue(
        &app.state.db,
        pico_kernel::mail::Mail {
            to: "qualcuno@example.it".into(),
            subject: "Prova".into(),
            body: "Messaggio di prova.".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let worker = jobs::spawn_worker(app.state.clone());
    // Wait for the worker, with a deadline.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while all_jobs(&app).await[0].state != "done" {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker did not deliver"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    worker.abort();
    let mails = app.mails_to("qualcuno@example.it").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].subject, "Prova");
}

#[tokio::test]
async fn an_administrator_sees_a_failed_job_and_tries_it_again() {
    use pico_kernel::identity::Role;
    use pico_kernel::test_support::{PASSWORD, field_value, texts};
    use reqwest::StatusCode;
    let (app, flaky) = platform(usize::MAX).await;
    app.person_with_role("root@example.it", Role::PlatformAdmin, None)
        .await;
    jobs::enqueue(&app.state.db, "prova.flaky", serde_json::json!({ "n": 5 }))
        .await
        .unwrap();
    let mut job: model::ActiveModel = all_jobs(&app).await.remove(0).into();
    job.max_attempts = Set(1);
    job.update(&app.state.db).await.unwrap();
    app.run_jobs().await;

    app.login("root@example.it", PASSWORD).await;
    let page = app.page("/gestione/lavori", StatusCode::OK).await;
    assert!(texts(&page, "ul.list-inline li").contains(&"Fallito: 1".to_owned()));
    let rows = texts(&page, "tbody tr");
    assert!(
        rows[0].contains("prova.flaky") && rows[0].contains("servizio non raggiungibile"),
        "{rows:?}"
    );

    let retried = app
        .post_form(
            "/gestione/lavori/riprova",
            &[
                ("csrf", &field_value(&page, "csrf")),
                ("id", &field_value(&page, "id")),
            ],
        )
        .await;
    assert_eq!(retried.status(), StatusCode::SEE_OTHER);
    assert_eq!(all_jobs(&app).await[0].state, "queued");
    app.run_jobs().await;
    assert_eq!(flaky.runs.load(Ordering::SeqCst), 2, "it ran again");
}
