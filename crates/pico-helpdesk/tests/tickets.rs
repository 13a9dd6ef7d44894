//! Tickets over HTTP: a requester opens one with an attachment, the assigned agent answers and
//! keeps internal notes, the requester sees only what is meant for them, nobody else sees the
//! ticket, bad input comes back in Italian, and every step sends its e-mail (a real SMTP
//! server with `PICO_TEST_SMTP=1`).

use pico_helpdesk::model::{self, Priority, Status, ticket};
use pico_helpdesk::routing::Strategy;
use pico_helpdesk::sla::Schedule;
use pico_kernel::identity::Role;
use pico_kernel::test_support::{Browser, TestApp, field_value, texts};
use pico_kernel::{Registry, spaces};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, PaginatorTrait};
use std::sync::Arc;

const NEW: &str = "/treviso/helpdesk/nuovo";

struct Desk {
    app: TestApp,
    sara: i32,
    sara_browser: Browser,
    anna: i32,
    anna_browser: Browser,
    front: i32,
    tenders: i32,
    nicola: i32,
}

/// Treviso's help desk: a front desk with Sara, a tenders team with Nicola; Anna is a
/// registered citizen.
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
    let (nicola, _) = app
        .signed_in("nicola@example.it", Some((Role::HelpdeskAgent, "treviso")))
        .await;
    let (anna, anna_browser) = app.signed_in("anna@example.it", None).await;
    let front = model::create_team(db, treviso, "Sportello", Strategy::RoundRobin, Some(sara))
        .await
        .unwrap();
    model::set_member(db, front.id, sara, true).await.unwrap();
    let tenders = model::create_team(db, treviso, "Gare", Strategy::RoundRobin, None)
        .await
        .unwrap();
    model::set_member(db, tenders.id, nicola, true)
        .await
        .unwrap();
    model::create_category(db, treviso, "Accesso", None)
        .await
        .unwrap();
    model::save_settings(db, treviso, &Schedule::default(), Some(front.id), 7)
        .await
        .unwrap();
    Desk {
        app,
        sara,
        sara_browser,
        anna,
        anna_browser,
        front: front.id,
        tenders: tenders.id,
        nicola,
    }
}

/// The ticket form, filled in.
fn form(csrf: &str, category: &str, subject: &str, description: &str) -> Form {
    Form::new()
        .text("csrf", csrf.to_owned())
        .text("modulo", "helpdesk")
        .text("categoria", category.to_owned())
        .text("oggetto", subject.to_owned())
        .text("descrizione", description.to_owned())
}

fn file(name: &str, bytes: Vec<u8>) -> Part {
    Part::bytes(bytes).file_name(name.to_owned())
}

