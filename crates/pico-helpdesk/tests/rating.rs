//! The requester's rating: only once the ticket is resolved (409 before), by its requester
//! only (the agent gets 403, someone else is refused the ticket), a bad score or a long comment
//! get 422 and store nothing; the rating may change while the ticket is resolved, not once it
//! is closed; the team reads it on the timeline and the ticket, the requester in the rating
//! box only. A guest rates through their private link.

use pico_helpdesk::model::{self, Change, Priority, Status, ticket};
use pico_helpdesk::rating;
use pico_helpdesk::routing::Strategy;
use pico_helpdesk::sla::Schedule;
use pico_kernel::identity::Role;
use pico_kernel::test_support::{Browser, TestApp, field_value, texts};
use pico_kernel::{Registry, spaces};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use std::sync::Arc;

struct Desk {
    app: TestApp,
    treviso: i32,
    sara: i32,
    sara_browser: Browser,
    anna: i32,
    anna_browser: Browser,
}

/// Treviso's help desk with Sara, who gets every ticket; Anna is a registered citizen.
async fn desk() -> Desk {
    let app = TestApp::spawn(Registry::new(vec![
        Arc::new(pico_portal::Portal),
        Arc::new(pico_helpdesk::Helpdesk),
    ]))
    .await;
    let db = &app.state.db;
    let treviso = spaces::by_slug(db, "treviso").await.unwrap().unwrap().id;
    let (sara, sara_browser) = app
        .signed_in("sara@example.it", Some((Role::HelpdeskAgent, "treviso")))
        .await;
    let (anna, anna_browser) = app.signed_in("anna@example.it", None).await;
    let front = model::create_team(db, treviso, "Sportello", Strategy::RoundRobin, Some(sara))
        .await
        .unwrap();
    model::set_member(db, front.id, sara, true).await.unwrap();
    model::save_settings(db, treviso, &Schedule::default(), Some(front.id), 7)
        .await
        .unwrap();
    Desk {
        app,
        treviso,
        sara,
        sara_browser,
        anna,
        anna_browser,
    }
}

fn new_ticket(space_id: i32, requester_id: i32) -> model::NewTicket {
    model::NewTicket {
        space_id,
        requester_id,
        category_id: None,
        module_key: None,
        requester_space_id: None,
        subject: "Non riesco ad accedere".into(),
        description: "Testo.".into(),
        priority: Priority::Normal,
    }
}

async fn set_status(d: &Desk, id: i32, status: Status) {
    let db = &d.app.state.db;
    let t = ticket::Entity::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let change = Change {
        status,
        priority: Priority::Normal,
        category_id: t.category_id,
        team_id: t.team_id,
    };
    model::change(db, &t, d.sara, change, chrono::Utc::now())
        .await
        .unwrap();
}

async fn stored(d: &Desk, id: i32) -> Option<(i32, String)> {
    rating::of_ticket(&d.app.state.db, id)
        .await
        .unwrap()
        .map(|r| (r.score, r.comment))
}

async fn rate(browser: &Browser, path: &str, score: &str, comment: &str) -> reqwest::Response {
    let csrf = browser.csrf(path).await;
    browser
        .post_form(
            &format!("{path}/valutazione"),
            &[("csrf", &csrf), ("punteggio", score), ("commento", comment)],
        )
        .await
}

/// The scores checked in the form.
fn chosen(page: &scraper::Html) -> Vec<String> {
    let selector = scraper::Selector::parse("input[name=punteggio][checked]").unwrap();
    page.select(&selector)
        .filter_map(|e| e.value().attr("value"))
        .map(str::to_owned)
        .collect()
}

async fn error_of(r: reqwest::Response) -> Vec<String> {
    let page = scraper::Html::parse_document(&r.text().await.unwrap());
    texts(&page, ".alert-danger")
}

