//! Durable background jobs. A job is a row: it survives restarts, is retried with exponential
//! backoff when it fails, and is taken by exactly one worker even with several nodes on one
//! PostgreSQL (`FOR UPDATE SKIP LOCKED`; SQLite has a single writer). A worker renews the lease
//! of the job in hand; a node that dies stops renewing it, and once the lease
//! (`job_lease_seconds`) runs out the job runs again: handlers must tolerate that.
//!
//! Sending e-mail is the first user (`mail.send`); modules add their own kinds through
//! [`crate::Module::jobs`].

use crate::web::AppState;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};
use std::collections::HashMap;
use std::sync::Arc;

const MAX_ATTEMPTS: i32 = 8;

pub mod model {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "job")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub kind: String,
        /// JSON.
        pub payload: String,
        /// `queued`, `running`, `done` or `failed`.
        pub state: String,
        pub attempts: i32,
        pub max_attempts: i32,
        /// Not before this.
        pub run_at: DateTimeUtc,
        pub locked_by: Option<String>,
        pub locked_until: Option<DateTimeUtc>,
        pub last_error: Option<String>,
        pub created_at: DateTimeUtc,
        pub finished_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// Does one kind of job.
#[async_trait::async_trait]
pub trait Handler: Send + Sync + 'static {
    fn kind(&self) -> &'static str;
    async fn run(&self, state: &AppState, payload: serde_json::Value) -> anyhow::Result<Outcome>;
}

/// How a run that did not fail ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// The job has more to do: it goes back in the queue behind the jobs already due, with
    /// its attempts counted afresh. A long task (a newsletter to thousands) works in slices
    /// this way, without holding the only worker of a node and without a second job row that
    /// could run beside it.
    Again,
}

/// The handlers this binary knows, by kind.
#[derive(Clone, Default)]
pub struct Handlers(Arc<HashMap<&'static str, Arc<dyn Handler>>>);

impl Handlers {
    pub fn new(handlers: Vec<Arc<dyn Handler>>) -> Self {
        Self(Arc::new(
            handlers.into_iter().map(|h| (h.kind(), h)).collect(),
        ))
    }
}

/// Queues a job to run as soon as a worker is free.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    kind: &str,
    payload: serde_json::Value,
) -> Result<(), DbErr> {
    enqueue_at(db, kind, payload, Utc::now()).await
}

/// Queues a job that no worker takes before `run_at`.
pub async fn enqueue_at(
    db: &impl ConnectionTrait,
    kind: &str,
    payload: serde_json::Value,
    run_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let now = Utc::now();
    model::ActiveModel {
        kind: Set(kind.to_owned()),
        payload: Set(payload.to_string()),
        state: Set("queued".into()),
        attempts: Set(0),
        max_attempts: Set(MAX_ATTEMPTS),
        run_at: Set(run_at),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A job taken by this worker.
#[derive(Debug)]
pub struct Claimed {
    pub id: i32,
    pub kind: String,
    pub payload: String,
    pub attempts: i32,
    pub max_attempts: i32,
}

/// Takes the next due job, if any, for `worker`, for `lease`. Jobs whose lease ran out go back
/// in the queue first.
pub async fn claim(
    db: &impl ConnectionTrait,
    worker: &str,
    lease: Duration,
) -> Result<Option<Claimed>, DbErr> {
    let backend = db.get_database_backend();
    let now = Utc::now();
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        "UPDATE job SET state = 'queued', locked_by = NULL, locked_until = NULL \
         WHERE state = 'running' AND locked_until < $1",
        [Value::from(now)],
    ))
    .await?;
    let skip_locked = match backend {
        DatabaseBackend::Postgres => " FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    let sql = format!(
        "UPDATE job SET state = 'running', attempts = attempts + 1, locked_by = $1, \
         locked_until = $2 \
         WHERE id = (SELECT id FROM job WHERE state = 'queued' AND run_at <= $3 \
                     ORDER BY run_at, id LIMIT 1{skip_locked}) \
         RETURNING id, kind, payload, attempts, max_attempts"
    );
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                Value::from(worker),
                Value::from(now + lease),
                Value::from(now),
            ],
        ))
        .await?;
    row.map(|r| {
        Ok(Claimed {
            id: r.try_get("", "id")?,
            kind: r.try_get("", "kind")?,
            payload: r.try_get("", "payload")?,
            attempts: r.try_get("", "attempts")?,
            max_attempts: r.try_get("", "max_attempts")?,
        })
    })
    .transpose()
}

/// When a job that failed `attempts` times runs again: 30 s, 1 min, 2 min… at most an hour.
pub fn retry_at(now: DateTime<Utc>, attempts: i32) -> DateTime<Utc> {
    let seconds = 30i64 << (attempts - 1).clamp(0, 7);
    now + Duration::seconds(seconds.min(3600))
}