async fn post(browser: &Browser, path: &str, form: Form) -> reqwest::Response {
    browser
        .client
        .post(browser.url(path))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn category(d: &Desk) -> String {
    let treviso = spaces::by_slug(&d.app.state.db, "treviso")
        .await
        .unwrap()
        .unwrap()
        .id;
    model::categories_of(&d.app.state.db, treviso)
        .await
        .unwrap()[0]
        .id
        .to_string()
}

/// Anna opens a ticket through the form; returns its page's path.
async fn open_ticket(d: &Desk) -> String {
    let csrf = d.anna_browser.csrf(NEW).await;
    let form = form(
        &csrf,
        &category(d).await,
        "Non ricevo l'e-mail di conferma",
        "Mi sono registrata ieri.\n\nL'e-mail non arriva.",
    )
    .part(
        "allegati",
        file("schermata.pdf", b"%PDF-1.4 schermata".to_vec()),
    );
    let r = post(&d.anna_browser, NEW, form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    location.split('?').next().unwrap().to_owned()
}

async fn only_ticket(d: &Desk) -> ticket::Model {
    ticket::Entity::find()
        .one(&d.app.state.db)
        .await
        .unwrap()
        .expect("a ticket")
}

#[tokio::test]
async fn a_requester_sees_replies_but_never_internal_notes_nor_someone_else_s_ticket() {
    let d = desk().await;
    let path = open_ticket(&d).await;
    let t = only_ticket(&d).await;
    assert_eq!(t.assignee_id, Some(d.sara));
    assert_eq!(t.team_id, Some(d.front));
    assert_eq!(t.module_key.as_deref(), Some("helpdesk"));

    // Sara keeps a note for the team, then answers Anna.
    let csrf = d.sara_browser.csrf(&path).await;
    let note = [
        ("csrf", csrf.as_str()),
        ("tipo", "nota"),
        ("testo", "Il dominio della casella rifiuta i messaggi."),
    ];
    let r = d
        .sara_browser
        .post_form(&format!("{path}/risposta"), &note)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let reply = [
        ("csrf", csrf.as_str()),
        ("tipo", "risposta"),
        ("testo", "Abbiamo inviato di nuovo l'e-mail."),
    ];
    let r = d
        .sara_browser
        .post_form(&format!("{path}/risposta"), &reply)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let agent_page = d.sara_browser.page(&path, StatusCode::OK).await;
    let agent_sees = texts(&agent_page, "#cronologia ~ ol li").join("\n");
    assert!(agent_sees.contains("Nota interna"));
    assert!(agent_sees.contains("Il dominio della casella rifiuta i messaggi."));
    assert!(agent_sees.contains("Preso in carico da sara@example.it"));

    let page = d.anna_browser.page(&path, StatusCode::OK).await;
    let anna_sees = texts(&page, "#cronologia ~ ol li").join("\n");
    assert!(anna_sees.contains("Abbiamo inviato di nuovo l'e-mail."));
    assert!(anna_sees.contains("Stato: «In lavorazione»."));
    assert!(!anna_sees.contains("Il dominio della casella"));
    assert!(!anna_sees.contains("Nota interna"));
    assert!(!anna_sees.contains("Preso in carico"));
    assert!(texts(&page, "#gestisci").is_empty());
    assert_eq!(texts(&page, "dd")[0], "In lavorazione");
    // The first response stopped the clock.
    assert!(only_ticket(&d).await.first_response_at.is_some());

    // Anna's "note" is a public reply: only agents keep notes.
    let csrf = d.anna_browser.csrf(&path).await;
    let r = d
        .anna_browser
        .post_form(
            &format!("{path}/risposta"),
            &[
                ("csrf", &csrf),
                ("tipo", "nota"),
                ("testo", "Ora è arrivata, grazie."),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let public = model::public_timeline(&d.app.state.db, t.id).await.unwrap();
    assert!(public.iter().any(|e| e.body == "Ora è arrivata, grazie."));

    // Her attachment is hers and the team's only.
    let attachment = format!(
        "{path}/allegati/{}",
        model::attachments_of(&d.app.state.db, t.id).await.unwrap()[0].id
    );
    let r = d.anna_browser.get(&attachment).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"%PDF-1.4 schermata");

    // Someone else, and an agent of Brescia, are refused the ticket, its attachment, the queue.
    let (_, other) = d.app.signed_in("bruno@example.it", None).await;
    let (_, brescia) = d
        .app
        .signed_in(
            "agente.brescia@example.it",
            Some((Role::HelpdeskAgent, "brescia")),
        )
        .await;
    for browser in [&other, &brescia] {
        assert_eq!(browser.get(&path).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            browser.get(&attachment).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            browser.get("/treviso/helpdesk/coda").await.status(),
            StatusCode::FORBIDDEN
        );
        let csrf = browser.csrf("/treviso/helpdesk/nuovo").await;
        let r = browser
            .post_form(
                &format!("{path}/risposta"),
                &[("csrf", &csrf), ("testo", "Ciao")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    // Bruno's own list does not show Anna's ticket.
    let list = other.page("/treviso/helpdesk", StatusCode::OK).await;
    assert!(texts(&list, "table a").is_empty());
    let list = d
        .anna_browser
        .page("/treviso/helpdesk", StatusCode::OK)
        .await;
    assert_eq!(texts(&list, "table a"), ["Non ricevo l'e-mail di conferma"]);
}

#[tokio::test]
async fn bad_input_is_refused_in_italian_and_nothing_is_stored() {
    let d = desk().await;
    let csrf = d.anna_browser.csrf(NEW).await;
    let category = category(&d).await;
    let r = post(&d.anna_browser, NEW, form(&csrf, "", "  ", "")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&r.text().await.unwrap());
    assert_eq!(
        texts(&page, ".alert-danger li"),
        [
            "Scrivi l'oggetto della richiesta (al massimo 150 caratteri).",
            "Descrivi il problema (al massimo 10000 caratteri).",
            "Scegli la categoria della richiesta.",
        ]
    );

    // What was typed stays; a forbidden file type is named.
    let exe = form(&csrf, &category, "Programma", "Vi mando il programma.").part(
        "allegati",
        file("setup.exe", b"MZ\x90\x00programma".to_vec()),
    );
    let r = post(&d.anna_browser, NEW, exe).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&r.text().await.unwrap());
    assert!(
        texts(&page, ".alert-danger li")[0]
            .starts_with("Il file «setup.exe» non è di un tipo ammesso")
    );
    assert_eq!(field_value(&page, "oggetto"), "Programma");
    assert_eq!(texts(&page, "#descrizione"), ["Vi mando il programma."]);

    let long = "x".repeat(151);
    let r = post(
        &d.anna_browser,
        NEW,
        form(&csrf, &category, &long, "Testo."),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let mut big = b"%PDF-1.4 ".to_vec();
    big.resize(5 * 1024 * 1024 + 1, b'x');
    let r = post(
        &d.anna_browser,
        NEW,
        form(&csrf, &category, "Grande", "Allegato grande.")
            .part("allegati", file("grande.pdf", big)),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&r.text().await.unwrap());
    assert_eq!(
        texts(&page, ".alert-danger li"),
        ["Il file «grande.pdf» supera i 5 MB, la dimensione massima consentita."]
    );

    assert_eq!(
        ticket::Entity::find().count(&d.app.state.db).await.unwrap(),
        0
    );
    // An empty reply.
    let path = open_ticket(&d).await;
    let csrf = d.sara_browser.csrf(&path).await;
    let r = d
        .sara_browser
        .post_form(
            &format!("{path}/risposta"),
            &[("csrf", &csrf), ("testo", " ")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&r.text().await.unwrap());
    assert_eq!(
        texts(&page, ".alert-danger"),
        ["Scrivi il testo (al massimo 10000 caratteri)."]
    );
}

#[tokio::test]
async fn agents_re_route_change_and_resolve_and_the_requester_reopens_within_the_days_allowed() {
    let d = desk().await;
    let db = &d.app.state.db;
    let path = open_ticket(&d).await;
    let t = only_ticket(&d).await;
    let csrf = d.sara_browser.csrf(&path).await;
    // To the tenders team, urgent.
    let r = d
        .sara_browser
        .post_form(
            &format!("{path}/modifica"),
            &[
                ("csrf", &csrf),
                ("stato", "in_progress"),
                ("priorita", "urgent"),
                ("categoria", ""),
                ("gruppo", &d.tenders.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let moved = only_ticket(&d).await;
    assert_eq!(moved.team_id, Some(d.tenders));
    assert_eq!(moved.assignee_id, Some(d.nicola));
    assert_eq!(moved.priority, Priority::Urgent.as_str());
    assert!(moved.first_response_due < t.first_response_due);
    let history: Vec<String> = model::timeline(db, t.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.body)
        .collect();
    assert!(history.contains(&"Spostato dal gruppo «Sportello» al gruppo «Gare».".to_owned()));
    assert!(history.contains(&"Preso in carico da sara@example.it.".to_owned()));
    assert!(history.contains(&"Preso in carico da nicola@example.it.".to_owned()));
    assert!(history.contains(&"Priorità: «Urgente».".to_owned()));

    // A choice that is not offered.
    let r = d
        .sara_browser
        .post_form(
            &format!("{path}/modifica"),
            &[("csrf", &csrf), ("stato", "perso"), ("priorita", "urgent")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Resolved; Anna answers within the week: it is reopened.
    let resolve = [
        ("csrf", csrf.as_str()),
        ("stato", "resolved"),
        ("priorita", "urgent"),
        ("categoria", ""),
        ("gruppo", &d.tenders.to_string()),
    ];
    let r = d
        .sara_browser
        .post_form(&format!("{path}/modifica"), &resolve)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(only_ticket(&d).await.status, Status::Resolved.as_str());
    let anna_csrf = d.anna_browser.csrf(&path).await;
    let again = [
        ("csrf", anna_csrf.as_str()),
        ("testo", "Il problema si ripresenta."),
    ];
    let r = d
        .anna_browser
        .post_form(&format!("{path}/risposta"), &again)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let reopened = only_ticket(&d).await;
    assert_eq!(reopened.status, Status::InProgress.as_str());
    assert_eq!(reopened.resolved_at, None);

    // Resolved long ago: her reply is refused, and she is told to open a new request.
    let r = d
        .sara_browser
        .post_form(&format!("{path}/modifica"), &resolve)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut old: ticket::ActiveModel = only_ticket(&d).await.into();
    old.resolved_at = Set(Some(chrono::Utc::now() - chrono::Duration::days(8)));
    old.update(db).await.unwrap();
    let r = d
        .anna_browser
        .post_form(&format!("{path}/risposta"), &again)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&r.text().await.unwrap());
    assert_eq!(
        texts(&page, ".alert-danger"),
        ["Il ticket è chiuso: per un nuovo problema apri una nuova richiesta."]
    );
}

#[tokio::test]
async fn the_queue_filters_and_counts_tickets() {
    let d = desk().await;
    let db = &d.app.state.db;
    open_ticket(&d).await;
    let t = only_ticket(&d).await;
    // A second ticket, overdue, for the tenders team.
    let mut late: ticket::ActiveModel = model::open(
        db,
        model::NewTicket {
            space_id: t.space_id,
            requester_id: d.anna,
            category_id: None,
            module_key: Some("sua".into()),
            requester_space_id: None,
            subject: "Gara in ritardo".into(),
            description: "Testo.".into(),
            priority: Priority::High,
        },
        chrono::Utc::now() - chrono::Duration::days(30),
    )
    .await
    .unwrap()
    .into();
    late.team_id = Set(Some(d.tenders));
    late.assignee_id = Set(Some(d.nicola));
    late.update(db).await.unwrap();

    let page = d
        .sara_browser
        .page("/treviso/helpdesk/coda", StatusCode::OK)
        .await;
    assert_eq!(
        texts(&page, "[aria-label=Contatori] li"),
        [
            "Aperti: 2",
            "Assegnati a me: 1",
            "Non assegnati: 0",
            "A rischio: 0",
            "Scaduti: 1"
        ]
    );
    assert_eq!(
        texts(&page, "tbody td a"),
        ["Non ricevo l'e-mail di conferma", "Gara in ritardo"]
    );
    let page = d
        .sara_browser
        .page("/treviso/helpdesk/coda?miei=1", StatusCode::OK)
        .await;
    assert_eq!(
        texts(&page, "tbody td a"),
        ["Non ricevo l'e-mail di conferma"]
    );
    let page = d
        .sara_browser
        .page("/treviso/helpdesk/coda?sla=scaduti", StatusCode::OK)
        .await;
    assert_eq!(texts(&page, "tbody td a"), ["Gara in ritardo"]);
    let page = d
        .sara_browser
        .page(
            &format!("/treviso/helpdesk/coda?gruppo={}", d.front),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        texts(&page, "tbody td a"),
        ["Non ricevo l'e-mail di conferma"]
    );
    let page = d
        .sara_browser
        .page("/treviso/helpdesk/coda?stato=resolved", StatusCode::OK)
        .await;
    assert!(texts(&page, "tbody td a").is_empty());
}

#[tokio::test]
async fn notifications_go_to_the_agent_then_to_the_requester_with_a_link() {
    let d = desk().await;
    let path = open_ticket(&d).await;
    let mails = d.app.mails_to("sara@example.it").await;
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0]
            .subject
            .contains("Nuova richiesta: Non ricevo l'e-mail di conferma")
    );
    assert_eq!(mails[0].link("/treviso/helpdesk/ticket/"), path);

    let csrf = d.sara_browser.csrf(&path).await;
    d.sara_browser
        .post_form(
            &format!("{path}/risposta"),
            &[
                ("csrf", &csrf),
                ("tipo", "nota"),
                ("testo", "Solo per noi."),
            ],
        )
        .await;
    d.sara_browser
        .post_form(
            &format!("{path}/risposta"),
            &[
                ("csrf", &csrf),
                ("testo", "Abbiamo inviato di nuovo l'e-mail."),
            ],
        )
        .await;
    let mails = d.app.mails_to("anna@example.it").await;
    // The reply, and the status it moved the ticket to; never the note.
    assert_eq!(mails.len(), 2, "{mails:#?}");
    assert!(mails.iter().all(|m| !m.body.contains("Solo per noi.")));
    let reply = mails
        .iter()
        .find(|m| m.subject.contains("Risposta"))
        .unwrap();
    assert!(reply.body.contains("Abbiamo inviato di nuovo l'e-mail."));
    assert_eq!(reply.link("/treviso/helpdesk/ticket/"), path);
    assert!(
        mails
            .iter()
            .any(|m| m.body.contains("ora è: in lavorazione"))
    );

    let tenders = d.tenders.to_string();
    d.sara_browser
        .post_form(
            &format!("{path}/modifica"),
            &[
                ("csrf", &csrf),
                ("stato", "resolved"),
                ("priorita", "normal"),
                ("categoria", ""),
                ("gruppo", &tenders),
            ],
        )
        .await;
    let mails = d.app.mails_to("anna@example.it").await;
    assert_eq!(mails.len(), 3);
    assert!(mails.iter().any(|m| m.subject.contains("Risolto")));
    let nicola = d.app.mails_to("nicola@example.it").await;
    assert_eq!(nicola.len(), 1);
    assert!(nicola[0].subject.contains("Assegnato a te"));
}