#[tokio::test]
async fn the_requester_rates_a_resolved_ticket_and_the_team_reads_it() {
    let d = desk().await;
    let db = &d.app.state.db;
    let t = model::open(db, new_ticket(d.treviso, d.anna), chrono::Utc::now())
        .await
        .unwrap();
    let path = format!("/treviso/helpdesk/ticket/{}", t.id);

    // Not yet resolved: no form, and a rating is refused.
    let page = d.anna_browser.page(&path, StatusCode::OK).await;
    assert!(texts(&page, "#valutazione").is_empty());
    let r = rate(&d.anna_browser, &path, "4", "").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(
        error_of(r).await,
        ["Si può valutare la risposta solo quando il ticket è risolto."]
    );

    set_status(&d, t.id, Status::Resolved).await;
    let page = d.anna_browser.page(&path, StatusCode::OK).await;
    assert_eq!(
        texts(&page, "#valutazione ~ form fieldset label"),
        [
            "1 – Per niente soddisfatto",
            "2 – Poco soddisfatto",
            "3 – Abbastanza soddisfatto",
            "4 – Soddisfatto",
            "5 – Molto soddisfatto",
        ]
    );

    // The agent, and someone else, may not rate; bad input is refused and nothing is stored.
    let r = rate(&d.sara_browser, &path, "5", "").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, bruno) = d.app.signed_in("bruno@example.it", None).await;
    let csrf = bruno.csrf("/treviso/helpdesk/nuovo").await;
    let r = bruno
        .post_form(
            &format!("{path}/valutazione"),
            &[("csrf", &csrf), ("punteggio", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = rate(&d.anna_browser, &path, "6", "Ottimo").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&r.text().await.unwrap());
    assert_eq!(
        texts(&page, ".alert-danger"),
        ["Scegli un punteggio da 1 a 5."]
    );
    assert_eq!(texts(&page, "#commento"), ["Ottimo"]);
    let r = rate(&d.anna_browser, &path, "", "").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = rate(&d.anna_browser, &path, "3", &"x".repeat(1001)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_of(r).await,
        ["Il commento può avere al massimo 1000 caratteri."]
    );
    assert_eq!(stored(&d, t.id).await, None);

    // Anna rates, then changes her mind while the ticket is resolved.
    let r = rate(&d.anna_browser, &path, "4", " Risposta chiara. ").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored(&d, t.id).await, Some((4, "Risposta chiara.".into())));
    let page = d
        .anna_browser
        .page(&format!("{path}?fatto=valutato"), StatusCode::OK)
        .await;
    assert_eq!(
        texts(&page, ".alert-success"),
        ["Grazie per la valutazione."]
    );
    assert_eq!(
        texts(&page, "#valutazione ~ p"),
        ["La tua valutazione: 4 – Soddisfatto."]
    );
    assert_eq!(chosen(&page), ["4"]);
    // The timeline entry is for the team.
    assert!(
        !texts(&page, "#cronologia ~ ol li")
            .join("\n")
            .contains("Valutazione")
    );
    let r = rate(&d.anna_browser, &path, "5", "").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored(&d, t.id).await, Some((5, String::new())));
    assert_eq!(rating::entity::Entity::find().count(db).await.unwrap(), 1);

    let page = d.sara_browser.page(&path, StatusCode::OK).await;
    let timeline = texts(&page, "#cronologia ~ ol li").join("\n");
    assert!(timeline.contains("Valutazione: 4 – Soddisfatto."));
    assert!(timeline.contains("«Risposta chiara.»"));
    assert!(timeline.contains("Valutazione cambiata: 5 – Molto soddisfatto."));
    assert_eq!(
        texts(&page, "#valutazione ~ p"),
        ["Valutazione del richiedente: 5 – Molto soddisfatto."]
    );
    assert!(texts(&page, "#valutazione ~ form").is_empty());

    // Closed: the rating is final.
    set_status(&d, t.id, Status::Closed).await;
    let r = rate(&d.anna_browser, &path, "1", "").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(
        error_of(r).await,
        ["Il ticket è chiuso: la valutazione non si può più cambiare."]
    );
    assert_eq!(stored(&d, t.id).await, Some((5, String::new())));
}

#[tokio::test]
async fn a_guest_rates_through_the_private_link() {
    let d = desk().await;
    let db = &d.app.state.db;
    let guest = model::Guest {
        name: "Mario Rossi".into(),
        email: "mario@example.it".into(),
        fiscal_code: None,
    };
    let (t, token) = model::open_guest(db, new_ticket(d.treviso, 0), guest, chrono::Utc::now())
        .await
        .unwrap();
    let path = format!("/treviso/helpdesk/segui/{token}");
    let visitor = d.app.browser();

    let r = rate(&visitor, &path, "5", "").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(stored(&d, t.id).await, None);

    set_status(&d, t.id, Status::Resolved).await;
    let r = rate(&visitor, &path, "0", "").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = rate(&visitor, &path, "5", "Gentilissimi.").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored(&d, t.id).await, Some((5, "Gentilissimi.".into())));
    let page = visitor
        .page(&format!("{path}?fatto=valutato"), StatusCode::OK)
        .await;
    assert_eq!(
        texts(&page, "#valutazione ~ p"),
        ["La tua valutazione: 5 – Molto soddisfatto."]
    );

    // A link that opens no ticket rates nothing.
    let csrf = field_value(&page, "csrf");
    let r = visitor
        .post_form(
            "/treviso/helpdesk/segui/sconosciuto/valutazione",
            &[("csrf", &csrf), ("punteggio", "5")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
