//! The agents' tools: saved replies inserted into a reply, duplicates merged into the ticket
//! the work goes on in, and a requester's tickets in the download of their own data.

use pico_helpdesk::model::{self, NewTicket, Priority, Status, ticket};
use pico_helpdesk::routing::Strategy;
use pico_helpdesk::saved;
use pico_helpdesk::sla::Schedule;
use pico_kernel::identity::Role;
use pico_kernel::test_support::{Browser, TestApp, field_value, texts};
use pico_kernel::{Registry, spaces};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use std::sync::Arc;

const SAVED: &str = "/treviso/helpdesk/risposte";

struct Desk {
    app: TestApp,
    treviso: i32,
    sara: Browser,
    anna: (i32, Browser),
    bruno: (i32, Browser),
}

/// Treviso's help desk with Sara as its one agent; Anna and Bruno ask for help.
async fn desk() -> Desk {
    let app = TestApp::spawn(Registry::new(vec![
        Arc::new(pico_portal::Portal),
        Arc::new(pico_helpdesk::Helpdesk),
    ]))
    .await;
    let db = &app.state.db;
    let treviso = spaces::by_slug(db, "treviso").await.unwrap().unwrap().id;
    let (sara_id, sara) = app
        .signed_in("sara@example.it", Some((Role::HelpdeskAgent, "treviso")))
        .await;
    let front = model::create_team(db, treviso, "Sportello", Strategy::RoundRobin, None)
        .await
        .unwrap();
    model::set_member(db, front.id, sara_id, true)
        .await
        .unwrap();
    model::save_settings(db, treviso, &Schedule::default(), Some(front.id), 7)
        .await
        .unwrap();
    let anna = app.signed_in("anna@example.it", None).await;
    let bruno = app.signed_in("bruno@example.it", None).await;
    Desk {
        app,
        treviso,
        sara,
        anna,
        bruno,
    }
}

async fn open(d: &Desk, requester: i32, subject: &str, description: &str) -> ticket::Model {
    let new = NewTicket {
        space_id: d.treviso,
        requester_id: requester,
        category_id: None,
        module_key: None,
        requester_space_id: None,
        subject: subject.into(),
        description: description.into(),
        priority: Priority::Normal,
    };
    model::open(&d.app.state.db, new, chrono::Utc::now())
        .await
        .unwrap()
}

async fn reload(d: &Desk, id: i32) -> ticket::Model {
    ticket::Entity::find_by_id(id)
        .one(&d.app.state.db)
        .await
        .unwrap()
        .unwrap()
}

