//! Newsletters over HTTP: double opt-in, one-click unsubscribe (link and `List-Unsubscribe`),
//! campaigns composed from published content by the space's editors only, a test to oneself,
//! then the real sending by the job queue with each recipient's outcome.

use chrono::Utc;
use pico_kernel::identity::Role;
use pico_kernel::test_support::{Browser, TestApp, field_value, texts};
use pico_kernel::{Registry, spaces};
use pico_newsletter::model::{self, campaign, delivery, subscriber};
use pico_portal::model::content;
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use std::sync::Arc;

async fn app() -> TestApp {
    TestApp::spawn(Registry::new(vec![
        Arc::new(pico_portal::Portal),
        Arc::new(pico_newsletter::Newsletter),
    ]))
    .await
}

/// A published news item of the space `slug`; returns its id.
async fn published_news(app: &TestApp, slug: &str, title: &str, by: i32) -> i32 {
    let space = spaces::by_slug(&app.state.db, slug).await.unwrap().unwrap();
    let now = Utc::now();
    content::ActiveModel {
        space_id: Set(space.id),
        kind: Set("news".into()),
        slug: Set(spaces::slugify(title)),
        title: Set(title.into()),
        summary: Set(format!("In breve: {title}.")),
        body: Set("<p>Testo.</p>".into()),
        position: Set(0),
        status: Set("published".into()),
        published_at: Set(Some(now)),
        shared: Set(false),
        highlighted: Set(false),
        revision: Set(1),
        created_by: Set(by),
        updated_by: Set(by),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap()
    .id
}

async fn subscriber(app: &TestApp, email: &str) -> Option<subscriber::Model> {
    subscriber::Entity::find()
        .filter(subscriber::Column::Email.eq(email))
        .one(&app.state.db)
        .await
        .unwrap()
}

/// Composes a campaign through the form; returns its id.
async fn compose(editor: &Browser, subject: &str, items: &[i32]) -> i32 {
    let path = "/treviso/newsletter/gestione/nuova";
    let csrf = editor.csrf(path).await;
    let ids: Vec<String> = items.iter().map(i32::to_string).collect();
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("subject", subject),
        ("intro", "Care amiche e cari amici,\n\necco le novità."),
    ];
    form.extend(ids.iter().map(|id| ("contenuti", id.as_str())));
    let response = editor.post_form(path, &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "campaign saved");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    location
        .trim_start_matches("/treviso/newsletter/gestione/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn send(editor: &Browser, id: i32) -> StatusCode {
    let page = format!("/treviso/newsletter/gestione/{id}");
    let csrf = editor.csrf(&page).await;
    editor
        .post_form(&format!("{page}/invia"), &[("csrf", &csrf)])
        .await
        .status()
}

#[tokio::test]
async fn a_visitor_subscribes_confirms_and_leaves_with_one_click() {
    let app = app().await;
    let visitor = app.browser();
    let path = "/treviso/newsletter";
    let csrf = field_value(&visitor.page(path, StatusCode::OK).await, "csrf");

    // Mistakes come back in Italian, and nothing is stored.
    let response = visitor
        .post_form(path, &[("csrf", &csrf), ("email", "anna@example.it")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&response.text().await.unwrap());
    assert!(texts(&page, ".invalid-feedback")[0].contains("informativa sulla privacy"));
    let response = visitor
        .post_form(
            path,
            &[
                ("csrf", &csrf),
                ("email", "non-un-indirizzo"),
                ("privacy", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(subscriber(&app, "anna@example.it").await.is_none());
    // A form posted from elsewhere, without the token, is refused.
    let response = app
        .browser()
        .post_form(path, &[("email", "anna@example.it"), ("privacy", "1")])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let subscribe = [
        ("csrf", csrf.as_str()),
        ("email", " Anna@Example.it "),
        ("privacy", "1"),
    ];
    let response = visitor.post_form(path, &subscribe).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let done = response.headers()["location"].to_str().unwrap().to_owned();
    let page = visitor.page(&done, StatusCode::OK).await;
    assert!(texts(&page, "[role=status]")[0].contains("apri il link"));
    assert_eq!(
        subscriber(&app, "anna@example.it").await.unwrap().status,
        model::PENDING
    );

    // Asking again at once sends no second message.
    visitor.post_form(path, &subscribe).await;
    let mails = app.mails_to("anna@example.it").await;
    assert_eq!(mails.len(), 1, "one confirmation message");
    assert!(mails[0].subject.contains("Provincia di Treviso"));
    let confirm = mails[0].link("/treviso/newsletter/conferma/");

    // Opening the link (as a mail scanner would) confirms nothing; the button does.
    let page = visitor.page(&confirm, StatusCode::OK).await;
    assert_eq!(texts(&page, "main form button"), ["Confermo l'iscrizione"]);
    assert_eq!(
        subscriber(&app, "anna@example.it").await.unwrap().status,
        model::PENDING
    );
    let response = app.browser().post_form(&confirm, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        subscriber(&app, "anna@example.it").await.unwrap().status,
        model::CONFIRMED
    );
    assert_eq!(
        app.browser()
            .post_form("/treviso/newsletter/conferma/sbagliato", &[])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // A campaign reaches her with a working unsubscribe link and the one-click headers.
    let (editor_id, editor) = app
        .signed_in("redazione@treviso.it", Some((Role::Editor, "treviso")))
        .await;
    let news = published_news(&app, "treviso", "Nuovo bando per le scuole", editor_id).await;
    let id = compose(&editor, "Le novità di novembre", &[news]).await;
    assert_eq!(send(&editor, id).await, StatusCode::SEE_OTHER);
    let mails = app.mails_to("anna@example.it").await;
    let letter = mails.last().unwrap();
    assert_eq!(letter.subject, "Le novità di novembre");
    assert!(letter.body.contains("Nuovo bando per le scuole"));
    assert!(
        letter
            .body
            .contains("/treviso/notizie/nuovo-bando-per-le-scuole")
    );
    assert!(letter.html.as_deref().unwrap().contains("<a href=\"http"));
    assert_eq!(
        letter.header("List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    let header = letter.header("List-Unsubscribe").unwrap();
    let url = header.trim_start_matches('<').trim_end_matches('>');
    let leave = letter.link("/treviso/newsletter/disiscrizione/");
    assert!(url.ends_with(&leave), "the header and the link agree");

    // A mail program unsubscribes with one POST, without cookies or tokens of a form.
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        subscriber(&app, "anna@example.it").await.unwrap().status,
        model::UNSUBSCRIBED
    );

    // The next campaign does not reach her.
    let next = compose(&editor, "Le novità di dicembre", &[news]).await;
    assert_eq!(send(&editor, next).await, StatusCode::SEE_OTHER);
    let mails = app.mails_to("anna@example.it").await;
    assert!(mails.iter().all(|m| m.subject != "Le novità di dicembre"));
}

#[tokio::test]
async fn editors_compose_test_and_send_and_see_every_recipient() {
    let app = app().await;
    let (editor_id, editor) = app
        .signed_in("redazione@treviso.it", Some((Role::Editor, "treviso")))
        .await;
    let news = published_news(&app, "treviso", "Strade provinciali riaperte", editor_id).await;
    let brescia_news = published_news(&app, "brescia", "Notizia di Brescia", editor_id).await;
    let treviso = spaces::by_slug(&app.state.db, "treviso")
        .await
        .unwrap()
        .unwrap();
    for n in 0..5 {
        let email = format!("lettore{n}@example.it");
        let token = model::subscribe(&app.state.db, treviso.id, &email)
            .await
            .unwrap()
            .unwrap();
        if n < 4 {
            assert!(
                model::confirm(&app.state.db, treviso.id, &token)
                    .await
                    .unwrap()
            );
        }
    }

    // The composer checks what it is given.
    let path = "/treviso/newsletter/gestione/nuova";
    let csrf = editor.csrf(path).await;
    let response = editor
        .post_form(
            path,
            &[
                ("csrf", &csrf),
                ("subject", " "),
                ("contenuti", &news.to_string()),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = editor
        .post_form(
            path,
            &[
                ("csrf", &csrf),
                ("subject", "Prova"),
                ("contenuti", &brescia_news.to_string()),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("non è più pubblicato"),
        "another space's item is not offered"
    );
    assert!(
        campaign::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .is_empty()
    );

    let id = compose(&editor, "Notizie dalla Provincia", &[news]).await;
    let page = editor
        .page(
            &format!("/treviso/newsletter/gestione/{id}"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        texts(&page, "#anteprima ~ div h3"),
        ["Strade provinciali riaperte"]
    );
    assert!(texts(&page, "main button").contains(&"Invia a 4 iscritti".to_owned()));

    // Only the space's editors reach the campaign.
    let (_, reader) = app.signed_in("lettore@example.it", None).await;
    let (_, other) = app
        .signed_in("redazione@brescia.it", Some((Role::Editor, "brescia")))
        .await;
    let campaign_page = format!("/treviso/newsletter/gestione/{id}");
    assert_eq!(
        reader.get(&campaign_page).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        other.get(&campaign_page).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        other
            .get(&format!("/brescia/newsletter/gestione/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let anonymous = app.browser().get(&campaign_page).await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert!(
        anonymous.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/accedi")
    );
    let csrf = reader.csrf("/treviso/newsletter").await;
    assert_eq!(
        reader
            .post_form(&format!("{campaign_page}/invia"), &[("csrf", &csrf)])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // A test goes to the editor alone.
    let csrf = editor.csrf(&campaign_page).await;
    let response = editor
        .post_form(&format!("{campaign_page}/prova"), &[("csrf", &csrf)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let mails = app.mails().await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "redazione@treviso.it");
    assert_eq!(mails[0].subject, "[Prova] Notizie dalla Provincia");

    // One reader leaves while the campaign waits in the queue: her message is cancelled.
    assert_eq!(send(&editor, id).await, StatusCode::SEE_OTHER);
    let leaving = subscriber(&app, "lettore0@example.it").await.unwrap();
    assert!(
        model::unsubscribe(&app.state.db, treviso.id, &leaving.token)
            .await
            .unwrap()
    );
    let mails = app.mails().await;
    let mut to: Vec<_> = mails.iter().skip(1).map(|m| m.to.as_str()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "lettore1@example.it",
            "lettore2@example.it",
            "lettore3@example.it"
        ]
    );
    let sent = campaign::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sent.status, model::SENT);
    assert_eq!(sent.recipients, 4, "the pending address is not a recipient");
    let outcomes: Vec<String> = delivery::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| format!("{} {}", d.email, d.status))
        .collect();
    assert_eq!(
        outcomes,
        [
            "lettore0@example.it cancelled",
            "lettore1@example.it sent",
            "lettore2@example.it sent",
            "lettore3@example.it sent"
        ]
    );
    let page = editor.page(&campaign_page, StatusCode::OK).await;
    assert!(texts(&page, "#avanzamento ~ ul li").contains(&"Inviato: 3".to_owned()));
    assert_eq!(texts(&page, "main table tbody tr").len(), 4);

    // Sent is sent: no second sending, no editing, no deleting.
    assert_eq!(send(&editor, id).await, StatusCode::CONFLICT);
    let csrf = editor.csrf(&campaign_page).await;
    let response = editor
        .post_form(&format!("{campaign_page}/elimina"), &[("csrf", &csrf)])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.mails().await.len(), 4);
}
