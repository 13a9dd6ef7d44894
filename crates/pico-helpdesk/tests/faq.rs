//! Frequently asked questions: agents write them (also from a resolved ticket), anyone reads
//! the published ones, searches them, says whether one helped, and gets them suggested while
//! typing a subject.

use pico_helpdesk::faq::{self, entry};
use pico_helpdesk::model::{self, Status};
use pico_helpdesk::routing::Strategy;
use pico_helpdesk::sla::Schedule;
use pico_kernel::identity::Role;
use pico_kernel::test_support::{Browser, TestApp, field_value, texts};
use pico_kernel::{Registry, spaces};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use std::sync::Arc;

const FAQ: &str = "/treviso/helpdesk/faq";

struct Desk {
    app: TestApp,
    treviso: i32,
    sara: i32,
    sara_browser: Browser,
    category: i32,
}

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
        .unwrap()
        .id;
    model::save_settings(db, treviso, &Schedule::default(), Some(front.id), 7)
        .await
        .unwrap();
    Desk {
        app,
        treviso,
        sara,
        sara_browser,
        category,
    }
}

async fn add(
    d: &Desk,
    question: &str,
    answer: &str,
    category: Option<i32>,
    published: bool,
) -> i32 {
    faq::create(
        &d.app.state.db,
        d.treviso,
        faq::Draft {
            category_id: category,
            module_key: None,
            question: question.into(),
            answer: answer.into(),
            published,
            created_from_ticket: None,
        },
    )
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn visitors_search_published_entries_by_words_and_category_and_say_whether_they_helped() {
    let d = desk().await;
    let spid = add(
        &d,
        "Come accedo con SPID?",
        "Scegli «Entra con SPID» nella pagina di accesso.",
        Some(d.category),
        true,
    )
    .await;
    add(
        &d,
        "Come cambio la password?",
        "Dal tuo profilo.",
        None,
        true,
    )
    .await;
    add(&d, "Bozza sulla PEC", "Ancora da scrivere.", None, false).await;

    let visitor = d.app.browser();
    let page = visitor.page(FAQ, StatusCode::OK).await;
    let csrf = field_value(&page, "csrf");
    let questions = texts(&page, "section.faq h2");
    assert_eq!(
        questions,
        vec!["Come accedo con SPID?", "Come cambio la password?"]
    );
    // Case-insensitive, every word, over question and answer.
    let page = visitor
        .page(&format!("{FAQ}?q=pagina+spid"), StatusCode::OK)
        .await;
    assert_eq!(
        texts(&page, "section.faq h2"),
        vec!["Come accedo con SPID?"]
    );
    let page = visitor
        .page(&format!("{FAQ}?q=PROFILO"), StatusCode::OK)
        .await;
    assert_eq!(
        texts(&page, "section.faq h2"),
        vec!["Come cambio la password?"]
    );
    let page = visitor
        .page(&format!("{FAQ}?categoria={}", d.category), StatusCode::OK)
        .await;
    assert_eq!(
        texts(&page, "section.faq h2"),
        vec!["Come accedo con SPID?"]
    );
    let page = visitor.page(&format!("{FAQ}?q=pec"), StatusCode::OK).await;
    assert!(texts(&page, "section.faq h2").is_empty());

    // "Ti è stata utile?", counted, with the form's token.
    let useful = format!("{FAQ}/{spid}/utile");
    for answer in ["si", "si", "no"] {
        let r = visitor
            .post_form(&useful, &[("csrf", csrf.as_str()), ("utile", answer)])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let r = d.app.browser().post_form(&useful, &[("utile", "si")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let e = entry::Entity::find_by_id(spid)
        .one(&d.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((e.useful_yes, e.useful_no), (2, 1));
    let page = visitor
        .page(&format!("{FAQ}?grazie={spid}"), StatusCode::OK)
        .await;
    assert!(texts(&page, "[role=status]")[0].contains("Grazie"));
}

#[tokio::test]
async fn suggestions_are_json_with_at_most_five_published_matches() {
    let d = desk().await;
    for n in 0..7 {
        add(&d, &format!("Accesso numero {n}"), "Risposta.", None, true).await;
    }
    add(&d, "Accesso non pubblicato", "Risposta.", None, false).await;
    add(&d, "Fatture elettroniche", "Risposta.", None, true).await;
    let visitor = d.app.browser();
    let r = visitor
        .get(&format!("{FAQ}/suggerimenti?q=Problema+di+accesso"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let found: Vec<serde_json::Value> = r.json().await.unwrap();
    assert_eq!(found.len(), 5);
    for s in &found {
        assert!(
            s["question"]
                .as_str()
                .unwrap()
                .starts_with("Accesso numero")
        );
        assert!(
            s["href"]
                .as_str()
                .unwrap()
                .starts_with("/treviso/helpdesk/faq#faq-")
        );
    }
    let r = visitor.get(&format!("{FAQ}/suggerimenti?q=fattur")).await;
    let found: Vec<serde_json::Value> = r.json().await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["question"], "Fatture elettroniche");
    let r = visitor.get(&format!("{FAQ}/suggerimenti?q=a")).await;
    let found: Vec<serde_json::Value> = r.json().await.unwrap();
    assert!(found.is_empty());
}

#[tokio::test]
async fn an_agent_turns_a_resolved_ticket_into_an_entry_and_edits_and_deletes_it() {
    let d = desk().await;
    let db = &d.app.state.db;
    let (anna, _) = d.app.signed_in("anna@example.it", None).await;
    let t = model::open(
        db,
        model::NewTicket {
            space_id: d.treviso,
            requester_id: anna,
            category_id: Some(d.category),
            module_key: None,
            requester_space_id: None,
            subject: "Non ricevo il codice".into(),
            description: "Niente e-mail.".into(),
            priority: model::Priority::Normal,
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let t = model::add_message(
        db,
        &t,
        d.sara,
        "Controlli lo spam.",
        false,
        false,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let t = model::add_message(
        db,
        &t,
        d.sara,
        "Segreto interno.",
        true,
        false,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let ticket_page = format!("/treviso/helpdesk/ticket/{}", t.id);
    // Not resolved yet: no button.
    let page = d.sara_browser.page(&ticket_page, StatusCode::OK).await;
    assert!(!texts(&page, "a").iter().any(|a| a.contains("Crea una FAQ")));
    model::change(
        db,
        &t,
        d.sara,
        model::Change {
            status: Status::Resolved,
            priority: model::Priority::Normal,
            category_id: Some(d.category),
            team_id: t.team_id,
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let page = d.sara_browser.page(&ticket_page, StatusCode::OK).await;
    let link = scraper::Selector::parse("a[href*='/helpdesk/faq/nuova?ticket=']").unwrap();
    let href = page
        .select(&link)
        .next()
        .expect("Crea una FAQ da questo ticket")
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    let form = d.sara_browser.page(&href, StatusCode::OK).await;
    assert_eq!(field_value(&form, "domanda"), "Non ricevo il codice");
    assert_eq!(
        texts(&form, "textarea#risposta"),
        vec!["Controlli lo spam."]
    );
    let csrf = field_value(&form, "csrf");
    let ticket = field_value(&form, "ticket");
    let category = d.category.to_string();
    // Mistakes come back in Italian.
    let r = d
        .sara_browser
        .post_form(
            "/treviso/helpdesk/faq/nuova",
            &[("csrf", csrf.as_str()), ("domanda", ""), ("risposta", "x")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&r.text().await.unwrap());
    assert!(texts(&page, ".invalid-feedback")[0].contains("Scrivi la domanda"));
    let r = d
        .sara_browser
        .post_form(
            "/treviso/helpdesk/faq/nuova",
            &[
                ("csrf", csrf.as_str()),
                ("domanda", "Non ricevo il codice di conferma"),
                ("risposta", "Controlli lo spam."),
                ("categoria", category.as_str()),
                ("pubblicata", "1"),
                ("ticket", ticket.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let made = entry::Entity::find().one(db).await.unwrap().unwrap();
    assert_eq!(made.created_from_ticket, Some(t.id));
    assert_eq!(made.category_id, Some(d.category));
    assert!(made.published);
    let page = d.app.browser().page(FAQ, StatusCode::OK).await;
    assert_eq!(
        texts(&page, "section.faq h2"),
        vec!["Non ricevo il codice di conferma"]
    );

    // Unpublished, it leaves the public page but agents still see it.
    let edit = format!("/treviso/helpdesk/faq/{}/modifica", made.id);
    let r = d
        .sara_browser
        .post_form(
            &edit,
            &[
                ("csrf", csrf.as_str()),
                ("domanda", "Il codice non arriva"),
                ("risposta", "Controlli la posta indesiderata."),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = d.app.browser().page(FAQ, StatusCode::OK).await;
    assert!(texts(&page, "section.faq h2").is_empty());
    let page = d.sara_browser.page(FAQ, StatusCode::OK).await;
    assert_eq!(texts(&page, "section.faq h2"), vec!["Il codice non arriva"]);
    // Nobody else writes entries.
    let (_, anna_browser) = d.app.signed_in("anna2@example.it", None).await;
    let r = anna_browser.get("/treviso/helpdesk/faq/nuova").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = d
        .sara_browser
        .post_form(
            &format!("/treviso/helpdesk/faq/{}/elimina", made.id),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(entry::Entity::find().one(db).await.unwrap().is_none());
}
