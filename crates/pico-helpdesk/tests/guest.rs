//! Help without an account: the public form opens a ticket routed and assigned like any other,
//! the guest follows it through the private link of the confirmation e-mail (which opens that
//! ticket only, and shows no internal note), robots filling the hidden field are told it
//! worked and leave nothing, mistakes come back in Italian, and too many requests get a 429.

use pico_helpdesk::model::{self, guest, guest_link, ticket};
use pico_helpdesk::routing::Strategy;
use pico_helpdesk::sla::Schedule;
use pico_kernel::identity::Role;
use pico_kernel::test_support::{Browser, TestApp, field_value, texts};
use pico_kernel::{Registry, spaces};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use std::sync::Arc;

const FORM: &str = "/treviso/helpdesk/aiuto";

struct Desk {
    app: TestApp,
    sara: i32,
    sara_browser: Browser,
    category: String,
}

/// Treviso's help desk: a front desk with Sara, who gets every ticket.
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
    let front = model::create_team(db, treviso, "Sportello", Strategy::RoundRobin, Some(sara))
        .await
        .unwrap();
    model::set_member(db, front.id, sara, true).await.unwrap();
    let category = model::create_category(db, treviso, "Accesso", None)
        .await
        .unwrap();
    model::save_settings(db, treviso, &Schedule::default(), Some(front.id), 7)
        .await
        .unwrap();
    Desk {
        app,
        sara,
        sara_browser,
        category: category.id.to_string(),
    }
}

async fn tickets(d: &Desk) -> u64 {
    ticket::Entity::find().count(&d.app.state.db).await.unwrap()
}

/// A visitor's browser with the form's CSRF token.
async fn visitor(d: &Desk) -> (Browser, String) {
    let browser = d.app.browser();
    let csrf = field_value(&browser.page(FORM, StatusCode::OK).await, "csrf");
    (browser, csrf)
}

fn filled<'a>(csrf: &'a str, category: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("nome", "Mario Rossi"),
        ("email", " Mario.Rossi@Example.it "),
        ("codice_fiscale", "rssmra80a01h501u"),
        ("categoria", category),
        ("oggetto", "Non riesco a registrarmi"),
        ("descrizione", "Il codice di conferma non arriva."),
        ("sito_web", ""),
    ]
}

