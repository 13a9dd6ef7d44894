//! Routing, assignment and SLA deadlines of tickets, on the real database (SQLite, or
//! PostgreSQL with `PICO_TEST_DATABASE_URL`).

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Rome;
use pico_helpdesk::model::{self, NewTicket, Priority, Status};
use pico_helpdesk::routing::{Strategy, Subject};
use pico_helpdesk::sla::Schedule;
use pico_kernel::test_support::{PASSWORD, TestApp};
use pico_kernel::{Registry, identity, spaces};
use std::sync::Arc;

async fn app() -> TestApp {
    TestApp::spawn(Registry::new(vec![Arc::new(pico_helpdesk::Helpdesk)])).await
}

async fn space(app: &TestApp, slug: &str) -> i32 {
    spaces::by_slug(&app.state.db, slug)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn person(app: &TestApp, email: &str) -> i32 {
    identity::create_person(&app.state.db, email, email, PASSWORD, false)
        .await
        .unwrap()
        .id
}

fn rome(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Rome.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn ticket(space_id: i32, requester_id: i32, subject: Subject) -> NewTicket {
    NewTicket {
        space_id,
        requester_id,
        category_id: subject.category_id,
        module_key: subject.module_key,
        requester_space_id: subject.requester_space_id,
        subject: "Non riesco ad accedere".into(),
        description: "Dopo il login compare un errore.".into(),
        priority: Priority::Normal,
    }
}

#[tokio::test]
async fn routing_rules_send_each_ticket_to_its_team_and_the_rest_to_the_default_one() {
    let app = app().await;
    let db = &app.state.db;
    let treviso = space(&app, "treviso").await;
    let brescia = space(&app, "brescia").await;
    let requester = person(&app, "richiedente@example.it").await;
    let access = model::create_team(db, treviso, "Accessi", Strategy::RoundRobin, None)
        .await
        .unwrap();
    let tenders = model::create_team(db, treviso, "Gare", Strategy::RoundRobin, None)
        .await
        .unwrap();
    let outside = model::create_team(db, treviso, "Fuori provincia", Strategy::RoundRobin, None)
        .await
        .unwrap();
    let general = model::create_team(db, treviso, "Sportello", Strategy::RoundRobin, None)
        .await
        .unwrap();
    let login = model::create_category(db, treviso, "Accesso e registrazione", None)
        .await
        .unwrap();
    model::add_rule(
        db,
        treviso,
        Subject {
            category_id: Some(login.id),
            ..Subject::default()
        },
        access.id,
    )
    .await
    .unwrap();
    model::add_rule(
        db,
        treviso,
        Subject {
            module_key: Some("sua".into()),
            ..Subject::default()
        },
        tenders.id,
    )
    .await
    .unwrap();
    model::add_rule(
        db,
        treviso,
        Subject {
            requester_space_id: Some(brescia),
            ..Subject::default()
        },
        outside.id,
    )
    .await
    .unwrap();
    model::save_settings(db, treviso, &Schedule::default(), Some(general.id), 7)
        .await
        .unwrap();

    let now = Utc::now();
    let open = |subject: Subject| model::open(db, ticket(treviso, requester, subject), now);
    // A login problem met in the SUA module: the first rule wins.
    let t = open(Subject {
        category_id: Some(login.id),
        module_key: Some("sua".into()),
        requester_space_id: None,
    })
    .await
    .unwrap();
    assert_eq!(t.team_id, Some(access.id));
    let t = open(Subject {
        module_key: Some("sua".into()),
        ..Subject::default()
    })
    .await
    .unwrap();
    assert_eq!(t.team_id, Some(tenders.id));
    let t = open(Subject {
        requester_space_id: Some(brescia),
        ..Subject::default()
    })
    .await
    .unwrap();
    assert_eq!(t.team_id, Some(outside.id));
    let t = open(Subject::default()).await.unwrap();
    assert_eq!(t.team_id, Some(general.id));
    // The rules of Treviso do not apply to Brescia's help desk, which has no team yet.
    let t = model::open(db, ticket(brescia, requester, Subject::default()), now)
        .await
        .unwrap();
    assert_eq!(t.team_id, None);
    assert_eq!(t.status, Status::New.as_str());
}

#[tokio::test]
async fn round_robin_gives_tickets_in_turn_to_the_available_agents() {
    let app = app().await;
    let db = &app.state.db;
    let treviso = space(&app, "treviso").await;
    let requester = person(&app, "richiedente@example.it").await;
    let anna = person(&app, "anna@example.it").await;
    let bruno = person(&app, "bruno@example.it").await;
    let carla = person(&app, "carla@example.it").await;
    let team = model::create_team(db, treviso, "Sportello", Strategy::RoundRobin, Some(anna))
        .await
        .unwrap();
    model::set_member(db, team.id, anna, true).await.unwrap();
    model::set_member(db, team.id, bruno, false).await.unwrap();
    model::set_member(db, team.id, carla, true).await.unwrap();
    model::save_settings(db, treviso, &Schedule::default(), Some(team.id), 7)
        .await
        .unwrap();

    let mut assignees = Vec::new();
    for _ in 0..3 {
        let t = model::open(
            db,
            ticket(treviso, requester, Subject::default()),
            Utc::now(),
        )
        .await
        .unwrap();
        assignees.push(t.assignee_id);
    }
    // Bruno is away.
    assert_eq!(assignees, vec![Some(anna), Some(carla), Some(anna)]);
    model::set_member(db, team.id, bruno, true).await.unwrap();
    let t = model::open(
        db,
        ticket(treviso, requester, Subject::default()),
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(t.assignee_id, Some(bruno));

    // The team's timeline says who took it; the requester does not see the team's bookkeeping.
    let all = model::timeline(db, t.id).await.unwrap();
    assert!(all.iter().any(|e| e.body.contains("bruno@example.it")));
    let public = model::public_timeline(db, t.id).await.unwrap();
    assert_eq!(public.len(), 1);
    assert_eq!(public[0].body, "Ticket aperto.");
}

#[tokio::test]
async fn least_loaded_gives_the_ticket_to_the_agent_with_fewest_open_tickets() {
    let app = app().await;
    let db = &app.state.db;
    let treviso = space(&app, "treviso").await;
    let requester = person(&app, "richiedente@example.it").await;
    let anna = person(&app, "anna@example.it").await;
    let bruno = person(&app, "bruno@example.it").await;
    let team = model::create_team(db, treviso, "Sportello", Strategy::LeastLoaded, None)
        .await
        .unwrap();
    model::set_member(db, team.id, anna, true).await.unwrap();
    model::save_settings(db, treviso, &Schedule::default(), Some(team.id), 7)
        .await
        .unwrap();
    for _ in 0..2 {
        let t = model::open(
            db,
            ticket(treviso, requester, Subject::default()),
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(t.assignee_id, Some(anna));
    }
    // Bruno joins with nothing to do: he gets the next two, then it is a tie won by Anna.
    model::set_member(db, team.id, bruno, true).await.unwrap();
    let mut assignees = Vec::new();
    for _ in 0..3 {
        let t = model::open(
            db,
            ticket(treviso, requester, Subject::default()),
            Utc::now(),
        )
        .await
        .unwrap();
        assignees.push(t.assignee_id);
    }
    assert_eq!(assignees, vec![Some(bruno), Some(bruno), Some(anna)]);
}

#[tokio::test]
async fn sla_deadlines_count_business_hours_across_a_weekend_and_a_holiday() {
    let app = app().await;
    let db = &app.state.db;
    let treviso = space(&app, "treviso").await;
    let requester = person(&app, "richiedente@example.it").await;
    model::set_targets(db, treviso, Priority::Urgent, 60, 7 * 60)
        .await
        .unwrap();

    // Friday 20 November 2026, 16:30: half an hour on Friday, the rest from Monday.
    let mut new = ticket(treviso, requester, Subject::default());
    new.priority = Priority::Urgent;
    let t = model::open(db, new.clone(), rome(2026, 11, 20, 16, 30))
        .await
        .unwrap();
    assert_eq!(t.first_response_due, rome(2026, 11, 23, 9, 30));
    assert_eq!(t.resolution_due, rome(2026, 11, 23, 16, 30));

    // Good Friday 2026 (a working day), then Easter Monday: Tuesday 7 April.
    let t = model::open(db, new.clone(), rome(2026, 4, 3, 16, 30))
        .await
        .unwrap();
    assert_eq!(t.first_response_due, rome(2026, 4, 7, 9, 30));

    // Treviso's patron, San Liberale, on Monday 27 April 2026: Tuesday 28 instead.
    let schedule = Schedule::new(Rome, Schedule::default().week().clone(), Some((4, 27))).unwrap();
    model::save_settings(db, treviso, &schedule, None, 7)
        .await
        .unwrap();
    assert_eq!(model::schedule(db, treviso).await.unwrap(), schedule);
    let t = model::open(db, new.clone(), rome(2026, 4, 24, 16, 30))
        .await
        .unwrap();
    assert_eq!(t.first_response_due, rome(2026, 4, 28, 9, 30));

    // A priority without targets of its own keeps the default ones: one working day.
    new.priority = Priority::Normal;
    let t = model::open(db, new, rome(2026, 11, 20, 16, 30))
        .await
        .unwrap();
    assert_eq!(t.first_response_due, rome(2026, 11, 23, 16, 30));
}
