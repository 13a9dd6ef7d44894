//! The help desk's reports: tickets with known times (one across a weekend) give the counts,
//! the median business times, the SLA compliance and the satisfaction shown on the page and
//! written in the CSV; the filters narrow them; only the space's agents and administrators
//! read them.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Rome;
use pico_helpdesk::model::{self, Change, Priority, Status, ticket};
use pico_helpdesk::rating;
use pico_helpdesk::routing::{Strategy, Subject};
use pico_helpdesk::sla::Schedule;
use pico_kernel::identity::Role;
use pico_kernel::test_support::{Browser, TestApp, texts};
use pico_kernel::{Registry, spaces};
use reqwest::StatusCode;
use std::sync::Arc;

/// A wall-clock time in Italy.
fn rome(date: &str, time: &str) -> DateTime<Utc> {
    let naive =
        chrono::NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M").unwrap();
    Rome.from_local_datetime(&naive)
        .unwrap()
        .with_timezone(&Utc)
}

struct Desk {
    app: TestApp,
    sara: i32,
    sara_browser: Browser,
    anna_browser: Browser,
    tenders: i32,
    access: i32,
}

async fn answer(d: &Desk, t: &ticket::Model, at: DateTime<Utc>) -> ticket::Model {
    model::add_message(&d.app.state.db, t, d.sara, "Risposta.", false, false, at)
        .await
        .unwrap()
}

async fn resolve(d: &Desk, t: &ticket::Model, at: DateTime<Utc>) -> ticket::Model {
    let change = Change {
        status: Status::Resolved,
        priority: Priority::parse(&t.priority).unwrap(),
        category_id: t.category_id,
        team_id: t.team_id,
    };
    model::change(&d.app.state.db, t, d.sara, change, at)
        .await
        .unwrap()
}

/// Treviso's help desk (Monday to Friday, 9–13 and 14–17; normal tickets: first response in
/// 2 business hours, resolution in 10) and its tickets:
/// - A, access, from Treviso: opened Friday 6/11 at 16, answered Monday at 10 (120 minutes,
///   on time), resolved Monday at 15 (360, on time), rated 5;
/// - B, tenders, from Brescia: opened Monday 2/11 at 9, answered at 13:30 (240, late),
///   resolved Tuesday at 10 (480, on time), rated 4;
/// - C, access: opened Tuesday 10/11 at 9, never answered, both deadlines passed;
/// - D, access, low priority: opened now, not yet due;
/// - E: opened before the period.
async fn desk() -> Desk {
    let app = TestApp::spawn(Registry::new(vec![
        Arc::new(pico_portal::Portal),
        Arc::new(pico_helpdesk::Helpdesk),
    ]))
    .await;
    let db = &app.state.db;
    let treviso = spaces::by_slug(db, "treviso").await.unwrap().unwrap().id;
    let brescia = spaces::by_slug(db, "brescia").await.unwrap().unwrap().id;
    let (sara, sara_browser) = app
        .signed_in("sara@example.it", Some((Role::HelpdeskAgent, "treviso")))
        .await;
    let (anna, anna_browser) = app.signed_in("anna@example.it", None).await;
    let front = model::create_team(db, treviso, "Sportello", Strategy::RoundRobin, Some(sara))
        .await
        .unwrap();
    model::set_member(db, front.id, sara, true).await.unwrap();
    let tenders = model::create_team(db, treviso, "Supporto gare", Strategy::RoundRobin, None)
        .await
        .unwrap();
    model::set_member(db, tenders.id, sara, true).await.unwrap();
    let access = model::create_category(db, treviso, "Accesso", None)
        .await
        .unwrap();
    let gare = model::create_category(db, treviso, "Gare", None)
        .await
        .unwrap();
    model::add_rule(
        db,
        treviso,
        Subject {
            category_id: Some(gare.id),
            ..Subject::default()
        },
        tenders.id,
    )
    .await
    .unwrap();
    model::save_settings(db, treviso, &Schedule::default(), Some(front.id), 7)
        .await
        .unwrap();
    model::set_targets(db, treviso, Priority::Normal, 120, 600)
        .await
        .unwrap();
    let d = Desk {
        app,
        sara,
        sara_browser,
        anna_browser,
        tenders: tenders.id,
        access: access.id,
    };
    let db = &d.app.state.db;
    let open = |category: i32, from: Option<i32>, priority: Priority, at: DateTime<Utc>| {
        let new = model::NewTicket {
            space_id: treviso,
            requester_id: anna,
            category_id: Some(category),
            module_key: None,
            requester_space_id: from,
            subject: "Richiesta".into(),
            description: "Testo.".into(),
            priority,
        };
        model::open(db, new, at)
    };
    let a = open(
        access.id,
        Some(treviso),
        Priority::Normal,
        rome("2026-11-06", "16:00"),
    )
    .await
    .unwrap();
    let a = answer(&d, &a, rome("2026-11-09", "10:00")).await;
    let a = resolve(&d, &a, rome("2026-11-09", "15:00")).await;
    rating::rate(db, &a, 5, "", rome("2026-11-09", "16:00"))
        .await
        .unwrap();
    let b = open(
        gare.id,
        Some(brescia),
        Priority::Normal,
        rome("2026-11-02", "09:00"),
    )
    .await
    .unwrap();
    assert_eq!(b.team_id, Some(tenders.id));
    let b = answer(&d, &b, rome("2026-11-02", "13:30")).await;
    let b = resolve(&d, &b, rome("2026-11-03", "10:00")).await;
    rating::rate(db, &b, 4, "Lenti.", rome("2026-11-03", "11:00"))
        .await
        .unwrap();
    open(
        access.id,
        None,
        Priority::Normal,
        rome("2026-11-10", "09:00"),
    )
    .await
    .unwrap();
    open(access.id, None, Priority::Low, Utc::now())
        .await
        .unwrap();
    open(
        access.id,
        None,
        Priority::Normal,
        rome("2026-10-20", "09:00"),
    )
    .await
    .unwrap();
    d
}

