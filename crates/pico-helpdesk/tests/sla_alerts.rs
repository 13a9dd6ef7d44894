//! SLA alerts: the team's lead is mailed when a ticket becomes at risk and when it breaches a
//! deadline, only while the alert still holds, never twice, and not at all when the team has no
//! lead. Alerts are delayed jobs; the tests run each one at the instant it was queued for (a
//! real SMTP server with `PICO_TEST_SMTP=1`).

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Rome;
use pico_helpdesk::alerts::{self, Alert, Deadline, Level};
use pico_helpdesk::model::{self, NewTicket, Priority, Status, ticket};
use pico_helpdesk::routing::{Strategy, Subject};
use pico_helpdesk::sla::Schedule;
use pico_kernel::identity::Role;
use pico_kernel::jobs;
use pico_kernel::test_support::{Browser, TestApp, texts};
use pico_kernel::{Registry, spaces};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::sync::Arc;

const LEAD: &str = "laura@example.it";

struct Desk {
    app: TestApp,
    treviso: i32,
    anna: i32,
    anna_browser: Browser,
    sara: i32,
    laura_browser: Browser,
    access: i32,
    tenders: i32,
}

/// Treviso's front desk, led by Laura, with Sara as agent; a tenders team with no lead takes
/// the category «Gare».
async fn desk() -> Desk {
    let app = TestApp::spawn(Registry::new(vec![
        Arc::new(pico_portal::Portal),
        Arc::new(pico_helpdesk::Helpdesk),
    ]))
    .await;
    let db = &app.state.db;
    let treviso = spaces::by_slug(db, "treviso").await.unwrap().unwrap().id;
    let (sara, _) = app
        .signed_in("sara@example.it", Some((Role::HelpdeskAgent, "treviso")))
        .await;
    let (laura, laura_browser) = app
        .signed_in(LEAD, Some((Role::HelpdeskAgent, "treviso")))
        .await;
    let (nicola, _) = app
        .signed_in("nicola@example.it", Some((Role::HelpdeskAgent, "treviso")))
        .await;
    let (anna, anna_browser) = app.signed_in("anna@example.it", None).await;
    let front = model::create_team(db, treviso, "Sportello", Strategy::RoundRobin, Some(laura))
        .await
        .unwrap();
    model::set_member(db, front.id, sara, true).await.unwrap();
    let tenders_team = model::create_team(db, treviso, "Gare", Strategy::RoundRobin, None)
        .await
        .unwrap();
    model::set_member(db, tenders_team.id, nicola, true)
        .await
        .unwrap();
    let access = model::create_category(db, treviso, "Accesso", None)
        .await
        .unwrap()
        .id;
    let tenders = model::create_category(db, treviso, "Gare", None)
        .await
        .unwrap()
        .id;
    let criteria = Subject {
        category_id: Some(tenders),
        module_key: None,
        requester_space_id: None,
    };
    model::add_rule(db, treviso, criteria, tenders_team.id)
        .await
        .unwrap();
    model::save_settings(db, treviso, &Schedule::default(), Some(front.id), 7)
        .await
        .unwrap();
    Desk {
        app,
        treviso,
        anna,
        anna_browser,
        sara,
        laura_browser,
        access,
        tenders,
    }
}