#[tokio::test]
async fn a_guest_asks_for_help_and_follows_the_ticket_through_a_private_link() {
    let d = desk().await;
    let (browser, csrf) = visitor(&d).await;
    let r = browser.post_form(FORM, &filled(&csrf, &d.category)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let done = r.headers()["location"].to_str().unwrap().to_owned();
    let page = browser.page(&done, StatusCode::OK).await;
    assert!(texts(&page, "[role=status]")[0].contains("Richiesta inviata"));

    // The ticket is routed and assigned like any other; the guest is kept with it.
    let t = ticket::Entity::find()
        .one(&d.app.state.db)
        .await
        .unwrap()
        .expect("a ticket");
    assert_eq!(t.assignee_id, Some(d.sara));
    assert_eq!(t.subject, "Non riesco a registrarmi");
    let g = model::guest_of(&d.app.state.db, t.id)
        .await
        .unwrap()
        .expect("the guest");
    assert_eq!(g.email, "mario.rossi@example.it");
    assert_eq!(g.fiscal_code.as_deref(), Some("RSSMRA80A01H501U"));

    // The confirmation carries the private link; only its digest is stored.
    let mails = d.app.mails_to("mario.rossi@example.it").await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].subject.contains(&format!("Ticket n. {}", t.id)));
    let link = mails[0].link("/treviso/helpdesk/segui/");
    let token = link.rsplit('/').next().unwrap().to_owned();
    assert!(token.len() >= 43, "256 bits: {token}");
    let stored = guest_link::Entity::find()
        .all(&d.app.state.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].token_hash, token);
    assert!(!stored[0].token_hash.contains(&token));
    // The agent is told too.
    assert_eq!(d.app.mails_to("sara@example.it").await.len(), 1);

    // Sara answers publicly and adds an internal note.
    let agent_page = format!("/treviso/helpdesk/ticket/{}", t.id);
    let page = d.sara_browser.page(&agent_page, StatusCode::OK).await;
    assert!(
        page.root_element()
            .text()
            .collect::<String>()
            .contains("Mario Rossi <mario.rossi@example.it> (senza account)")
    );
    let sara_csrf = field_value(&page, "csrf");
    let reply = format!("{agent_page}/risposta");
    let r = d
        .sara_browser
        .post_form(
            &reply,
            &[
                ("csrf", sara_csrf.as_str()),
                ("testo", "Le abbiamo reinviato il codice."),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = d
        .sara_browser
        .post_form(
            &reply,
            &[
                ("csrf", sara_csrf.as_str()),
                ("tipo", "nota"),
                ("testo", "Indirizzo nella lista nera del provider."),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The reply reaches the guest by e-mail, with a link that works.
    let mails = d.app.mails_to("mario.rossi@example.it").await;
    let answer = mails
        .iter()
        .find(|m| m.body.contains("Le abbiamo reinviato il codice."))
        .expect("the reply by e-mail");
    assert!(!answer.body.contains("lista nera"));
    let second = answer.link("/treviso/helpdesk/segui/");
    browser.page(&second, StatusCode::OK).await;

    // The guest reads the public timeline, never the note, from any browser with the link.
    let guest_browser = d.app.browser();
    let page = guest_browser.page(&link, StatusCode::OK).await;
    let text = page.root_element().text().collect::<String>();
    assert!(text.contains("Le abbiamo reinviato il codice."));
    assert!(text.contains("Il codice di conferma non arriva."));
    assert!(!text.contains("lista nera"));
    assert!(!text.contains("Nota interna"));

    // And replies, with the form's token.
    let csrf = field_value(&page, "csrf");
    let r = guest_browser
        .post_form(
            &format!("{link}/risposta"),
            &[("csrf", csrf.as_str()), ("testo", "Arrivato, grazie!")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = guest_browser
        .page(r.headers()["location"].to_str().unwrap(), StatusCode::OK)
        .await;
    let entries = texts(&page, "ol li");
    assert!(
        entries
            .iter()
            .any(|e| e.contains("Mario Rossi") && e.contains("Arrivato, grazie!")),
        "{entries:?}"
    );
    // Without the form's token the reply is refused; empty text comes back in Italian.
    let r = d
        .app
        .browser()
        .post_form(&format!("{link}/risposta"), &[("testo", "Ancora io")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = guest_browser
        .post_form(
            &format!("{link}/risposta"),
            &[("csrf", csrf.as_str()), ("testo", "  ")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&r.text().await.unwrap());
    assert!(texts(&page, "[role=alert]")[0].contains("Scrivi il testo"));
    // The agent is told of the guest's reply.
    let to_sara = d.app.mails_to("sara@example.it").await;
    assert!(
        to_sara
            .iter()
            .any(|m| m.subject.contains("Risposta del richiedente"))
    );
}

#[tokio::test]
async fn a_link_opens_its_own_ticket_only_and_a_made_up_one_nothing() {
    let d = desk().await;
    let (browser, csrf) = visitor(&d).await;
    for who in ["primo@example.it", "secondo@example.it"] {
        let mut fields = filled(&csrf, &d.category);
        fields[2] = ("email", who);
        fields[5] = ("oggetto", who);
        let r = browser.post_form(FORM, &fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let first = d.app.mails_to("primo@example.it").await[0].link("/treviso/helpdesk/segui/");
    let second = d.app.mails_to("secondo@example.it").await[0].link("/treviso/helpdesk/segui/");
    let page = browser.page(&first, StatusCode::OK).await;
    assert_eq!(texts(&page, "h1"), vec!["primo@example.it"]);
    let page = browser.page(&second, StatusCode::OK).await;
    assert_eq!(texts(&page, "h1"), vec!["secondo@example.it"]);

    // A made-up token, or a real one in another space, opens nothing.
    let token = first.rsplit('/').next().unwrap();
    let made_up = pico_kernel::identity::sessions::random_token();
    browser
        .page(
            &format!("/treviso/helpdesk/segui/{made_up}"),
            StatusCode::NOT_FOUND,
        )
        .await;
    let r = browser
        .post_form(
            &format!("/treviso/helpdesk/segui/{made_up}/risposta"),
            &[("csrf", csrf.as_str()), ("testo", "Ciao")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    browser
        .page(
            &format!("/brescia/helpdesk/segui/{token}"),
            StatusCode::NOT_FOUND,
        )
        .await;
    // A guest's ticket is no one's to open by number but the agents'.
    let t = ticket::Entity::find()
        .one(&d.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let (_, anna) = d.app.signed_in("anna@example.it", None).await;
    let r = anna
        .get(&format!("/treviso/helpdesk/ticket/{}", t.id))
        .await;
    assert!(matches!(
        r.status(),
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ));
}

#[tokio::test]
async fn a_robot_filling_the_hidden_field_is_told_it_worked_and_leaves_nothing() {
    let d = desk().await;
    let (browser, csrf) = visitor(&d).await;
    let page = browser.page(FORM, StatusCode::OK).await;
    let honeypot = scraper::Selector::parse("input[name=sito_web]").unwrap();
    let field = page.select(&honeypot).next().expect("the hidden field");
    assert_eq!(field.value().attr("tabindex"), Some("-1"));
    assert_eq!(field.value().attr("autocomplete"), Some("off"));
    let hidden =
        scraper::Selector::parse(".visually-hidden[aria-hidden=true] input[name=sito_web]")
            .unwrap();
    assert!(page.select(&hidden).next().is_some());

    let mut fields = filled(&csrf, &d.category);
    fields[7] = ("sito_web", "https://offerte.example.com");
    let r = browser.post_form(FORM, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        "/treviso/helpdesk/aiuto?fatto=inviata"
    );
    assert_eq!(tickets(&d).await, 0);
    assert!(
        guest::Entity::find()
            .all(&d.app.state.db)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(d.app.mails().await.is_empty());
}

#[tokio::test]
async fn mistakes_come_back_in_italian_with_what_was_typed_and_nothing_is_stored() {
    let d = desk().await;
    let (browser, csrf) = visitor(&d).await;
    let long = "x".repeat(10_001);
    let mut fields = filled(&csrf, &d.category);
    fields[1] = ("nome", "  ");
    fields[2] = ("email", "non-un-indirizzo");
    fields[3] = ("codice_fiscale", "RSSMRA80A01H501X");
    fields[5] = ("oggetto", "Ancora il codice");
    fields[6] = ("descrizione", &long);
    let r = browser.post_form(FORM, &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&r.text().await.unwrap());
    let errors = texts(&page, ".invalid-feedback");
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(errors[0].contains("nome e cognome"));
    assert!(errors.iter().any(|e| e.contains("Descrivi il problema")));
    assert!(
        errors
            .iter()
            .any(|e| e.to_lowercase().contains("codice fiscale"))
    );
    assert_eq!(field_value(&page, "email"), "non-un-indirizzo");
    assert_eq!(field_value(&page, "oggetto"), "Ancora il codice");
    // Empty subject and no category.
    let mut fields = filled(&csrf, "");
    fields[5] = ("oggetto", "");
    let r = browser.post_form(FORM, &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&r.text().await.unwrap());
    let errors = texts(&page, ".invalid-feedback");
    assert!(errors.iter().any(|e| e.contains("oggetto")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("categoria")), "{errors:?}");
    assert_eq!(field_value(&page, "nome"), "Mario Rossi");
    // Posted from elsewhere, without the form's token.
    let r = d
        .app
        .browser()
        .post_form(FORM, &filled("", &d.category))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(tickets(&d).await, 0);
    assert!(d.app.mails().await.is_empty());
}

#[tokio::test]
async fn too_many_requests_from_one_address_get_an_italian_429() {
    let d = desk().await;
    let (browser, csrf) = visitor(&d).await;
    let mut fields = filled(&csrf, &d.category);
    fields[7] = ("sito_web", "robot");
    let mut refused = None;
    for _ in 0..40 {
        let r = browser.post_form(FORM, &fields).await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(r.text().await.unwrap());
            break;
        }
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let body = refused.expect("a 429 within 40 requests");
    assert!(body.contains("troppi tentativi"), "{body}");
    assert_eq!(tickets(&d).await, 0);
}