async fn finish(
    db: &impl ConnectionTrait,
    job: &Claimed,
    worker: &str,
    outcome: Result<Outcome, String>,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let now = Utc::now();
    let (sql, values): (&str, Vec<Value>) = match outcome {
        Ok(Outcome::Done) => (
            "UPDATE job SET state = 'done', finished_at = $1, locked_by = NULL, \
             locked_until = NULL, last_error = NULL WHERE id = $2 AND locked_by = $3",
            vec![now.into(), job.id.into(), worker.into()],
        ),
        Ok(Outcome::Again) => (
            "UPDATE job SET state = 'queued', run_at = $1, attempts = 0, locked_by = NULL, \
             locked_until = NULL, last_error = NULL WHERE id = $2 AND locked_by = $3",
            vec![now.into(), job.id.into(), worker.into()],
        ),
        Err(error) if job.attempts < job.max_attempts => (
            "UPDATE job SET state = 'queued', run_at = $1, locked_by = NULL, \
             locked_until = NULL, last_error = $2 WHERE id = $3 AND locked_by = $4",
            vec![
                retry_at(now, job.attempts).into(),
                error.into(),
                job.id.into(),
                worker.into(),
            ],
        ),
        Err(error) => (
            "UPDATE job SET state = 'failed', finished_at = $1, locked_by = NULL, \
             locked_until = NULL, last_error = $2 WHERE id = $3 AND locked_by = $4",
            vec![now.into(), error.into(), job.id.into(), worker.into()],
        ),
    };
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}

/// Keeps the lease of a running job: other nodes take it only if this one stops renewing it.
async fn renew(
    db: &impl ConnectionTrait,
    job: &Claimed,
    worker: &str,
    lease: Duration,
) -> Result<(), DbErr> {
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE job SET locked_until = $1 WHERE id = $2 AND locked_by = $3",
        [
            Value::from(Utc::now() + lease),
            job.id.into(),
            worker.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Runs a claimed job's handler, renewing its lease every third of it meanwhile.
async fn run_held(
    state: &AppState,
    job: &Claimed,
    worker: &str,
    lease: Duration,
    handler: &dyn Handler,
    payload: serde_json::Value,
) -> Result<Outcome, String> {
    let work = handler.run(state, payload);
    tokio::pin!(work);
    let every = (lease / 3)
        .to_std()
        .unwrap_or(std::time::Duration::from_secs(1));
    let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            outcome = &mut work => return outcome.map_err(|e| format!("{e:#}")),
            _ = beat.tick() => {
                if let Err(e) = renew(&state.db, job, worker, lease).await {
                    tracing::warn!(job = job.id, error = %e, "job lease not renewed");
                }
            }
        }
    }
}

/// Takes and runs one due job; false when there was none.
pub async fn run_next(state: &AppState, worker: &str) -> Result<bool, DbErr> {
    let lease = Duration::seconds(state.config.job_lease_seconds.max(1) as i64);
    let Some(job) = claim(&state.db, worker, lease).await? else {
        return Ok(false);
    };
    let outcome = match state.jobs.0.get(job.kind.as_str()) {
        None => Err(format!("no handler for jobs of kind {}", job.kind)),
        Some(handler) => match serde_json::from_str(&job.payload) {
            Err(e) => Err(format!("payload is not JSON: {e}")),
            Ok(payload) => run_held(state, &job, worker, lease, handler.as_ref(), payload).await,
        },
    };
    if let Err(error) = &outcome {
        tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, %error, "job failed");
    }
    finish(&state.db, &job, worker, outcome).await?;
    Ok(true)
}

/// Runs jobs in the background until the process ends: one worker per node.
pub fn spawn_worker(state: AppState) -> tokio::task::JoinHandle<()> {
    let worker = format!("{}-{}", hostname(), uuid::Uuid::new_v4().simple());
    tokio::spawn(async move {
        loop {
            match run_next(&state, &worker).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, "job queue unreachable"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    })
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "pico".into())
}

#[cfg(test)]
mod tests {
    use super::retry_at;
    use chrono::{Duration, Utc};

    #[test]
    fn retries_back_off_up_to_an_hour() {
        let now = Utc::now();
        assert_eq!(retry_at(now, 1) - now, Duration::seconds(30));
        assert_eq!(retry_at(now, 2) - now, Duration::seconds(60));
        assert_eq!(retry_at(now, 5) - now, Duration::seconds(480));
        assert_eq!(retry_at(now, 8) - now, Duration::seconds(3600));
        assert_eq!(retry_at(now, 30) - now, Duration::seconds(3600));
    }
}