fn rome(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Rome.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// Monday 7 January 2030, 9:00: the queued alerts are all still in the future, so only the
/// tests run them, at the instant each was queued for.
fn monday() -> DateTime<Utc> {
    rome(2030, 1, 7, 9, 0)
}

async fn open(d: &Desk, category: i32, priority: Priority, at: DateTime<Utc>) -> ticket::Model {
    let new = NewTicket {
        space_id: d.treviso,
        requester_id: d.anna,
        category_id: Some(category),
        module_key: None,
        requester_space_id: None,
        subject: "Non riesco ad accedere".into(),
        description: "Da ieri la password non funziona.".into(),
        priority,
    };
    model::open(&d.app.state.db, new, at).await.unwrap()
}

/// The alerts queued for a ticket, with the instant each runs at, in the order queued.
async fn queued(d: &Desk, ticket_id: i32) -> Vec<(Alert, DateTime<Utc>)> {
    jobs::model::Entity::find()
        .filter(jobs::model::Column::Kind.eq(alerts::JOB))
        .order_by_asc(jobs::model::Column::Id)
        .all(&d.app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|j| (serde_json::from_str::<Alert>(&j.payload).unwrap(), j.run_at))
        .filter(|(a, _)| a.ticket_id == ticket_id)
        .collect()
}

/// The last alert queued for this deadline and level.
async fn alert(d: &Desk, t: i32, deadline: Deadline, level: Level) -> (Alert, DateTime<Utc>) {
    queued(d, t)
        .await
        .into_iter()
        .rev()
        .find(|(a, _)| a.deadline == deadline && a.level == level)
        .expect("a queued alert")
}

#[tokio::test]
async fn the_lead_is_told_when_a_ticket_is_at_risk_then_when_it_breaches_and_never_twice() {
    let d = desk().await;
    // Urgent: first response within an hour, by 10:00.
    let t = open(&d, d.access, Priority::Urgent, monday()).await;
    assert_eq!(t.first_response_due, rome(2030, 1, 7, 10, 0));
    let (risk, risk_at) = alert(&d, t.id, Deadline::FirstResponse, Level::AtRisk).await;
    assert_eq!(risk_at, rome(2030, 1, 7, 9, 45));

    // Nothing before the last quarter.
    let early = risk_at - chrono::Duration::minutes(5);
    assert!(!alerts::deliver(&d.app.state, &risk, early).await.unwrap());
    assert!(alerts::deliver(&d.app.state, &risk, risk_at).await.unwrap());
    // The same job run again, or late, sends nothing more.
    assert!(!alerts::deliver(&d.app.state, &risk, risk_at).await.unwrap());
    let mails = d.app.mails_to(LEAD).await;
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert_eq!(
        mails[0].subject,
        format!("[Ticket n. {}] SLA a rischio: Non riesco ad accedere", t.id)
    );
    assert!(mails[0].body.contains("prima risposta"));
    assert!(mails[0].body.contains("07/01/2030 10:00"));
    let path = format!("/treviso/helpdesk/ticket/{}", t.id);
    assert_eq!(mails[0].link("/treviso/helpdesk/ticket/"), path);

    let (breach, breach_at) = alert(&d, t.id, Deadline::FirstResponse, Level::Breached).await;
    assert_eq!(breach_at, t.first_response_due);
    assert!(
        alerts::deliver(&d.app.state, &breach, breach_at)
            .await
            .unwrap()
    );
    assert!(
        !alerts::deliver(&d.app.state, &breach, breach_at)
            .await
            .unwrap()
    );
    let mails = d.app.mails_to(LEAD).await;
    assert_eq!(mails.len(), 2, "{mails:#?}");
    assert_eq!(
        mails[1].subject,
        format!("[Ticket n. {}] SLA violato: Non riesco ad accedere", t.id)
    );
    assert_eq!(mails[1].link("/treviso/helpdesk/ticket/"), path);

    // The team sees both on the timeline; the requester sees neither.
    let page = d.laura_browser.page(&path, StatusCode::OK).await;
    let team_sees = texts(&page, "#cronologia ~ ol li").join("\n");
    assert!(team_sees.contains("SLA a rischio (prima risposta"));
    assert!(team_sees.contains("SLA violato (prima risposta"));
    let page = d.anna_browser.page(&path, StatusCode::OK).await;
    let anna_sees = texts(&page, "#cronologia ~ ol li").join("\n");
    assert!(!anna_sees.contains("SLA"));

    // A new priority moves the deadlines: the old jobs no longer hold, new ones are queued;
    // back to urgent, the alerts already sent are not sent again.
    let change = |priority| model::Change {
        status: Status::New,
        priority,
        category_id: Some(d.access),
        team_id: t.team_id,
    };
    let t = ticket::Entity::find_by_id(t.id)
        .one(&d.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let low = model::change(&d.app.state.db, &t, d.sara, change(Priority::Low), monday())
        .await
        .unwrap();
    let (moved, moved_at) = alert(&d, t.id, Deadline::FirstResponse, Level::AtRisk).await;
    assert!(moved_at > risk_at);
    assert!(
        !alerts::deliver(&d.app.state, &risk, moved_at)
            .await
            .unwrap()
    );
    let urgent = model::change(
        &d.app.state.db,
        &low,
        d.sara,
        change(Priority::Urgent),
        monday(),
    )
    .await
    .unwrap();
    assert_eq!(urgent.first_response_due, rome(2030, 1, 7, 10, 0));
    let (again, again_at) = alert(&d, t.id, Deadline::FirstResponse, Level::AtRisk).await;
    assert_eq!(again_at, risk_at);
    assert!(
        !alerts::deliver(&d.app.state, &again, again_at)
            .await
            .unwrap()
    );
    assert!(
        !alerts::deliver(&d.app.state, &moved, moved_at)
            .await
            .unwrap()
    );
    assert_eq!(d.app.mails_to(LEAD).await.len(), 2);
}

#[tokio::test]
async fn nothing_is_sent_once_the_agent_has_answered() {
    let d = desk().await;
    let t = open(&d, d.access, Priority::Urgent, monday()).await;
    let answered = model::add_message(
        &d.app.state.db,
        &t,
        d.sara,
        "La stiamo aiutando.",
        false,
        false,
        rome(2030, 1, 7, 9, 30),
    )
    .await
    .unwrap();
    assert!(answered.first_response_at.is_some());
    for level in [Level::AtRisk, Level::Breached] {
        let (a, at) = alert(&d, t.id, Deadline::FirstResponse, level).await;
        assert!(!alerts::deliver(&d.app.state, &a, at).await.unwrap());
    }
    assert!(d.app.mails_to(LEAD).await.is_empty());
}

#[tokio::test]
async fn a_team_without_a_lead_gets_no_alert() {
    let d = desk().await;
    let t = open(&d, d.tenders, Priority::Urgent, monday()).await;
    assert!(!queued(&d, t.id).await.is_empty());
    for (a, at) in queued(&d, t.id).await {
        assert!(!alerts::deliver(&d.app.state, &a, at).await.unwrap());
    }
    assert!(d.app.mails().await.is_empty());
}

#[tokio::test]
async fn the_job_queue_sends_the_alerts_that_are_due() {
    let d = desk().await;
    // Opened on Monday 2 November 2026: both deadlines have long passed, so the at-risk alerts
    // are stale and only the breaches are mailed, once.
    let t = open(&d, d.access, Priority::Urgent, rome(2026, 11, 2, 9, 0)).await;
    assert_eq!(queued(&d, t.id).await.len(), 4);
    d.app.run_jobs().await;
    d.app.run_jobs().await;
    let mails = d.app.mails_to(LEAD).await;
    assert_eq!(mails.len(), 2, "{mails:#?}");
    assert!(mails.iter().all(|m| m.subject.contains("SLA violato")));
    assert!(mails.iter().any(|m| m.body.contains("prima risposta")));
    assert!(mails.iter().any(|m| m.body.contains("risoluzione")));
}