/// The cells of each body row of a table, joined by " | ".
fn rows(page: &scraper::Html, table: &str) -> Vec<String> {
    let row = scraper::Selector::parse(&format!("{table} tbody tr")).unwrap();
    let cell = scraper::Selector::parse("th, td").unwrap();
    page.select(&row)
        .map(|r| {
            r.select(&cell)
                .map(|c| c.text().collect::<String>().trim().to_owned())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

fn period() -> String {
    let today = Utc::now().with_timezone(&Rome).date_naive();
    format!("dal=2026-11-02&al={today}")
}

#[tokio::test]
async fn the_reports_count_measure_and_export_the_period_s_tickets() {
    let d = desk().await;
    let page = d
        .sara_browser
        .page(
            &format!("/treviso/helpdesk/rapporti?{}", period()),
            StatusCode::OK,
        )
        .await;
    assert_eq!(texts(&page, "#totale"), ["4"]);
    assert_eq!(rows(&page, "#per-categoria"), ["Accesso | 3", "Gare | 1"]);
    assert_eq!(
        rows(&page, "#per-gruppo"),
        ["Sportello | 3", "Supporto gare | 1"]
    );
    let by_space = rows(&page, "#per-spazio");
    assert_eq!(by_space.len(), 3);
    assert_eq!(by_space[0], "Non indicato | 2");
    // Medians over A and B: the weekend between Friday and Monday does not count.
    assert_eq!(
        rows(&page, "#tempi"),
        ["Prima risposta | 3 ore | 2", "Risoluzione | 7 ore | 2"]
    );
    // C is late on both; D, not yet due, is left out.
    assert_eq!(
        rows(&page, "#sla"),
        [
            "Prima risposta | 1 | 2 | 33,3%",
            "Risoluzione | 2 | 1 | 66,7%"
        ]
    );
    assert_eq!(texts(&page, "#valutazioni"), ["2"]);
    assert_eq!(texts(&page, "#media"), ["4,5"]);
    assert_eq!(
        texts(&page, "#distribuzione tbody td"),
        ["0", "0", "0", "1", "1"]
    );

    // The filters narrow everything.
    let page = d
        .sara_browser
        .page(
            &format!(
                "/treviso/helpdesk/rapporti?{}&gruppo={}",
                period(),
                d.tenders
            ),
            StatusCode::OK,
        )
        .await;
    assert_eq!(texts(&page, "#totale"), ["1"]);
    assert_eq!(texts(&page, "#media"), ["4,0"]);
    let page = d
        .sara_browser
        .page(
            &format!(
                "/treviso/helpdesk/rapporti?{}&categoria={}",
                period(),
                d.access
            ),
            StatusCode::OK,
        )
        .await;
    assert_eq!(texts(&page, "#totale"), ["3"]);
    let r = d
        .sara_browser
        .get("/treviso/helpdesk/rapporti?dal=ieri")
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = d
        .sara_browser
        .get("/treviso/helpdesk/rapporti?dal=2026-11-10&al=2026-11-02")
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // The CSV: one row per ticket of the period, oldest first.
    let r = d
        .sara_browser
        .get(&format!("/treviso/helpdesk/rapporti.csv?{}", period()))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"assistenza-treviso-2026-11-02-")
    );
    let body = r.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[0], "numero");
    assert_eq!(header[13], "valutazione");
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 4);
    let b = &rows[0];
    assert_eq!(b[1], "2026-11-02T09:00:00+01:00");
    assert_eq!(&b[3..7], ["Gare", "Supporto gare", "Normale", "Risolto"]);
    assert_eq!(&b[9..], ["240", "480", "no", "sì", "4"]);
    let a = &rows[1];
    assert_eq!(a[1], "2026-11-06T16:00:00+01:00");
    assert_eq!(a[7], "2026-11-09T10:00:00+01:00");
    assert_eq!(a[8], "2026-11-09T15:00:00+01:00");
    assert_eq!(&a[9..], ["120", "360", "sì", "sì", "5"]);
    let c = &rows[2];
    assert_eq!(c[6], "Nuovo");
    assert_eq!(&c[7..], ["", "", "", "", "no", "no", ""]);
    let late = &rows[3];
    assert_eq!(late[5], "Bassa");
    assert_eq!(&late[11..], ["—", "—", ""]);
}

#[tokio::test]
async fn only_the_space_s_agents_and_administrators_read_the_reports() {
    let d = desk().await;
    let (_, brescia) = d
        .app
        .signed_in(
            "agente.brescia@example.it",
            Some((Role::HelpdeskAgent, "brescia")),
        )
        .await;
    let (_, admin) = d
        .app
        .signed_in("admin@example.it", Some((Role::SpaceAdmin, "treviso")))
        .await;
    for path in [
        "/treviso/helpdesk/rapporti",
        "/treviso/helpdesk/rapporti.csv",
    ] {
        for browser in [&brescia, &d.anna_browser] {
            assert_eq!(browser.get(path).await.status(), StatusCode::FORBIDDEN);
        }
        assert_eq!(admin.get(path).await.status(), StatusCode::OK);
        assert_eq!(d.sara_browser.get(path).await.status(), StatusCode::OK);
    }
    // The queue leads to the reports.
    let queue = d
        .sara_browser
        .page("/treviso/helpdesk/coda", StatusCode::OK)
        .await;
    assert!(
        texts(&queue, "main a")
            .iter()
            .any(|a| a.starts_with("Rapporti"))
    );
}