async fn saved_count(d: &Desk) -> u64 {
    saved::reply::Entity::find()
        .count(&d.app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn agents_write_saved_replies_and_insert_them_into_a_reply() {
    let d = desk().await;
    let csrf = d.sara.csrf(SAVED).await;
    let body = "Buongiorno {nome},\n\nabbiamo inviato di nuovo l'e-mail per il ticket n. {numero}.";
    let r = d
        .sara
        .post_form(
            SAVED,
            &[
                ("csrf", &csrf),
                ("titolo", "E-mail inviata di nuovo"),
                ("testo", body),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = d.sara.page(SAVED, StatusCode::OK).await;
    assert_eq!(texts(&page, "main li h2"), ["E-mail inviata di nuovo"]);

    // The same title in other letters, and an empty text, are refused; nothing changes.
    for (title, text, error) in [
        (
            "e-mail INVIATA di nuovo",
            "Altro",
            "C'è già una risposta predefinita con questo titolo.",
        ),
        (
            "Vuota",
            "  ",
            "Scrivi il testo (al massimo 10000 caratteri).",
        ),
    ] {
        let r = d
            .sara
            .post_form(
                SAVED,
                &[("csrf", &csrf), ("titolo", title), ("testo", text)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = scraper::Html::parse_document(&r.text().await.unwrap());
        assert!(texts(&page, ".invalid-feedback").contains(&error.to_owned()));
        assert_eq!(field_value(&page, "titolo"), title);
    }
    assert_eq!(saved_count(&d).await, 1);
    let reply = saved::of_space(&d.app.state.db, d.treviso)
        .await
        .unwrap()
        .remove(0);

    // Sara picks it on Anna's ticket: the text is filled in for Anna and this ticket.
    let t = open(&d, d.anna.0, "Non ricevo l'e-mail", "Non arriva.").await;
    let path = format!("/treviso/helpdesk/ticket/{}", t.id);
    let page = d
        .sara
        .page(&format!("{path}?risposta={}", reply.id), StatusCode::OK)
        .await;
    assert_eq!(
        texts(&page, "#testo"),
        [format!(
            "Buongiorno anna@example.it, abbiamo inviato di nuovo l'e-mail per il ticket n. {}.",
            t.id
        )]
    );
    assert_eq!(
        texts(&page, "#risposta option"),
        ["E-mail inviata di nuovo"]
    );
    // Anna sees neither the list nor the text.
    let page = d
        .anna
        .1
        .page(&format!("{path}?risposta={}", reply.id), StatusCode::OK)
        .await;
    assert_eq!(texts(&page, "#testo"), [""]);
    assert!(texts(&page, "#risposta").is_empty());
    assert_eq!(d.anna.1.get(SAVED).await.status(), StatusCode::FORBIDDEN);
    let anna_csrf = d.anna.1.csrf("/treviso/helpdesk/nuovo").await;
    let r = d
        .anna
        .1
        .post_form(
            SAVED,
            &[("csrf", &anna_csrf), ("titolo", "Mia"), ("testo", "Mia")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Edited, then deleted.
    let edit = format!("{SAVED}/{}", reply.id);
    let page = d.sara.page(&edit, StatusCode::OK).await;
    assert_eq!(field_value(&page, "titolo"), "E-mail inviata di nuovo");
    let r = d
        .sara
        .post_form(
            &edit,
            &[
                ("csrf", &csrf),
                ("titolo", "E-mail reinviata"),
                ("testo", "Fatto, {nome}."),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = d.sara.page(SAVED, StatusCode::OK).await;
    assert_eq!(texts(&page, "main li h2"), ["E-mail reinviata"]);

    // A saved reply of Brescia is not found through Treviso.
    let brescia = spaces::by_slug(&d.app.state.db, "brescia")
        .await
        .unwrap()
        .unwrap()
        .id;
    let other = saved::add(
        &d.app.state.db,
        brescia,
        "Di Brescia".into(),
        "Testo".into(),
    )
    .await
    .unwrap();
    assert_eq!(
        d.sara.get(&format!("{SAVED}/{}", other.id)).await.status(),
        StatusCode::NOT_FOUND
    );
    let r = d
        .sara
        .post_form(&format!("{SAVED}/{}/elimina", other.id), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let r = d
        .sara
        .post_form(&format!("{edit}/elimina"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(saved_count(&d).await, 1, "only Brescia's is left");
}

#[tokio::test]
async fn a_duplicate_is_merged_closed_and_its_requester_told() {
    let d = desk().await;
    let original = open(
        &d,
        d.anna.0,
        "SPID non funziona",
        "Da stamattina l'accesso con SPID dà errore.",
    )
    .await;
    let duplicate = open(
        &d,
        d.bruno.0,
        "Errore di accesso",
        "Non riesco a entrare: codice 19.",
    )
    .await;
    let path = |id: i32| format!("/treviso/helpdesk/ticket/{id}");
    let merge = |id: i32| format!("/treviso/helpdesk/ticket/{id}/unisci");
    let csrf = d.sara.csrf(&path(duplicate.id)).await;

    // Anna and Bruno may not merge, not even their own ticket.
    let r = d
        .bruno
        .1
        .post_form(
            &merge(duplicate.id),
            &[
                ("csrf", &d.bruno.1.csrf(&path(duplicate.id)).await),
                ("ticket", &original.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A ticket into itself, or into one that does not exist, is refused on the page.
    for target in [duplicate.id.to_string(), "999".into(), "abc".into()] {
        let r = d
            .sara
            .post_form(
                &merge(duplicate.id),
                &[("csrf", &csrf), ("ticket", &target)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = scraper::Html::parse_document(&r.text().await.unwrap());
        assert_eq!(
            texts(&page, "#unisci-errore"),
            ["Indica il numero di un altro ticket di questo spazio."]
        );
        assert_eq!(field_value(&page, "ticket"), target);
    }
    assert_eq!(reload(&d, duplicate.id).await.status, "new");

    let r = d
        .sara
        .post_form(
            &merge(duplicate.id),
            &[("csrf", &csrf), ("ticket", &format!("n. {}", original.id))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        reload(&d, duplicate.id).await.status,
        Status::Closed.as_str()
    );
    assert_eq!(reload(&d, original.id).await.status, "new");

    // Bruno reads why, without a link to Anna's ticket, which stays closed to him.
    let page = d.bruno.1.page(&path(duplicate.id), StatusCode::OK).await;
    let note = texts(&page, "main .alert-info").join(" ");
    assert!(note.contains(&format!("unita al ticket n. {}", original.id)));
    assert!(texts(&page, "main .alert-info a").is_empty());
    let timeline = texts(&page, "#cronologia ~ ol li").join("\n");
    let told = format!(
        "La sua richiesta riguarda lo stesso problema del ticket n. {}",
        original.id
    );
    assert!(timeline.contains(&told));
    assert!(!timeline.contains("Unito come duplicato"));
    assert_eq!(
        d.bruno.1.get(&path(original.id)).await.status(),
        StatusCode::FORBIDDEN
    );
    let mails = d.app.mails_to("bruno@example.it").await;
    assert!(mails.iter().any(|m| m.body.contains(&told)));

    // The team finds Bruno's words on Anna's ticket as a note; Anna does not.
    let page = d.sara.page(&path(original.id), StatusCode::OK).await;
    let timeline = texts(&page, "#cronologia ~ ol li").join("\n");
    assert!(timeline.contains("Non riesco a entrare: codice 19."));
    assert!(texts(&page, "dd a").contains(&format!("n. {}", duplicate.id)));
    let page = d.anna.1.page(&path(original.id), StatusCode::OK).await;
    let timeline = texts(&page, "#cronologia ~ ol li").join("\n");
    assert!(!timeline.contains("codice 19"));

    // Once merged, it cannot be merged again; nor can anything go into it.
    let r = d
        .sara
        .post_form(
            &merge(duplicate.id),
            &[("csrf", &csrf), ("ticket", &original.id.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let third = open(&d, d.anna.0, "Ancora SPID", "Sempre lo stesso errore.").await;
    let r = d
        .sara
        .post_form(
            &merge(third.id),
            &[("csrf", &csrf), ("ticket", &duplicate.id.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reload(&d, third.id).await.status, "new");

    // Anna's own duplicate points her to the ticket she can open, with her message.
    let r = d
        .sara
        .post_form(
            &merge(third.id),
            &[
                ("csrf", &csrf),
                ("ticket", &original.id.to_string()),
                ("messaggio", "Ne parliamo nella sua prima richiesta."),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = d.anna.1.page(&path(third.id), StatusCode::OK).await;
    assert_eq!(
        texts(&page, "main .alert-info a"),
        [format!("n. {}", original.id)]
    );
    assert!(
        texts(&page, "#cronologia ~ ol li")
            .join("\n")
            .contains("Ne parliamo nella sua prima richiesta.")
    );
}

#[tokio::test]
async fn a_requester_downloads_their_tickets_without_the_team_s_notes() {
    let d = desk().await;
    let t = open(&d, d.anna.0, "Non ricevo l'e-mail", "Non arriva.").await;
    let db = &d.app.state.db;
    let sara = model::members_of(db, t.team_id.unwrap()).await.unwrap()[0].person_id;
    model::add_message(
        db,
        &t,
        sara,
        "Nota per il gruppo.",
        true,
        false,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    model::add_message(
        db,
        &t,
        sara,
        "L'abbiamo reinviata.",
        false,
        false,
        chrono::Utc::now(),
    )
    .await
    .unwrap();

    let export = |b: &Browser| {
        let url = b.url("/profilo/dati/esporta");
        let client = b.client.clone();
        async move {
            let r = client.get(url).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let anna = export(&d.anna.1).await;
    let tickets = anna["modules"]["helpdesk"]["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0]["subject"], "Non ricevo l'e-mail");
    assert_eq!(tickets[0]["space"], "treviso");
    let said: Vec<_> = tickets[0]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap().to_owned())
        .collect();
    assert!(said.contains(&"L'abbiamo reinviata.".to_owned()));
    assert!(!said.iter().any(|s| s.contains("Nota per il gruppo")));

    let bruno = export(&d.bruno.1).await;
    assert!(bruno["modules"].get("helpdesk").is_none());
}
